"""Value objects and the raw material the aggregate strategies are made of: currencies,
money, instants, user-typed text and venues. Every value drawn here passes the domain's own
validation, because it is built through the domain's own constructors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from hypothesis import strategies as st

from showgeo_domain.events.model import VENUE_NAME_MAX, Venue
from showgeo_domain.shared.money import Money

#: Real ISO 4217 codes with 0, 2 and 3 minor digits. `currencies()` mixes them with arbitrary
#: three-letter codes, which `Money` accepts too (it checks the form, not a registry).
COMMON_CURRENCIES = ("EUR", "USD", "GBP", "BRL", "JPY", "KRW", "CLP", "KWD", "BHD", "TND")

#: Large enough to cross every interesting boundary, small enough that sums of many amounts
#: stay far from anything a database integer column would refuse.
MAX_AMOUNT = 10**15

#: Instants are drawn from this window; aggregates built later in a story move forward from
#: the one they were created at.
EARLIEST = datetime(2020, 1, 1)
LATEST = datetime(2040, 1, 1)

_SHORT = 40

# Letters, digits, punctuation, symbols and spaces: what people type into a title box.
_TYPED = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"))


@cache
def currencies(*, common_only: bool = False) -> st.SearchStrategy[str]:
    """ISO 4217-shaped codes: mostly real ones, sometimes any three capital letters."""
    common = st.sampled_from(COMMON_CURRENCIES)
    if common_only:
        return common
    return st.one_of(common, st.from_regex(r"[A-Z]{3}", fullmatch=True))


@cache
def money(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    min_amount: int = -MAX_AMOUNT,
    max_amount: int = MAX_AMOUNT,
) -> st.SearchStrategy[Money]:
    """`Money` in one currency (given, drawn from a strategy, or from `currencies()`).
    Amounts may be negative by default: `Money` is also a difference."""
    if isinstance(currency, str):
        codes: st.SearchStrategy[str] = st.just(currency)
    else:
        codes = currency if currency is not None else currencies()
    return st.builds(Money, st.integers(min_amount, max_amount), codes)


@cache
def prices(
    *, currency: str | st.SearchStrategy[str] | None = None, min_amount: int = 0
) -> st.SearchStrategy[Money]:
    """What a ticket or a product may cost: never negative, at most ten million minor units."""
    return money(currency=currency, min_amount=min_amount, max_amount=10_000_000)


@cache
def moments(
    *, after: datetime = EARLIEST, before: datetime = LATEST
) -> st.SearchStrategy[datetime]:
    """Timezone-aware UTC instants in `[after, before]` (naive bounds are read as UTC)."""
    return st.datetimes(
        min_value=after.replace(tzinfo=None),
        max_value=before.replace(tzinfo=None),
        timezones=st.just(UTC),
    )


@cache
def steps(*, max_hours: int = 72) -> st.SearchStrategy[timedelta]:
    """How long passes between two things happening to an aggregate: a microsecond up to
    `max_hours`, so consecutive changes have distinct, ordered times."""
    return st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(hours=max_hours))


@cache
def texts(*, max_length: int, min_length: int = 1) -> st.SearchStrategy[str]:
    """Text a person could type that the domain keeps as given after trimming: never blank,
    never longer than `max_length` once trimmed."""
    short = (
        st.text(_TYPED, min_size=min_length, max_size=min(max_length, _SHORT))
        .map(str.strip)
        .filter(lambda text: len(text) >= min_length)
    )
    if max_length <= _SHORT:
        return short
    # Long texts cost time to generate and shrink; the longest allowed is what matters.
    return st.one_of(short, short.map(lambda text: (text * max_length)[:max_length]))


@cache
def optional_texts(*, max_length: int) -> st.SearchStrategy[str | None]:
    return st.none() | texts(max_length=max_length)


@cache
def countries() -> st.SearchStrategy[str]:
    """ISO 3166-1 alpha-2 shaped codes (`Venue` checks the form, as geofences do)."""
    return st.one_of(
        st.sampled_from(("PT", "ES", "FR", "DE", "GB", "US", "BR", "JP", "NZ", "FJ")),
        st.from_regex(r"[A-Z]{2}", fullmatch=True),
    )


@cache
def venues() -> st.SearchStrategy[Venue]:
    """Venues anywhere on Earth, poles and the antimeridian included."""
    return st.builds(
        Venue,
        name=texts(max_length=VENUE_NAME_MAX),
        lat=st.floats(min_value=-90.0, max_value=90.0, allow_nan=False),
        lon=st.floats(min_value=-180.0, max_value=180.0, allow_nan=False),
        country=countries(),
    )
