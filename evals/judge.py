"""Optional LLM-judge metrics, for runs where an Ollama model answers. Without one they are absent
(never 0): a missing judgement says nothing about the answer."""

from __future__ import annotations

from collections.abc import Sequence

from rag.answer.prompts import defang
from rag.llm import ChatModel, LLMError

JUDGE_METRICS = ("judge_faithfulness", "judge_correctness")

FAITHFULNESS = """You check answers against sources. Passages:
{passages}

Answer:
{answer}

Is every claim of the answer stated in the passages? Reply with one word: YES or NO."""

CORRECTNESS = """Question: {question}
Reference answer(s): {references}
Candidate answer: {answer}

Does the candidate answer give the reference answer (in any language or wording)? Reply with one word: YES or NO."""


def _verdict(chat: ChatModel, prompt: str) -> float | None:
    try:
        reply = chat.complete([{"role": "user", "content": prompt}]).strip().upper()
    except LLMError:
        return None
    if reply.startswith("YES"):
        return 1.0
    if reply.startswith("NO"):
        return 0.0
    return None  # an unusable verdict is no verdict


def judge(
    chat: ChatModel, question: str, answer: str, passages: Sequence[str], references: Sequence[str]
) -> dict[str, float | None]:
    blocks = "\n".join(f"[{i}] {defang(p)}" for i, p in enumerate(passages, 1)) or "(none)"
    scores: dict[str, float | None] = {
        "judge_faithfulness": _verdict(chat, FAITHFULNESS.format(passages=blocks, answer=answer)),
    }
    if references:
        prompt = CORRECTNESS.format(question=question, references="; ".join(references), answer=answer)
        scores["judge_correctness"] = _verdict(chat, prompt)
    return scores
