"""Sentence boundaries of a text.

Boundaries are found once, at ingest, and stored with the chunk: answering then needs no sentence
splitter, whose NLTK import alone is over a second of a fresh `rag ask`. Text without stored
boundaries (an index written by an older version, an LLM's answer) is split on demand.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

Span = tuple[int, int]

_LINE = re.compile(r"[^\n]+")
_ENDS_WITH_ABBREVIATION = re.compile(r"\b[A-Z](?:\.[A-Z])+\.$")


@lru_cache(maxsize=1)
def _punkt() -> object:
    # llama-index bundles NLTK's punkt data; it is put on NLTK's path by location, because importing
    # llama-index to have it do so costs seconds of a fresh process.
    import importlib.util

    from nltk.data import path as nltk_path
    from nltk.tokenize.punkt import PunktTokenizer

    spec = importlib.util.find_spec("llama_index.core")
    for folder in spec.submodule_search_locations or [] if spec else []:
        bundled = str(Path(folder) / "_static" / "nltk_cache")
        if bundled not in nltk_path:
            nltk_path.append(bundled)
    tokenizer = PunktTokenizer("english")
    # Punkt's English model misses abbreviations that news text puts before a number or a name
    # ("Decree No. 76/2018/ND-CP", "Art. 3", "TP. Hồ Chí Minh", "PGS.TS. Nguyễn ..."): without them a
    # sentence is cut in two and an answer quotes half of it. Bump records.SENTENCES_KEY with any change.
    tokenizer._params.abbrev_types.update(_ABBREVIATIONS)
    return tokenizer


_ABBREVIATIONS = frozenset(
    (
        # English: numbers, references, titles, companies, months
        *("no", "nos", "vol", "art", "fig", "figs", "para", "sec", "ch", "pp", "approx", "est", "dept", "univ"),
        *("corp", "inc", "ltd", "co", "jr", "sr", "dr", "mr", "mrs", "ms", "prof", "gen", "gov", "sen", "rep"),
        *("lt", "col", "capt", "sgt", "st", "mt", "ave", "jan", "feb", "mar", "apr", "jun", "jul", "aug"),
        *("sep", "sept", "oct", "nov", "dec"),
        # Vietnamese: city, district, ward; academic and professional titles
        *("tp", "q", "p", "tx", "ths", "ts", "pgs", "gs", "bs", "ks", "pgs.ts", "gs.ts", "ts.bs", "ths.bs"),
    )
)


def sentence_spans(text: str) -> list[Span]:
    """Sentence spans; a line break always ends a sentence (headlines and captions have no full stop)."""
    return list(_sentence_spans(text))


@lru_cache(maxsize=4096)
def _sentence_spans(text: str) -> tuple[Span, ...]:
    # Cached: the same passages come back for question after question, and each answer splits every
    # passage twice (candidate sentences, then citation checks).
    spans: list[Span] = []
    punkt = _punkt()
    for line in _LINE.finditer(text):
        base, first = line.start(), len(spans)
        for s, e in punkt.span_tokenize(line.group()):  # type: ignore[attr-defined]
            if not line.group()[s:e].strip():
                continue
            previous = spans[-1] if len(spans) > first else None
            if previous and _ENDS_WITH_ABBREVIATION.search(text[previous[0] : previous[1]].rstrip()):
                # Punkt took a dotted abbreviation's last dot for a full stop ("… with the U.S." +
                # "Coordinator for …"): one sentence.
                spans[-1] = (previous[0], base + e)
            else:
                spans.append((base + s, base + e))
    return tuple(spans)
