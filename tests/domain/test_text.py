"""The control-character check agrees with Unicode's own category on every code point."""

from __future__ import annotations

import sys
import unicodedata

from showgeo_domain.shared.text import has_control_characters


def test_every_code_point_is_judged_as_unicode_categorises_it() -> None:
    allowed = {"\t", "\n", "\r"}
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        refused = unicodedata.category(char) == "Cc" and char not in allowed
        assert has_control_characters(f"a{char}b") is refused, hex(code)


def test_plain_text_passes() -> None:
    assert not has_control_characters("Moonrise at Harbour Hall — tickets €25\n\tsee you")
