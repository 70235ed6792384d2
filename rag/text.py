"""Sentences and content words: the units extractive answers and citation checks work on."""

from __future__ import annotations

from functools import lru_cache

from ingest.sentences import sentence_spans
from vectorstore.lexical import tokenize

__all__ = ["content_terms", "sentence_spans", "stopwords"]

# Question words and function words that say nothing about where the answer is. English comes from
# bm25s's list; there is no maintained Vietnamese list that keeps content syllables such as "số"
# (digital), so the Vietnamese side is the short list of question and function words below.
_VI_FUNCTION_WORDS = [
    "ai",
    "gì",
    "nào",
    "đâu",
    "sao",
    "bao",
    "nhiêu",
    "mấy",
    "khi",
    "lúc",
    "thế",
    "nào",
    "vì",
    "tại",
    "do",
    "là",
    "của",
    "và",
    "với",
    "cho",
    "các",
    "những",
    "một",
    "được",
    "bị",
    "đã",
    "đang",
    "sẽ",
    "có",
    "không",
    "chưa",
    "này",
    "đó",
    "kia",
    "ấy",
    "thì",
    "mà",
    "để",
    "theo",
    "về",
    "trong",
    "ngoài",
    "trên",
    "dưới",
    "từ",
    "đến",
    "tới",
    "ra",
    "vào",
    "hãy",
    "xin",
    "cho",
    "biết",
    "hỏi",
    "nói",
    "rằng",
    "như",
    "nhé",
    "ạ",
    "ở",
    "hay",
    "hoặc",
    "cũng",
    "rất",
    "nhiều",
    "ít",
    "người",
    "nó",
    "họ",
    "chúng",
    "ta",
    "tôi",
    "bạn",
]
_EXTRA_EN = [
    "what",
    "which",
    "who",
    "whom",
    "whose",
    "when",
    "where",
    "why",
    "how",
    "did",
    "does",
    "do",
    "tell",
    "please",
    "say",
    "said",
    "describe",
    "name",
    "named",
    "list",
    "give",
    "according",
]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    words: set[str] = set()
    for word in (*STOPWORDS_EN, *_EXTRA_EN, *_VI_FUNCTION_WORDS):
        words.update(tokenize(word))
    return frozenset(words)


def content_terms(text: str) -> list[str]:
    """The text's tokens without function words, in order, without repeats."""
    stop = stopwords()
    seen: dict[str, None] = {}
    for token in tokenize(text):
        if token not in stop:
            seen.setdefault(token, None)
    return list(seen)
