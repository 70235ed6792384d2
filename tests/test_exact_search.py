"""Dense ranking is exact below EXACT_UP_TO chunks: a chunk just added is found by its own vector.

Chroma's approximate index was seen to leave a freshly uploaded chunk unreachable (vectorstore/exact.py);
these tests pin the exact ranking against numpy and against the real store.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.service import RagService
from vectorstore.exact import ExactVectors


def _unit(rows: np.ndarray) -> np.ndarray:
    return np.asarray(rows / np.linalg.norm(rows, axis=1, keepdims=True), dtype=np.float64)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=60),
    k=st.integers(min_value=1, max_value=70),
    seed=st.integers(min_value=0, max_value=10_000),
    filtered=st.booleans(),
)
def test_ranking_is_numpys_exact_cosine_order(n: int, k: int, seed: int, filtered: bool) -> None:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, 8)).astype(np.float32) * rng.uniform(0.5, 3.0, size=(n, 1)).astype(np.float32)
    ids = [f"c{i}" for i in range(n)]
    exact = ExactVectors.build(ids, None, lambda wanted: dict(zip(wanted, vectors, strict=True)))
    query = rng.normal(size=8).astype(np.float32)
    mask = rng.random(n) < 0.5 if filtered else None

    got = exact.rank(query, k, mask)

    cosines = _unit(vectors) @ (query / np.linalg.norm(query))
    allowed = np.flatnonzero(mask) if mask is not None else np.arange(n)
    expected = allowed[np.argsort(-cosines[allowed], kind="stable")][:k]
    assert [cid for cid, _ in got] == [ids[i] for i in expected]
    assert np.allclose([score for _, score in got], cosines[expected], atol=1e-5)


def test_a_new_revision_reuses_known_vectors_and_skips_unreadable_ones() -> None:
    rng = np.random.default_rng(1)
    table = {f"c{i}": rng.normal(size=4).astype(np.float32) for i in range(5)}
    asked: list[list[str]] = []

    def fetch(ids: Sequence[str]) -> dict[str, np.ndarray]:
        asked.append(list(ids))
        return {cid: table[cid] for cid in ids if cid != "c4"}  # c4: another process's chunk, unreadable here

    first = ExactVectors.build(["c0", "c1", "c2"], None, fetch)
    second = ExactVectors.build(["c1", "c2", "c3", "c4"], first, fetch)

    assert asked == [["c0", "c1", "c2"], ["c3", "c4"]]
    assert [cid for cid, _ in second.rank(table["c4"], 10)] != [] and "c4" not in dict(second.rank(table["c4"], 10))
    assert second.rank(table["c3"], 1)[0][0] == "c3"


def test_an_uploaded_chunk_is_the_nearest_to_its_own_vector_after_the_store_was_read(
    fresh_service: RagService, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(12):
        (folder / f"note{i}.md").write_text(
            f"# Note {i}\n\nThe regional office filed report number {i} on rainfall and road repairs.\n",
            encoding="utf-8",
        )
    fresh_service.ingest([folder])
    store = fresh_service.store()
    store.dense_ranking(fresh_service.embedder.embed_query("rainfall report"), 5)  # built before the upload

    upload = tmp_path / "upload" / "zephyr notes.md"
    upload.parent.mkdir()
    upload.write_text("# Zephyr\n\nThe Zephyr irrigation project has a budget of 42 million kip.\n", encoding="utf-8")
    fresh_service.ingest([upload])

    chunks = store.get_chunks_with_vectors([cid for cid in store.chunk_ids() if cid.startswith("zephyr")])
    assert len(chunks) == 1
    record, vector = chunks[0]
    ranked = store.dense_ranking(vector, store.count())
    assert len(ranked) == store.count()  # every chunk is ranked: none is unreachable
    assert ranked[0][0] == record.chunk_id and abs(ranked[0][1] - 1.0) < 1e-4
    only_notes = store.dense_ranking(
        vector, 3, sources=[k for k, shown in store.source_names().items() if shown.startswith("note")]
    )
    assert record.chunk_id not in [cid for cid, _ in only_notes] and len(only_notes) == 3
