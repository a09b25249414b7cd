"""How the `showgeo` command reports a failure: one line on stderr and exit status 1.

An operator running `showgeo db upgrade` against a database that is down needs to read what
is wrong and where, not forty lines of asyncpg's stack. Every command is wrapped in
`one_line_errors`: a failure the command expects (bad settings, a rule of the domain) says
its own message; the ones that come from outside (the database, NATS, the file system) say
which setting or resource failed and the library's own first line. Anything else still ends
in one line naming the exception. `SHOWGEO_TRACEBACK=1` lets the traceback through, for
whoever is debugging the command itself.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import click

from showgeo_api.settings import SettingsError
from showgeo_domain.shared.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])

TRACEBACK_VARIABLE = "SHOWGEO_TRACEBACK"
# PostgreSQL's and SQLite's words for a table that is not there (migrations never applied).
_MISSING_TABLE = re.compile(r'relation "[^"]+" does not exist|no such table')


def one_line_errors(func: F) -> F:
    """Run a command; any failure becomes `error: <what went wrong>` and exit status 1.

    Click's own exceptions (usage errors, `Abort` after Ctrl-C, `Exit`) pass through: click
    already prints those as one line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get(TRACEBACK_VARIABLE, "").strip() not in ("", "0"):
                raise
            click.secho(f"error: {describe(exc)}", fg="red", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def describe(exc: BaseException) -> str:
    """One line saying what failed, for someone who did not write the code."""
    if isinstance(exc, SettingsError | DomainError):
        return first_line(exc)
    sqlalchemy_errors = _loaded("sqlalchemy.exc")
    if sqlalchemy_errors is not None:
        if isinstance(exc, sqlalchemy_errors.ArgumentError | sqlalchemy_errors.NoSuchModuleError):
            return f"DATABASE_URL is not a database URL showgeo can use: {first_line(exc)}"
        if isinstance(exc, sqlalchemy_errors.DBAPIError):
            cause = first_line(exc.orig if exc.orig is not None else exc)
            if _MISSING_TABLE.search(cause):
                cause += " (is the schema there? run `showgeo db upgrade`)"
            return f"the database (DATABASE_URL) failed: {cause}"
    nats_errors = _loaded("nats.errors")
    if nats_errors is not None and isinstance(exc, nats_errors.Error):
        return f"NATS (NATS_URL) failed: {first_line(exc)}"
    service = _service(exc)
    if isinstance(exc, TimeoutError):
        return f"{service or 'a connection'} timed out: {first_line(exc)}"
    if isinstance(exc, OSError):
        return f"{service} failed: {first_line(exc)}" if service else first_line(exc)
    return f"{type(exc).__name__}: {first_line(exc)}"


def first_line(exc: BaseException) -> str:
    """The message's first non-empty line (SQLAlchemy appends a second, a link), or the
    exception's name when it has no message."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__


# Whose code raised, by the module of the deepest frame that belongs to one of them: an
# OSError out of asyncpg and one out of redis-py read the same otherwise.
_DATABASE = "the database (DATABASE_URL)"
_SERVICES = {
    "showgeo_adapters.sqlalchemy": _DATABASE,
    "sqlalchemy": _DATABASE,
    "asyncpg": _DATABASE,
    "aiosqlite": _DATABASE,
    "alembic": _DATABASE,
    "showgeo_adapters.nats": "NATS (NATS_URL)",
    "nats": "NATS (NATS_URL)",
    "showgeo_adapters.redis": "Redis (REDIS_URL)",
    "redis": "Redis (REDIS_URL)",
    "showgeo_adapters.s3": "object storage (S3_BUCKET)",
    "aiobotocore": "object storage (S3_BUCKET)",
    "botocore": "object storage (S3_BUCKET)",
    "showgeo_adapters.localfs": "the assets folder (ASSETS_LOCAL_DIR)",
}


def _service(exc: BaseException) -> str | None:
    found = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        module = str(frame.f_globals.get("__name__", ""))
        for prefix, service in _SERVICES.items():
            if module == prefix or module.startswith(prefix + "."):
                found = service
                break
    return found


def _loaded(module: str) -> Any:
    """A library's errors module if a command imported it (only then can its errors occur):
    `showgeo --help` need not import SQLAlchemy or nats-py to be ready for them."""
    return sys.modules.get(module)


def require_nats(url: str | None, timeout: float = 5.0) -> None:
    """Connect to NATS once, without retrying, and fail in one line when it is not there.

    The bus itself retries for ever (a NATS restart must never end a running process), and
    nats-py logs a traceback per attempt: a command started while NATS is down would hang
    and print those instead of saying what is wrong."""
    if not url:
        return
    import asyncio

    async def probe() -> None:
        await (await connect_nats_once(url, timeout)).close()

    asyncio.run(probe())


async def connect_nats_once(url: str, connect_timeout: float = 5.0) -> Any:
    """A NATS client connected with no retry, or `NatsUnreachable` saying why not (the last
    error nats-py met, rather than its "no servers available")."""
    import nats

    seen: list[Exception] = []

    async def quiet(error: Exception) -> None:
        seen.append(error)  # nats-py's own callback logs each one with its traceback

    try:
        return await nats.connect(
            url,
            connect_timeout=connect_timeout,
            allow_reconnect=False,
            max_reconnect_attempts=1,  # nats-py reads 0 as "no limit" when it picks a server
            reconnect_time_wait=0.2,
            error_cb=quiet,
        )
    except Exception as exc:
        cause = seen[-1] if seen else exc
        why = first_line(cause)
        if isinstance(cause, TimeoutError) and why == type(cause).__name__:
            why = f"no answer within {connect_timeout:g} s"
        raise NatsUnreachable(f"cannot reach NATS at NATS_URL={url}: {why}") from exc


class NatsUnreachable(ConnectionError):
    """`showgeo` was asked to use NATS and NATS did not answer."""


def require_database(url: str, timeout: float = 10.0) -> None:
    """Connect to the database once and fail in one line when it is not there: `showgeo
    serve` would otherwise start its workers, and each would fail with a traceback while
    starting up."""
    import asyncio

    from showgeo_adapters.sqlalchemy import create_engine

    async def probe() -> None:
        engine = create_engine(url, pool_size=1)
        try:
            async with asyncio.timeout(timeout), engine.connect():
                pass
        finally:
            await engine.dispose()

    try:
        asyncio.run(probe())
    except TimeoutError as exc:
        raise DatabaseUnreachable(
            f"the database (DATABASE_URL) did not answer within {timeout:g} s"
        ) from exc


class DatabaseUnreachable(ConnectionError):
    """`showgeo` was asked to use a database and it did not answer."""
