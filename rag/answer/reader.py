"""The reader interface: a question and the passages handed over in, a cited draft out.

Retrieval, the refusal decision and the sentence ranking happen once, before any reader; a reader only
turns them into text with [n] markers resolved to citations. The extractive reader quotes the best
sentences; the LLM reader (``rag.answer.llm_reader``) writes an answer and verifies every sentence.
The pipeline shows the extractive draft first and replaces it with the LLM's when that holds up.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from rag.answer.citations import resolve
from rag.answer.extractive import Candidate, choose, quote
from rag.types import Citation, Passage, SentenceCheck


@dataclass(frozen=True)
class Reading:
    """What a reader reads: the (standalone) question, its language, the passages an answer may cite
    (numbered 1… in this order) and their sentences ranked by how well they answer."""

    question: str
    language: str
    passages: Sequence[Passage]
    ranked: Sequence[Candidate] = ()


@dataclass
class Draft:
    """A reader's answer: text whose markers are resolved to ``citations``, and how it was made."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    mode: Literal["llm", "extractive"] = "extractive"
    refused: bool = False
    model: str | None = None
    backend: str | None = None
    invalid_markers: int = 0
    verification: list[SentenceCheck] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Reader(Protocol):
    """Streams an answer: text deltas as they come (unchecked; "" when the reader holds text back), then
    the final Draft last. A reader that cannot answer raises ``rag.llm.LLMError`` (the pipeline then
    keeps the extractive draft and says why)."""

    def stream(self, reading: Reading) -> Iterator[str | Draft]: ...


def read(reader: Reader, reading: Reading) -> Draft:
    """The stream drained: the draft alone, for callers that do not show text as it comes."""
    draft: Draft | None = None
    for item in reader.stream(reading):
        if isinstance(item, Draft):
            draft = item
    if draft is None:
        raise RuntimeError(f"{type(reader).__name__} ended without a draft")
    return draft


class ExtractiveReader:
    """Quotes the best-ranked sentences verbatim, each cited: instant, and never says what no passage says."""

    def stream(self, reading: Reading) -> Iterator[str | Draft]:
        yield self.read(reading)

    def read(self, reading: Reading) -> Draft:
        resolved = resolve(quote(choose(reading.ranked)), reading.passages)
        return Draft(text=resolved.text, citations=resolved.citations)
