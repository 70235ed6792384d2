"""A text's terms: its tokens without function words. One notion for retrieval's sentence scores,
answering's evidence and the citation checks."""

from __future__ import annotations

from functools import lru_cache

from textproc.tokens import tokenize
from textproc.wordlists import words

# English function words come from bm25s's list and the data's question words; Vietnamese from the
# data's short list of question and function words (textproc/languages/*.toml).


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    stop: set[str] = set()
    for word in (*STOPWORDS_EN, *words("function_words")):
        stop.update(tokenize(word))
    return frozenset(stop)


def content_terms(text: str, joins: bool = True) -> list[str]:
    """The text's tokens without function words, in order, without repeats (``joins``: see
    ``tokenize``)."""
    stop = stopwords()
    seen: dict[str, None] = {}
    for token in tokenize(text, joins):
        if token not in stop:
            seen.setdefault(token, None)
    return list(seen)
