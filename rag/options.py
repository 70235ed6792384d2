"""The per-question options of ``ask()`` and ``retrieve()``, typed once for the public functions and the
service (which both take them as keyword arguments), and checked at run time too: a misspelt option
must fail loudly, not be ignored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

LLMChoice = Literal["auto", "local", "ollama", "openai", "none"]


class RetrieveOptions(TypedDict, total=False):
    top_k: int
    collection: str | None
    sources: Sequence[str] | None  # document names, path tails or full paths; None: all
    languages: Sequence[str] | None
    mode: str | None  # hybrid | dense | bm25; None: RAG_RETRIEVAL_MODE


class AskOptions(TypedDict, total=False):
    top_k: int | None
    collection: str | None
    sources: Sequence[str] | None
    llm: LLMChoice | None  # None: RAG_LLM
    history: Sequence[dict[str, str]] | None  # earlier turns, for follow-up questions
    llm_model: str | None  # None: the backend's default model
    temperature: float | None


def checked(options: Mapping[str, Any], allowed: type) -> Mapping[str, Any]:
    unknown = sorted(set(options) - set(allowed.__annotations__))
    if unknown:
        raise TypeError(f"unknown option(s) {', '.join(unknown)}; known: {', '.join(allowed.__annotations__)}")
    return options
