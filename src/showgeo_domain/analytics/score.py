"""The engagement score of an entity, exactly the seed formula, and its normalised form.

    score = 0.3·Followers + 0.25·Viewers + 0.2·StoreRevenue + 0.15·TicketsSold
            + 0.1·NotificationsSent

The weights are settings (`ScoreWeights`). StoreRevenue is in major units of the entity's
currency (12.50 EUR counts 12.5), so the score of one entity can be checked by hand.

The raw score mixes units (people, money, messages) and grows without bound, so ranking and
the popular list use the normalised score instead: every input is divided by its largest value
across all entities (max scaling, so each input lies in [0, 1] and 0 stays 0), and the
weighted sum is divided by the sum of the weights, so the normalised score lies in [0, 1] and
the entity that leads on every input scores exactly 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec
import numpy as np
import numpy.typing as npt

from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import Money

INPUTS = ("followers", "viewers", "store_revenue", "tickets_sold", "notifications_sent")
"""The score's inputs, in the order of the formula."""


class ScoreWeights(msgspec.Struct, frozen=True, kw_only=True):
    followers: float = 0.3
    viewers: float = 0.25
    store_revenue: float = 0.2
    tickets_sold: float = 0.15
    notifications_sent: float = 0.1

    def __post_init__(self) -> None:
        for name in INPUTS:
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise InvalidInput(
                    f"score weight {name} must be a finite number >= 0", field=f"weight.{name}"
                )

    def as_array(self) -> npt.NDArray[np.float64]:
        return np.array([getattr(self, name) for name in INPUTS], dtype=np.float64)


class ScoreInputs(msgspec.Struct, frozen=True, kw_only=True):
    """One entity's inputs; `store_revenue` is in major units of its currency."""

    followers: float = 0
    viewers: float = 0
    store_revenue: float = 0
    tickets_sold: float = 0
    notifications_sent: float = 0

    def as_array(self) -> npt.NDArray[np.float64]:
        return np.array([getattr(self, name) for name in INPUTS], dtype=np.float64)


def engagement_score(inputs: ScoreInputs, weights: ScoreWeights | None = None) -> float:
    """The seed formula: a weighted sum, linear and (with weights >= 0) monotone in each
    input. Summed in the formula's order so a hand calculation gives the same float."""
    w = weights or ScoreWeights()
    return float(
        w.followers * inputs.followers
        + w.viewers * inputs.viewers
        + w.store_revenue * inputs.store_revenue
        + w.tickets_sold * inputs.tickets_sold
        + w.notifications_sent * inputs.notifications_sent
    )


def normalised_scores(
    inputs: npt.ArrayLike, weights: ScoreWeights | None = None
) -> npt.NDArray[np.float64]:
    """Normalised scores of many entities at once: `inputs` is an (entities x 5) matrix in
    `INPUTS` order. Negative inputs count as 0; an input that is 0 everywhere adds 0."""
    matrix = np.clip(np.asarray(inputs, dtype=np.float64).reshape(-1, len(INPUTS)), 0.0, None)
    if matrix.shape[0] == 0:
        return np.zeros(0)
    top = matrix.max(axis=0)
    scaled = np.divide(matrix, top, out=np.zeros_like(matrix), where=top > 0)
    w = (weights or ScoreWeights()).as_array()
    total = w.sum()
    if total == 0:
        return np.zeros(matrix.shape[0])
    result: npt.NDArray[np.float64] = np.clip(scaled @ w / total, 0.0, 1.0)
    return result


def normalised_score_of(
    rows: Sequence[ScoreInputs], weights: ScoreWeights | None = None
) -> list[float]:
    """`normalised_scores` for a list of `ScoreInputs` (small lists, tests, the memory fake)."""
    if not rows:
        return []
    return [float(v) for v in normalised_scores([r.as_array() for r in rows], weights)]


def major_units(minor: int, currency: str) -> float:
    """12_50 EUR → 12.5; 1250 JPY → 1250.0 (the score is a float; money itself never is)."""
    return minor / float(10 ** Money(0, currency).exponent)
