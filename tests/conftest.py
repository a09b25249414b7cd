"""Test-suite-wide settings."""

from __future__ import annotations

import os

collect_ignore = [] if os.environ.get("SHOWGEO_HARDENING") else ["fuzz", "e2e/test_worker_kill.py"]
"""Schema fuzzing builds the app and loads schemathesis at import and runs for minutes, and
the worker-kill runs start four workers and wait out leases (about 1.5 minutes): they belong
to `nox -s hardening` (which sets SHOWGEO_HARDENING=1), not the everyday run."""
