"""A recompute job: requested by an admin, the CLI or the daily schedule; one runs at a time.

The store lets only one job be active (QUEUED or RUNNING) at once: a second request while one
runs gets the running one back.

A running job holds a lease: the process running it renews `heartbeat_at` every quarter of
the lease (a heartbeat task, whatever stage the job is in). A job whose heartbeat is older
than the lease was abandoned (its process was killed or lost the database); a worker takes it
over and runs it again from the start, as attempt `attempts + 1` (every stage of a recompute
replaces what it writes, so a second run leaves no trace of the first). `attempts` is also
the fencing token: a run whose attempt is no longer the job's stops at its next write. A job
abandoned `MAX_ATTEMPTS` times is marked FAILED instead of being run again, so a recompute
that kills its process cannot loop forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from showgeo_domain.shared.ids import new_id

DEFAULT_LEASE = timedelta(minutes=2)
"""How long a job may go without a heartbeat before it counts as abandoned (the default of
ANALYTICS_JOB_LEASE_SECONDS)."""
MAX_ATTEMPTS = 3


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
    attempts: int = 1
    """Runs so far (each takeover of an abandoned job is one more)."""

    @classmethod
    def queue(cls, trigger: JobTrigger, requested_by: UUID | None, now: datetime) -> RecomputeJob:
        return cls(new_id(), trigger, JobStatus.QUEUED, now, now, requested_by)

    def is_stale(self, now: datetime, lease: timedelta = DEFAULT_LEASE) -> bool:
        """Active, and no heartbeat for longer than `lease`: its process is gone."""
        return self.status.is_active and now - self.heartbeat_at > lease

    def take_over(self, now: datetime) -> bool:
        """An abandoned job is claimed for another run (True), or failed for good once it
        has been abandoned `MAX_ATTEMPTS` times (False)."""
        if self.attempts >= MAX_ATTEMPTS:
            self.fail(f"abandoned {self.attempts} times: the process running it died", now)
            return False
        self.attempts += 1
        self.status, self.progress, self.heartbeat_at = JobStatus.RUNNING, 0.0, now
        self.started_at = self.started_at or now
        self.stage = f"restarting (attempt {self.attempts})"
        return True

    def beat(self, now: datetime) -> None:
        self.heartbeat_at = now

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
