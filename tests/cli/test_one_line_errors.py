"""Every `showgeo` failure is one line on stderr and exit status 1, never a traceback: a bad or
unreachable database, an unreachable NATS, a database file that cannot be made, a bad
setting, and even a bug (named by its exception). `SHOWGEO_TRACEBACK=1` lets a bug's traceback
through for whoever is debugging the command."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from showgeo_api.processes import event_schema
from showgeo_api.processes.cli import main


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "ARGON2_MEMORY_KIB": "8",
        "ARGON2_TIME_COST": "1",
        "ARGON2_PARALLELISM": "1",
    }


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(args: list[str], env: dict[str, str]) -> Result:
    return CliRunner().invoke(main, args, env=env)


def assert_one_line(result: Result, *expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for text in expected:
        assert text in lines[0], lines[0]
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception


@pytest.mark.parametrize("command", [["db", "upgrade"], ["demo"], ["analytics", "recompute"]])
@pytest.mark.parametrize("url", ["foo://nowhere", "not a url"])
def test_a_database_url_that_is_no_database(env: dict[str, str], command: list[str], url: str):
    result = run(command, {**env, "DATABASE_URL": url})
    assert_one_line(result, "DATABASE_URL is not a database URL")


@pytest.mark.parametrize(
    "command",
    [
        ["db", "upgrade"],
        ["demo"],
        ["serve", "--port", "1"],
        [
            "users",
            "create-admin",
            "--email",
            "a@example.com",
            "--username",
            "root",
            "--password",
            "x" * 12,
        ],
    ],
)
def test_an_unreachable_database(env: dict[str, str], closed_port: int, command: list[str]):
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port}/showgeo"
    result = run(command, {**env, "DATABASE_URL": url})
    assert_one_line(result, "the database (DATABASE_URL) failed", str(closed_port))


@pytest.mark.postgres
def test_a_database_that_does_not_exist(env: dict[str, str]) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/showgeo_no_such_database"
    result = run(["db", "upgrade"], {**env, "DATABASE_URL": url})
    assert_one_line(result, "the database (DATABASE_URL) failed", "does not exist")


def test_a_database_file_that_cannot_be_made(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    url = f"sqlite+aiosqlite:///{tmp_path / 'a-file' / 'showgeo.db'}"
    result = run(["db", "upgrade"], {**env, "DATABASE_URL": url})
    assert_one_line(result, "the database (DATABASE_URL) failed", "a-file")


@pytest.mark.parametrize("command", [["demo"], ["analytics", "recompute"]])
def test_a_database_without_its_schema_says_to_upgrade(
    env: dict[str, str], command: list[str]
) -> None:
    result = run(command, {**env, "AUTO_MIGRATE": "false"})
    assert_one_line(result, "the database (DATABASE_URL) failed", "showgeo db upgrade")


@pytest.mark.parametrize(
    "command",
    [["worker"], ["demo"], ["analytics", "recompute"], ["serve", "--port", "1"], ["bus", "status"]],
)
def test_an_unreachable_nats_fails_at_once(
    env: dict[str, str], closed_port: int, command: list[str]
) -> None:
    """The bus retries for ever once running; a command started without NATS says so."""
    started = time.monotonic()
    result = run(command, {**env, "NATS_URL": f"nats://127.0.0.1:{closed_port}"})
    assert_one_line(result, "cannot reach NATS at NATS_URL=", str(closed_port))
    assert time.monotonic() - started < 30


def test_the_worker_without_nats(env: dict[str, str]) -> None:
    assert_one_line(run(["worker"], env), "needs NATS_URL")


def test_a_bug_is_one_line_naming_the_exception(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> dict[str, object]:
        raise KeyError("subject")

    monkeypatch.setattr(event_schema, "event_schemas", broken)
    assert_one_line(run(["events", "schema"], env), "KeyError", "subject")

    debugging = run(["events", "schema"], {**env, "SHOWGEO_TRACEBACK": "1"})
    assert isinstance(debugging.exception, KeyError)


def test_usage_errors_stay_click_s(env: dict[str, str]) -> None:
    result = run(["events", "schema", "--subject", "showgeo.nope"], env)
    assert result.exit_code == 2
    assert "no event is published on 'showgeo.nope'" in result.stderr
