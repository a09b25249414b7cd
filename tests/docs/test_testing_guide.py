"""docs/testing.md runs as written: its Python blocks form a test module another project
could copy, and every test in it passes against the published strategies and the fakes."""

from __future__ import annotations

import tomllib
import types
from pathlib import Path

import pytest

from tests.docs.markdown import code_blocks, program

PAGE = "testing.md"


def guide_module() -> types.ModuleType:
    assert code_blocks(PAGE, "python"), f"docs/{PAGE} lost its example"
    module = types.ModuleType("showgeo_testing_guide")
    exec(compile(program(PAGE, "python"), f"docs/{PAGE}", "exec"), module.__dict__)  # noqa: S102
    return module


GUIDE = guide_module()
TESTS = sorted(name for name in vars(GUIDE) if name.startswith("test_"))


def test_the_guide_has_tests_to_copy() -> None:
    assert len(TESTS) >= 2


@pytest.mark.parametrize("name", TESTS)
def test_the_guides_example_passes(name: str) -> None:
    getattr(GUIDE, name)()


def test_the_extra_the_guide_installs_exists_and_brings_hypothesis() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    extras = pyproject["project"]["optional-dependencies"]
    assert any(d.startswith("hypothesis") for d in extras["testing"])
    assert any(d.startswith("hypothesis") for d in extras["dev"])
    assert "pip install 'showgeo[testing]'" in "".join(code_blocks(PAGE, "console"))
