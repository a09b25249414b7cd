"""The Dockerfile, compose.yaml and the CI workflow, checked against the code they run.

Images cannot be pulled on the machines this suite was written on, so nothing here builds
the image or starts the stack (docs/deployment.md says what was run); what can be checked
without them is: the commands exist, the health check asks a real route, every variable
set on a Showgeo process is a real setting, and the start order holds."""

from __future__ import annotations

import re
from typing import Any

import yaml

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.ops.deployment_files import (
    CHECKOUT,
    cli_command_exists,
    compose_file,
    dockerfile_instructions,
    final_stage,
    healthcheck_code,
)

SETTINGS = {name.upper() for name in Settings.__struct_fields__}
SHOWGEO_SERVICES = ("migrate", "api", "worker")
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 (what the image must bind, to be reached)


def _services() -> dict[str, Any]:
    services: dict[str, Any] = compose_file()["services"]
    return services


def test_the_cli_check_knows_real_commands_from_made_up_ones() -> None:
    assert cli_command_exists(["showgeo", "serve", "--host", ALL_INTERFACES])
    assert cli_command_exists(["showgeo", "db", "upgrade"])
    assert not cli_command_exists(["showgeo", "db"])  # a group, not a command
    assert not cli_command_exists(["showgeo", "db", "downgrade"])
    assert not cli_command_exists(["showgeo", "serve", "--listen", ALL_INTERFACES])
    assert not cli_command_exists(["uvicorn", "serve"])


def test_the_image_is_built_in_two_stages_and_installs_only_the_wheel() -> None:
    steps = dockerfile_instructions()
    assert [s.arguments.split()[0] for s in steps if s.keyword == "FROM"] == [
        "python:3.11-slim",
        "python:3.11-slim",
    ]
    assert any("-m build --wheel" in s.arguments for s in steps if s.keyword == "RUN")
    final = final_stage(steps)
    copies = [s.arguments for s in final if s.keyword == "COPY"]
    assert copies
    assert all(c.startswith("--from=builder") for c in copies), copies
    assert any(".whl" in s.arguments and "pip install" in s.arguments for s in final)


def test_the_image_runs_as_a_user_that_is_not_root() -> None:
    users = [
        s.arguments.strip() for s in final_stage(dockerfile_instructions()) if s.keyword == "USER"
    ]
    assert users
    assert users[-1] not in {"root", "0", "0:0"}


def test_the_default_command_serves_on_every_interface() -> None:
    (cmd,) = [s for s in final_stage(dockerfile_instructions()) if s.keyword == "CMD"]
    argv = cmd.exec_form()
    assert argv[:2] == ["showgeo", "serve"]
    assert argv[argv.index("--host") + 1] == ALL_INTERFACES
    assert cli_command_exists(argv)


def test_the_healthcheck_asks_a_real_route_with_python_alone() -> None:
    """(tests/ops/test_wheel.py runs it against a served wheel.)"""
    code = healthcheck_code()
    compile(code, "<healthcheck>", "exec")  # the one-liner is valid Python
    assert "curl" not in code
    path = re.search(r"http://127\.0\.0\.1:8000(/[\w/]+)", code)
    assert path is not None
    app = create_app(Settings(database_url="memory://"))
    assert path.group(1) in {route.path for route in app.routes}
    assert path.group(1) == "/health/ready"
    options = next(s for s in dockerfile_instructions() if s.keyword == "HEALTHCHECK")
    assert "--interval=" in options.arguments


def test_compose_runs_the_whole_stack() -> None:
    services = _services()
    assert {"postgres", "nats", "redis", "minio", "livekit", *SHOWGEO_SERVICES} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["minio"]["image"].startswith("minio/minio")
    assert services["livekit"]["image"].startswith("livekit/livekit-server")
    assert services["api"]["deploy"]["replicas"] == 2


def test_nats_keeps_its_jetstream_store_on_a_volume() -> None:
    services = _services()
    nats = services["nats"]
    assert nats["image"].startswith("nats:")
    command = nats["command"]
    assert "-js" in command
    store = command[command.index("-sd") + 1]
    mounts = [m.split(":") for m in nats["volumes"]]
    assert any(
        store.startswith(target) and source in compose_file()["volumes"]
        for source, target in mounts
    )


def test_every_showgeo_process_runs_the_image_and_a_real_command() -> None:
    services = _services()
    for name in SHOWGEO_SERVICES:
        service = services[name]
        assert service["build"] == "."
        assert service["image"] == services["api"]["image"]
        assert cli_command_exists(service["command"]), (name, service["command"])
    assert services["migrate"]["command"] == ["showgeo", "db", "upgrade"]
    assert services["worker"]["command"] == ["showgeo", "worker"]
    assert services["api"]["command"][:2] == ["showgeo", "serve"]


def test_every_variable_a_showgeo_process_gets_is_a_setting() -> None:
    services = _services()
    for name in SHOWGEO_SERVICES:
        environment = services[name]["environment"]
        unknown = set(environment) - SETTINGS
        assert not unknown, f"{name} sets variables that are no setting: {sorted(unknown)}"
        # one broker for everybody: the worker and the APIs must not run their own
        assert environment["EMBEDDED_WORKER"] == "false"
        assert environment["NATS_URL"].startswith("nats://nats:")
        assert environment["AUTO_MIGRATE"] == "false"


def test_the_settings_read_from_dotenv_are_documented_there() -> None:
    text = (CHECKOUT / "compose.yaml").read_text()
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (CHECKOUT / ".env.example").read_text(), re.M)
    )
    read = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", text))
    missing = {v for v in read & SETTINGS if v not in documented}
    assert not missing, f"compose reads settings .env.example does not list: {sorted(missing)}"


def test_env_example_lists_every_setting() -> None:
    """compose reads `.env`, copied from `.env.example`: a setting missing there is one an
    operator never learns about."""
    example = (CHECKOUT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.M))
    assert not SETTINGS - listed, sorted(SETTINGS - listed)


def test_the_processes_wait_for_the_migration_and_the_migration_for_postgres() -> None:
    services = _services()
    for name in ("api", "worker"):
        waits = services[name]["depends_on"]
        assert waits["migrate"]["condition"] == "service_completed_successfully"
        assert waits["nats"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"


def _workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CHECKOUT / ".github/workflows/ci.yml").read_text())
    return loaded


def _runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_ci_runs_the_readmes_test_command_with_its_services() -> None:
    readme = (CHECKOUT / "README.md").read_text()
    command = re.search(r"```bash\n(python3\.11 -m venv[^\n]+pytest[^\n]*)\n```", readme)
    assert command is not None
    tests = _workflow()["jobs"]["tests"]
    assert any(command.group(1) in run for run in _runs(tests))
    assert tests["env"]["CI"] == "true"
    services = tests["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert "5432:5432" in services["postgres"]["ports"]
    assert services["redis"]["image"].startswith("redis:")
    assert "6379:6379" in services["redis"]["ports"]
    nats = [run for run in _runs(tests) if "nats:" in run and "docker run" in run]
    assert nats
    assert re.search(r"-p 4222:4222 nats:[\w.]+ -js", nats[0])


def test_ci_lints_types_and_pushes_the_image_on_a_tag() -> None:
    jobs = _workflow()["jobs"]
    assert any("nox -s lint types" in run for run in _runs(jobs["lint"]))
    image = jobs["image"]
    assert image["if"].startswith("startsWith(github.ref, 'refs/tags/")
    assert set(image["needs"]) == {"tests", "lint"}
    assert image["permissions"]["packages"] == "write"
    (push,) = [s for s in image["steps"] if s.get("uses", "").startswith("docker/build-push")]
    assert push["with"]["push"] is True
    assert push["with"]["context"] == "."
    (meta,) = [s for s in image["steps"] if s.get("uses", "").startswith("docker/metadata")]
    assert meta["with"]["images"].startswith("ghcr.io/")
