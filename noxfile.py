"""Developer sessions: `nox -s tests`, `nox -s lint`, `nox -s types`."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "types", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.15")
    session.run("ruff", "check", "src", "tests", "examples", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "examples", "noxfile.py")


@nox.session(python="3.11")
def types(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(python="3.11")
def hardening(session: nox.Session) -> None:
    """The longer fault runs at full size: NATS restarted in the middle of 10,000 events (57 s
    at 5,000 in a quiet CI run; 6 to 10 minutes at 10,000 on a loaded machine); the Stripe
    webhooks of 1,000 orders delivered three times, shuffled; the worker killed in the
    middle of an analytics recompute and of an image-variant job; schema fuzzing of every
    route as a user and as an admin."""
    session.install("-e", ".[dev]")
    session.run(
        "pytest",
        "tests/e2e/test_nats_restart.py",
        "tests/e2e/test_worker_kill.py",
        "tests/contract/test_webhook_storm.py",
        "tests/fuzz",
        "-s",
        "--durations=10",
        *session.posargs,
        env={
            "SHOWGEO_RESTART_BURST": "10000",
            "SHOWGEO_STORM_ORDERS": "1000",
            "SHOWGEO_FUZZ_EXAMPLES": "25",
            "SHOWGEO_HARDENING": "1",  # tests/conftest.py collects tests/fuzz only then
        },
    )


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Every benchmark in benchmarks/, results rewritten in docs/benchmarks.md.

    `nox -s bench -- --quick` (about 2 minutes), `-- --only fanout,relay` for some."""
    session.install("-e", ".[dev]")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(python="3.11")
def screenshots(session: nox.Session) -> None:
    """docs/screenshots/*.png of the main pages, on `showgeo demo`'s data, taken in Debian's
    Chromium (/usr/bin/chromium) by tests/web/screenshots.py."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "tests.web.screenshots", "docs/screenshots", *session.posargs)
