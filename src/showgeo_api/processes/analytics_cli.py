"""`showgeo analytics recompute`: run a recompute in this process behind a rich progress bar.

While another recompute runs (the worker's, an admin's), this one does not start: the command
says which job is running and exits non-zero.
"""

from __future__ import annotations

from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from showgeo_api.processes.cli_errors import describe
from showgeo_api.settings import Settings
from showgeo_domain.analytics.jobs import JobStatus, JobTrigger, RecomputeJob
from showgeo_domain.shared.errors import Conflict, DomainError


class RecomputeRunning(Conflict):
    code = "recompute_running"


class RecomputeFailed(DomainError):
    code = "recompute_failed"


async def recompute_with_progress(settings: Settings) -> RecomputeJob:
    from showgeo_api.wiring.container import bootstrap, start, stop

    container = bootstrap(settings)
    await start(container)
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    shown: list[TaskID] = []

    def show(job: RecomputeJob) -> None:
        """The bar appears with the job's first progress, so a command that fails before
        (no schema, say) prints its one error line and nothing else."""
        if not shown:
            bar.start()
            shown.append(bar.add_task("queued", total=1.0))
        bar.update(shown[0], completed=job.progress, description=job.stage)

    try:
        try:
            job, ran = await container.recompute().run_now(JobTrigger.CLI, on_progress=show)
        except DomainError:
            raise
        except Exception as exc:  # stored on the job too; one line here, no traceback
            raise RecomputeFailed(f"recompute failed: {describe(exc)}") from exc
        finally:
            if shown:
                bar.stop()
        if not ran:
            raise RecomputeRunning(
                f"recompute job {job.id} is already {job.status.value.lower()} "
                f"({job.stage}, {job.progress:.0%}); try again when it is done"
            )
        if job.status is not JobStatus.SUCCEEDED:
            raise RecomputeRunning(f"recompute job {job.id} ended {job.status.value}")
        return job
    finally:
        await stop(container)
