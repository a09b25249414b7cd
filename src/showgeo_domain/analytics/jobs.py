"""A recompute job: requested by an admin, the CLI or the daily schedule; one runs at a time.

The store lets only one job be active (QUEUED or RUNNING) at once: a second request while one
runs gets the running one back. A job whose process died stops sending heartbeats; once its
heartbeat is older than `STALE_AFTER`, the next request marks it FAILED and starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from showgeo_domain.shared.ids import new_id

STALE_AFTER = timedelta(minutes=10)


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"

    @property
    def is_active(self) -> bool:
        return self in (JobStatus.QUEUED, JobStatus.RUNNING)


class JobTrigger(StrEnum):
    API = "API"
    CLI = "CLI"
    SCHEDULE = "SCHEDULE"


@dataclass
class RecomputeJob:
    id: UUID
    trigger: JobTrigger
    status: JobStatus
    created_at: datetime
    heartbeat_at: datetime
    requested_by: UUID | None = None
    progress: float = 0.0
    """0 to 1."""
    stage: str = "queued"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None

    @classmethod
    def queue(cls, trigger: JobTrigger, requested_by: UUID | None, now: datetime) -> RecomputeJob:
        return cls(new_id(), trigger, JobStatus.QUEUED, now, now, requested_by)

    def is_stale(self, now: datetime) -> bool:
        return self.status.is_active and now - self.heartbeat_at > STALE_AFTER

    def start(self, now: datetime) -> None:
        self.status, self.started_at, self.heartbeat_at = JobStatus.RUNNING, now, now
        self.stage = "starting"

    def advance(self, stage: str, progress: float, now: datetime) -> None:
        self.stage = stage
        self.progress = min(1.0, max(self.progress, progress))
        self.heartbeat_at = now

    def succeed(self, now: datetime) -> None:
        self.status, self.progress, self.stage = JobStatus.SUCCEEDED, 1.0, "done"
        self.finished_at = self.heartbeat_at = now

    def fail(self, error: str, now: datetime) -> None:
        self.status, self.error = JobStatus.FAILED, error[:2000]
        self.finished_at = self.heartbeat_at = now
