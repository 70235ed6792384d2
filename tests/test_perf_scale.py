"""A collection of synthetic chunks, filled the way the benchmark fills it (bench/scale.py): retrieval
still finds the right chunk, and a fresh process-like service reads the saved BM25 index instead of
rebuilding it. Small in the default run; the 100k size is marked `scale` (python3 -m pytest -m scale)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_settings

from bench.scale import COLLECTION, build
from rag.service import RagService
from vectorstore.store import open_store

SIZES = [2_000, pytest.param(100_000, marks=pytest.mark.scale)]


@pytest.mark.parametrize("size", SIZES)
def test_retrieval_over_a_large_synthetic_collection(tmp_path: Path, size: int) -> None:
    built = build(tmp_path, size, None)
    assert built["count"] == size

    store = open_store(tmp_path, COLLECTION)
    index = store.lexical_index()
    assert index is not None and len(index) == size
    assert index.token_lists is not None  # tokens read back from disk for the next revision

    target = store.get_chunks([f"synthetic/{(size // 100) - 1:05d}.txt#{(size // 100) - 1:012d}:42"])[0]
    service = RagService(make_settings(tmp_path, collection=COLLECTION))
    lexical = service.retrieve(target.text, top_k=3, mode="bm25")
    assert lexical[0].chunk_id == target.chunk_id
    hybrid = service.retrieve(target.text, top_k=3)
    assert target.chunk_id in [p.chunk_id for p in hybrid]
    only = service.retrieve(target.text, top_k=3, sources=[target.source])
    assert {p.path for p in only} == {target.source}  # the key; the name shown is its shortest unique tail
