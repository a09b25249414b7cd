"""Orders and attendees as CSV or JSON Lines, encoded one page at a time as the rows arrive.

The body is an async generator over the seller views' keyset batches, handed to Litestar's
`Stream`: memory holds one page of rows and its encoded bytes, whatever the export's size.
CSV cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab
or a carriage return) get a leading apostrophe. JSON Lines is for programs and keeps values
as they are; amounts in both are integer minor units of the row's currency.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

import msgspec

from showgeo_domain.orders.seller_queries import Attendee, SellerOrder

T = TypeVar("T")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"

    @property
    def media_type(self) -> str:
        return "text/csv; charset=utf-8" if self is ExportFormat.CSV else "application/jsonl"


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet shows as text instead of evaluating."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return spreadsheet_safe(str(value))


ORDER_COLUMNS = (
    "order_id",
    "created_at",
    "status",
    "buyer_name",
    "buyer_email",
    "currency",
    "total",
    "refunded",
    "paid",
    "paid_at",
    "items",
)


def order_row(row: SellerOrder) -> dict[str, Any]:
    order = row.order
    return {
        "order_id": str(order.id),
        "created_at": order.created_at,
        "status": order.status.value,
        "buyer_name": row.buyer.name,
        "buyer_email": row.buyer.email,
        "currency": order.total.currency,
        "total": order.total.amount,
        "refunded": order.refunded.amount,
        "paid": order.paid.amount,
        "paid_at": order.paid_at,
        "items": "; ".join(f"{line.quantity} x {line.title}" for line in order.lines),
    }


ATTENDEE_COLUMNS = (
    "ticket_id",
    "code_suffix",
    "holder_name",
    "holder_email",
    "ticket_type",
    "status",
    "checked_in_at",
    "issued_at",
    "order_id",
)


def attendee_row(row: Attendee) -> dict[str, Any]:
    ticket = row.ticket
    return {
        "ticket_id": str(ticket.id),
        "code_suffix": row.code_suffix,
        "holder_name": row.holder.name,
        "holder_email": row.holder.email,
        "ticket_type": row.ticket_type_name,
        "status": row.status.value,
        "checked_in_at": ticket.checked_in_at,
        "issued_at": ticket.issued_at,
        "order_id": str(ticket.order_id),
    }


async def encode(
    batches: AsyncIterable[Sequence[T]],
    columns: Sequence[str],
    to_row: Callable[[T], dict[str, Any]],
    export_format: ExportFormat,
) -> AsyncIterator[bytes]:
    """One chunk per batch (CSV starts with its header line)."""
    if export_format is ExportFormat.CSV:
        yield _csv_lines([list(columns)])
        async for batch in batches:
            yield _csv_lines([[_cell(to_row(item)[c]) for c in columns] for item in batch])
    else:
        async for batch in batches:
            yield b"".join(msgspec.json.encode(to_row(item)) + b"\n" for item in batch)


def _csv_lines(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()
