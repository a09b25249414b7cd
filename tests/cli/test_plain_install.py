"""The documented commands after a plain `pip install -e .` (no `dev` extra).

The dev-only packages are the `dev` extra's distributions that no runtime dependency pulls in
(hypothesis, pytest, jsonschema, ...), read from the installed metadata rather than listed
here, so a package moving between the lists moves the check with it. A subprocess then runs
with every one of their modules made unimportable (`sys.modules[name] = None`), which is
what a plain install looks like to Python.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from showgeo_api.processes.event_schema import event_schemas

SRC = Path(__file__).parents[2] / "src"
# Hypothesis strategies for tests, installed with the `testing` extra (docs/testing.md).
TESTING_ONLY = "showgeo_domain.testing"


def _requirements(dist: str, extras: set[str]) -> list[Requirement]:
    wanted = extras | {""}
    found = []
    for text in metadata.requires(dist) or []:
        req = Requirement(text)
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in wanted):
            found.append(req)
    return found


def _runtime_closure() -> set[str]:
    """Every distribution a plain install of showgeo brings, with the extras asked for."""
    seen: set[str] = set()
    stack: list[tuple[str, set[str]]] = [("showgeo", set())]
    while stack:
        dist, extras = stack.pop()
        for req in _requirements(dist, extras):
            key = f"{canonicalize_name(req.name)}{sorted(req.extras)}"
            if key in seen:
                continue
            seen.add(key)
            try:
                metadata.distribution(req.name)
            except metadata.PackageNotFoundError:
                continue  # optional on this platform
            stack.append((req.name, set(req.extras)))
    return {key.split("[")[0] for key in seen}


def _dev_only_modules() -> set[str]:
    runtime = _runtime_closure()
    dev = {
        canonicalize_name(r.name)
        for r in _requirements("showgeo", {"dev"})
        if r.marker is not None and r.marker.evaluate({"extra": "dev"})
    }
    dev_only = dev - runtime
    return {
        module
        for module, dists in metadata.packages_distributions().items()
        if dists and all(canonicalize_name(d) in dev_only for d in dists)
    }


DEV_ONLY = _dev_only_modules()


def _run_without_dev_packages(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    block = f"import sys\nfor name in {sorted(DEV_ONLY)!r}:\n    sys.modules[name] = None\n"
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", block + code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_dev_only_packages_are_known() -> None:
    # If the metadata reading broke, every check below would pass for nothing.
    assert {"hypothesis", "pytest", "jsonschema"} <= DEV_ONLY
    assert not {"msgspec", "litestar", "click", "sqlalchemy"} & DEV_ONLY


def test_events_schema_needs_nothing_from_the_dev_extra() -> None:
    result = _run_without_dev_packages(
        "from showgeo_api.processes.cli import main\nmain(prog_name='showgeo')",
        "events",
        "schema",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # Every published event, not only those the test strategies happen to import.
    assert json.loads(result.stdout) == json.loads(json.dumps(event_schemas()))


def test_every_module_imports_without_the_dev_extra() -> None:
    """What every command reaches, lazy imports included: each module under src/ (but the
    test strategies) imports with the dev-only packages gone."""
    modules = sorted(
        ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
    )
    modules = [m for m in modules if not m.startswith(TESTING_ONLY)]
    code = (
        "import importlib, sys\n"
        "failed = []\n"
        "for m in sys.argv[1:]:\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except ImportError as exc:\n"
        "        failed.append(f'{m}: {exc}')\n"
        "print('\\n'.join(failed))\n"
    )
    result = _run_without_dev_packages(code, *modules)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_no_source_file_imports_a_dev_only_package() -> None:
    """Imports inside functions too (the CLI imports lazily), which importing cannot see."""
    offenders = {}
    for path in SRC.rglob("*.py"):
        if ".".join(path.relative_to(SRC).parts).startswith(TESTING_ONLY):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        }
        if imported & DEV_ONLY:
            offenders[str(path.relative_to(SRC))] = sorted(imported & DEV_ONLY)
    assert not offenders
