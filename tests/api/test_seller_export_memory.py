"""An attendee export of 100,000 tickets on SQLite streams in bounded memory: the CSV body the
route hands to Litestar's `Stream` is produced page by page from keyset reads, so the peak
of traced allocations stays a small fraction of the bytes it sends (a body built in memory
would hold all of them at once, and 100,000 row objects besides)."""

from __future__ import annotations

import csv
import io
import tracemalloc
from pathlib import Path

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy import create_engine, sql_uow_factory
from showgeo_adapters.sqlalchemy.tables import tickets
from showgeo_api.routes.seller_exports import (
    ATTENDEE_COLUMNS,
    ExportFormat,
    attendee_row,
    encode,
)
from showgeo_domain.orders.model import new_ticket_code
from showgeo_domain.orders.seller_queries import AttendeeFilters
from showgeo_domain.orders.seller_views import SellerViews
from showgeo_domain.shared.ids import new_id
from tests.contract.builders import a_line, a_ticket_type, a_user, an_entity, an_event, an_order
from tests.contract.builders import store as store_all
from tests.support.migrated import sqlite_copy

TICKETS = 100_000
PEAK_BOUND = 2 * 1024 * 1024


async def test_a_100k_attendee_csv_export_streams_in_bounded_memory(tmp_path: Path) -> None:
    await sqlite_copy(tmp_path / "export.db")
    engine = create_engine(f"sqlite:///{tmp_path / 'export.db'}")
    try:
        uow = sql_uow_factory(engine)
        clock = FakeClock()
        fan, entity = a_user(clock, "fan", email="=cmd@example.com"), an_entity(clock, "band")
        show = an_event(clock, entity)
        seats = a_ticket_type(clock, show, quota=TICKETS)
        await store_all(uow, users=[fan], entities=[entity], events=[show], ticket_types=[seats])
        order = an_order(clock, fan, a_line(seats, 1))
        order.mark_paid(payment_ref=None, now=clock.tick())
        async with uow() as unit:
            assert await unit.orders.add(order)
            await unit.commit()
        start = clock.tick()
        async with engine.begin() as connection:
            for first in range(0, TICKETS, 10_000):
                await connection.execute(
                    tickets.insert(),
                    [
                        {
                            "id": new_id(),
                            "order_id": order.id,
                            "ticket_type_id": seats.id,
                            "event_id": show.id,
                            "holder_id": fan.id,
                            "code": new_ticket_code(),
                            "issued_at": start,
                            "checked_in_at": None,
                            "voided_at": None,
                        }
                        for _ in range(first, min(first + 10_000, TICKETS))
                    ],
                )

        views = SellerViews(uow)
        body = encode(
            views.attendee_batches(show.id, AttendeeFilters()),
            ATTENDEE_COLUMNS,
            attendee_row,
            ExportFormat.CSV,
        )
        sent = lines = 0
        head = b""
        tracemalloc.start()
        try:
            async for chunk in body:
                sent += len(chunk)
                lines += chunk.count(b"\r\n")
                if not head:
                    head = chunk
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        await engine.dispose()

    assert lines == TICKETS + 1  # the header, then one line per ticket
    assert sent > 4 * PEAK_BOUND
    assert peak < PEAK_BOUND, f"peak {peak} bytes while streaming {sent} bytes"
    header = next(csv.reader(io.StringIO(head.decode())))
    assert header == list(ATTENDEE_COLUMNS)
