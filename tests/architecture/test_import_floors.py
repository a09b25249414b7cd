"""The floors of docs/architecture.md hold: import-linter's contracts (pyproject.toml's
`[tool.importlinter]`) are kept, they catch an arrow that breaks them, `src/` has no import
loop, and the page's table of contexts says what the contract says."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.architecture.import_graph import SRC, cycles, import_graph

ROOT = Path(__file__).parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

KNOWN_CYCLES: list[list[str]] = [
    # `wiring/analytics.py` names the container in a TYPE_CHECKING annotation while the
    # container imports it; the one-composition-root work (issue 17, part 3) removes it.
    ["showgeo_api.wiring.analytics", "showgeo_api.wiring.container"],
]
"""Loops allowed for now; one that is gone must leave this list (the test says so)."""


def _lint_imports(*args: str, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:  # put a changed copy of a package ahead of the real one
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    return subprocess.run(  # noqa: S603 - our own venv's lint-imports, fixed arguments
        [str(LINT_IMPORTS), "--no-cache", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _domain_floors() -> list[list[str]]:
    """The domain contract's layers, top first, each a list of the contexts on that floor."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (floors,) = [c for c in contracts if c["id"] == "domain-floors"]
    return [[name.strip() for name in layer.split("|")] for layer in floors["layers"]]


def test_every_contract_is_kept() -> None:
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    "arrow",
    [
        "from showgeo_domain.orders.model import Order\n",
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from showgeo_domain.orders.model import Order\n",
    ],
    ids=["import", "type-checking-import"],
)
def test_an_arrow_from_a_lower_context_up_breaks_the_floors(tmp_path: Path, arrow: str) -> None:
    """The same contract, run over a copy of the domain where the shared kernel reaches up
    into orders, fails and names the arrow: the check is not vacuous."""
    shutil.copytree(SRC / "showgeo_domain", tmp_path / "showgeo_domain")
    money = tmp_path / "showgeo_domain" / "shared" / "money.py"
    money.write_text(money.read_text(encoding="utf-8") + "\n" + arrow, encoding="utf-8")

    result = _lint_imports("--contract", "domain-floors", pythonpath=tmp_path)

    assert result.returncode != 0, result.stdout
    assert "showgeo_domain.shared.money -> showgeo_domain.orders.model" in result.stdout


def test_src_has_no_import_loop() -> None:
    found = cycles(import_graph())
    assert [c for c in found if c not in KNOWN_CYCLES] == []
    assert [c for c in KNOWN_CYCLES if c not in found] == [], "gone: drop it from KNOWN_CYCLES"


def test_the_loop_finder_sees_a_loop_and_only_the_loop() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"d"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_counts_every_kind_of_import(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("")
    (package / "mid.py").write_text("from . import low\n")
    (package / "high.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from pkg.mid import x\n\n"
        "def later():\n    import pkg.low\n"
    )

    graph = import_graph(tmp_path)

    assert graph["pkg.mid"] == {"pkg.low"}
    assert graph["pkg.high"] == {"pkg.mid", "pkg.low"}


def test_every_domain_folder_stands_on_a_floor() -> None:
    folders = {p.parent.name for p in (SRC / "showgeo_domain").glob("*/__init__.py")}
    assert sorted(name for floor in _domain_floors() for name in floor) == sorted(folders)


def test_the_architecture_page_lists_the_floors_of_the_contract() -> None:
    """docs/architecture.md's table (context | floor | may import) says what the contract
    says: floor numbers count up from the shared kernel (0), and a context may import
    exactly the contexts on lower floors."""
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| (\d+) \| (.*?) \|$", page, re.MULTILINE)
    floors = list(reversed(_domain_floors()))
    expected = {
        name: (level, sorted(n for lower in floors[:level] for n in lower))
        for level, floor in enumerate(floors)
        for name in floor
    }
    documented = {
        name: (int(level), sorted(re.findall(r"`(\w+)`", may_import)))
        for name, level, may_import in rows
    }
    assert documented == expected
