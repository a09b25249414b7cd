from __future__ import annotations

from showgeo_domain.shared.errors import NotFound


class JobNotFound(NotFound):
    code = "job_not_found"
