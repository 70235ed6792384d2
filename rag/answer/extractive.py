"""Extractive answers: the best-supported sentences of the retrieved passages, quoted verbatim.

A sentence is scored by how much of the question it covers (IDF-weighted), by how close its passage
is to the question in embedding space, and by whether it holds the kind of thing the question asks
for (a name for "who", a date for "when", a number for "how many"). The answer quotes the best one,
and a second one when it is nearly as good and adds question words the first lacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rag.answer.answer_types import asked_type_found, asks_for_person
from rag.answer.citations import MARKER
from rag.types import Passage
from textproc.entities import ORDINAL_NUMBER, YEAR, NameClues, name_clues
from textproc.keys import neutral_keys, undotted
from textproc.query_terms import QueryTerms
from textproc.quoting import quoted
from textproc.tokens import tokenize
from textproc.wordlists import alternation, words

# Score weights, chosen on the dev half of the gold questions.
COVERAGE_WEIGHT = 0.6
DENSE_WEIGHT = 0.25
TYPE_WEIGHT = 0.15
SECOND_SENTENCE_RATIO = 0.85
# Across languages the model's cosines rank the sentence that answers first for half of the gold
# questions and among the first three for four in five (it tells "chaired" from "spoke at the opening"
# poorly), so an answer drawn from the other language quotes the close runners-up too, each cited.
CROSS_SENTENCES = 3
CROSS_SENTENCE_RATIO = 0.75
# A sentence in the other language matches on names and numbers alone: weaker evidence than words.
BRIDGE_DISCOUNT = 0.6
# A sentence in another language that lacks a number, year, month or ordinal of the question's.
MISSING_NUMBER_FACTOR = 0.5
# A sentence that names other editions ("6th") than the question's ("fifth"), another year (2025 for
# 2030) or another code of the same shape (5G for 6G) is about something else.
CONFLICT_FACTOR = 0.5
# A headline or table caption (a whole line, no full stop, few words) names a topic rather than
# stating a fact; it matches a question's words densely, so without this it would win too often.
HEADING_FACTOR = 0.5
_HEADING_MAX_WORDS = 14
_TERMINAL = tuple('.!?…:;"”’)')
# "A view of the meeting in Hanoi (Photo: VNA)": a caption describes a picture, it states no fact.
_CAPTION = re.compile(rf"\((?:{alternation('caption_words')})\s*:[^)]*\)\s*$", re.IGNORECASE)


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
    # Whether the sentence holds the kind of thing the question asks for (None: it asks for no kind).
    type_found: bool | None = None
    # Whether it is in another language than the question's (its coverage then is not of words).
    cross: bool = False


def is_heading(text: str, start: int, end: int) -> bool:
    """A sentence that is a whole short line without closing punctuation, or a photo caption."""
    sentence = text[start:end].strip()
    whole_line = (start == 0 or text[start - 1] == "\n") and (end >= len(text) or text[end : end + 1] in ("\n", ""))
    short = len(sentence.split()) <= _HEADING_MAX_WORDS
    return whole_line and short and (not sentence.endswith(_TERMINAL) or bool(_CAPTION.search(sentence)))


SentenceSimilarity = Callable[[Sequence[str]], Sequence[float]]

# With a multilingual model, the sentences of this many passages in the other language (the best
# ranked of the answer pool) are embedded with the question: a sentence's cosine is what says it
# answers across languages, where its words cannot. Each passage costs ~20 ms on two cores the first
# time (sentence vectors are cached by text). As many as the answer pool holds: the sentence that
# answers ("Ai chủ trì ...?", the chair named in an English passage) is often in the pool's last
# places, as every English passage names the same "6th ASEAN Digital Ministers' Meeting" (3 and 8
# passages scored the same on the dev questions and missed that one).
CROSS_PASSAGES = 15
# multilingual-e5's cosines of a question to sentences sit in a narrow band; this maps the band onto
# 0..1 like word coverage (chosen on the dev questions): at or below FLOOR nothing, at CEILING all.
CROSS_FLOOR = 0.80
CROSS_CEILING = 0.90


def cross_coverage(cosine: float) -> float:
    return min(1.0, max(0.0, (cosine - CROSS_FLOOR) / (CROSS_CEILING - CROSS_FLOOR)))


def candidates(
    question: str,
    terms: QueryTerms,
    passages: Sequence[Passage],
    language: str = "",
    similarity: SentenceSimilarity | None = None,
) -> list[Candidate]:
    """Every sentence of the passages, best first. A passage in another language than the question's
    is scored on what crosses languages (names, numbers, dates: QueryTerms.bridge_coverage), at a
    discount, or, given a multilingual ``similarity`` (question-to-sentence cosines), on that."""
    out: list[Candidate] = []
    asked_ordinals = {k for k in neutral_keys(question) if k.startswith("ord:")}
    asked_values = _values(tokenize(undotted(question)))
    question_words = frozenset(_WORDS.findall(question.casefold()))
    numbers = _numbers(terms)
    cosines = _cross_cosines(passages, language, similarity)
    clues = name_clues(
        (p.text for p in passages if p.language == "en"), (p.text for p in passages if p.language != "en")
    )
    person = asks_for_person(question)
    for i, passage in enumerate(passages):
        cross = _crosses(language, passage.language)
        dense = 0.0 if cross and similarity is None else max(0.0, passage.dense_score or 0.0)
        previous = None
        for start, end in passage.sentence_spans():
            sentence = passage.text[start:end]
            before, previous = (start if previous is None else previous), start
            tokens = set(tokenize(undotted(sentence)))
            keys = neutral_keys(sentence)
            cov = BRIDGE_DISCOUNT * terms.bridge_coverage(tokens, keys) if cross else terms.coverage(tokens)
            if (i, start) in cosines:
                # Two independent signs of a match (shared names and numbers, a close meaning): either
                # suffices, both is stronger, and the meaning breaks ties among sentences that all
                # name the same ubiquitous "6th ASEAN meeting".
                cov = 1.0 - (1.0 - cov) * (1.0 - cosines[i, start])
            if cross and numbers - tokens - keys:
                # Numbers are written alike in both languages: a sentence that lacks the question's
                # year or count ("5G coverage by 2030?" against one on 2025) is about something else.
                cov *= MISSING_NUMBER_FACTOR
            # "the 6th meeting" does not answer about "the fifth meeting", nor "5G coverage" about 6G,
            # however many words it shares
            sentence_ordinals = {k for k in keys if k.startswith("ord:")}
            conflict = bool(asked_ordinals and sentence_ordinals and not asked_ordinals & sentence_ordinals)
            conflict = conflict or _other_value(asked_values, tokens)
            # "Phó Giám đốc" (deputy director) is not the director the question asks about: the name
            # or date the sentence gives belongs to someone else.
            other_role = _other_role(question_words, sentence)
            if conflict or other_role:
                cov *= CONFLICT_FACTOR
            found = asked_type_found(question, sentence.strip(), clues)
            if other_role and found:
                found = False
            quoted_from = start
            if (
                person
                and found is False
                and before < start
                and _named_before(question, sentence, passage.text[before:end], clues)
            ):
                found, quoted_from = True, before
            score = COVERAGE_WEIGHT * cov + DENSE_WEIGHT * dense + TYPE_WEIGHT * (1.0 if found else 0.0)
            if is_heading(passage.text, start, end):
                score *= HEADING_FACTOR
            if conflict or other_role:
                score *= CONFLICT_FACTOR
            covered = frozenset(t for t in terms.terms if t in tokens)
            text = passage.text[quoted_from:end].strip()
            out.append(Candidate(i, quoted_from, end, text, score, covered, cov, dense, found, cross))
    return sorted(out, key=lambda c: -c.score)


# A sentence that names its subject by a pronoun: "Bà cho biết ..." (she said), "He added ...".
STARTS_WITH_PRONOUN = re.compile(rf"^(?:{alternation('subject_pronouns')})\b")


def _named_before(question: str, sentence: str, both: str, clues: NameClues) -> bool:
    """For a "who" question, whether ``sentence`` names its subject by a pronoun ("Bà cho biết tại
    một cuộc họp báo ...", she said at a press briefing) and the sentence before it, in ``both``,
    names the person: then both are quoted."""
    return bool(STARTS_WITH_PRONOUN.match(sentence.strip())) and asked_type_found(question, both.strip(), clues) is True


_WORDS = re.compile(r"\w+")
# Words that make a title another role (textproc/languages: role_modifiers): "Deputy Director",
# "Under-Secretary-General", "Phó Giám đốc"; some only before a capitalised title.
_ROLE_MODIFIER = re.compile(
    rf"\b({alternation('role_modifiers')})[\s-]+(\w+)|\b({alternation('role_prefixes')})-(\w+)"
    rf"|\b({alternation('role_modifiers_before_names')})\s+(\w+)",
    re.IGNORECASE,
)
_BEFORE_NAMES = frozenset(words("role_modifiers_before_names"))


def _other_role(question_words: frozenset[str], sentence: str) -> bool:
    """Whether the sentence names a title of the question's with a modifier the question lacks
    ("Phó Giám đốc Vụ ..." for "Ai là Giám đốc Vụ ...?", "Under-Secretary-General" for "Secretary-General")."""
    return any(title in question_words and modifier not in question_words for modifier, title in _roles(sentence))


@lru_cache(maxsize=16_384)  # by text: the same passages come back question after question
def _roles(sentence: str) -> tuple[tuple[str, str], ...]:
    """(modifier, title) pairs of a sentence, case-folded: ("phó", "giám")."""
    pairs = []
    for m in _ROLE_MODIFIER.finditer(sentence):
        modifier, title = (g for g in m.groups() if g)
        if modifier.casefold() in _BEFORE_NAMES and not title[0].isupper():
            continue
        pairs.append((modifier.casefold(), title.casefold()))
    return tuple(pairs)


_CODE_TOKEN = re.compile(r"\d+[a-z]+|[a-z]+\d+")  # "5g", "6g", "g20", "covid19"; not "6th" (an ordinal)


def _values(tokens: Iterable[str]) -> dict[str, frozenset[str]]:
    """The question's years and codes by kind: {"year": {"2030"}, "#g": {"6g"}}."""
    kinds: dict[str, set[str]] = {}
    for t in tokens:
        if YEAR.fullmatch(t):
            kinds.setdefault("year", set()).add(t)
        elif _CODE_TOKEN.fullmatch(t) and not ORDINAL_NUMBER.fullmatch(t):
            kinds.setdefault(re.sub(r"\d+", "#", t), set()).add(t)
    return {k: frozenset(v) for k, v in kinds.items()}


def _other_value(asked: dict[str, frozenset[str]], tokens: set[str]) -> bool:
    """Whether the sentence gives another value of a kind the question names, and not the question's:
    "5G coverage" for a question on 6G, "in 2025" for one on 2030."""
    if not asked:
        return False
    given = _values(tokens)
    return any(kind in given and not values & given[kind] for kind, values in asked.items())


def _numbers(terms: QueryTerms) -> frozenset[str]:
    """The question's numbers, years and ordinals among its cross-language terms."""
    return frozenset(t for t, _ in terms.bridge if t.isdigit() or t.startswith(("ord:", "month:")))


def _cross_cosines(
    passages: Sequence[Passage], language: str, similarity: SentenceSimilarity | None
) -> dict[tuple[int, int], float]:
    """Question-to-sentence cosines of the best CROSS_PASSAGES passages in another language, by
    (passage index, sentence start)."""
    if similarity is None:
        return {}
    chosen = [i for i, p in enumerate(passages) if _crosses(language, p.language)][:CROSS_PASSAGES]
    keys = [(i, start) for i in chosen for start, _ in passages[i].sentence_spans()]
    texts = [passages[i].text[start:end].strip() for i in chosen for start, end in passages[i].sentence_spans()]
    if not texts:
        return {}
    return dict(zip(keys, (cross_coverage(float(c)) for c in similarity(texts)), strict=True))


def _crosses(question_language: str, passage_language: str) -> bool:
    known = {"en", "vi"}
    return question_language in known and passage_language in known and question_language != passage_language


def choose(ranked: Sequence[Candidate], max_sentences: int = 2) -> list[Candidate]:
    """The sentences an answer quotes: the best, and a second one nearly as good that adds to it; when
    the best is in the other language, up to CROSS_SENTENCES within CROSS_SENTENCE_RATIO of it."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    cross = ranked[0].cross
    limit, ratio = (CROSS_SENTENCES, CROSS_SENTENCE_RATIO) if cross else (max_sentences, SECOND_SENTENCE_RATIO)
    for cand in ranked[1:]:
        if len(chosen) >= limit or cand.score < ratio * chosen[0].score:
            break
        if any(cand.text == c.text for c in chosen):
            continue  # the same sentence repeated in another chunk or paragraph
        if any(c.passage_index == cand.passage_index and c.start < cand.end and cand.start < c.end for c in chosen):
            continue  # already quoted with the sentence before it, which names its subject
        # A second sentence must add question words the first lacks; across languages, where words
        # do not match, being nearly as close in meaning is reason enough to quote it.
        if cand.covered - set().union(*(c.covered for c in chosen)) or cross:
            chosen.append(cand)
    return chosen


def extract(ranked: Sequence[Candidate], max_sentences: int = 2) -> str:
    """Answer text from ranked candidates; each sentence ends with [n], n the 1-based passage index."""
    return quote(choose(ranked, max_sentences))


def quote(chosen: Sequence[Candidate]) -> str:
    """The chosen sentences as answer text, each followed by its [n]."""
    # Read in document order when both come from one passage, else by rank.
    ordered = sorted(chosen, key=lambda c: (c.passage_index, c.start))
    # A quoted sentence's own "[2]" is document text, not a citation: it must not reach resolve() as one.
    return " ".join(f"{_unmarked(quoted(c.text))} [{c.passage_index + 1}]" for c in ordered)


def _unmarked(sentence: str) -> str:
    return MARKER.sub(r"(\1)", sentence)
