"""What the app's named `/ask` endpoint returns: plain JSON that scripts read through gradio_client."""

from __future__ import annotations

from typing import Any

from rag.types import Answer


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The answer, and its sources with their file names: the cited passages, or for a refusal the
    closest ones found (marked ``cited: false``)."""
    if answer.citations:
        sources = [
            {
                "n": c.n,
                "source": c.source,
                "title": c.title,
                "language": c.language,
                "score": c.score,
                "text": c.text,
                "supported": c.supported,
                "quotes": [c.text[s:e] for s, e in c.highlights],
                "cited": True,
            }
            for c in answer.citations
        ]
    else:
        sources = [
            {
                "n": p.rank,
                "source": p.source,
                "title": p.title,
                "language": p.language,
                "score": p.score,
                "text": p.text,
                "supported": False,
                "quotes": [],
                "cited": False,
            }
            for p in answer.passages
        ]
    return {
        "question": answer.question,
        "answer": answer.text,
        "refused": answer.refused,
        "mode": answer.mode,
        "model": answer.model,
        "language": answer.language,
        "warnings": answer.warnings,
        "sources": sources,
    }
