"""[n] markers: parsed, mapped to passages, renumbered in reading order, and checked.

The same code serves LLM and extractive answers. A marker whose number names no passage is dropped
from the text (and reported); each remaining citation is checked against the sentences that cite it:
the share of a sentence's content words that its passage contains. Citations below the threshold are
kept but flagged ``supported=False`` so the reader sees which claims are weakly backed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.types import Citation, Passage
from textproc.terms import content_terms
from textproc.tokens import tokenize

MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
SUPPORT_THRESHOLD = 0.5


@dataclass
class ResolvedCitations:
    text: str
    citations: list[Citation]
    dropped: list[int] = field(default_factory=list)

    @property
    def has_citations(self) -> bool:
        return bool(self.citations)


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", text)).strip()


def resolve(text: str, passages: Sequence[Passage]) -> ResolvedCitations:
    """Map the markers of ``text`` (1-based passage indices) to citations numbered 1, 2, … as read."""
    renumber: dict[int, int] = {}
    claims: dict[int, list[str]] = {}
    dropped: list[int] = []
    pieces: list[str] = []
    last_end = 0
    previous_claim = ""
    for match in MARKER.finditer(text):
        # A marker backs the text since the previous marker group ("[1][2]": both back the same text).
        segment = text[last_end : match.start()]
        claim = segment.strip(" \t\n.,;:!?") or previous_claim
        previous_claim = claim
        kept: list[int] = []
        for number in (int(x) for x in re.split(r"\s*[,;]\s*", match.group(1))):
            if 1 <= number <= len(passages):
                n = renumber.setdefault(number, len(renumber) + 1)
                kept.append(n)
                if claim and claim not in claims.setdefault(n, []):
                    claims[n].append(claim)
            else:
                dropped.append(number)
        pieces.append(segment)
        replacement = "".join(f"[{k}]" for k in dict.fromkeys(kept))
        if not replacement:
            pieces[-1] = pieces[-1].rstrip(" \t")  # no space left dangling before the punctuation
        pieces.append(replacement)
        last_end = match.end()
    pieces.append(text[last_end:])
    citations = []
    for original, n in sorted(renumber.items(), key=lambda kv: kv[1]):
        passage = passages[original - 1]
        support, highlights = _check(claims.get(n, []), passage)
        citations.append(
            Citation(
                passage=passage,
                n=n,
                supported=support >= SUPPORT_THRESHOLD,
                support=round(support, 3),
                highlights=highlights,
            )
        )
    return ResolvedCitations("".join(pieces).strip(), citations, dropped)


def _check(claims: list[str], passage: Passage) -> tuple[float, list[tuple[int, int]]]:
    if not claims:
        return 1.0, []
    passage_tokens = set(tokenize(passage.text))
    spans = passage.sentence_spans()
    support = 1.0
    highlights: list[tuple[int, int]] = []
    for claim in claims:
        terms = content_terms(claim)
        if terms:
            support = min(support, sum(t in passage_tokens for t in terms) / len(terms))
        best = _best_span(terms, passage.text, spans)
        if best is not None and best not in highlights:
            highlights.append(best)
    return support, highlights


def _best_span(terms: list[str], text: str, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    wanted = set(terms)
    best, best_score = None, 0.0
    for start, end in spans:
        tokens = set(tokenize(text[start:end]))
        if not tokens:
            continue
        score = len(wanted & tokens) / (len(wanted | tokens) ** 0.5)
        if score > best_score:
            best, best_score = (start, end), score
    return best
