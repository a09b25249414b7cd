"""Cosine similarity of non-negative vectors lies in [0, 1] and is symmetric; the chunked,
top-k entity neighbours agree with one raw scipy product."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from showgeo_domain.analytics.vectors import (
    Interaction,
    InteractionWeights,
    cosine,
    entity_neighbours,
    raw_cosine,
    strength,
)

vectors = st.integers(1, 12).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0, 1e6, allow_nan=False), min_size=n, max_size=n),
        st.lists(st.floats(0, 1e6, allow_nan=False), min_size=n, max_size=n),
    )
)


@given(vectors)
def test_cosine_of_non_negative_vectors_is_in_0_1_and_symmetric(
    pair: tuple[list[float], list[float]],
) -> None:
    a, b = pair
    ab, ba = cosine(a, b), cosine(b, a)
    assert 0.0 <= ab <= 1.0
    assert ab == pytest.approx(ba, abs=1e-12)


@given(st.lists(st.floats(0.001, 1e6), min_size=1, max_size=12), st.floats(0.01, 100))
def test_a_vector_is_fully_like_any_multiple_of_itself(a: list[float], k: float) -> None:
    assert cosine(a, [k * x for x in a]) == pytest.approx(1.0)


def test_zero_vectors_are_like_nothing() -> None:
    assert cosine([0, 0], [1, 2]) == 0.0


def test_strength_formula() -> None:
    w = InteractionWeights()
    assert strength(Interaction(follows=1), w) == pytest.approx(1.0)
    assert strength(Interaction(tickets=1), w) == pytest.approx(0.5 * np.log(2))
    assert strength(Interaction(units=3), w) == pytest.approx(0.3 * np.log(4))
    assert strength(Interaction(watch_seconds=3600), w) == pytest.approx(0.2 * np.log(2))
    assert strength(Interaction(), w) == 0.0


@given(st.integers(0, 2**31 - 1), st.integers(1, 6), st.integers(1, 7))
def test_chunked_top_k_neighbours_match_the_raw_product(seed: int, top_k: int, chunk: int) -> None:
    rng = np.random.default_rng(seed)
    dense = rng.random((30, 12)) * (rng.random((30, 12)) < 0.3)
    matrix = sparse.csc_matrix(dense)
    raw = raw_cosine(matrix).toarray()
    np.fill_diagonal(raw, 0.0)
    found: dict[int, dict[int, float]] = {}
    for part in entity_neighbours(matrix, top_k=top_k, chunk=chunk):
        for s, t, v in zip(part.sources, part.targets, part.similarity, strict=True):
            found.setdefault(int(s), {})[int(t)] = float(v)
            assert v == pytest.approx(raw[s, t], abs=1e-5)
    for entity in range(12):
        row = raw[entity]
        kept = found.get(entity, {})
        assert len(kept) == min(top_k, int((row > 1e-7).sum())) or len(kept) <= top_k
        if kept:  # nothing left out is more alike than what was kept
            weakest = min(kept.values())
            left_out = [row[j] for j in range(12) if j not in kept]
            assert all(v <= weakest + 1e-5 for v in left_out)
            assert all(0.0 <= v <= 1.0 for v in kept.values())
