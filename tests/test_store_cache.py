"""Recently read chunks are served from memory, and never outlive a change this process makes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from rag.service import RagService
from vectorstore import ChunkRecord

QUESTION = "What does the zephyr festival in Vientiane celebrate?"


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "zephyr.md").write_text(text, encoding="utf-8")
    return folder


def test_a_repeated_question_reads_its_passages_from_memory(
    fresh_service: RagService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _write(tmp_path / "docs", "# Zephyr\n\nThe zephyr festival in Vientiane celebrates the first rains.\n")
    fresh_service.ingest([folder])
    first = fresh_service.retrieve(QUESTION)
    store = fresh_service.store()
    reads: list[list[str]] = []
    original = store._with_vectors

    def recording(ids: Sequence[str]) -> list[tuple[ChunkRecord, np.ndarray]]:
        reads.append(list(ids))
        return original(ids)

    monkeypatch.setattr(store, "_with_vectors", recording)
    again = fresh_service.retrieve(QUESTION)
    assert reads == []
    assert [(p.chunk_id, p.text, p.dense_score) for p in again] == [(p.chunk_id, p.text, p.dense_score) for p in first]


def test_changed_content_is_read_anew_after_this_process_rewrites_it(fresh_service: RagService, tmp_path: Path) -> None:
    folder = _write(tmp_path / "docs", "# Zephyr\n\nThe zephyr festival in Vientiane celebrates the first rains.\n")
    fresh_service.ingest([folder])
    assert "first rains" in fresh_service.retrieve(QUESTION)[0].text
    _write(folder, "# Zephyr\n\nThe zephyr festival in Vientiane celebrates the rice harvest.\n")
    fresh_service.ingest([folder])
    passages = fresh_service.retrieve(QUESTION)
    assert "rice harvest" in passages[0].text
    assert all("first rains" not in p.text for p in passages)
    fresh_service.delete_source("zephyr.md")
    assert (
        all(p.source != "zephyr.md" for p in fresh_service.retrieve(QUESTION))
        if fresh_service.store().count()
        else True
    )
