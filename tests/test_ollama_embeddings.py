"""Embeddings through Ollama (``RAG_EMBED_MODEL=ollama:NAME``), against the loopback stand-in that
speaks Ollama's /api/embed; no real model runs here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import DEAD_OLLAMA, make_settings
from ollama_stub import OllamaStub, bag_of_words_vector

from ingest.embedding import EmbeddingError
from rag.cli import main
from rag.errors import CollectionMismatchError, RagError
from rag.service import RagService
from rag.settings import DEFAULT_EMBED_MODEL

MODEL = "bge-m3"
QUESTION = "Who chaired the 6th ASEAN Digital Ministers' Meeting?"
GOLD = "001_c991d5dd9dcdba35.txt"


@pytest.fixture(scope="module")
def stub() -> Iterator[OllamaStub]:
    with OllamaStub(models=["qwen2.5:3b", f"{MODEL}:latest"]) as server:
        yield server


@pytest.fixture(scope="module")
def ollama_service(stub: OllamaStub, tmp_path_factory: pytest.TempPathFactory) -> RagService:
    settings = make_settings(
        tmp_path_factory.mktemp("ollama-embed-home"),
        embed_model=f"ollama:{MODEL}",
        embed_languages="*",
        ollama_host=stub.url,
        llm="none",
        llm_timeout=5.0,
    )
    service = RagService(settings)
    report = service.ingest()
    assert sorted(report.added) == sorted(s.source for s in service.sources())
    return service


def test_documents_are_embedded_by_ollama_in_batches(ollama_service: RagService, stub: OllamaStub) -> None:
    store = ollama_service.store()
    texts = {r.text for r in store.get_chunks(store.chunk_ids())}
    sent = [t for body in stub.embed_requests for t in body["input"]]
    assert texts <= set(sent)
    assert all(body["model"] == MODEL and body["truncate"] is True for body in stub.embed_requests)
    batch = ollama_service.settings.embedding.batch_size
    assert all(len(body["input"]) <= batch for body in stub.embed_requests)
    assert store.info("embed_model") == f"ollama:{MODEL}"


def test_questions_are_embedded_by_ollama_and_ranked_by_its_vectors(ollama_service: RagService) -> None:
    passages = ollama_service.retrieve(QUESTION, top_k=5, mode="dense")
    question = np.asarray(bag_of_words_vector(QUESTION))
    store = ollama_service.store()
    expected = {
        r.chunk_id: float(np.dot(question, bag_of_words_vector(r.text))) for r in store.get_chunks(store.chunk_ids())
    }
    best = sorted(expected.values(), reverse=True)[:5]
    assert [p.dense_score for p in passages] == pytest.approx(best, abs=1e-4)
    for p in passages:
        assert p.dense_score == pytest.approx(expected[p.chunk_id], abs=1e-4)
    assert ollama_service.embedder.query_backend == "ollama"


def test_a_multilingual_model_ranks_vietnamese_questions_densely_too(ollama_service: RagService) -> None:
    """With RAG_EMBED_LANGUAGES=* the dense list is fused for Vietnamese questions as well."""
    question = "Hội nghị Bộ trưởng Số ASEAN lần thứ 6 diễn ra ở đâu?"
    hybrid = ollama_service.retrieve(question, top_k=5)
    dense = ollama_service.retrieve(question, top_k=5, mode="dense")
    assert all(p.dense_score is not None for p in hybrid)
    assert {p.chunk_id for p in dense} & {p.chunk_id for p in hybrid}


def test_answers_come_from_the_ollama_embedded_index(ollama_service: RagService) -> None:
    answer = ollama_service.ask(QUESTION)
    assert "Nguyễn Mạnh Hùng" in answer.text
    assert GOLD in {c.source for c in answer.citations}


def test_a_missing_model_says_how_to_get_it(stub: OllamaStub, tmp_path: Path) -> None:
    service = RagService(make_settings(tmp_path, embed_model="ollama:nomic-embed-text", ollama_host=stub.url))
    with pytest.raises(RagError, match=r"ollama pull nomic-embed-text"):
        service.ingest()


def test_an_unreachable_server_is_one_clear_line_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_HOME", str(tmp_path))
    monkeypatch.setenv("RAG_EMBED_MODEL", f"ollama:{MODEL}")
    monkeypatch.setenv("RAG_OLLAMA_HOST", DEAD_OLLAMA)
    assert main(["ingest"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"error: embedding with 'ollama:{MODEL}' failed: Ollama is not reachable at {DEAD_OLLAMA}"


def test_a_server_error_stops_the_ingest_and_a_rerun_completes_it(stub: OllamaStub, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, embed_model=f"ollama:{MODEL}", ollama_host=stub.url, llm="none")
    stub.embed_status = 500
    try:
        with pytest.raises(RagError, match=r"Ollama answered with an error \(500"):
            RagService(settings).ingest()
    finally:
        stub.embed_status = 200
    report = RagService(settings).ingest()
    assert len(report.added) == 5 and not report.failed


def test_an_index_built_by_another_model_is_not_mixed_with_ollama_vectors(
    corpus_service: RagService, stub: OllamaStub
) -> None:
    settings = corpus_service.settings.updated(embed_model=f"ollama:{MODEL}", ollama_host=stub.url)
    with pytest.raises(CollectionMismatchError, match=DEFAULT_EMBED_MODEL):
        RagService(settings).ask(QUESTION)


def test_an_empty_model_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="needs a model name"):
        _ = RagService(make_settings(tmp_path, embed_model="ollama:")).embedder


def test_questions_stop_with_one_clear_error_when_ollama_goes_away(ollama_service: RagService) -> None:
    settings = ollama_service.settings.updated(ollama_host=DEAD_OLLAMA)
    service = RagService(settings)
    service._stores = ollama_service._stores  # the same index, now without its embedding server
    with pytest.raises(RagError, match=f"Ollama is not reachable at {DEAD_OLLAMA}"):
        service.ask("Which city hosted the meeting in January 2026?")
