"""The BM25 side of hybrid search, with a tokenizer that keeps Vietnamese intact.

Stock analyzers lowercase through ASCII folding and drop Vietnamese diacritics, which merges distinct
syllables (``ma``, ``má``, ``mã``, ``mạ``…). Here text is NFC-normalised and case-folded only, split
on Unicode word characters, and only pure-ASCII tokens go through the English Snowball stemmer, so
Vietnamese syllables pass through untouched.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer  # PyStemmer: the C Snowball stemmers that bm25s itself uses

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _normalise_token(token: str) -> str:
    if token.isascii() and not token.isdigit():
        return str(_stemmer().stemWord(token))  # type: ignore[attr-defined]
    return token


def fold_diacritics(token: str) -> str:
    """ "việt" -> "viet", "đà" -> "da": for matching names written with and without diacritics."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", token) if not unicodedata.combining(c))
    return stripped.replace("đ", "d")


def tokenize(text: str) -> list[str]:
    """Words for BM25: NFC, case-folded, diacritics kept, ASCII words stemmed.

    After two neighbouring words of which at least one carries Vietnamese diacritics, their folded
    join is added ("Việt Nam" -> also "vietnam", "Hà Nội" -> also "hanoi"), so that English text
    that writes Vietnamese names without diacritics and as one word still matches them.
    """
    folded = unicodedata.normalize("NFC", text).casefold()
    words = [t for t in _TOKEN.findall(folded) if t != "_"]
    tokens = []
    for i, word in enumerate(words):
        tokens.append(_normalise_token(word))
        if i and not (word.isascii() and words[i - 1].isascii()):
            tokens.append(fold_diacritics(words[i - 1] + word))
    return tokens


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    score: float


class LexicalIndex:
    """An immutable BM25 index over a collection's chunks, saved as one revision directory."""

    def __init__(
        self,
        revision: str,
        chunk_ids: Sequence[str],
        sources: Sequence[str],
        languages: Sequence[str],
        token_lists: Sequence[list[str]],
    ) -> None:
        import bm25s

        self.revision = revision
        self.chunk_ids = list(chunk_ids)
        self.sources = np.array(sources, dtype=object)
        self.languages = np.array(languages, dtype=object)
        self._doc_freq: Counter[str] = Counter()
        for tokens in token_lists:
            self._doc_freq.update(set(tokens))
        self._bm25: bm25s.BM25 | None = None
        if self.chunk_ids:
            self._bm25 = bm25s.BM25()
            self._bm25.index(list(token_lists), show_progress=False)
        self._token_lists = list(token_lists)

    @property
    def token_lists(self) -> list[list[str]]:
        """Each chunk's tokens, reused when the next revision is built."""
        return self._token_lists

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def idf(self, token: str) -> float:
        """Smoothed inverse document frequency; unseen tokens get the highest value."""
        n = len(self.chunk_ids)
        return math.log(1.0 + (n + 1) / (self._doc_freq.get(token, 0) + 0.5))

    def search(
        self,
        query: str,
        k: int,
        sources: Iterable[str] | None = None,
        languages: Iterable[str] | None = None,
    ) -> list[LexicalHit]:
        tokens = tokenize(query)
        if self._bm25 is None or not tokens or k <= 0:
            return []
        mask = self._mask(sources, languages)
        if mask is not None and not mask.any():
            return []
        k = min(k, len(self.chunk_ids))
        docs, scores = self._bm25.retrieve([tokens], k=k, show_progress=False, n_threads=0, weight_mask=mask)
        return [LexicalHit(self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def _mask(self, sources: Iterable[str] | None, languages: Iterable[str] | None) -> np.ndarray | None:
        if sources is None and languages is None:
            return None
        mask = np.ones(len(self.chunk_ids), dtype=bool)
        if sources is not None:
            mask &= np.isin(self.sources, list(sources))
        if languages is not None:
            mask &= np.isin(self.languages, list(languages))
        return mask.astype(np.float32)

    # -- persistence: each revision in its own directory, a CURRENT file names the live one, so a
    # crash mid-save leaves the previous revision readable.

    def save(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        target = root / self.revision
        tmp = root / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        payload = {
            "revision": self.revision,
            "chunk_ids": self.chunk_ids,
            "sources": self.sources.tolist(),
            "languages": self.languages.tolist(),
            "tokens": self._token_lists,
        }
        (tmp / "index.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
        pointer = root / f".CURRENT-{uuid.uuid4().hex}"
        pointer.write_text(self.revision, encoding="utf-8")
        os.replace(pointer, root / "CURRENT")
        for old in root.iterdir():
            if old.name not in {"CURRENT", self.revision}:
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)

    @classmethod
    def load(cls, root: Path) -> LexicalIndex | None:
        """The live revision under root, or None when there is none or it cannot be read."""
        try:
            revision = (root / "CURRENT").read_text(encoding="utf-8").strip()
            payload = json.loads((root / revision / "index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return cls(
            payload["revision"],
            payload["chunk_ids"],
            payload["sources"],
            payload["languages"],
            payload["tokens"],
        )


def new_revision() -> str:
    return uuid.uuid4().hex
