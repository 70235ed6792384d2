"""Exact cosine ranking for collections small enough to hold every vector in memory.

Chroma's HNSW index is approximate, and it can leave a freshly added chunk unreachable: on this
machine class a one-chunk upload whose vector was the question's nearest (cosine .94, the next .80)
was missing even from ``query(n_results=count)`` in 3 to 5 of 100 trials under CPU load (chromadb
1.5.9, embedded; docs/reliability.md). A user who uploads a file and asks about it must find it. Up to
``EXACT_UP_TO`` chunks, one matrix product over every vector costs about a millisecond and cannot
miss, so the store ranks here; above it, Chroma's index answers (exact search would cost memory).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

# 50k chunks of a 384-d model: 77 MB of float32 per process, ~5 ms a ranking on this machine class.
EXACT_UP_TO = 50_000


class ExactVectors:
    """Every chunk's unit vector, in the order of one revision's chunk ids (the BM25 index's)."""

    def __init__(self, chunk_ids: Sequence[str], matrix: np.ndarray, present: np.ndarray) -> None:
        self.chunk_ids = list(chunk_ids)
        self._matrix = matrix
        # False where Chroma had no vector to give (another process's chunk this one cannot read yet).
        self._present = present

    @classmethod
    def build(
        cls,
        chunk_ids: Sequence[str],
        previous: ExactVectors | None,
        fetch: Callable[[Sequence[str]], dict[str, np.ndarray]],
    ) -> ExactVectors:
        """Reuse the previous revision's vectors by chunk id (ids change with content); fetch the rest."""
        known: dict[str, np.ndarray] = {}
        if previous is not None:
            known = {cid: previous._matrix[row] for row, cid in enumerate(previous.chunk_ids) if previous._present[row]}
        vectors = known | fetch([cid for cid in chunk_ids if cid not in known])
        dim = next((len(v) for v in vectors.values()), 0)
        matrix = np.zeros((len(chunk_ids), dim), dtype=np.float32)
        present = np.zeros(len(chunk_ids), dtype=bool)
        for row, cid in enumerate(chunk_ids):
            if cid in vectors and len(vectors[cid]) == dim:
                matrix[row] = vectors[cid]
                present[row] = True
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        np.divide(matrix, norms, out=matrix, where=norms > 0)
        return cls(chunk_ids, matrix, present)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def rank(self, vector: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The k chunks nearest to ``vector`` by cosine, among those ``mask`` allows."""
        if k <= 0 or not len(self.chunk_ids) or self._matrix.shape[1] != len(vector):
            return []
        query = np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        # One BLAS thread: OpenBLAS's pool spins after a product and slows the question encoder's own
        # threads that run next (retrieval p50 at 50k chunks 50 ms with two BLAS threads, 25 ms with one).
        with threadpool_limits(limits=1, user_api="blas"):
            scores = self._matrix @ (query / norm if norm > 0 else query)
        allowed = self._present if mask is None else self._present & mask
        candidates = np.flatnonzero(allowed)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        ranked = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(self.chunk_ids[int(row)], float(scores[row])) for row in ranked]
