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
from rag.answer.prompts import answer_messages
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
        temperature=settings.llm_temperature,
        max_new_tokens=settings.llm_max_tokens,
        context_window=settings.llm_context,
        model_kwargs={"n_threads": 2, "n_threads_batch": 2, "logits_all": False},
        messages_to_prompt=_chatml,
        completion_to_prompt=lambda text: _chatml([ChatMessage(role=MessageRole.USER, content=text)]),
        verbose=False,
    )
    docs = [Document(text=p.read_text(encoding="utf-8")) for p in sorted(bundled_corpus().glob("*.txt"))]
    index = VectorStoreIndex.from_documents(docs, embed_model=bundled_embedding(service.embedder))
    return index.as_query_engine(streaming=True, similarity_top_k=settings.top_k, llm=llm)


def _timed(tokens: Iterator[str], started: float) -> tuple[float, float, str, int]:
    """(first token s, full answer s, text, pieces) of a stream started at ``started``."""
    first, text, pieces = 0.0, "", 0
    for piece in tokens:
        if not piece:
            continue
        if not pieces:
            first = time.perf_counter() - started
        text += piece
        pieces += 1
    return first, time.perf_counter() - started, text, pieces


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
    ours: list[tuple[float, float, bool]] = []
    theirs: list[tuple[float, float, bool]] = []
    rates: list[float] = []
    direct_rates: list[float] = []
    for q in _questions():
        started = time.perf_counter()
        events = service.ask_stream(q.question, llm="local")
        deltas = (e.delta for e in events if e.kind == "delta")
        first, full, _text, pieces = _timed(deltas, started)
        answer = service.ask(q.question, llm="local")  # the same answer again (seeded), for its final text
        ours.append((first, full, bool(answer_contains(answer.text, q.answers))))
        if pieces > 4 and full > first:
            rates.append((pieces - 1) / (answer.timings["generate_ms"] / 1000 - first))

        started = time.perf_counter()
        response = engine.query(q.question)
        first, full, text, _ = _timed(response.response_gen, started)
        theirs.append((first, full, bool(answer_contains(text, q.answers))))

        direct_rates.extend(_direct_rate(service, q.question))
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
            detail=f"{statistics.median(rates):.1f} vs {statistics.median(direct_rates):.1f} tokens/s",
        ),
    ]


def _direct_rate(service: RagService, question: str) -> list[float]:
    """Tokens/s of llama-cpp-python called directly on the prompt ask() would send."""
    chat = service.llm("local")
    assert chat is not None
    passages = service.retrieve(question, top_k=service.settings.llm_passages)
    messages = answer_messages(question, "en", passages)
    from rag.llm.local import LocalChat

    assert isinstance(chat, LocalChat)
    llama, _lock = chat._engine()
    started = time.perf_counter()
    stream = llama.create_chat_completion(messages=messages, stream=True, temperature=0.1, max_tokens=384, seed=0)
    first, full, _text, pieces = _timed((c["choices"][0]["delta"].get("content") or "" for c in stream), started)
    return [(pieces - 1) / (full - first)] if pieces > 4 and full > first else []
