"""What people type that the API takes in another form: prices in major units (12.50 EUR is
1250 minor units for `MoneyIn`) and local date-times with a time zone (RFC 3339 for
`Instant`). Each conversion refuses what it cannot read with `InvalidInput` naming the form
field, so the message lands beside it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import Money

DEFAULT_ZONE = "UTC"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip() or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            "unknown time zone; use a name such as Europe/Lisbon or UTC", field="time_zone"
        ) from exc


def instants(values: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """`values` with each of `names` (an `<input type="datetime-local">`, no offset) read in
    the form's `time_zone` and written as RFC 3339; the zone field itself is dropped."""
    tz = zone(values.get("time_zone", ""))
    out = {k: v for k, v in values.items() if k != "time_zone"}
    for name in names:
        raw = out.get(name, "").strip()
        if not raw:
            continue
        try:
            local = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise InvalidInput("must be a date and time", field=name) from exc
        if local.tzinfo is None:
            local = local.replace(tzinfo=tz)
        out[name] = local.isoformat()
    return out


def minor_units(values: dict[str, str], field: str = "price.amount") -> dict[str, str]:
    """`values` with the price typed in major units (`12.50`) turned into the currency's minor
    units (`1250`), as `MoneyIn` wants; more decimals than the currency has are refused."""
    raw = values.get(field, "").strip().replace(",", ".")
    if not raw:
        return values
    currency_field = field.rsplit(".", 1)[0] + ".currency"
    currency = values.get(currency_field, "").strip().upper()
    try:
        exponent = Money(0, currency).exponent
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field=currency_field) from exc
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise InvalidInput("must be a number such as 12.50", field=field) from exc
    minor = amount.scaleb(exponent)
    if not amount.is_finite() or minor != minor.to_integral_value():
        raise InvalidInput(f"at most {exponent} decimals for {currency}", field=field)
    return {**values, field: str(int(minor)), currency_field: currency}
