"""What a fresh `rag ask` needs and what it must not load: sentence boundaries stored at ingest, no
sentence splitter or Ollama client when no LLM runs, and a decompressed language model reused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEAD_OLLAMA, NO_LOCAL_MODEL
from hypothesis import given
from hypothesis import strategies as st

from ingest import language
from ingest.ollama_client import address
from rag.llm import LLMError, OllamaChat
from rag.service import RagService
from textproc.sentences import sentence_spans
from vectorstore.records import decode_spans, encode_spans


def test_every_stored_chunk_carries_the_sentences_the_splitter_finds(corpus_service: RagService) -> None:
    store = corpus_service.store()
    records = store.get_chunks(store.chunk_ids())
    assert records
    for record in records:
        assert record.sentences == tuple(sentence_spans(record.text)), record.chunk_id


def test_retrieved_passages_bring_their_stored_sentences(corpus_service: RagService) -> None:
    passages = corpus_service.retrieve("Who chaired the 6th ASEAN Digital Ministers' Meeting?")
    assert passages
    for passage in passages:
        assert passage.sentences is not None
        assert passage.sentence_spans() == sentence_spans(passage.text)
    # Not part of what scripts and the web app receive.
    assert "sentences" not in passages[0].model_dump()


def test_a_passage_without_stored_sentences_is_split_on_demand(corpus_service: RagService) -> None:
    passage = corpus_service.retrieve("ASEAN Digital Economy Framework Agreement")[0]
    older = passage.model_copy(update={"sentences": None})
    assert older.sentence_spans() == passage.sentence_spans()


@given(st.lists(st.integers(min_value=1, max_value=50), max_size=20), st.integers(min_value=0, max_value=3))
def test_span_encoding_round_trips(lengths: list[int], gap: int) -> None:
    spans, cursor = [], 0
    for n in lengths:
        spans.append((cursor, cursor + n))
        cursor += n + gap
    encoded = encode_spans(tuple(spans))
    assert decode_spans(encoded, cursor) == (tuple(spans) or None)


@pytest.mark.parametrize(
    "damaged", ["0-5,4-9", "3-3", "0-500", "a-b", "0-5,", "1-2-3", "-1-4", "5-2"], ids=lambda s: repr(s)
)
def test_damaged_span_records_are_not_trusted(damaged: str) -> None:
    assert decode_spans(damaged, 100) is None


def test_a_fresh_ask_loads_no_sentence_splitter_and_no_ollama_client(corpus_service: RagService) -> None:
    """The modules that made a fresh `rag ask` take many seconds stay unloaded on the extractive path."""
    script = (
        "import json, sys\n"
        "from rag.cli import main\n"
        "code = main(['ask', 'Who chaired the 6th ASEAN Digital Ministers meeting?', '--json'])\n"
        "heavy = ['nltk', 'ollama', 'sentence_transformers', 'torch', 'llama_index', 'transformers']\n"
        "print(json.dumps({'code': code, 'loaded': [m for m in heavy if m in sys.modules]}))\n"
    )
    env = {
        **os.environ,
        "RAG_HOME": str(corpus_service.settings.home),
        "RAG_OLLAMA_HOST": DEAD_OLLAMA,
        "RAG_LLM_MODEL": NO_LOCAL_MODEL,
        "HF_HUB_OFFLINE": "1",
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    answer = json.loads("\n".join(done.stdout.strip().splitlines()[:-1]))
    assert last == {"code": 0, "loaded": []}
    assert "Nguyễn Mạnh Hùng" in answer["text"]
    assert answer["mode"] == "extractive"


def test_nothing_listening_is_reported_without_the_client() -> None:
    with pytest.raises(LLMError, match="not reachable at"):
        OllamaChat(DEAD_OLLAMA, "qwen2.5:3b", 1.0).check(timeout=1.0)


@pytest.mark.parametrize(
    "host",
    [
        "http://127.0.0.1:11434",
        "127.0.0.1",
        ":56789",
        "1.2.3.4:56789",
        "http://example.com",
        "https://example.com",
        "https://example.com:56789/path",
        "example.com/path",
        "[::1]:11434",
        "http://[::1]",
    ],
)
def test_the_probe_reads_a_host_as_the_ollama_client_does(host: str) -> None:
    from urllib.parse import urlsplit

    from ollama._client import _parse_host

    parsed = urlsplit(_parse_host(host))
    assert address(host) == (parsed.hostname, parsed.port)


def test_the_language_model_is_decompressed_once_and_read_back_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = language._model()
    copies = list((tmp_path / "rag-bilingual").glob("py3langid-*.npz"))
    assert len(copies) == 1
    again = language._model()
    assert [type(a) for a in again] == [type(a) for a in first]
    assert again[2] == first[2] and list(again[4]) == list(first[4]) and again[5] == first[5]
    # A damaged copy is not trusted: the packaged model answers instead.
    copies[0].write_bytes(b"not a model")
    from py3langid.modelio import load_model

    assert language._model()[2] == load_model(language._packaged_model())[2]
