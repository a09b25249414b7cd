"""Recommendations: cosine of the user's and each entity's vector, never an excluded
(already-followed) entity, best first."""

from __future__ import annotations

from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from showgeo_domain.analytics.vectors import recommend

ids = st.integers(0, 15).map(lambda i: UUID(int=i + 1))
weights = st.floats(0.01, 10)
vectors = st.dictionaries(ids, weights, max_size=6)


@given(
    vectors,
    st.dictionaries(ids, vectors, max_size=12),
    st.sets(ids, max_size=8),
    st.integers(1, 20),
)
def test_a_recommendation_is_never_an_excluded_entity(
    user: dict[UUID, float],
    entities: dict[UUID, dict[UUID, float]],
    followed: set[UUID],
    limit: int,
) -> None:
    picks = recommend(user, entities, exclude=followed, limit=limit)
    assert len(picks) <= limit
    assert not {p.entity_id for p in picks} & followed
    assert all(0.0 < p.score <= 1.0 for p in picks)
    scores = [p.score for p in picks]
    assert scores == sorted(scores, reverse=True)


def test_the_entity_whose_neighbourhood_matches_the_user_wins() -> None:
    a, b, c, d = (UUID(int=i) for i in range(1, 5))
    user = {a: 1.0, b: 1.0}
    entities = {c: {a: 0.9, b: 0.8, c: 1.0}, d: {d: 1.0, c: 0.1}}
    picks = recommend(user, entities, exclude={a, b}, limit=5)
    assert [p.entity_id for p in picks] == [c]  # d shares nothing with the user
