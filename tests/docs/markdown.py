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


def program(page: str, language: str) -> str:
    """The page's `language` blocks as one source text, each block on the lines it has in
    the page (the rest blank), so a traceback points at the right line of `docs/<page>`."""
    text = (DOCS / page).read_text(encoding="utf-8")
    lines = [""] * (text.count("\n") + 1)
    for match in _FENCE.finditer(text):
        if match["lang"] == language:
            first = text.count("\n", 0, match.start("body"))
            for offset, line in enumerate(match["body"].splitlines()):
                lines[first + offset] = line
    return "\n".join(lines)
