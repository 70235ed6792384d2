"""Prompt economy of the LLM reader on the gold questions: answer_contains, gold source cited, refusals,
time to first token and prompt tokens, for one setting of RAG_LLM_PASSAGES / RAG_LLM_WINDOW.

    python3 -m bench.llm_prompt --split dev --n 40 llm_window=1 llm_passages=3
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path
from typing import Any

import rag.answer.pipeline as answering
from bench.common import DEAD_OLLAMA
from evals.datasets import load_gold
from evals.metrics import answer_contains
from rag.answer.prompts import answer_messages
from rag.llm.local import LocalChat
from rag.service import RagService
from rag.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m bench.llm_prompt", description=__doc__)
    parser.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--n", type=int, default=40, help="the first N questions of the split")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--home", type=Path, help="RAG home (default: a temporary one)")
    parser.add_argument("settings", nargs="*", help="name=value settings, e.g. llm_window=1")
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = dict(s.split("=", 1) for s in args.settings)
    home = args.home or Path(tempfile.mkdtemp(prefix="rag-llm-prompt-"))
    settings = Settings(home=home, ollama_host=DEAD_OLLAMA, llm="local", llm_model=args.model, **overrides)
    service = RagService(settings)
    chat = service.llm("local")
    assert isinstance(chat, LocalChat)
    tokens: list[int] = []

    def counted(question: str, language: str, passages: Any) -> list[dict[str, str]]:
        messages = answer_messages(question, language, passages)
        llama, _ = chat._engine()
        tokens.append(len(llama.tokenize("".join(m["content"] for m in messages).encode("utf-8"))))
        return messages

    setattr(answering, "answer_messages", counted)  # noqa: B010 — the reader's own prompt, counted as sent
    rows: list[dict[str, Any]] = []
    for q in load_gold(split=args.split)[: args.n]:
        answer = service.ask(q.question)
        rows.append(
            {
                "answerable": q.answerable,
                "contains": bool(answer_contains(answer.text, q.answers)) if q.answerable else None,
                "cited": bool({c.source for c in answer.citations} & q.sources) if q.answerable else None,
                "refused": answer.refused,
                "llm": answer.mode == "llm",
                "first_token_s": answer.timings.get("first_token_ms", 0.0) / 1000,
            }
        )
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    first = [r["first_token_s"] for r in rows if r["first_token_s"]]
    print(
        f"{args.model} {overrides or 'defaults'}: {len(rows)} questions; "
        f"answer_contains {sum(r['contains'] for r in answerable) / len(answerable):.3f}, "
        f"gold cited {sum(r['cited'] for r in answerable) / len(answerable):.3f}, "
        f"LLM answered {sum(r['llm'] for r in rows) / len(rows):.2f}, "
        f"unanswerable refused {sum(r['refused'] for r in unanswerable) / max(1, len(unanswerable)):.2f}, "
        f"first token p50 {statistics.median(first) if first else 0:.1f} s, "
        f"prompt tokens p50 {statistics.median(tokens) if tokens else 0:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
