"""The shapes that cross the store's boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]

# Metadata key of the stored sentence boundaries, named by version: when ingest finds boundaries
# differently, a new name makes chunks stored before it split anew when read, without re-embedding.
SENTENCES_KEY = "sentences_v2"


@dataclass(frozen=True)
class ChunkRecord:
    """One chunk as stored: its text, where it sits in its source, and the source's identity."""

    chunk_id: str
    source: str
    text: str
    start: int
    end: int
    chunk_index: int
    n_chunks: int
    content_hash: str
    language: str
    title: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # Sentence boundaries within ``text``, found at ingest so that answering needs no sentence
    # splitter; None for chunks stored by a version that did not record them.
    sentences: tuple[Span, ...] | None = None

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for Chroma, which accepts only scalars."""
        meta: dict[str, Any] = {
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "chunk_index": self.chunk_index,
            "n_chunks": self.n_chunks,
            "content_hash": self.content_hash,
            "language": self.language,
            "title": self.title,
        }
        if self.sentences:
            meta[SENTENCES_KEY] = encode_spans(self.sentences)
        meta.update({f"x_{k}": v for k, v in self.extra.items() if v})
        return meta

    @classmethod
    def from_stored(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> ChunkRecord:
        extra = {k[2:]: str(v) for k, v in meta.items() if k.startswith("x_")}
        return cls(
            chunk_id=chunk_id,
            source=str(meta["source"]),
            text=text,
            start=int(meta["start"]),
            end=int(meta["end"]),
            chunk_index=int(meta["chunk_index"]),
            n_chunks=int(meta["n_chunks"]),
            content_hash=str(meta["content_hash"]),
            language=str(meta.get("language", "")),
            title=str(meta.get("title", "")),
            extra=extra,
            sentences=decode_spans(str(meta.get(SENTENCES_KEY, "")), len(text)),
        )


def encode_spans(spans: tuple[Span, ...]) -> str:
    """ "0-120,121-250": Chroma metadata holds scalars only."""
    return ",".join(f"{s}-{e}" for s, e in spans)


def decode_spans(encoded: str, length: int) -> tuple[Span, ...] | None:
    """The stored spans; None when missing or when they do not fit a text of ``length`` characters
    (the reader then splits the text itself rather than trust a damaged record)."""
    if not encoded:
        return None
    spans: list[Span] = []
    previous_end = 0
    try:
        for item in encoded.split(","):
            start_text, end_text = item.split("-")
            start, end = int(start_text), int(end_text)
            if not previous_end <= start < end <= length:
                return None
            spans.append((start, end))
            previous_end = end
    except ValueError:
        return None
    return tuple(spans)


@dataclass
class SourceState:
    """What the store holds of one source file: enough to decide whether it must be embedded again."""

    source: str
    content_hash: str
    n_chunks: int
    stored_chunks: int
    language: str
    title: str
    extra: dict[str, str] = field(default_factory=dict)
    stale_ids: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every chunk of the current version is present and no older version lingers."""
        return self.stored_chunks == self.n_chunks and not self.stale_ids
