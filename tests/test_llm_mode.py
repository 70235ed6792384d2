"""LLM mode against a real HTTP server on loopback that speaks the Ollama API (no model runs here)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from ollama_stub import OllamaStub, Reply

from rag.answer.prompts import NOT_FOUND, SYSTEM_PROMPT
from rag.answer.refusal import REFUSALS
from rag.service import RagService

QUESTION = "Who chaired the 6th ASEAN Digital Ministers' Meeting?"
GOLD = "001_c991d5dd9dcdba35.txt"


@pytest.fixture
def stub() -> Iterator[OllamaStub]:
    with OllamaStub() as server:
        yield server


@pytest.fixture
def llm_service(corpus_service: RagService, stub: OllamaStub) -> RagService:
    """The session's populated store, with settings pointing at the stub and a short timeout."""
    settings = corpus_service.settings.updated(ollama_host=stub.url, llm_timeout=1.0)
    service = RagService(settings)
    service._stores = corpus_service._stores  # same open store: no second ingest
    return service


def _gold_number(service: RagService, stub: OllamaStub) -> int:
    """The number the prompt gives the passage that answers (asked once, the model saying NOT_FOUND)."""
    stub.script(Reply(content=NOT_FOUND))
    service.ask(QUESTION)
    prompt = stub.requests[-1]["messages"][1]["content"]
    blocks = re.findall(r'<passage n="(\d+)" source="([^"]*)">\n(.*?)\n</passage>', prompt, re.DOTALL)
    return next(int(n) for n, source, text in blocks if source == GOLD and "Nguyễn Mạnh Hùng" in text)


def test_well_cited_answer_is_llm_mode_with_mapped_citation(llm_service: RagService, stub: OllamaStub) -> None:
    n = _gold_number(llm_service, stub)
    stub.script(Reply(content=f"Minister Nguyễn Mạnh Hùng chaired the 6th ADGMIN [{n}]."))
    answer = llm_service.ask(QUESTION)
    assert answer.mode == "llm" and answer.model == "qwen2.5:3b"
    assert answer.text == "Minister Nguyễn Mạnh Hùng chaired the 6th ADGMIN [1]."
    assert [c.source for c in answer.citations] == [GOLD]
    assert answer.citations[0].n == 1 and answer.citations[0].supported
    assert answer.warnings == []


def test_prompt_carries_numbered_delimited_passages_and_language(llm_service: RagService, stub: OllamaStub) -> None:
    # The model answers itself even when every passage it reads is English (not quote and translate).
    service = RagService(llm_service.settings.updated(llm_cross_language="answer"))
    service._stores = llm_service._stores
    stub.script(Reply(content="Nguyễn Mạnh Hùng [1]."))
    service.ask("Ai là chủ tịch Hội nghị Bộ trưởng Số ASEAN lần thứ 6?")
    (request,) = stub.requests
    system, user = request["messages"][0], request["messages"][1]
    assert system["role"] == "system" and system["content"] == SYSTEM_PROMPT and NOT_FOUND in system["content"]
    # The language goes last, so that the system prompt stays cached.
    assert user["content"].endswith("Answer in Vietnamese (tiếng Việt), in one to three short sentences.")
    assert user["content"].count("<passage n=") == llm_service.settings.answer.llm.passages
    assert '<passage n="1"' in user["content"] and "</passages>" in user["content"]
    assert request["options"]["temperature"] == pytest.approx(0.1)


def test_streaming_yields_passages_then_deltas_then_answer(llm_service: RagService, stub: OllamaStub) -> None:
    n = _gold_number(llm_service, stub)
    text = f"Nguyễn Mạnh Hùng, Minister of Science and Technology, chaired the meeting [{n}]."
    stub.script(Reply(content=text))
    events = list(llm_service.ask_stream(QUESTION))
    kinds = [e.kind for e in events]
    assert kinds[0] == "passages" and kinds[-1] == "answer"
    deltas = [e.delta for e in events if e.kind == "delta"]
    assert len(deltas) > 3  # really streamed, not one blob
    assert "".join(deltas) == text
    final = events[-1].answer
    assert final is not None and final.mode == "llm" and "[1]" in final.text


def test_not_found_sentinel_becomes_a_refusal_in_the_question_language(
    llm_service: RagService, stub: OllamaStub
) -> None:
    service = RagService(llm_service.settings.updated(llm_cross_language="answer"))  # the model answers
    service._stores = llm_service._stores
    stub.script(Reply(content=NOT_FOUND))
    events = list(service.ask_stream("Hội nghị Bộ trưởng Số ASEAN lần thứ 6 do ai chủ trì?"))
    assert not [e for e in events if e.kind == "delta"]  # the sentinel never reaches the reader
    answer = events[-1].answer
    assert answer is not None and answer.refused and answer.mode == "llm"
    assert answer.text == REFUSALS["vi"]
    assert answer.passages  # the closest passages are still listed


def test_a_translation_that_is_no_translation_is_dropped(llm_service: RagService, stub: OllamaStub) -> None:
    """Asked to translate an English quote for a Vietnamese question, the model says NOT_FOUND: the
    quote stands alone, in extractive mode, with a warning."""
    stub.script(Reply(content=NOT_FOUND))
    answer = llm_service.ask("Hội nghị Bộ trưởng Số ASEAN lần thứ 6 do ai chủ trì?")
    assert NOT_FOUND not in answer.text and answer.citations and answer.mode == "extractive"
    assert any("translation was dropped" in w for w in answer.warnings)


def test_out_of_range_markers_are_dropped_with_a_warning(llm_service: RagService, stub: OllamaStub) -> None:
    n = _gold_number(llm_service, stub)
    stub.script(Reply(content=f"Nguyễn Mạnh Hùng chaired it [{n}][9]."))
    answer = llm_service.ask(QUESTION)
    assert answer.mode == "llm" and "[9]" not in answer.text and "[2]" not in answer.text
    assert len(answer.citations) == 1
    assert any("[9]" in w for w in answer.warnings)


def test_an_uncited_sentence_cites_the_passage_that_backs_it(llm_service: RagService, stub: OllamaStub) -> None:
    stub.script(Reply(content="Nguyễn Mạnh Hùng chaired the 6th ADGMIN."))
    answer = llm_service.ask(QUESTION)
    assert answer.mode == "llm" and answer.text.endswith("[1]")
    assert [c.source for c in answer.citations] == [GOLD] and answer.citations[0].supported
    assert [c.attributed for c in answer.verification] == [True]


@pytest.mark.parametrize("content", ["He chaired it [7].", "Penguins migrate across Antarctica every winter."])
def test_an_answer_no_passage_backs_falls_back_to_extractive(
    llm_service: RagService, stub: OllamaStub, content: str
) -> None:
    stub.script(Reply(content=content))
    answer = llm_service.ask(QUESTION)
    assert answer.mode == "extractive" and "Nguyễn Mạnh Hùng" in answer.text
    assert any("Dropped an unverified sentence" in w for w in answer.warnings)
    assert any("backed by the passage it cites" in w for w in answer.warnings)
    # The model's sentence and the verdict on it stay on record, though the answer is extractive.
    assert [c.text for c in answer.verification] == [content]
    assert not answer.verification[0].supported and answer.verification[0].reason


def test_an_unsupported_sentence_is_dropped_and_the_rest_kept(llm_service: RagService, stub: OllamaStub) -> None:
    n = _gold_number(llm_service, stub)
    stub.script(Reply(content=f"Nguyễn Mạnh Hùng chaired the 6th ADGMIN [{n}]. Penguins migrate every winter [{n}]."))
    answer = llm_service.ask(QUESTION)
    assert answer.mode == "llm" and "Penguins" not in answer.text and "Nguyễn Mạnh Hùng" in answer.text
    assert [c.supported for c in answer.verification] == [True, False]
    assert all(c.supported for c in answer.citations)
    assert any("Dropped an unverified sentence" in w and "Penguins" in w for w in answer.warnings)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(status=500, error="boom"), "error (500"),
        (Reply(malformed=True), "not valid JSON"),
        (Reply(content="Nguyễn Mạnh Hùng chaired the meeting [1].", cut_after=3), "broke off"),
    ],
)
def test_failing_llm_falls_back_to_extractive(
    llm_service: RagService, stub: OllamaStub, reply: Reply, reason: str
) -> None:
    stub.script(reply)
    answer = llm_service.ask(QUESTION)
    assert answer.mode == "extractive" and "Nguyễn Mạnh Hùng" in answer.text
    assert any(reason in w and "extractive" in w for w in answer.warnings), answer.warnings


def test_hanging_llm_is_abandoned_after_the_timeout(llm_service: RagService, stub: OllamaStub) -> None:
    started = time.perf_counter()
    llm_service.ask(QUESTION, llm="none")
    without_llm = time.perf_counter() - started  # retrieval and the extractive answer, on this machine now
    stub.script(Reply(content="late [1].", delay=30))
    started = time.perf_counter()
    answer = llm_service.ask(QUESTION)
    elapsed = time.perf_counter() - started
    assert answer.mode == "extractive"
    assert any("said nothing for 1 s" in w for w in answer.warnings), answer.warnings
    # The 1 s timeout plus the probe, far from the 30 s the stub would hang (a loaded machine slows both).
    assert elapsed < 2 * without_llm + 1.0 + 3.0


def test_missing_model_says_how_to_pull_it(llm_service: RagService, stub: OllamaStub) -> None:
    stub.models = ["llama3.2:3b"]
    answer = llm_service.ask(QUESTION)
    assert answer.mode == "extractive"
    assert any("ollama pull qwen2.5:3b" in w for w in answer.warnings)


def test_llm_none_never_calls_the_server(llm_service: RagService, stub: OllamaStub) -> None:
    answer = llm_service.ask(QUESTION, llm="none")
    assert answer.mode == "extractive" and answer.warnings == []
    assert stub.requests == []


def test_follow_up_is_condensed_by_the_llm_before_retrieval(llm_service: RagService, stub: OllamaStub) -> None:
    stub.script(Reply(content="Who chaired the 6th ASEAN Digital Ministers' Meeting?"), Reply(content="Hùng [1]."))
    history = [
        {"role": "user", "content": "Tell me about the 6th ASEAN Digital Ministers' Meeting."},
        {"role": "assistant", "content": "It took place in Hà Nội [1]."},
    ]
    answer = llm_service.ask("And who chaired it?", history=history)
    assert len(stub.requests) == 2
    assert "And who chaired it?" in stub.requests[0]["messages"][0]["content"]
    assert "Who chaired the 6th ASEAN" in stub.requests[1]["messages"][1]["content"]
    assert answer.mode == "llm"
