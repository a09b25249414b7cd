"""The engagement score is the seed formula: linear and monotone in each input; the normalised
score lies in [0, 1] and ranks like the inputs do."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showgeo_domain.analytics.score import (
    INPUTS,
    ScoreInputs,
    ScoreWeights,
    engagement_score,
    major_units,
    normalised_score_of,
)
from showgeo_domain.shared.errors import InvalidInput

amounts = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
weights_st = st.builds(ScoreWeights, **{name: st.floats(0, 10) for name in INPUTS})
inputs_st = st.builds(ScoreInputs, **{name: amounts for name in INPUTS})


def test_the_seed_formula_by_hand() -> None:
    inputs = ScoreInputs(
        followers=100, viewers=40, store_revenue=250.5, tickets_sold=12, notifications_sent=300
    )
    expected = 0.3 * 100 + 0.25 * 40 + 0.2 * 250.5 + 0.15 * 12 + 0.1 * 300
    assert engagement_score(inputs) == pytest.approx(expected)
    assert engagement_score(inputs) == pytest.approx(121.9)  # 30 + 10 + 50.1 + 1.8 + 30


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


@given(inputs_st, inputs_st, st.floats(0, 100), st.floats(0, 100), weights_st)
def test_score_is_linear(
    a: ScoreInputs, b: ScoreInputs, x: float, y: float, w: ScoreWeights
) -> None:
    combined = ScoreInputs(**{n: x * getattr(a, n) + y * getattr(b, n) for n in INPUTS})
    expected = x * engagement_score(a, w) + y * engagement_score(b, w)
    assert _close(engagement_score(combined, w), expected)


@given(inputs_st, st.sampled_from(INPUTS), st.floats(0, 1e6), weights_st)
def test_score_is_monotone_in_each_input(
    inputs: ScoreInputs, name: str, more: float, w: ScoreWeights
) -> None:
    raised = ScoreInputs(
        **{**{n: getattr(inputs, n) for n in INPUTS}, name: getattr(inputs, name) + more}
    )
    gained = engagement_score(raised, w) - engagement_score(inputs, w)
    assert gained >= -1e-6
    # each input moves the score by exactly its weight per unit
    assert math.isclose(gained, getattr(w, name) * more, rel_tol=1e-6, abs_tol=1e-3)


@given(st.lists(inputs_st, min_size=1, max_size=30), weights_st)
def test_normalised_scores_lie_in_0_1(rows: list[ScoreInputs], w: ScoreWeights) -> None:
    for score in normalised_score_of(rows, w):
        assert 0.0 <= score <= 1.0


@given(st.lists(inputs_st, min_size=2, max_size=20), st.sampled_from(INPUTS))
def test_normalised_score_is_monotone_in_each_input(rows: list[ScoreInputs], name: str) -> None:
    """Raising one entity's input never lowers its own normalised score... relative to the
    others: it still ranks at least as high as every entity it beat before."""
    before = normalised_score_of(rows)
    first = rows[0]
    raised = ScoreInputs(
        **{**{n: getattr(first, n) for n in INPUTS}, name: getattr(first, name) * 2 + 1}
    )
    after = normalised_score_of([raised, *rows[1:]])
    for i in range(1, len(rows)):
        if before[0] >= before[i] + 1e-9:
            assert after[0] >= after[i] - 1e-9


def test_the_leader_on_every_input_scores_one_and_zero_stays_zero() -> None:
    top = ScoreInputs(
        followers=10, viewers=5, store_revenue=100, tickets_sold=7, notifications_sent=3
    )
    half = ScoreInputs(
        followers=5, viewers=2.5, store_revenue=50, tickets_sold=3.5, notifications_sent=1.5
    )
    assert normalised_score_of([top, half, ScoreInputs()]) == pytest.approx([1.0, 0.5, 0.0])


def test_weights_must_be_finite_and_not_negative() -> None:
    with pytest.raises(InvalidInput):
        ScoreWeights(followers=-0.1)
    with pytest.raises(InvalidInput):
        ScoreWeights(viewers=float("nan"))


def test_revenue_is_counted_in_major_units() -> None:
    assert major_units(1250, "EUR") == 12.5
    assert major_units(1250, "JPY") == 1250.0
    assert major_units(1250, "KWD") == 1.25


def test_series_reach_the_calendar_edges() -> None:
    from datetime import date

    from showgeo_domain.analytics.summaries import MetricRow, series

    last = series([MetricRow(date.max, "followers", 2.0)], [], date(9999, 12, 30), date.max)
    assert [(s.day, dict(s.values)) for s in last] == [
        (date(9999, 12, 30), {}),
        (date.max, {"followers": 2.0}),
    ]
    assert len(series([], [], date.min, date(1, 1, 3))) == 3
