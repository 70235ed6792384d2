"""Sentence-aware chunking (llama-index's SentenceSplitter), measured in the embedding model's tokens
so that no chunk is longer than the model reads, with exact character offsets into the cleaned text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textproc.sentences import sentence_spans


@dataclass(frozen=True)
class Chunk:
    text: str
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...] = ()


class Chunker:
    def __init__(self, chunk_size: int, chunk_overlap: int, tokenize: Callable[[str], Sequence[object]]) -> None:
        from llama_index.core.node_parser import SentenceSplitter

        self._splitter = SentenceSplitter(
            chunk_size=chunk_size, chunk_overlap=chunk_overlap, tokenizer=tokenize, paragraph_separator="\n\n"
        )

    def split(self, text: str) -> list[Chunk]:
        if not text.strip():
            return []
        chunks: list[Chunk] = []
        cursor = 0
        reached = 0  # where the previous chunk ended
        for piece in self._splitter.split_text(text):
            piece = piece.strip()
            if not piece:
                continue
            # Search forward from the previous chunk's start: documents repeat paragraphs (captions,
            # pull quotes), and a search from the top would give the repeat the first one's offsets.
            start = self._find_forward(text, piece, cursor, reached)
            if start < 0:
                start = text.find(piece)
            if start < 0:
                start, piece = self._locate_loosely(text, piece, cursor)
            chunks.append(Chunk(piece, start, start + len(piece), tuple(sentence_spans(piece))))
            cursor = start + 1
            reached = max(reached, start + len(piece))
        return chunks

    @staticmethod
    def _find_forward(text: str, piece: str, cursor: int, reached: int) -> int:
        """Where the piece continues the chunks before it: of its occurrences from ``cursor`` that end
        past ``reached``, the last one that starts within what is covered or right after it, across
        whitespace only (a chunk overlaps its predecessor or follows it, and moves on), else the
        first one; a short piece can repeat inside the overlap and again just after it."""
        first = start = text.find(piece, cursor)
        contiguous = -1
        while start >= 0 and (start <= reached or not text[reached:start].strip()):
            if start + len(piece) > reached:
                contiguous = start
            start = text.find(piece, start + 1)
        if contiguous >= 0:
            return contiguous
        return start if start >= 0 else first  # the first occurrence past what is covered

    @staticmethod
    def _locate_loosely(text: str, piece: str, cursor: int) -> tuple[int, str]:
        """The splitter rejoined whitespace differently: anchor on the first and last words instead."""
        head, tail = piece[:40], piece[-40:]
        start = text.find(head, cursor)
        if start < 0:
            start = max(0, min(cursor, len(text) - 1))
        end = text.find(tail, start)
        end = end + len(tail) if end >= 0 else min(len(text), start + len(piece))
        return start, text[start:end]
