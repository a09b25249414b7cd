"""The `showgeo` command. Errors print as one line and exit non-zero; no tracebacks
(`cli_errors.one_line_errors` wraps every command)."""

from __future__ import annotations

import asyncio

import click

from showgeo_api.processes.bus_cli import bus
from showgeo_api.processes.cli_errors import one_line_errors as _one_line_errors
from showgeo_api.processes.cli_errors import require_database, require_nats
from showgeo_api.settings import SettingsError, load_settings


@click.group()
def main() -> None:
    """Showgeo: live events and the creator economy."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option(
    "--server",
    "server_name",
    type=click.Choice(["granian", "uvicorn"]),
    default="uvicorn",
    show_default=True,
    help="uvicorn: as fast as granian for HTTP, and much lighter and quicker per notification "
    "socket; granian: for HTTP-only processes (docs/decisions.md, docs/benchmarks.md).",
)
@_one_line_errors
def serve(host: str, port: int, workers: int, server_name: str) -> None:
    """Serve the API (embedded defaults unless configured)."""
    settings = load_settings()  # fail here, in one line, rather than in every worker
    require_nats(settings.nats_url)
    if workers > 1 and not settings.nats_url:
        click.secho(
            "warning: without NATS_URL each of the workers has its own in-process bus: "
            "a notification reaches only the sockets of the process that relayed it",
            fg="yellow",
            err=True,
        )
    if settings.should_auto_migrate and not settings.uses_memory:
        from showgeo_adapters.sqlalchemy import upgrade

        asyncio.run(upgrade(settings.database_url))  # once, before workers race to do it
    elif not settings.uses_memory:
        require_database(settings.database_url)  # or every worker fails with a traceback
    click.echo(f"showgeo serving on http://{host}:{port} (docs at /schema) with {server_name}")
    if server_name == "uvicorn":
        _serve_uvicorn(host, port, workers)
        return
    from granian.constants import Interfaces
    from granian.server import Server

    Server(
        "showgeo_api.asgi:app_from_env",
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        factory=True,
    ).serve()


def _serve_uvicorn(host: str, port: int, workers: int) -> None:
    """uvicorn with uvloop and httptools. Its log stays at warnings: at info it logs every
    WebSocket handshake with its query string, which holds the access token."""
    import uvicorn

    uvicorn.run(
        "showgeo_api.asgi:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_level="warning",
    )


@main.command()
@_one_line_errors
def worker() -> None:
    """Run the outbox relay, the event consumers and the scheduled jobs (until Ctrl-C).

    For deployments with NATS_URL and EMBEDDED_WORKER=false on the API processes; on the
    embedded default `showgeo serve` does all of this itself."""
    import logging

    from showgeo_api.processes.worker import run_worker
    from showgeo_api.wiring.container import bootstrap

    settings = load_settings()
    if not settings.nats_url:
        raise SettingsError("showgeo worker needs NATS_URL: the in-process bus reaches no API")
    require_nats(settings.nats_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo("showgeo worker running (Ctrl-C to stop)")
    asyncio.run(run_worker(bootstrap(settings)))


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@_one_line_errors
def db_upgrade() -> None:
    """Apply all migrations to DATABASE_URL."""
    from showgeo_adapters.sqlalchemy import upgrade

    settings = load_settings()
    asyncio.run(upgrade(settings.database_url))
    click.echo("database is up to date")


@main.command()
@_one_line_errors
def demo() -> None:
    """Fill the database with sample people, entities, teams and follows."""
    from showgeo_api.processes.demo import seed_demo
    from showgeo_api.wiring.container import bootstrap, start, stop

    async def run() -> None:
        container = bootstrap(load_settings())
        await start(container)
        try:
            summary = await seed_demo(container)
        finally:
            await stop(container)
        click.echo(f"people: {', '.join(summary.people)} (password: {summary.password})")
        click.echo(f"entities: {', '.join(summary.entities)}")

    require_nats(load_settings().nats_url)
    asyncio.run(run())


@main.group()
def users() -> None:
    """User administration."""


@users.command("create-admin")
@click.option("--email", required=True)
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--display-name", default=None)
@_one_line_errors
def create_admin(email: str, username: str, password: str, display_name: str | None) -> None:
    """Create a platform admin, or promote the existing user with this email."""
    from showgeo_api.wiring.container import bootstrap, start, stop

    async def run() -> str:
        container = bootstrap(load_settings())
        await start(container)
        try:
            user = await container.authentication().create_admin(
                email=email, username=username, password=password, display_name=display_name
            )
            return user.username
        finally:
            await stop(container)

    require_nats(load_settings().nats_url)
    click.echo(f"{asyncio.run(run())} is an admin")


@main.group()
def events() -> None:
    """The domain events published on the bus."""


@events.command("schema")
@click.option("--subject", help="Print only this subject's schema, e.g. showgeo.orders.order_paid.")
@_one_line_errors
def events_schema(subject: str | None) -> None:
    """Print {subject: JSON Schema} for every published event (see docs/events.md)."""
    import json

    from showgeo_api.processes.event_schema import event_schemas

    schemas = event_schemas()
    if subject is None:
        click.echo(json.dumps(schemas, indent=2, sort_keys=True))
    elif subject in schemas:
        click.echo(json.dumps(schemas[subject], indent=2, sort_keys=True))
    else:
        raise click.UsageError(f"no event is published on {subject!r}; run without --subject")


@main.group()
def analytics() -> None:
    """Engagement scores, summaries and recommendations."""


@analytics.command("recompute")
@_one_line_errors
def analytics_recompute() -> None:
    """Recompute every summary, score and recommendation now (the worker does it daily)."""
    from showgeo_api.processes.analytics_cli import recompute_with_progress

    settings = load_settings()
    require_nats(settings.nats_url)
    job = asyncio.run(recompute_with_progress(settings))
    click.echo(f"analytics recomputed (job {job.id}, {job.status.value.lower()})")


# `showgeo bus` lives in its own module, which does not import this one (no import loop).
main.add_command(bus)
