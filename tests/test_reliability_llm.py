"""Every LLM fault, through both ``ask`` and ``ask_stream``: the answer falls back to extractive (cited)
with a warning that names the fault, and never raises. Each case prints one row of the fault table
(what happened, how long it took); ``pytest -s`` shows them.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from ollama_stub import OllamaStub, Reply

from rag import api
from rag.service import RagService
from rag.types import Answer

QUESTION = "Who chaired the 6th ASEAN Digital Ministers' Meeting?"
GOLD = "001_c991d5dd9dcdba35.txt"
TIMEOUT = 1.0  # RAG_LLM_TIMEOUT for these tests


@dataclass(frozen=True)
class Fault:
    name: str
    reply: Reply | None  # None: nothing listens at the host
    warning: str  # what the answer's warning must say


FAULTS = [
    Fault("connection refused", None, "No LLM answered (Ollama is not reachable"),
    Fault("hang (no reply)", Reply(content="late [1].", delay=30), f"said nothing for {TIMEOUT:g} s"),
    Fault("HTTP 500", Reply(status=500, error="boom"), "error (500: boom)"),
    Fault("malformed JSON", Reply(malformed=True), "not valid JSON"),
    Fault(
        "stream cut mid-answer", Reply(content="Nguyễn Mạnh Hùng chaired the meeting [1].", cut_after=3), "broke off"
    ),
    Fault("answer no passage backs", Reply(content="Penguins migrate across Antarctica in winter."), "backed by"),
    Fault("only out-of-range citations", Reply(content="Nguyễn Mạnh Hùng chaired it [7][12]."), "backed by"),
]


def _closed_port() -> str:
    """A loopback port that was just free: connecting to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def stub() -> Iterator[OllamaStub]:
    with OllamaStub() as server:
        yield server


def _service(corpus_service: RagService, host: str) -> RagService:
    settings = corpus_service.settings.updated(ollama_host=host, llm_timeout=TIMEOUT)
    service = RagService(settings)
    service._stores = corpus_service._stores  # the session's populated store
    return service


def _check_fallback(answer: Answer, fault: Fault) -> None:
    assert answer.mode == "extractive" and not answer.refused
    assert "Nguyễn Mạnh Hùng" in answer.text
    assert GOLD in {c.source for c in answer.citations}
    assert any(fault.warning in w and "extractive" in w for w in answer.warnings), answer.warnings


def _row(fault: Fault, how: str, answer: Answer, seconds: float) -> None:
    generate = answer.timings.get("generate_ms", 0.0) / 1000
    print(f"\nFAULT | {fault.name} | {how} | {answer.warnings[-1]} | total {seconds:.2f} s, generate {generate:.2f} s")


@pytest.mark.parametrize("how", ["ask", "ask_stream"])
@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_llm_fault_gives_a_cited_extractive_answer(
    corpus_service: RagService, stub: OllamaStub, fault: Fault, how: str
) -> None:
    service = _service(corpus_service, stub.url if fault.reply else _closed_port())
    if fault.reply:
        stub.script(fault.reply)
    started = time.perf_counter()
    if how == "ask":
        answer = service.ask(QUESTION)
        streamed = None
    else:
        events = list(service.ask_stream(QUESTION))
        kinds = [e.kind for e in events]
        assert kinds[0] == "passages" and kinds[-1] == "answer" and kinds.count("answer") == 1
        last = events[-1].answer
        assert last is not None
        answer = last
        streamed = "".join(e.delta for e in events if e.kind == "delta")
    elapsed = time.perf_counter() - started
    _row(fault, how, answer, elapsed)

    _check_fallback(answer, fault)
    if fault.name.startswith("hang"):
        # The timeout is honoured: the LLM stage waits the timeout, and less than a second more.
        assert TIMEOUT <= answer.timings["generate_ms"] / 1000 < TIMEOUT + 1.0
    if streamed is not None:
        if fault.name == "stream cut mid-answer":
            assert streamed == "Nguyễn Mạnh Hùng chaired the meeting [1]."[:12]  # what came before the cut
        # The final answer replaces whatever was streamed; it never ends with the broken LLM text.
        assert answer.text != streamed


def test_faults_through_the_public_api(corpus_service: RagService, stub: OllamaStub) -> None:
    """The same fallback through ``rag.api``, the functions scripts call."""
    settings = corpus_service.settings.updated(ollama_host=stub.url, llm_timeout=TIMEOUT)
    service = api._service(settings)
    service._stores = corpus_service._stores
    stub.script(Reply(status=500, error="boom"))
    answer = api.ask(QUESTION, settings=settings)
    _check_fallback(answer, FAULTS[2])
    stub.script(Reply(malformed=True))
    *_, last = api.ask_stream(QUESTION, settings=settings)
    assert last.answer is not None
    _check_fallback(last.answer, FAULTS[3])


def test_llm_required_but_unreachable_still_answers_with_a_warning(corpus_service: RagService) -> None:
    service = _service(corpus_service, _closed_port())
    answer = service.ask(QUESTION, llm="ollama")
    assert answer.mode == "extractive" and answer.citations
    assert any(w.startswith("LLM mode was requested, but no LLM answered") for w in answer.warnings)
