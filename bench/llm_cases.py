"""The local LLM: `ask_stream` against llama-index's default query engine on the same GGUF, the same
embeddings and top-k (time to first token, to the full answer, answer_contains), and our generation
speed against llama-cpp-python called directly on the same prompt."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator, Sequence
from typing import Any

from bench.common import DEAD_OLLAMA, Context, Result
from bench.retrieval_cases import bundled_embedding
from evals.datasets import Question, load_gold
from evals.metrics import answer_contains
from rag.llm.models import DEFAULT_MODEL, model_path
from rag.service import RagService, bundled_corpus
from rag.settings import Settings

QUESTIONS = 20


def _questions() -> list[Question]:
    """The first 20 answerable questions of the gold test half (every task group)."""
    return [q for q in load_gold(split="test") if q.answerable][:QUESTIONS]


def _chatml(messages: Sequence[Any]) -> str:
    """Qwen2.5's chat template, for llama-index's completion-style LlamaCPP wrapper."""
    turns = "".join(f"<|im_start|>{m.role.value}\n{m.content}<|im_end|>\n" for m in messages)
    return turns + "<|im_start|>assistant\n"


def _llama_index_engine(service: RagService, path: str, settings: Settings) -> Any:
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core.llms import ChatMessage, MessageRole
    from llama_index.llms.llama_cpp import LlamaCPP

    llm = LlamaCPP(
        model_path=path,
        temperature=settings.answer.llm.temperature,
        max_new_tokens=settings.answer.llm.max_tokens,
        context_window=settings.answer.llm.context,
        model_kwargs={"n_threads": 2, "n_threads_batch": 2, "logits_all": False},
        messages_to_prompt=_chatml,
        completion_to_prompt=lambda text: _chatml([ChatMessage(role=MessageRole.USER, content=text)]),
        verbose=False,
    )
    docs = [Document(text=p.read_text(encoding="utf-8")) for p in sorted(bundled_corpus().glob("*.txt"))]
    index = VectorStoreIndex.from_documents(docs, embed_model=bundled_embedding(service.embedder))
    return index.as_query_engine(streaming=True, similarity_top_k=settings.retrieval.top_k, llm=llm)


def _timed(pieces: Iterator[str], started: float) -> tuple[float, float, str]:
    """(first piece s, last piece s, text) of a stream started at ``started``."""
    first = last = 0.0
    text = ""
    for piece in pieces:
        if not piece:
            continue
        last = time.perf_counter() - started
        first = first or last
        text += piece
    return first, last, text


def _rate(llama: Any, text: str, first_piece: str, seconds: float) -> float | None:
    """Generated tokens per second after the first piece (both sides counted by the model's tokenizer)."""
    tokens = len(llama.tokenize(text.encode("utf-8"), add_bos=False))
    head = len(llama.tokenize(first_piece.encode("utf-8"), add_bos=False))
    return (tokens - head) / seconds if tokens - head > 4 and seconds > 0 else None


def _ours(service: RagService, question: str) -> tuple[float, float, float, str, list[str]]:
    """ask_stream: (first delta s, last delta s, whole answer s, the final answer's text, the deltas)."""
    started = time.perf_counter()
    answer_text = ""
    deltas: list[str] = []

    def pieces() -> Iterator[str]:
        nonlocal answer_text
        for event in service.ask_stream(question, llm="local"):
            if event.kind == "delta" and event.delta:
                deltas.append(event.delta)
                yield event.delta
            elif event.kind == "answer" and event.answer is not None:
                answer_text = event.answer.text

    first, last, _streamed = _timed(pieces(), started)
    return first, last, time.perf_counter() - started, answer_text, deltas


def llm_latency(ctx: Context) -> list[Result]:
    # A collection of its own, which fills itself with the bundled corpus (the bench home's default
    # collection holds the XQuAD paragraphs).
    settings = Settings(
        home=ctx.work / "home", collection="bench-llm", ollama_host=DEAD_OLLAMA, llm="local", llm_model=DEFAULT_MODEL
    )
    service = RagService(settings)
    path = str(model_path(DEFAULT_MODEL, settings.home))
    engine = _llama_index_engine(service, path, settings)
    service.ask("warm up the store and the model", llm="local")
    engine.query("warm up the index and the model").get_response()
    llama = _instrumented(service)
    ours: list[tuple[float, float, bool]] = []
    theirs: list[tuple[float, float, bool]] = []
    rates: list[float] = []
    direct_rates: list[float] = []
    for q in _questions():
        llama.sent.clear()
        first, last, full, text, deltas = _ours(service, q.question)
        ours.append((first, full, bool(answer_contains(text, q.answers))))
        if deltas and (rate := _rate(llama, "".join(deltas), deltas[0], last - first)) is not None:
            rates.append(rate)
        if llama.sent and (direct := _direct_rate(llama, llama.sent[0])) is not None:  # the prompt ask_stream sent
            direct_rates.append(direct)

        started = time.perf_counter()
        response = engine.query(q.question)
        first, _last, text = _timed(response.response_gen, started)
        theirs.append((first, time.perf_counter() - started, bool(answer_contains(text, q.answers))))
    ttft = statistics.median(f for f, _, _ in ours) / statistics.median(f for f, _, _ in theirs)
    ours_ok, theirs_ok = (sum(ok for *_, ok in rows) / len(rows) for rows in (ours, theirs))
    return [
        Result(
            "6. LLM time to first token, ask_stream / llama-index query engine (p50)",
            ttft,
            0.5,
            detail=f"{statistics.median(f for f, _, _ in ours):.1f} s vs {statistics.median(f for f, _, _ in theirs):.1f} s; "
            f"full answer {statistics.median(t for _, t, _ in ours):.1f} s vs {statistics.median(t for _, t, _ in theirs):.1f} s; "
            f"answer_contains {ours_ok:.2f} vs {theirs_ok:.2f} ({len(ours)} gold test questions, {DEFAULT_MODEL})",
        ),
        Result(
            "6. LLM tokens/s, ask_stream / llama-cpp-python direct (p50)",
            statistics.median(rates) / statistics.median(direct_rates),
            0.9,
            higher=True,
            detail=f"{statistics.median(rates):.1f} vs {statistics.median(direct_rates):.1f} tokens/s "
            f"({len(rates)} and {len(direct_rates)} answers of more than 4 tokens)",
        ),
    ]


def _instrumented(service: RagService) -> Any:
    """The loaded llama.cpp model, recording the messages of each chat completion ask_stream makes (in
    ``sent``: the answer's prompt first)."""
    from rag.llm.local import LocalChat

    chat = service.llm("local")
    assert isinstance(chat, LocalChat)
    llama, _lock = chat._engine()
    original = llama.create_chat_completion
    llama.sent = []

    def recording(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("messages") is not None and not getattr(llama, "direct", False):
            llama.sent.append(kwargs["messages"])
        return original(*args, **kwargs)

    llama.create_chat_completion = recording
    return llama


def _direct_rate(llama: Any, messages: Any) -> float | None:
    """Tokens/s of llama-cpp-python called directly on ``messages``, counted as ``_rate`` counts."""
    llama.direct = True
    collected: list[str] = []

    def pieces(stream: Iterator[Any]) -> Iterator[str]:
        for chunk in stream:
            piece = chunk["choices"][0]["delta"].get("content") or ""
            collected.extend([piece] if piece else [])
            yield piece

    try:
        started = time.perf_counter()
        stream = llama.create_chat_completion(messages=messages, stream=True, temperature=0.1, max_tokens=384, seed=0)
        first, last, text = _timed(pieces(stream), started)
    finally:
        llama.direct = False
    return _rate(llama, text, collected[0] if collected else "", last - first)
