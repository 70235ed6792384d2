"""The reader interface alone: a Reading in, a Draft out, for both readers (no retrieval)."""

from __future__ import annotations

import pytest
from ollama_stub import OllamaStub, Reply

from rag.answer.evidence import QueryTerms
from rag.answer.extractive import candidates
from rag.answer.llm_reader import LLMReader, NothingVerified
from rag.answer.reader import Draft, ExtractiveReader, Reading, read
from rag.answer.refusal import REFUSALS
from rag.llm import OllamaChat
from rag.types import Passage

QUESTION = "Where will the 7th meeting be held?"
TEXTS = [
    "The ministers met in Hanoi on 15 January. The 7th meeting will be held in Kuala Lumpur next year.",
    "Delegates discussed artificial intelligence and data governance.",
]


def _reading() -> Reading:
    passages = [
        Passage(source=f"doc{i}.txt", chunk_id=f"c{i}", text=t, score=1.0 - i / 10, start=0, end=len(t), language="en")
        for i, t in enumerate(TEXTS)
    ]
    ranked = candidates(QUESTION, QueryTerms.of(QUESTION, lambda _t: 1.0, "en"), passages, "en")
    return Reading(QUESTION, "en", passages, ranked)


def test_the_extractive_reader_quotes_the_answering_sentence_with_its_citation() -> None:
    draft = read(ExtractiveReader(), _reading())
    assert draft.mode == "extractive" and "Kuala Lumpur" in draft.text
    assert [c.source for c in draft.citations] == ["doc0.txt"] and draft.text.endswith("[1]")


def test_the_llm_reader_streams_then_keeps_only_verified_sentences() -> None:
    reply = "The 7th meeting will be held in Kuala Lumpur [1]. It will be opened by the King of Spain [2]."
    with OllamaStub(models=["m"], default=Reply(reply)) as stub:
        items = list(LLMReader(OllamaChat(stub.url, "m", 5.0), passages=2, window=0).stream(_reading()))
    deltas, draft = items[:-1], items[-1]
    assert all(isinstance(d, str) for d in deltas) and "".join(str(d) for d in deltas) == reply
    assert isinstance(draft, Draft) and draft.mode == "llm" and draft.model == "m" and draft.backend == "ollama"
    assert "Kuala Lumpur [1]" in draft.text and "Spain" not in draft.text
    assert any("Spain" in w for w in draft.warnings)


def test_the_llm_reader_turns_not_found_into_a_refusal_and_nonsense_into_an_error() -> None:
    with OllamaStub(models=["m"], default=Reply("NOT_FOUND")) as stub:
        draft = read(LLMReader(OllamaChat(stub.url, "m", 5.0)), _reading())
    assert draft.refused and draft.text == REFUSALS["en"]
    nonsense = Reply("Bananas are rich in potassium [1].")
    with OllamaStub(models=["m"], default=nonsense) as stub, pytest.raises(NothingVerified) as caught:
        read(LLMReader(OllamaChat(stub.url, "m", 5.0)), _reading())
    assert any("potassium" in w for w in caught.value.warnings)
