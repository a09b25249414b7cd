"""Every file a page of docs/ (or the README) names is in the repository.

Pages name files by their path from the root (`tests/api/test_analytics.py`), inside a
package (`showgeo_domain/entities/policy.py`) or by their last folders (`gateway/hub.py`), so
a name counts when some file's path ends with it. A file renamed or removed without its
pages fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs.markdown import DOCS

ROOT = DOCS.parent
PAGES = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]
# a path with at least one folder, ending in a file type we keep in the repository
FILE_NAME = re.compile(
    r"(?<![\w/.:-])((?:[\w.-]+/)+[\w.-]+\.(?:py|md|json|toml|yml|yaml|html|js|css|cfg|ini|sh))\b"
)
SKIPPED_FOLDERS = {".git", ".venv", "node_modules", "__pycache__", ".nox", ".mypy_cache"}


def repository_files() -> list[str]:
    files = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if path.is_file() and not SKIPPED_FOLDERS & set(relative.parts):
            files.append("/" + relative.as_posix())
    return files


FILES = repository_files()


def exists(name: str) -> bool:
    name = name.removeprefix("../").removeprefix("./")
    return any(f.endswith("/" + name) for f in FILES)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_file_a_page_names_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    names = {m.group(1) for m in FILE_NAME.finditer(text) if "://" not in m.group(0)}
    # addresses (https://host/x/y.js, npm's dist/… inside a package) are not our files
    names = {n for n in names if not re.search(rf"https?://\S*{re.escape(n)}", text)}
    missing = sorted(n for n in names if not exists(n) and not n.startswith("dist/"))
    assert not missing, f"{page.name} names files that are not in the repository: {missing}"


def test_the_reader_finds_names_and_tells_missing_ones() -> None:
    found = {m.group(1) for m in FILE_NAME.finditer("see `gateway/hub.py` and tests/x/nope.py")}
    assert found == {"gateway/hub.py", "tests/x/nope.py"}
    assert exists("gateway/hub.py")
    assert not exists("tests/x/nope.py")
