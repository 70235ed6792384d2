"""Every sentence of an LLM's answer checked against the passages it cites, before anyone reads it.

A sentence is kept when one passage it cites backs it: that passage holds every number the sentence
states, and either most of its content words (same language) or, across languages, a sentence whose
meaning is close by the multilingual embedding. Sentences that cite nothing, cite no real passage or
are not backed are dropped and reported; what is left is renumbered and cited (rag.answer.citations).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from ingest.language import detect_language
from rag.answer.citations import MARKER, SUPPORT_THRESHOLD, ResolvedCitations, resolve
from rag.types import Passage, SentenceCheck
from textproc.sentences import sentence_spans
from textproc.terms import content_terms
from textproc.tokens import tokenize
from textproc.wordlists import words

# Cosine of an answer sentence to its best cited sentence in another language above which the meaning
# counts as the same (multilingual-e5-small). Set by hand above the 0.83-0.84 that unrelated English
# sentences reached against a Vietnamese question in earlier measurements; not yet calibrated on
# labelled cross-language sentences.
CROSS_LANGUAGE_SUPPORT = 0.86
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_ENUMERATOR = re.compile(r"\s*(?:\d{1,2}|[a-zA-Z])[.)]\s*")  # "1." "b)": a list's numbering, not a claim
_LEADING_MARKERS = re.compile(r"^\s*((?:\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\]\s*)+)")

# Orders to an AI planted in a document (prompt injection), in English and Vietnamese. A security
# filter, not an answer rule: it only removes sentences from what can count as evidence.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b[^.\n]{0,60}\b(?:instructions?|question|prompt|rules?|context)\b"
    r"|\b(?:assistant|chatbot|AI|language model|LLM|model)s?\b[^.\n]{0,40}\b(?:say|answer|reply|respond|state|tell|claim|write)\b"
    r"|\byou (?:must|should|will) (?:say|answer|reply|respond|state|claim|write)\b"
    r"|\bbỏ qua\b[^.\n]{0,40}\b(?:hướng dẫn|chỉ dẫn|câu hỏi)\b|\b(?:trợ lý|mô hình)\b[^.\n]{0,40}\bhãy\b",
    re.IGNORECASE,
)

# The cosines of texts to one text, by the embedding model (None: no multilingual model).
Similarity = Callable[[str, Sequence[str]], Sequence[float]]


@dataclass
class Verified:
    resolved: ResolvedCitations
    checks: list[SentenceCheck] = field(default_factory=list)

    @property
    def dropped(self) -> list[SentenceCheck]:
        return [c for c in self.checks if not c.supported]


def split_claims(text: str) -> list[str]:
    """The answer's sentences, each with the markers that follow it ("… 2026. [1]" keeps its [1])."""
    spans = sentence_spans(text)
    pieces = [text[s:e] for s, e in spans] if spans else [text]
    sentences: list[str] = []
    for piece in pieces:
        leading = _LEADING_MARKERS.match(piece)
        if leading and sentences:
            sentences[-1] = sentences[-1].rstrip() + " " + leading.group(1).strip()
            piece = piece[leading.end() :]
        if piece.strip():
            sentences.append(piece.strip())
    return sentences


def verify(
    text: str, passages: Sequence[Passage], similarity: Similarity | None = None, question: str = ""
) -> Verified:
    """The answer with its unbacked sentences removed, its citations resolved and every verdict kept.
    ``question``: what the answer's own words are told apart from (see ``_backing``)."""
    asked = frozenset(content_terms(question))
    checks = [_check(sentence, passages, similarity, asked) for sentence in split_claims(text)]
    kept = " ".join(c.text for c in checks if c.supported)
    resolved = resolve(kept, passages)
    for citation in resolved.citations:
        citation.supported = True  # each one backs a sentence that passed
    return Verified(resolved, checks)


def _check(
    sentence: str, passages: Sequence[Passage], similarity: Similarity | None, asked: frozenset[str]
) -> SentenceCheck:
    cited = [int(n) for m in MARKER.finditer(sentence) for n in re.split(r"\s*[,;]\s*", m.group(1))]
    claim = MARKER.sub("", sentence).strip()
    check = SentenceCheck(text=sentence, cited=cited)
    real = [n for n in dict.fromkeys(cited) if 1 <= n <= len(passages)]
    if not any(ch.isalnum() for ch in claim) or _ENUMERATOR.fullmatch(claim):
        check.reason = "has no words, only markers"
        return check
    if claim.rstrip().endswith(("?", "？")):
        check.reason = "is a question, not an answer"
        return check
    if cited and not real:
        check.reason = "cites a passage number that does not exist"
        return check
    language = detect_language(claim)  # once per sentence, not per passage it is checked against
    if not real:
        # Small models often leave a marker out. The sentence is then checked against every passage it
        # was given, and cites the one that backs it: the check, not the model, decides the source.
        attributed = _attributed(claim, passages, similarity, asked, language)
        if attributed is None:
            check.reason = "cites no passage, and no passage states it"
            check.checked_against = "\n---\n".join(p.text for p in passages)
            return check
        n, support = attributed
        check.text, check.cited = f"{sentence.rstrip()} [{n}]", [n]
        check.checked_against = passages[n - 1].text
        check.support, check.supported, check.attributed = round(support, 3), True, True
        return check
    best, reason, against = 0.0, "", ""
    for n in real:
        support, why = _backing(claim, passages[n - 1], similarity, asked, language)
        if not why:
            check.support, check.supported = round(support, 3), True
            check.checked_against = passages[n - 1].text
            return check
        if support >= best:
            best, reason, against = support, why, passages[n - 1].text
    check.support, check.reason, check.checked_against = round(best, 3), reason, against
    return check


@cache
def _yes_no() -> frozenset[str]:
    """Words that open the answer to a yes/no question: "Yes, it does." adds nothing else to the
    question, and is an answer."""
    return frozenset(t for w in words("yes_no") for t in tokenize(w))


def _attributed(
    claim: str, passages: Sequence[Passage], similarity: Similarity | None, asked: frozenset[str], language: str
) -> tuple[int, float] | None:
    backed = [
        (n, s)
        for n, p in enumerate(passages, 1)
        for s, why in [_backing(claim, p, similarity, asked, language)]
        if not why
    ]
    return max(backed, key=lambda b: b[1]) if backed else None


def evidence_sentences(passage: Passage) -> list[str]:
    """The passage's sentences that can back a claim: not those that address the model with orders
    (a planted "assistant, say the budget was $9 billion" is an attack on the reader, not a fact)."""
    sentences = [passage.text[s:e] for s, e in passage.sentence_spans()] or [passage.text]
    return [s for s in sentences if not _INSTRUCTION.search(s)]


def _shown(claim: str, tokens: Sequence[str]) -> str:
    """The claim's words that hold ``tokens``, as written, for a reason a user can read."""
    wanted = set(tokens)
    return ", ".join(w.strip(".,;:!?\"'`()") for w in claim.split() if wanted.intersection(tokenize(w)))


def _backing(
    claim: str, passage: Passage, similarity: Similarity | None, asked: frozenset[str], language: str
) -> tuple[float, str]:
    """(support, "") when the passage backs the claim (in ``language``), else (support, why not).

    The words a sentence shares with the question prove nothing: retrieval chose the passage for them.
    What the sentence adds (the answer) must be in the passage too, and a sentence that adds nothing
    only restates the question ("The winning team received a prize.")."""
    sentences = evidence_sentences(passage)
    evidence = " ".join(sentences)
    missing = [n for n in _NUMBER.findall(claim) if n not in evidence]
    if missing:
        return 0.0, f"states {missing[0]}, which the cited passage does not"
    terms = content_terms(claim)
    if not terms:
        return 1.0, ""
    tokens = set(tokenize(evidence))
    share = sum(t in tokens for t in terms) / len(terms)
    same_language = language == passage.language
    if asked and same_language:
        added = [t for t in terms if t not in asked and t not in _yes_no()]
        opening = tokenize(claim)[:1]
        if not added and not (opening and opening[0] in _yes_no()):
            return share, "only restates the question"
        unbacked = [t for t in added if t not in tokens]
        if added and len(unbacked) / len(added) > 1 - SUPPORT_THRESHOLD:
            return share, f"what it adds to the question ({_shown(claim, unbacked)}) is not in the cited passage"
        # What it takes from the question says what it is about, and the passage must be about that too:
        # "xz uses level 6 when no level option is given" from a passage on what "xz -6" uses pins the
        # passage's fact on the question's subject.
        repeated = [t for t in terms if t in asked]
        elsewhere = [t for t in repeated if t not in tokens]
        if repeated and len(elsewhere) / len(repeated) > 1 - SUPPORT_THRESHOLD:
            return share, f"what it is about ({_shown(claim, elsewhere)}) is not in the cited passage"
    if share >= SUPPORT_THRESHOLD:
        return share, ""
    if similarity is not None and sentences and not same_language:
        cosine = max(similarity(claim, sentences), default=0.0)
        if cosine >= CROSS_LANGUAGE_SUPPORT:
            return cosine, ""
        return cosine, "its meaning is not in the cited passage"
    return share, "most of its words are not in the cited passage"
