"""Interaction vectors and the cosine similarities recommendations come from.

A user's interaction with an entity is one non-negative number, its strength:

    strength = follow·[follows] + ticket·ln(1 + tickets) + purchase·ln(1 + units)
               + watch·ln(1 + watch_hours)

with the weights of `InteractionWeights` (defaults 1.0, 0.5, 0.3, 0.2). The logarithms keep a
buyer of forty tickets from outweighing everything else they do, and a follow (a deliberate
"I like this") weighs most. The strengths form a sparse users x entities matrix R (scipy).

Two entities are alike when the same people interact with both: the similarity of entities
i and j is the cosine of R's columns i and j. Only the `top_k` most similar neighbours of
each entity are kept (computed a chunk of entities at a time, so the full entities x
entities matrix never exists in memory).

An entity's vector is its row of that similarity matrix (itself at 1); a user's vector is
their row of R. Both live in entity space, and the user's affinity to an entity is the
cosine of the two: 1 when the user's interactions have exactly the entity's neighbourhood
shape, 0 when they share nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from uuid import UUID

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import sparse

from showgeo_domain.shared.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class InteractionWeights(msgspec.Struct, frozen=True, kw_only=True):
    follow: float = 1.0
    ticket: float = 0.5
    purchase: float = 0.3
    watch: float = 0.2

    def __post_init__(self) -> None:
        for name in ("follow", "ticket", "purchase", "watch"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise InvalidInput(
                    f"interaction weight {name} must be a finite number >= 0", field=name
                )


class Interaction(msgspec.Struct, frozen=True, kw_only=True):
    """What one user did with one entity, summed by the store."""

    follows: int = 0
    tickets: int = 0
    units: int = 0
    """Store units bought in orders that were paid."""
    watch_seconds: int = 0


def strengths(
    follows: npt.ArrayLike,
    tickets: npt.ArrayLike,
    units: npt.ArrayLike,
    watch_seconds: npt.ArrayLike,
    weights: InteractionWeights | None = None,
) -> FloatArray:
    """The strength formula over whole columns at once (negative counts count as 0)."""
    w = weights or InteractionWeights()

    def column(values: npt.ArrayLike) -> FloatArray:
        return np.clip(np.asarray(values, dtype=np.float64), 0.0, None)

    result: FloatArray = (
        w.follow * (column(follows) > 0)
        + w.ticket * np.log1p(column(tickets))
        + w.purchase * np.log1p(column(units))
        + w.watch * np.log1p(column(watch_seconds) / 3600.0)
    )
    return result


def strength(interaction: Interaction, weights: InteractionWeights | None = None) -> float:
    return float(
        strengths(
            [interaction.follows],
            [interaction.tickets],
            [interaction.units],
            [interaction.watch_seconds],
            weights,
        )[0]
    )


def cosine(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Cosine similarity of two vectors; 0 when either is all zeros. Clipped to [-1, 1] so
    rounding never leaves the range."""
    x = np.asarray(a, dtype=np.float64).ravel()
    y = np.asarray(b, dtype=np.float64).ravel()
    nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    if nx == 0.0 or ny == 0.0:
        return 0.0
    return float(np.clip(np.dot(x, y) / (nx * ny), -1.0, 1.0))


class EntityColumns:
    """The columns of R: every entity, by id, and the lookup from an entity id to its column.

    The lookup is a binary search over the sorted 16-byte ids (numpy), not a dict per row, so
    a store that hands over raw ids (PostgreSQL's binary COPY) never makes a Python object per
    interaction; `of_ids` serves stores that return UUID objects."""

    def __init__(self, ids: Sequence[UUID]) -> None:
        self.ids = list(ids)
        keys = np.array([u.bytes for u in self.ids], dtype="S16")
        self._order: IntArray = np.argsort(keys, kind="stable").astype(np.int64)
        self._sorted = keys[self._order]

    def __len__(self) -> int:
        return len(self.ids)

    def of_bytes(self, keys: npt.NDArray[np.bytes_]) -> IntArray:
        """Column of each 16-byte id in `keys`; -1 for an id that is not a column."""
        if not len(self.ids):
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, keys), len(self.ids) - 1)
        found: IntArray = np.where(self._sorted[at] == keys, self._order[at], -1)
        return found

    def of_ids(self, ids: Iterable[UUID]) -> IntArray:
        return self.of_bytes(np.array([u.bytes for u in ids], dtype="S16"))


@dataclass
class InteractionChunk:
    """A chunk of users' summed interactions as parallel arrays, one entry per (user, entity)
    pair in any order: `rows` numbers the chunk's users from 0 (each below `users`), `cols` is
    the entity's column in `EntityColumns` (-1: not a column, e.g. deleted meanwhile)."""

    rows: IntArray
    cols: IntArray
    follows: IntArray
    tickets: IntArray
    units: IntArray
    """Store units bought in orders that were paid."""
    watch_seconds: IntArray
    users: int
    """Rows this chunk spans (users without interactions may have one, left empty)."""
    last_user: UUID | None = None
    """The last user id this chunk covered (users without interactions included), where the
    next chunk starts; None when no users were left."""

    @classmethod
    def empty(cls, last_user: UUID | None = None) -> InteractionChunk:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none, none, none, none, users=0, last_user=last_user)

    @classmethod
    def from_pairs(
        cls,
        columns: EntityColumns,
        pairs: Sequence[tuple[UUID, UUID, Interaction]],
        last_user: UUID | None,
    ) -> InteractionChunk:
        """From `(user, entity, interaction)` rows with id objects (memory fake, SQLite):
        users numbered in the order they first appear."""
        if not pairs:
            return cls.empty(last_user)
        row_of: dict[UUID, int] = {}
        rows = np.fromiter(
            (row_of.setdefault(u, len(row_of)) for u, _, _ in pairs),
            dtype=np.int64,
            count=len(pairs),
        )

        def column(name: str) -> IntArray:
            return np.array([getattr(i, name) for _, _, i in pairs], dtype=np.int64)

        return cls(
            rows=rows,
            cols=columns.of_ids(e for _, e, _ in pairs),
            follows=column("follows"),
            tickets=column("tickets"),
            units=column("units"),
            watch_seconds=column("watch_seconds"),
            users=len(row_of),
            last_user=last_user,
        )


class MatrixBuilder:
    """Builds R from chunks of users, so rows from the database never pile up: each chunk is
    reduced at once to three compact arrays (row, column, strength)."""

    def __init__(self, columns: int, weights: InteractionWeights | None = None) -> None:
        self.columns = columns
        self._weights = weights
        self._rows: list[npt.NDArray[np.int32]] = []
        self._cols: list[npt.NDArray[np.int32]] = []
        self._values: list[npt.NDArray[np.float32]] = []
        self.users = 0

    def add_chunk(self, chunk: InteractionChunk) -> None:
        """The chunk's users become the next rows of R (rows need no order)."""
        first = self.users
        self.users += chunk.users
        if not len(chunk.rows):
            return
        values = strengths(
            chunk.follows, chunk.tickets, chunk.units, chunk.watch_seconds, self._weights
        )
        keep = (chunk.cols >= 0) & (values > 0)  # an entity deleted meanwhile, or nothing done
        self._rows.append((chunk.rows[keep] + first).astype(np.int32))
        self._cols.append(chunk.cols[keep].astype(np.int32))
        self._values.append(values[keep].astype(np.float32))

    def build(self) -> sparse.csc_matrix:
        shape = (max(self.users, 1), self.columns)
        if not self._rows:
            return sparse.csc_matrix(shape, dtype=np.float32)
        rows, cols = np.concatenate(self._rows), np.concatenate(self._cols)
        values = np.concatenate(self._values)
        self._rows, self._cols, self._values = [], [], []
        return sparse.coo_matrix((values, (rows, cols)), shape=shape).tocsc()


def _unit_columns(matrix: sparse.spmatrix) -> sparse.csc_matrix:
    """Each column scaled to length 1 (empty columns stay empty)."""
    csc = sparse.csc_matrix(matrix, dtype=np.float32)
    norms = np.sqrt(np.asarray(csc.multiply(csc).sum(axis=0)).ravel())
    inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    scaled: sparse.csc_matrix = csc @ sparse.diags(inverse.astype(np.float32))
    return sparse.csc_matrix(scaled)


@dataclass(frozen=True)
class NeighbourChunk:
    """Entity `sources[i]` is `similarity[i]` alike to entity `targets[i]` (column indices)."""

    sources: IntArray
    targets: IntArray
    similarity: FloatArray
    done: int
    """Entities processed so far, for progress."""


def entity_neighbours(
    matrix: sparse.spmatrix, *, top_k: int = 20, chunk: int = 2000
) -> Iterator[NeighbourChunk]:
    """Top-`top_k` cosine neighbours of every entity (column of `matrix`), a chunk of
    entities at a time: memory holds R, its normalised copy and one chunk x entities block."""
    unit = _unit_columns(matrix)
    unit_t = sparse.csr_matrix(unit.T)
    entities = unit.shape[1]
    for start in range(0, entities, chunk):
        stop = min(start + chunk, entities)
        block = sparse.csr_matrix(unit_t[start:stop] @ unit)  # chunk x entities cosines
        block.setdiag(0.0, k=start)  # an entity is not its own neighbour
        block.eliminate_zeros()
        sources, targets, values = _top_k_rows(block, top_k)
        yield NeighbourChunk(sources + start, targets, values, stop)


def _top_k_rows(block: sparse.csr_matrix, top_k: int) -> tuple[IntArray, IntArray, FloatArray]:
    sources: list[IntArray] = []
    targets: list[IntArray] = []
    values: list[FloatArray] = []
    indptr, indices, data = block.indptr, block.indices, block.data
    for row in range(block.shape[0]):
        lo, hi = indptr[row], indptr[row + 1]
        if lo == hi:
            continue
        row_values = data[lo:hi]
        if hi - lo > top_k:
            best = np.argpartition(-row_values, top_k - 1)[:top_k]
        else:
            best = np.arange(hi - lo)
        sources.append(np.full(len(best), row, dtype=np.int64))
        targets.append(indices[lo:hi][best].astype(np.int64))
        values.append(np.clip(row_values[best].astype(np.float64), 0.0, 1.0))
    if not sources:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
    return np.concatenate(sources), np.concatenate(targets), np.concatenate(values)


def raw_cosine(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    """The whole entities x entities cosine matrix in one product: the benchmark's ceiling
    (no chunks, no top-k), and the reference the chunked version is tested against."""
    unit = _unit_columns(matrix)
    return sparse.csr_matrix(unit.T @ unit)


@dataclass(frozen=True)
class Recommendation:
    entity_id: UUID
    score: float


def recommend(
    user_vector: Mapping[UUID, float],
    entity_vectors: Mapping[UUID, Mapping[UUID, float]],
    *,
    exclude: Set[UUID],
    limit: int,
) -> list[Recommendation]:
    """Entities ranked by the cosine of the user's vector and each entity's vector (both
    over entity ids), best first, ties by id; entities in `exclude` (followed ones) and
    entities with nothing in common (cosine 0) never appear."""
    candidates = [e for e in entity_vectors if e not in exclude]
    if not candidates or not user_vector:
        return []
    dims = sorted(set(user_vector).union(*(entity_vectors[e] for e in candidates)), key=str)
    index = {d: i for i, d in enumerate(dims)}
    u = np.zeros(len(dims))
    for d, v in user_vector.items():
        u[index[d]] = v
    rows, cols, vals = [], [], []
    for r, e in enumerate(candidates):
        for d, v in entity_vectors[e].items():
            rows.append(r)
            cols.append(index[d])
            vals.append(v)
    m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(candidates), len(dims)))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    u_norm = float(np.linalg.norm(u))
    if u_norm == 0.0:
        return []
    dots = np.asarray(m @ u).ravel()
    scores = np.divide(dots, norms * u_norm, out=np.zeros_like(dots), where=norms > 0)
    ranked = sorted(
        (
            Recommendation(e, float(np.clip(s, 0.0, 1.0)))
            for e, s in zip(candidates, scores, strict=True)
        ),
        key=lambda r: (-r.score, str(r.entity_id)),
    )
    return [r for r in ranked if r.score > 0][:limit]
