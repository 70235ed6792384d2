"""The public functions. Each reads the settings from the environment (``RAG_*``) unless given them,
and reuses the service (loaded model, open stores) of equal settings."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Unpack

from ingest import IngestReport
from rag.options import AskOptions, RetrieveOptions
from rag.service import RagService, service_for
from rag.settings import Settings
from rag.types import Answer, AnswerEvent, Passage, SourceInfo


def _service(settings: Settings | None) -> RagService:
    return service_for(settings or Settings())


def ingest(
    paths: Sequence[str | Path] | None = None,
    *,
    collection: str | None = None,
    prune: bool = False,
    settings: Settings | None = None,
) -> IngestReport:
    """Ingest files and folders (None: the bundled corpus); unchanged files are skipped."""
    return _service(settings).ingest(paths, collection=collection, prune=prune)


def retrieve(question: str, *, settings: Settings | None = None, **options: Unpack[RetrieveOptions]) -> list[Passage]:
    """The top_k (default 5) passages for the question by hybrid (dense + BM25) search."""
    return _service(settings).retrieve(question, **options)


def ask(question: str, *, settings: Settings | None = None, **options: Unpack[AskOptions]) -> Answer:
    """A cited answer: by the LLM when one answers (llm="auto"), else extractive; or a refusal."""
    return _service(settings).ask(question, **options)


def ask_stream(
    question: str, *, settings: Settings | None = None, **options: Unpack[AskOptions]
) -> Iterator[AnswerEvent]:
    """The answer as events: the passages, then text deltas (LLM mode), then the final Answer."""
    return _service(settings).ask_stream(question, **options)


def sources(collection: str | None = None, *, settings: Settings | None = None) -> list[SourceInfo]:
    """The documents in a collection, with their chunk counts, languages and titles."""
    return _service(settings).sources(collection)
