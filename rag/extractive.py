"""Extractive answers: the best-supported sentences of the retrieved passages, quoted verbatim.

A sentence is scored by how much of the question it covers (IDF-weighted), by how close its passage
is to the question in embedding space, and by whether it holds the kind of thing the question asks
for (a name for "who", a date for "when", a number for "how many"). The answer quotes the best one,
and a second one when it is nearly as good and adds question words the first lacks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.citations import MARKER
from rag.evidence import QueryTerms
from rag.text import sentence_spans
from rag.types import Passage
from vectorstore.lexical import tokenize

_UPPER = "A-ZÀ-ỸĐ"
_NAME = re.compile(rf"(?<![.!?]\s)\b[{_UPPER}][\w'’-]+(?:\s+[{_UPPER}][\w'’-]+){{1,3}}")
_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|(?:19|20)\d\d)\b|\btháng\s+\d{1,2}\b|\bngày\s+\d{1,2}",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")

_ASKS_PERSON = re.compile(r"\b(who|whom|whose)\b|\bai\b|\bngười nào\b", re.IGNORECASE)
_ASKS_DATE = re.compile(
    r"\bwhen\b|\bwhat (date|day|year|month)\b|\bkhi nào\b|\bbao giờ\b|\bngày nào\b|\bnăm nào\b|\btháng nào\b|\blúc nào\b",
    re.IGNORECASE,
)
_ASKS_NUMBER = re.compile(
    r"\bhow (many|much)\b|\bwhat (percentage|share|number|rate)\b|\bbao nhiêu\b|\bmấy\b|\bphần trăm\b",
    re.IGNORECASE,
)

# Score weights, chosen on the dev half of the gold questions.
COVERAGE_WEIGHT = 0.6
DENSE_WEIGHT = 0.25
TYPE_WEIGHT = 0.15
SECOND_SENTENCE_RATIO = 0.85


@dataclass(frozen=True)
class Candidate:
    passage_index: int
    start: int
    end: int
    text: str
    score: float
    covered: frozenset[str]
    coverage: float
    dense: float


def _type_match(question: str, sentence: str) -> float:
    wanted = []
    if _ASKS_PERSON.search(question):
        wanted.append(_NAME)
    if _ASKS_DATE.search(question):
        wanted.append(_DATE)
    if _ASKS_NUMBER.search(question):
        wanted.append(_NUMBER)
    if not wanted:
        return 0.0
    return 1.0 if any(p.search(sentence) for p in wanted) else 0.0


def candidates(question: str, terms: QueryTerms, passages: Sequence[Passage]) -> list[Candidate]:
    out: list[Candidate] = []
    for i, passage in enumerate(passages):
        dense = max(0.0, passage.dense_score or 0.0)
        for start, end in sentence_spans(passage.text):
            sentence = passage.text[start:end]
            tokens = set(tokenize(sentence))
            cov = terms.coverage(tokens)
            score = COVERAGE_WEIGHT * cov + DENSE_WEIGHT * dense + TYPE_WEIGHT * _type_match(question, sentence)
            covered = frozenset(t for t in terms.terms if t in tokens)
            out.append(Candidate(i, start, end, sentence.strip(), score, covered, cov, dense))
    return sorted(out, key=lambda c: -c.score)


def extract(ranked: Sequence[Candidate], max_sentences: int = 2) -> str:
    """Answer text from ranked candidates; each sentence ends with [n], n the 1-based passage index."""
    if not ranked:
        return ""
    chosen = [ranked[0]]
    for cand in ranked[1:]:
        if len(chosen) >= max_sentences or cand.score < SECOND_SENTENCE_RATIO * chosen[0].score:
            break
        if any(cand.text == c.text for c in chosen):
            continue  # the same sentence repeated in another chunk or paragraph
        if cand.covered - set().union(*(c.covered for c in chosen)):
            chosen.append(cand)
    # Read in document order when both come from one passage, else by rank.
    chosen.sort(key=lambda c: (c.passage_index, c.start))
    # A quoted sentence's own "[2]" is document text, not a citation: it must not reach resolve() as one.
    return " ".join(f"{_unmarked(c.text)} [{c.passage_index + 1}]" for c in chosen)


def _unmarked(sentence: str) -> str:
    return MARKER.sub(r"(\1)", sentence)
