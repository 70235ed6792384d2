"""Thumbs up or down on an answer, appended to a JSONL file under ``RAG_HOME`` so that it can grow the
gold question set (each line has the question, the answer, its citations and the settings used)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from rag.types import Answer

# Appends from concurrent sessions must not interleave within a line.
_WRITE_LOCK = threading.Lock()


def feedback_record(answer: Answer, liked: bool, comment: str, options: dict[str, Any]) -> dict[str, Any]:
    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "rating": "up" if liked else "down",
        "comment": comment.strip(),
        "question": answer.question,
        "answer": answer.text,
        "refused": answer.refused,
        "mode": answer.mode,
        "model": answer.model,
        "language": answer.language,
        "citations": [
            {"n": c.n, "source": c.source, "chunk_id": c.chunk_id, "supported": c.supported} for c in answer.citations
        ],
        "settings": options,
    }


def append_feedback(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _WRITE_LOCK, path.open("a", encoding="utf-8") as handle:
        handle.write(line)
