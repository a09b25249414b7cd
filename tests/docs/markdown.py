"""Code blocks out of our Markdown pages, so the examples the docs show are the ones we run."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).parents[2] / "docs"

_FENCE = re.compile(r"^```(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^```\s*$", re.DOTALL | re.MULTILINE)


def code_blocks(page: str, language: str) -> list[str]:
    """The bodies of the fenced blocks tagged `language` in `docs/<page>`, in page order."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return [m["body"] for m in _FENCE.finditer(text) if m["lang"] == language]
