"""What an operator asks of the bus (`showgeo bus ...`): the stream and its consumers, the
dead letters, and replaying them.

Dead letters are the messages `JetStreamBus` republished to `<prefix>.dlq.<consumer>` in the
same stream after their last failed delivery; each keeps the event's payload and headers,
with `Showgeo-Event-Id`, `Showgeo-Subject` and `Showgeo-Dead-Reason`. A dead letter's id is
its stream sequence.

Replaying publishes the event again on its own subject with its own id, then deletes the
dead letter. Every consumer of that subject gets it again: the ones that handled it find it
in their inbox and skip it (docs/events.md), the one that failed handles it. The stream
drops a re-send of an id it saw within its `duplicate_window`: such a replay is refused and
the dead letter kept, to be replayed once the window has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import nats.js.errors
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg

from showgeo_adapters.nats.bus import (
    DEAD_EVENT_ID_HEADER,
    DEAD_REASON_HEADER,
    DEAD_SUBJECT_HEADER,
    DOMAIN_PREFIX,
    MSG_ID_HEADER,
    JetStreamBus,
)


@dataclass(frozen=True)
class ConsumerStatus:
    name: str
    filter_subject: str
    pending: int
    """Messages of its subjects not delivered yet (its lag)."""
    in_flight: int
    """Delivered, neither acked nor refused yet."""
    redelivered: int
    """Messages delivered more than once and not yet acked."""


@dataclass(frozen=True)
class StreamStatus:
    stream: str
    messages: int
    bytes: int
    first_sequence: int
    last_sequence: int
    duplicate_window_seconds: float
    consumers: list[ConsumerStatus]
    dead_letters: dict[str, int]
    """Dead letters waiting, by consumer."""


@dataclass(frozen=True)
class DeadLetter:
    sequence: int
    consumer: str
    subject: str
    event_id: str
    reason: str
    dead_at: datetime | None
    data: bytes
    headers: dict[str, str]


class ReplayRefused(Exception):
    """The dead letter stays: the message is not a dead letter, or the stream dropped the
    re-send as a duplicate of a recent one."""


class BusOperations:
    def __init__(self, js: JetStreamContext, *, stream: str, prefix: str = DOMAIN_PREFIX):
        self._js = js
        self.stream = stream
        self.prefix = prefix

    @classmethod
    async def of_stream(cls, js: JetStreamContext, stream: str) -> BusOperations:
        """For `stream` with the subject prefix it was created with (`<prefix>.>`: the
        platform's `showgeo`, a test's own)."""
        info = await js.stream_info(stream)
        subjects = (info.config.subjects or [f"{DOMAIN_PREFIX}.>"]) if info.config else []
        prefix = next((s[:-2] for s in subjects if s.endswith(".>")), DOMAIN_PREFIX)
        return cls(js, stream=stream, prefix=prefix)

    @classmethod
    def of_bus(cls, bus: JetStreamBus) -> BusOperations:
        """For the stream a connected bus publishes to (the API's `/metrics`)."""
        return cls(bus._jetstream(), stream=bus.stream, prefix=bus.prefix)

    @property
    def dead_subjects(self) -> str:
        return f"{self.prefix}.dlq.>"

    async def status(self) -> StreamStatus:
        info = await self._js.stream_info(self.stream, subjects_filter=self.dead_subjects)
        dead_prefix = f"{self.prefix}.dlq."
        dead = {
            subject.removeprefix(dead_prefix): count
            for subject, count in sorted((info.state.subjects or {}).items())
        }
        consumers = [
            ConsumerStatus(
                name=c.name,
                filter_subject=(c.config.filter_subject or "") if c.config else "",
                pending=c.num_pending or 0,
                in_flight=c.num_ack_pending or 0,
                redelivered=c.num_redelivered or 0,
            )
            for c in sorted(await self._js.consumers_info(self.stream), key=lambda c: c.name)
        ]
        return StreamStatus(
            stream=self.stream,
            messages=info.state.messages,
            bytes=info.state.bytes,
            first_sequence=info.state.first_seq,
            last_sequence=info.state.last_seq,
            duplicate_window_seconds=float(info.config.duplicate_window or 0),
            consumers=consumers,
            dead_letters=dead,
        )

    async def dead_letters(self) -> list[DeadLetter]:
        found: list[DeadLetter] = []
        sequence = 1
        while True:
            try:
                raw = await self._js.get_msg(
                    self.stream, seq=sequence, subject=self.dead_subjects, next=True
                )
            except nats.js.errors.NotFoundError:
                return found
            found.append(self._dead_letter(raw))
            sequence = (raw.seq or sequence) + 1

    async def dead_letter(self, sequence: int) -> DeadLetter:
        try:
            raw = await self._js.get_msg(self.stream, seq=sequence)
        except nats.js.errors.NotFoundError as exc:
            raise ReplayRefused(f"no message {sequence} in stream {self.stream}") from exc
        if not (raw.subject or "").startswith(f"{self.prefix}.dlq."):
            raise ReplayRefused(f"message {sequence} is not a dead letter ({raw.subject})")
        return self._dead_letter(raw)

    async def replay(self, letter: DeadLetter) -> None:
        """Publish the event again and delete this dead letter (ReplayRefused: kept)."""
        await self.republish(letter)
        await self._js.delete_msg(self.stream, letter.sequence)

    async def republish(self, letter: DeadLetter) -> None:
        headers = {
            k: v
            for k, v in letter.headers.items()
            if k not in {DEAD_EVENT_ID_HEADER, DEAD_REASON_HEADER, DEAD_SUBJECT_HEADER}
        }
        headers[MSG_ID_HEADER] = letter.event_id
        ack = await self._js.publish(self._wire(letter.subject), letter.data, headers=headers)
        if ack.duplicate:
            raise ReplayRefused(
                f"the stream dropped event {letter.event_id} as a duplicate: it was published "
                "within the stream's duplicate window; replay it once the window has passed"
            )

    async def replay_all(self) -> tuple[list[DeadLetter], list[tuple[DeadLetter, str]]]:
        """Replay every dead letter: (replayed, refused with the reason). An event dead for
        several consumers is published once; that one re-send reaches all of them."""
        replayed: list[DeadLetter] = []
        refused: list[tuple[DeadLetter, str]] = []
        by_event: dict[str, list[DeadLetter]] = {}
        for letter in await self.dead_letters():
            by_event.setdefault(letter.event_id, []).append(letter)
        for letters in by_event.values():
            try:
                await self.republish(letters[0])
            except ReplayRefused as exc:
                refused.extend((letter, str(exc)) for letter in letters)
                continue
            for letter in letters:
                await self._js.delete_msg(self.stream, letter.sequence)
                replayed.append(letter)
        return replayed, refused

    def _dead_letter(self, raw: RawStreamMsg) -> DeadLetter:
        headers = {str(k): str(v) for k, v in (raw.headers or {}).items()}
        return DeadLetter(
            sequence=raw.seq or 0,
            consumer=(raw.subject or "").removeprefix(f"{self.prefix}.dlq."),
            subject=headers.get(DEAD_SUBJECT_HEADER, ""),
            event_id=headers.get(DEAD_EVENT_ID_HEADER, ""),
            reason=headers.get(DEAD_REASON_HEADER, ""),
            dead_at=getattr(raw, "time", None),
            data=raw.data or b"",
            headers=headers,
        )

    def _wire(self, subject: str) -> str:
        head, _, rest = subject.partition(".")
        return f"{self.prefix}.{rest}" if head == DOMAIN_PREFIX and rest else subject
