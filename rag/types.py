"""The public result types. Pydantic models, so they serialise to JSON for the CLI, the web app and
the eval suite without hand-written converters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer, model_validator


class Chunk(BaseModel):
    """A stored piece of a document: where it comes from and what it says, apart from any score (as
    llama-index's ``TextNode``)."""

    source: str = Field(description="The document's shortest path that no other document of the collection shares.")
    path: str = Field("", description="The document's full path when it was ingested: its key in the store.")
    chunk_id: str
    text: str
    start: int = Field(description="Character offset of the chunk in the source's cleaned text.")
    end: int
    language: str = ""
    title: str = ""
    # Sentence boundaries in ``text`` as found at ingest; not part of the serialised answer.
    sentences: tuple[tuple[int, int], ...] | None = Field(None, exclude=True, repr=False)

    def sentence_spans(self) -> list[tuple[int, int]]:
        """The stored boundaries, or the text split now (chunks stored by an older version)."""
        if self.sentences is not None:
            return list(self.sentences)
        from textproc.sentences import sentence_spans

        return sentence_spans(self.text)


class Passage(Chunk):
    """A retrieved chunk with how it ranked (as llama-index's ``NodeWithScore``; also named ScoredChunk)."""

    score: float = Field(description="Fused (reciprocal rank fusion) score; higher is better.")
    dense_score: float | None = Field(None, description="Cosine similarity to the question.")
    lexical_score: float | None = Field(None, description="BM25 score, when the words matched.")
    rank: int = Field(0, description="1-based position in the fused ranking.")


ScoredChunk = Passage

_PASSAGE_FIELDS = frozenset(Passage.model_fields)


T = TypeVar("T")


class _FromPassage(Generic[T]):
    """A field of the cited passage, read through the citation (a descriptor, typed for mypy)."""

    def __init__(self, read: Callable[[Passage], T]) -> None:
        self.read = read

    def __get__(self, citation: Any, owner: Any = None) -> T:
        return self.read(citation.passage)


class Citation(BaseModel):
    """A passage an answer cites: the passage itself, its marker number and the check of what it backs.
    Serialised flat, with the passage's fields beside ``n`` (as before citations held a passage)."""

    n: int = Field(description="The number of its [n] marker in the answer text.")
    passage: Passage = Field(description="The cited passage.")
    supported: bool = Field(True, description="Whether the sentences citing it share enough content with it.")
    support: float = Field(1.0, description="Share of the citing sentence's content words found in the passage.")
    highlights: list[tuple[int, int]] = Field(
        default_factory=list, description="Spans of the passage text that back the answer (for display)."
    )

    @model_validator(mode="before")
    @classmethod
    def _flat(cls, data: Any) -> Any:
        """Accept the flat form too (the passage's fields beside ``n``): JSON written by earlier versions."""
        if isinstance(data, dict) and "passage" not in data:
            passage = {k: v for k, v in data.items() if k in _PASSAGE_FIELDS}
            data = {k: v for k, v in data.items() if k not in _PASSAGE_FIELDS} | {"passage": passage}
        return data

    @model_serializer(mode="wrap")
    def _flatten(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {**data.pop("passage"), **data}

    # The passage's fields, read through: code written when a citation was a passage keeps working.
    source: ClassVar[_FromPassage[str]] = _FromPassage(lambda p: p.source)
    path: ClassVar[_FromPassage[str]] = _FromPassage(lambda p: p.path)
    chunk_id: ClassVar[_FromPassage[str]] = _FromPassage(lambda p: p.chunk_id)
    text: ClassVar[_FromPassage[str]] = _FromPassage(lambda p: p.text)
    start: ClassVar[_FromPassage[int]] = _FromPassage(lambda p: p.start)
    end: ClassVar[_FromPassage[int]] = _FromPassage(lambda p: p.end)
    language: ClassVar[_FromPassage[str]] = _FromPassage(lambda p: p.language)
    title: ClassVar[_FromPassage[str]] = _FromPassage(lambda p: p.title)
    score: ClassVar[_FromPassage[float]] = _FromPassage(lambda p: p.score)
    rank: ClassVar[_FromPassage[int]] = _FromPassage(lambda p: p.rank)

    def sentence_spans(self) -> list[tuple[int, int]]:
        return self.passage.sentence_spans()


class SentenceCheck(BaseModel):
    """One sentence of an LLM answer and the verdict on it."""

    text: str = Field(description="The sentence as the model wrote it, markers included.")
    cited: list[int] = Field(default_factory=list, description="Passage numbers (1-based, in the prompt) it cites.")
    supported: bool = False
    support: float = Field(0.0, description="Share of its content words in the best cited passage, or its cosine.")
    reason: str = Field("", description="Why it was dropped; empty when kept.")
    attributed: bool = Field(False, description="The model cited nothing; the verifier found the passage backing it.")
    # The text of the passage the verdict was reached on (for evaluating the verifier; not serialised).
    checked_against: str = Field("", exclude=True, repr=False)


class Answer(BaseModel):
    question: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list, description="Everything retrieved, cited or not.")
    refused: bool = False
    mode: Literal["llm", "extractive"] = "extractive"
    model: str | None = None
    backend: str | None = Field(None, description="The LLM backend that answered: local, ollama or openai.")
    language: str = "en"
    invalid_markers: int = Field(0, description="[n] markers the LLM wrote that named no passage (dropped).")
    evidence: float = Field(
        0.0, description="Probability that the documents answer (the learned refusal), compared to its threshold."
    )
    signals: dict[str, float] = Field(
        default_factory=dict, description="What the refusal decided on: coverage, cosines, cues (rag.answer.refusal)."
    )
    warnings: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict, description="Milliseconds per stage.")
    verification: list[SentenceCheck] = Field(
        default_factory=list,
        description="Every sentence the LLM wrote and whether it was kept; also when none was and the answer fell "
        "back to extractive.",
    )


class SourceInfo(BaseModel):
    source: str = Field(description="The name passages and citations show (the shortest unique path).")
    path: str = ""
    chunks: int
    language: str
    title: str
    outlet: str | None = None
    date: str | None = None


class AnswerEvent(BaseModel):
    """One step of a streamed answer: the sources first; with an LLM, the extractive answer as a quick
    answer, then the model's text deltas (unverified); last the final, verified answer."""

    kind: Literal["passages", "quick", "delta", "answer"]
    passages: list[Passage] = Field(default_factory=list)
    delta: str = ""
    answer: Answer | None = None
