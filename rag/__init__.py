"""Local, private, bilingual question answering over documents, with passage-level citations.

    from rag import ask, retrieve, ingest, sources
    answer = ask("Who chaired the 6th ASEAN Digital Ministers' Meeting?")

Imports are lazy: ``import rag`` is instant, and the heavy libraries load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ingest import IngestReport
    from rag.api import ask, ask_stream, ingest, retrieve, sources
    from rag.errors import RagError
    from rag.settings import Settings
    from rag.types import Answer, AnswerEvent, Chunk, Citation, Passage, ScoredChunk, SourceInfo

__all__ = [
    "Answer",
    "AnswerEvent",
    "Chunk",
    "Citation",
    "IngestReport",
    "Passage",
    "RagError",
    "ScoredChunk",
    "Settings",
    "SourceInfo",
    "ask",
    "ask_stream",
    "ingest",
    "retrieve",
    "sources",
]

_HOMES = {
    "ask": "rag.api",
    "ask_stream": "rag.api",
    "ingest": "rag.api",
    "retrieve": "rag.api",
    "sources": "rag.api",
    "Settings": "rag.settings",
    "RagError": "rag.errors",
    "IngestReport": "ingest.report",
    "Answer": "rag.types",
    "AnswerEvent": "rag.types",
    "Chunk": "rag.types",
    "ScoredChunk": "rag.types",
    "Citation": "rag.types",
    "Passage": "rag.types",
    "SourceInfo": "rag.types",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
