"""Sentences and content words: the units extractive answers and citation checks work on."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from vectorstore.lexical import tokenize

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


@lru_cache(maxsize=1)
def _punkt() -> object:
    # llama-index bundles NLTK's punkt data; it is put on NLTK's path by location, because importing
    # llama-index to have it do so costs seconds of a fresh `rag ask`.
    import importlib.util

    from nltk.data import path as nltk_path
    from nltk.tokenize.punkt import PunktTokenizer

    spec = importlib.util.find_spec("llama_index.core")
    for folder in spec.submodule_search_locations or [] if spec else []:
        bundled = str(Path(folder) / "_static" / "nltk_cache")
        if bundled not in nltk_path:
            nltk_path.append(bundled)
    return PunktTokenizer("english")


_LINE = re.compile(r"[^\n]+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans; a line break always ends a sentence (headlines and captions have no full stop)."""
    return list(_sentence_spans(text))


@lru_cache(maxsize=4096)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    # Cached: the same passages come back for question after question, and each answer splits every
    # passage twice (candidate sentences, then citation checks); Punkt is most of an answer's time.
    spans: list[tuple[int, int]] = []
    punkt = _punkt()
    for line in _LINE.finditer(text):
        base = line.start()
        for s, e in punkt.span_tokenize(line.group()):  # type: ignore[attr-defined]
            if line.group()[s:e].strip():
                spans.append((base + s, base + e))
    return tuple(spans)
