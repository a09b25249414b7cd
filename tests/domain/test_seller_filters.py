"""The seller views' filters refuse what no query should carry (unknown status, both item
filters, naive or backwards times, an overlong or control-character search), and an
attendee's status and visible code follow its ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from showgeo_domain.orders.model import OrderStatus, Ticket
from showgeo_domain.orders.seller_queries import (
    CODE_SUFFIX_LENGTH,
    SEARCH_MAX,
    Attendee,
    AttendeeFilters,
    AttendeeStatus,
    Buyer,
    OrderFilters,
)
from showgeo_domain.shared.errors import InvalidInput

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def test_filters_are_parsed_and_search_is_trimmed_and_lowered() -> None:
    parsed = OrderFilters.parse(status="partially_refunded", search="  Ana@Example ")
    assert parsed.status is OrderStatus.PARTIALLY_REFUNDED
    assert parsed.search == "ana@example"
    assert OrderFilters.parse(search="   ").search is None
    assert AttendeeFilters.parse(search="x" * SEARCH_MAX).search == "x" * SEARCH_MAX


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"status": "SHIPPED"}, "status"),
        ({"ticket_type_id": uuid4(), "product_id": uuid4()}, "product_id"),
        ({"paid_from": NOW.replace(tzinfo=None)}, "paid_from"),
        ({"paid_from": NOW, "paid_to": NOW}, "paid_to"),
        ({"paid_from": NOW, "paid_to": NOW - timedelta(days=1)}, "paid_to"),
        ({"search": "x" * (SEARCH_MAX + 1)}, "q"),
        ({"search": "ana\x00"}, "q"),
    ],
)
def test_bad_filters_name_their_field(arguments: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        OrderFilters.parse(**arguments)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_an_attendee_shows_the_end_of_its_code_and_its_ticket_state() -> None:
    ticket = Ticket(uuid4(), uuid4(), uuid4(), uuid4(), uuid4(), "abcdefghijKLMNOP", NOW)
    attendee = Attendee(ticket, Buyer("Ana", "ana@example.com"), "Floor")
    assert attendee.code_suffix == "KLMNOP"
    assert len(attendee.code_suffix) == CODE_SUFFIX_LENGTH
    assert attendee.status is AttendeeStatus.VALID
    ticket.check_in(NOW)
    assert attendee.status is AttendeeStatus.CHECKED_IN
    ticket.void(NOW)
    assert attendee.status is AttendeeStatus.VOID
