"""Money as integer minor units with an ISO 4217 currency: floats never touch an amount."""

from __future__ import annotations

import re
from typing import Self

import msgspec

from showgeo_domain.shared.errors import InvalidInput

_CURRENCY = re.compile(r"[A-Z]{3}")

# ISO 4217 exponents that differ from the common 2; anything else uses 2.
_EXPONENTS: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
    "XPF": 0, "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}  # fmt: skip


class CurrencyMismatch(InvalidInput):
    code = "currency_mismatch"


class Money(msgspec.Struct, frozen=True):
    """An amount in the currency's minor unit (cents for USD, yen for JPY)."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.amount) is not int:  # bool and float are not amounts
            raise InvalidInput("amount must be an integer of minor units", field="amount")
        if not isinstance(self.currency, str) or not _CURRENCY.fullmatch(self.currency):
            raise InvalidInput(
                f"currency must be a three-letter ISO 4217 code, not {self.currency!r}",
                field="currency",
            )

    @classmethod
    def zero(cls, currency: str) -> Self:
        return cls(0, currency)

    @property
    def exponent(self) -> int:
        return _EXPONENTS.get(self.currency, 2)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, times: int) -> Money:
        if type(times) is not int:
            raise InvalidInput("money is multiplied by whole quantities only", field="amount")
        return Money(self.amount * times, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def format(self) -> str:
        """Human form, e.g. '12.50 EUR', computed with integers only."""
        if self.exponent == 0:
            return f"{self.amount} {self.currency}"
        sign = "-" if self.amount < 0 else ""
        major, minor = divmod(abs(self.amount), 10**self.exponent)
        return f"{sign}{major}.{minor:0{self.exponent}d} {self.currency}"
