"""Words as the whole system counts them: BM25, question terms, answer and citation checks.

Stock analyzers lowercase through ASCII folding and drop Vietnamese diacritics, which merges distinct
syllables (``ma``, ``má``, ``mã``, ``mạ``…). Here text is NFC-normalised and case-folded only, split
on Unicode word characters, and only pure-ASCII tokens go through the English Snowball stemmer, so
Vietnamese syllables pass through untouched.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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


def tokenize(text: str, joins: bool = True) -> list[str]:
    """Words for BM25: NFC, case-folded, diacritics kept, ASCII words stemmed.

    With ``joins``, after two neighbouring words of which at least one carries Vietnamese diacritics,
    their folded join is added ("Việt Nam" -> also "vietnam", "Hà Nội" -> also "hanoi"), so that
    English text that writes Vietnamese names without diacritics and as one word still matches them.
    """
    return list(_tokenize(text) if joins else _words(text))


@lru_cache(maxsize=16_384)
def _words(text: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFC", text).casefold()
    return tuple(_normalise_token(t) for t in _TOKEN.findall(folded) if t != "_")


@lru_cache(maxsize=16_384)
def _tokenize(text: str) -> tuple[str, ...]:
    # Cached: answers tokenise the sentences of the same retrieved passages question after question.
    folded = unicodedata.normalize("NFC", text).casefold()
    words = [t for t in _TOKEN.findall(folded) if t != "_"]
    tokens = []
    for i, word in enumerate(words):
        tokens.append(_normalise_token(word))
        if i and not (word.isascii() and words[i - 1].isascii()):
            tokens.append(fold_diacritics(words[i - 1] + word))
    return tuple(tokens)
