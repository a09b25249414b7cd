"""The wheel is what gets deployed (the Dockerfile installs only it): built from the
checkout and installed into a virtualenv outside it, it must carry every file the packages
read at run time, apply its migrations, serve, and start its worker, from a working
directory that holds nothing of the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from showgeo_api.processes.event_schema import event_schemas
from showgeo_api.settings import Settings
from tests.ops.deployment_files import healthcheck_code
from tests.ops.installed_wheel import CHECKOUT, build_wheel, install_wheel
from tests.support.live_server import free_port

PACKAGES = ("showgeo_domain", "showgeo_adapters", "showgeo_api")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def venv(wheel: Path) -> Path:
    return install_wheel(wheel)


@pytest.fixture
def outside(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A working directory outside the checkout and an environment naming no setting of the
    machine's own (the embedded defaults, with the database file in that directory)."""
    settings_names = {name.upper() for name in Settings.__struct_fields__}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in settings_names and k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'showgeo.db'}"
    env["ASSETS_LOCAL_DIR"] = str(tmp_path / "assets")
    assert CHECKOUT not in tmp_path.parents
    return tmp_path, env


def _files_under_src() -> set[str]:
    found = set()
    for package in PACKAGES:
        for path in (CHECKOUT / "src" / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found.add(path.relative_to(CHECKOUT / "src").as_posix())
    return found


def test_the_wheel_carries_every_file_of_the_packages(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = _files_under_src() - names
    assert not missing, f"left out of the wheel: {sorted(missing)}"
    for needed in (
        "showgeo_adapters/sqlalchemy/migrations/env.py",
        "showgeo_adapters/sqlalchemy/migrations/script.py.mako",
        "showgeo_api/web/templates/base.html",
        "showgeo_api/web/static/app.css",
    ):
        assert needed in names
    assert any(n.startswith("showgeo_adapters/sqlalchemy/migrations/versions/") for n in names)
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read("showgeo-0.1.0.dist-info/entry_points.txt").decode()
    assert "showgeo = showgeo_api.processes.cli:main" in entry_points


def _run(venv: Path, where: tuple[Path, dict[str, str]], *args: str) -> str:
    cwd, env = where
    done = subprocess.run(  # noqa: S603 (our own command line)
        [str(venv / "bin" / "showgeo"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_installed_packages_come_from_the_virtualenv(
    venv: Path, outside: tuple[Path, dict[str, str]]
) -> None:
    cwd, env = outside
    done = subprocess.run(  # noqa: S603
        [
            str(venv / "bin" / "python"),
            "-c",
            "import showgeo_api, showgeo_domain, showgeo_adapters as a; "
            "print(showgeo_api.__file__, showgeo_domain.__file__, a.__file__)",
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for location in done.stdout.split():
        assert Path(location).is_relative_to(venv), location


def test_db_upgrade_applies_the_migrations_it_carries(
    venv: Path, outside: tuple[Path, dict[str, str]]
) -> None:
    assert "database is up to date" in _run(venv, outside, "db", "upgrade")
    assert (outside[0] / "showgeo.db").stat().st_size > 0
    # a second run finds nothing to do and says the same
    assert "database is up to date" in _run(venv, outside, "db", "upgrade")


def test_the_published_event_schemas_match_the_checkout(
    venv: Path, outside: tuple[Path, dict[str, str]]
) -> None:
    schemas = json.loads(_run(venv, outside, "events", "schema"))
    assert "showgeo.orders.order_paid" in schemas
    assert schemas == json.loads(json.dumps(event_schemas()))  # what the checkout publishes


def test_serve_answers_ready_and_pages_are_rendered(
    venv: Path, outside: tuple[Path, dict[str, str]]
) -> None:
    cwd, env = outside
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [str(venv / "bin" / "showgeo"), "serve", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "/health/ready did not answer 200 within 60 s"
            time.sleep(0.2)
        page = httpx.get(f"{base}/", timeout=10)  # a template from the wheel
        assert page.status_code == 200
        assert "<html" in page.text.lower()
        css = httpx.get(f"{base}/static/app.css", timeout=10)  # a static file from the wheel
        assert css.status_code == 200
        # the image's HEALTHCHECK, as the container runs it (its port swapped for ours)
        probe = healthcheck_code().replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        check = subprocess.run(  # noqa: S603
            [str(venv / "bin" / "python"), "-c", probe], cwd=cwd, env=env, timeout=30, check=False
        )
        assert check.returncode == 0
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_worker_help_runs(venv: Path, outside: tuple[Path, dict[str, str]]) -> None:
    assert "outbox relay" in _run(venv, outside, "worker", "--help")
