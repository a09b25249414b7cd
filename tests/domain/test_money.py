"""Money is integer minor units in one currency: arithmetic is exact and never mixes currencies."""

from __future__ import annotations

import re
from decimal import Decimal

import msgspec
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import CurrencyMismatch, Money
from showgeo_domain.testing import MAX_AMOUNT, money
from showgeo_domain.testing import currencies as any_currency

EXPONENT_0, EXPONENT_2, EXPONENT_3 = ["JPY", "KRW"], ["USD", "EUR"], ["KWD", "BHD"]

# The published strategies (showgeo_domain.testing): real ISO codes and any three capitals.
currencies = any_currency()
amounts = st.integers(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT)


@st.composite
def same_currency(draw: st.DrawFn, count: int) -> list[Money]:
    currency = draw(currencies)
    return [draw(money(currency=currency)) for _ in range(count)]


@given(same_currency(3))
def test_addition_is_associative(moneys: list[Money]) -> None:
    a, b, c = moneys
    assert (a + b) + c == a + (b + c)


@given(same_currency(2))
def test_addition_is_commutative(moneys: list[Money]) -> None:
    a, b = moneys
    assert a + b == b + a


@given(same_currency(2))
def test_subtracting_then_adding_back_gives_the_original(moneys: list[Money]) -> None:
    a, b = moneys
    assert a - b + b == a


@given(same_currency(1), st.integers(min_value=-1000, max_value=1000))
def test_multiplication_scales_the_amount_and_keeps_the_currency(
    moneys: list[Money], times: int
) -> None:
    (a,) = moneys
    assert a * times == Money(a.amount * times, a.currency)


@given(same_currency(1))
def test_zero_is_the_identity(moneys: list[Money]) -> None:
    (a,) = moneys
    assert a + Money.zero(a.currency) == a


@given(amounts, amounts, currencies, currencies)
def test_mixing_currencies_raises_currency_mismatch(
    x: int, y: int, first: str, second: str
) -> None:
    assume(first != second)
    a, b = Money(x, first), Money(y, second)
    for combine in (
        lambda: a + b,
        lambda: a - b,
        lambda: a < b,
        lambda: a <= b,
    ):
        with pytest.raises(CurrencyMismatch) as raised:
            combine()
        assert isinstance(raised.value, InvalidInput)


def _not_a_currency_code(text: str) -> bool:
    return not re.fullmatch(r"[A-Z]{3}", text)


@given(st.text(max_size=6).filter(_not_a_currency_code))
def test_invalid_currency_codes_raise_invalid_input(currency: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        Money(100, currency)
    assert raised.value.field == "currency"


@pytest.mark.parametrize("currency", ["usd", "US", "USDX", "", "U$D", "ÜSD"])
def test_common_invalid_currency_codes_raise_invalid_input(currency: str) -> None:
    with pytest.raises(InvalidInput):
        Money(100, currency)


def test_currency_code_with_trailing_newline_is_rejected() -> None:
    # A regex anchored with `$` would let this through: `$` also matches before a final "\n".
    with pytest.raises(InvalidInput):
        Money(100, "USD\n")


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [(c, 0) for c in EXPONENT_0] + [(c, 2) for c in EXPONENT_2] + [(c, 3) for c in EXPONENT_3],
)
def test_exponent_follows_iso_4217(currency: str, exponent: int) -> None:
    assert Money(1, currency).exponent == exponent


@given(amounts, st.sampled_from(EXPONENT_0 + EXPONENT_2 + EXPONENT_3))
def test_format_round_trips_the_integer_amount(amount: int, currency: str) -> None:
    money = Money(amount, currency)
    number, code = money.format().split(" ")
    assert code == currency
    assert Decimal(number) == Decimal(amount).scaleb(-money.exponent)
    fraction = number.partition(".")[2]
    assert len(fraction) == money.exponent


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(1250, "EUR"), "12.50 EUR"),
        (Money(-5, "USD"), "-0.05 USD"),
        (Money(0, "USD"), "0.00 USD"),
        (Money(1500, "JPY"), "1500 JPY"),
        (Money(-1500, "JPY"), "-1500 JPY"),
        (Money(1, "KWD"), "0.001 KWD"),
    ],
)
def test_format_examples(money: Money, text: str) -> None:
    assert money.format() == text


@given(same_currency(1))
def test_msgspec_json_round_trip(moneys: list[Money]) -> None:
    (money,) = moneys
    assert msgspec.json.decode(msgspec.json.encode(money), type=Money) == money


def test_decoding_json_with_an_invalid_currency_raises_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        msgspec.json.decode(b'{"amount": 1, "currency": "usd"}', type=Money)


@pytest.mark.parametrize(
    "build",
    [lambda: Money(1.5, "USD"), lambda: Money(150, "USD") * 1.5, lambda: Money(True, "USD")],
    ids=["float-amount", "float-times", "bool-amount"],
)
def test_amounts_are_integers_only(build) -> None:
    with pytest.raises(InvalidInput) as raised:
        build()
    assert raised.value.field == "amount"
