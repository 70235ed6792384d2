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

from rag.citations import MARKER
from rag.evidence import QueryTerms, neutral_keys, undotted
from rag.types import Passage
from vectorstore.lexical import tokenize

_UPPER = "A-ZÀ-ỸĐ"
# Capitalised function words start sentences, not names ("The Secretary-General" is no one's name).
_NOT_NAME = (
    r"(?!(?:The|A|An|In|On|At|As|For|With|By|From|This|That|These|Those|Its|His|Her|Their|Our|Các|Những|Ông|Bà)\b)"
)
_NAME = re.compile(rf"(?<![.!?]\s)\b{_NOT_NAME}[{_UPPER}][\w'’-]+(?:\s+[{_UPPER}][\w'’-]+){{1,3}}")
_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|(?:19|20)\d\d)\b|\btháng\s+\d{1,2}\b|\bngày\s+\d{1,2}",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")

_ORDINAL = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|\d+(st|nd|rd|th))\b|\b(thứ|lần)\s+\w+|đầu tiên", re.IGNORECASE
)

_ASKS_PERSON = re.compile(
    r"\b(who|whom|whose)\b|\b(which|what) (minister|official|person|leader|chair|president|representative)\b"
    r"|(?-i:\b[Aa]i\b)|\bngười nào\b|\bvị \w+ nào\b|\b(ông|bà) nào\b",
    re.IGNORECASE,
)
_ASKS_NAME = re.compile(r"\bwhich (organi[sz]ation|agency|body)\b|\b(tổ chức|cơ quan) nào\b", re.IGNORECASE)
_ASKS_WHERE = re.compile(r"\bwhere\b|\bở đâu\b|\btại đâu\b|\bnơi nào\b", re.IGNORECASE)
_ASKS_PLACE = re.compile(
    r"\b(in )?which (country|countries|city|nation|venue)\b|\b(nước|quốc gia|thành phố) nào\b", re.IGNORECASE
)
_ASKS_ORDINAL = re.compile(r"\bthứ mấy\b|\bwhich (edition|time)\b|\blần thứ mấy\b", re.IGNORECASE)
_ASKS_DATE = re.compile(
    r"\bwhen\b|\bwhat (date|day|year|month)\b|\bkhi nào\b|\bbao giờ\b|\bngày nào\b|\bnăm nào\b|\btháng nào\b|\blúc nào\b",
    re.IGNORECASE,
)
_ASKS_NUMBER = re.compile(
    r"\bhow (many|much)\b|\bwhat (percentage|share|number|rate)\b|\bbao nhiêu\b|\bmấy\b|\bphần trăm\b"
    r"|\b(budget|cost|price|worth|funding)\b|\b(ngân sách|kinh phí|chi phí|giá trị)\b",
    re.IGNORECASE,
)

# Score weights, chosen on the dev half of the gold questions.
COVERAGE_WEIGHT = 0.6
DENSE_WEIGHT = 0.25
TYPE_WEIGHT = 0.15
SECOND_SENTENCE_RATIO = 0.85
# A sentence in the other language matches on names and numbers alone: weaker evidence than words.
BRIDGE_DISCOUNT = 0.6
# A sentence that names other editions ("6th") than the question's ("fifth") is about something else.
ORDINAL_CONFLICT_FACTOR = 0.5
# A headline or table caption (a whole line, no full stop, few words) names a topic rather than
# stating a fact; it matches a question's words densely, so without this it would win too often.
HEADING_FACTOR = 0.5
_HEADING_MAX_WORDS = 14
_TERMINAL = tuple('.!?…:;"”’)')


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


_PLACE_PHRASE = re.compile(r"\b(?:in|at|tại|ở)\s+((?:[A-ZĐ][\w'’-]*\s*){1,3})")


def asked_type_found(question: str, sentence: str) -> bool | None:
    """Whether the sentence holds what the question asks for beyond what the question itself says
    (a person's name other than the question's for "who", a date for "when", a place after "in"/"ở"
    for "where", a count for "how many"); None when the question asks for no such kind. A sentence that
    only repeats the question's own names and numbers does not answer it: "Where was the X meeting
    held?" against "The X meeting was useful"."""
    asked, own = _asked(question)
    if not asked:
        return None
    return any(set(tokenize(found)) - own - _PLACE_WORDS for find in asked for found in find(sentence))


@lru_cache(maxsize=1024)  # once per question, not once per sentence it is checked against
def _asked(question: str) -> tuple[tuple[Callable[[str], Iterable[str]], ...], frozenset[str]]:
    """The finders for what the question asks for, and the question's own tokens."""
    asked: list[Callable[[str], Iterable[str]]] = []
    if _ASKS_PERSON.search(question):
        asked.append(_person_names)
    if _ASKS_NAME.search(question):
        asked.append(_finder(_NAME))
    if _ASKS_DATE.search(question):
        asked.append(_finder(_DATE))
    if _ASKS_NUMBER.search(question):
        asked.append(_counts)
    if _ASKS_WHERE.search(question):
        asked.append(_finder(_PLACE_PHRASE))
    if _ASKS_PLACE.search(question):
        asked.append(_finder(_CAPITALISED))
    if _ASKS_ORDINAL.search(question):
        asked.append(_finder(_ORDINAL))
    return tuple(asked), frozenset(tokenize(question))


def _finder(pattern: re.Pattern[str]) -> Callable[[str], Iterable[str]]:
    return lambda text: (m.group(0) for m in pattern.finditer(text))


# Capitalised words that make a phrase an institution, a title or an event rather than a person.
_NOT_PERSON = frozenset(
    [
        "agency",
        "asean",
        "association",
        "award",
        "awards",
        "bank",
        "board",
        "bộ",
        "business",
        "council",
        "committee",
        "conference",
        "cooperation",
        "coordinator",
        "declaration",
        "dialogue",
        "digital",
        "economy",
        "envoy",
        "forum",
        "framework",
        "general",
        "group",
        "hiệp",
        "hội",
        "liên",
        "meeting",
        "minister",
        "ministry",
        "nations",
        "network",
        "news",
        "office",
        "organisation",
        "organization",
        "partnership",
        "president",
        "prime",
        "programme",
        "project",
        "quốc",
        "secretary",
        "secretary-general",
        "summit",
        "technology",
        "union",
        "united",
        "vụ",
        "working",
    ]
)


def _person_names(sentence: str) -> Iterable[str]:
    """Runs of capitalised words with no acronym and no institution or title word in them: "Kao Kim
    Hourn", "Nguyễn Mạnh Hùng"; not "ASEAN AI Safe Network" or "US-ABC Dinner Dialogue". A Vietnamese
    full name has three syllables or more (family, middle and given name), while two capitalised
    syllables are mostly places ("Việt Nam", "Hà Nội"), so Vietnamese runs need three."""
    for match in _NAME.finditer(sentence):
        run: list[str] = []
        for word in [*match.group(0).split(), ""]:
            bare = word.strip("'’")
            if bare and bare.lower() not in _NOT_PERSON and not bare.isupper() and "-" not in bare[:1]:
                run.append(bare)
                continue
            if len(run) >= (2 if all(w.isascii() for w in run) else 3):
                yield " ".join(run)
            run = []


def _counts(sentence: str) -> Iterable[str]:
    """Numbers that can be a count or an amount: not years, not the day of a date."""
    dates = [m.span() for m in _DAY_OF_MONTH.finditer(sentence)]
    for m in _NUMBER_WORD.finditer(sentence):
        if _YEAR.fullmatch(m.group(0).strip(".,")) or any(a <= m.start() < b for a, b in dates):
            continue
        yield m.group(0)


_NUMBER_WORD = re.compile(r"[\w.,]*\d[\w.,%]*")
_YEAR = re.compile(r"(?:19|20)\d\d")
_DAY_OF_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{1,2}(?:\s*(?:to|-|–)\s*\d{1,2})?|\d{1,2}(?:\s*(?:-|–|to|đến)\s*\d{1,2})?\s+(?:tháng\s+\d{1,2}|"
    r"January|February|March|April|May|June|July|August|September|October|November|December)|ngày\s+\d{1,2}"
    r"|tháng\s+\d{1,2}|\d{1,2}/\d{1,2}|\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"\b[A-ZĐ\u00c0-\u00de\u1ea0-\u1ef8][\w'’-]+")
_PLACE_WORDS = frozenset({"in", "at", "tại", "ở"})


def is_heading(text: str, start: int, end: int) -> bool:
    """A sentence that is a whole short line without closing punctuation."""
    sentence = text[start:end].strip()
    whole_line = (start == 0 or text[start - 1] == "\n") and (end >= len(text) or text[end : end + 1] in ("\n", ""))
    return whole_line and not sentence.endswith(_TERMINAL) and len(sentence.split()) <= _HEADING_MAX_WORDS


SentenceSimilarity = Callable[[Sequence[str]], Sequence[float]]

# With a multilingual model, the sentences of this many passages in the other language (the best
# ranked of the answer pool) are embedded with the question: a sentence's cosine is what says it
# answers across languages, where its words cannot. Each costs ~20 ms on two cores (cached by text).
CROSS_PASSAGES = 3
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
    cosines = _cross_cosines(passages, language, similarity)
    for i, passage in enumerate(passages):
        cross = _crosses(language, passage.language)
        dense = 0.0 if cross and similarity is None else max(0.0, passage.dense_score or 0.0)
        for start, end in passage.sentence_spans():
            sentence = passage.text[start:end]
            tokens = set(tokenize(undotted(sentence)))
            keys = neutral_keys(sentence)
            cov = BRIDGE_DISCOUNT * terms.bridge_coverage(tokens, keys) if cross else terms.coverage(tokens)
            if (i, start) in cosines:
                cov = max(cov, cosines[i, start])
            # "the 6th meeting" does not answer about "the fifth meeting", however many words it shares
            sentence_ordinals = {k for k in keys if k.startswith("ord:")}
            conflict = asked_ordinals and sentence_ordinals and not asked_ordinals & sentence_ordinals
            if conflict:
                cov *= ORDINAL_CONFLICT_FACTOR
            found = asked_type_found(question, sentence.strip())
            score = COVERAGE_WEIGHT * cov + DENSE_WEIGHT * dense + TYPE_WEIGHT * (1.0 if found else 0.0)
            if is_heading(passage.text, start, end):
                score *= HEADING_FACTOR
            if conflict:
                score *= ORDINAL_CONFLICT_FACTOR
            covered = frozenset(t for t in terms.terms if t in tokens)
            out.append(Candidate(i, start, end, sentence.strip(), score, covered, cov, dense, found, cross))
    return sorted(out, key=lambda c: -c.score)


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
