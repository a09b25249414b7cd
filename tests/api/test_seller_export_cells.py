"""CSV cells a spreadsheet would evaluate are escaped with a leading apostrophe; others are
left alone, and JSON Lines keeps every value as it is."""

from __future__ import annotations

import pytest

from showgeo_api.routes.seller_exports import spreadsheet_safe


@pytest.mark.parametrize(
    "cell", ["=SUM(A1)", "+1", "-1+2", "@cmd", "\tleading tab", "\rcarriage", "=HYPERLINK(1)"]
)
def test_formula_cells_get_an_apostrophe(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Ana", "a=b", "2030-01-01T00:00:00+00:00", "", "'quoted", "1-2"])
def test_other_cells_stay_as_they_are(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell
