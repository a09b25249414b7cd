"""Test-suite-wide settings."""

from __future__ import annotations

import os

collect_ignore = [] if os.environ.get("SHOWGEO_HARDENING") else ["fuzz"]
"""Schema fuzzing builds the app and loads schemathesis at import and runs for minutes: it
belongs to `nox -s hardening` (which sets SHOWGEO_HARDENING=1), not the everyday run."""
