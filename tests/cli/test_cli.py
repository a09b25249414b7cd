"""The `showgeo` command: admin creation, migrations and one-line errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from showgeo_api.processes.cli import main
from showgeo_api.settings import load_settings
from showgeo_api.wiring.container import bootstrap, start, stop
from showgeo_domain.events.ports import EventQuery
from showgeo_domain.shared.pagination import PageRequest


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "ARGON2_MEMORY_KIB": "8",
        "ARGON2_TIME_COST": "1",
        "ARGON2_PARALLELISM": "1",
    }


def _roles_of(env: dict[str, str], email: str, password: str) -> list[str]:
    async def login() -> list[str]:
        container = bootstrap(load_settings(env, env_file=None))
        await start(container)
        try:
            session = await container.authentication().login(email=email, password=password)
            return sorted(role.value for role in session.user.roles)
        finally:
            await stop(container)

    return asyncio.run(login())


def test_create_admin_with_password_option(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main,
        [
            "users",
            "create-admin",
            "--email",
            "root@example.com",
            "--username",
            "root",
            "--password",
            "correct horse",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "root is an admin" in result.output
    assert _roles_of(env, "root@example.com", "correct horse") == ["ADMIN", "USER"]


def test_create_admin_prompts_for_the_password(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main,
        ["users", "create-admin", "--email", "root@example.com", "--username", "root"],
        input="correct horse\ncorrect horse\n",
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "correct horse" not in result.output  # hidden input
    assert _roles_of(env, "root@example.com", "correct horse") == ["ADMIN", "USER"]


def test_create_admin_errors_are_one_line(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main,
        ["users", "create-admin", "--email", "nope", "--username", "root", "--password", "x"],
        env=env,
    )
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith("error: ")
    assert "Traceback" not in result.output


def test_bad_setting_is_named_in_one_line(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"], env={**env, "DATABASE_POOL_SIZE": "x"})
    assert result.exit_code == 1
    assert result.output.startswith("error: DATABASE_POOL_SIZE")


def test_db_upgrade_creates_the_schema(env: dict[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli.db").exists()
    again = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert again.exit_code == 0


def test_production_refuses_dev_secrets(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"], env={**env, "SHOWGEO_ENV": "production"})
    assert result.exit_code == 1
    assert "JWT_SECRET" in result.output


def test_demo_seeds_sample_data_and_can_run_twice(env: dict[str, str]) -> None:
    first = CliRunner().invoke(main, ["demo"], env=env)
    assert first.exit_code == 0, first.output
    assert "night-owls" in first.output
    second = CliRunner().invoke(main, ["demo"], env=env)
    assert second.exit_code == 0, second.output

    async def follower_count() -> int:
        container = bootstrap(load_settings(env, env_file=None))
        await start(container)
        try:
            return (await container.entities().get("night-owls")).follower_count
        finally:
            await stop(container)

    assert asyncio.run(follower_count()) == 3

    async def shows_and_products() -> tuple[int, int]:
        container = bootstrap(load_settings(env, env_file=None))
        await start(container)
        try:
            entity = await container.entities().get("night-owls")
            shows = await container.events().search(EventQuery(entity_id=entity.id))
            products = await container.store().list_for_entity("night-owls", None, PageRequest())
            return len(shows.items), len(products.items)
        finally:
            await stop(container)

    assert asyncio.run(shows_and_products()) == (1, 1)
