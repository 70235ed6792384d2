"""What a question asks for (a person, a date, a place, a count...) and whether a sentence holds it.

A question that asks "who" is answered by a sentence that names someone, "on what date" by one that
gives a day: a sentence without the asked-for kind cannot answer, however many of the question's words
it shares. That is the commonest shape of a plausible question the documents do not answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from textproc.countries import countries
from textproc.tokens import tokenize
from textproc.wordlists import alternation, cue, words

_UPPER = "A-ZÀ-ỸĐ"
# Capitalised function words start sentences, not names ("The Secretary-General" is no one's name).
_NOT_NAME = rf"(?!(?:{alternation('capitalised_function_words')})\b)"
_NAME = re.compile(rf"(?<![.!?]\s)\b{_NOT_NAME}[{_UPPER}][\w'’-]+(?:\s+[{_UPPER}][\w'’-]+){{1,7}}")
_MONTH_NAMES = f"(?:{alternation('months')})"
_WEEKDAYS = f"(?:{alternation('weekdays')})"
_WEEKDAY_WORDS = alternation("weekday_phrases")
# Date formats: "January 2025", "1990s", "tháng 1" (month 1), "ngày 15" (day 15).
_DATE = re.compile(
    rf"\b(?:{_MONTH_NAMES}|{_WEEKDAYS}|1\d\d\d|20\d\d|\d{{3}}0s)\b|\btháng\s+\d{{1,2}}\b"
    r"|\bngày\s+\d{1,2}",
    re.IGNORECASE,
)

_ORDINAL = re.compile(
    # "lần thứ năm" (the fifth time) whole: "lần thứ" alone is the question's own "lần thứ mấy"
    r"\b(first|second|third|fourth|fifth|sixth|\d+(st|nd|rd|th))\b|\b(?:lần\s+)?thứ\s+\w+|\blần\s+\w+|đầu tiên",
    re.IGNORECASE,
)

# What a question asks for: the cues of every language's data file (textproc/languages/*.toml).
_ASKS_PERSON = cue("person")
_ASKS_PEOPLE = cue("people")
_PEOPLE = re.compile(rf"\b(?:{alternation('people')})\b", re.IGNORECASE)
_ASKS_NAME = cue("name")
_ASKS_WHERE = cue("where")
_ASKS_BUILDING = cue("building")
_ASKS_PLACE = cue("place")
_ASKS_COUNTRY = cue("country")
_ASKS_ORDINAL = cue("ordinal")
_ASKS_DATE = cue("date")
_ASKS_DAY = cue("day")
_ASKS_WEEKDAY = cue("weekday")
_WEEKDAY = re.compile(_WEEKDAY_WORDS, re.IGNORECASE)
_ASKS_RANK = cue("rank")
_ASKS_NUMBER = cue("number")

_PLACE_PHRASE = re.compile(rf"\b(?:{alternation('place_prepositions')})\s+(\w[\w'’-]*(?:\s+[\w'’-]+){{0,4}})")


@dataclass(frozen=True)
class NameClues:
    """What the documents tell about names: the words they write in lower case, which are no one's
    name when capitalised ("the Opening Ceremony", "Our Shared Future"; a person's name, "Kao Kim
    Hourn", is never written in lower case), and the last words of the full names they write, by
    which English names a person the second time ("Von Miller" ... "Miller")."""

    common: frozenset[str] = frozenset()
    surnames: frozenset[str] = frozenset()


def name_clues(english: Iterable[str], others: Iterable[str] = ()) -> NameClues:
    """NameClues of the passages: lower-case words from English text only (Vietnamese syllables such
    as "kim" or "minh" are words there), surnames from the unaccented full names of any text (a
    Vietnamese article names "Von Miller" as an English one does)."""
    english = list(english)
    common = frozenset().union(*(_lower_words(text) for text in english))
    surnames = frozenset(
        name.split()[-1] for text in [*english, *others] for name in _full_names(text, common) if name.isascii()
    )
    return NameClues(common, surnames)


def asks_for_person(question: str) -> bool:
    return _person_names in _asked(question)[0]


# A sentence that names its subject by a pronoun: "Bà cho biết ..." (she said), "He added ...".
STARTS_WITH_PRONOUN = re.compile(rf"^(?:{alternation('subject_pronouns')})\b")


_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]+")
Finder = Callable[[str, NameClues], Iterable[str]]


def asked_type_found(question: str, sentence: str, clues: NameClues = NameClues()) -> bool | None:
    """Whether the sentence holds what the question asks for beyond what the question itself says
    (a person's name other than the question's for "who", a date for "when", a place after "in"/"ở"
    for "where", a count for "how many"); None when the question asks for no such kind. A sentence that
    only repeats the question's own names and numbers does not answer it: "Where was the X meeting
    held?" against "The X meeting was useful"."""
    asked, own = _asked(question)
    if not asked:
        return None
    return any(set(tokenize(found)) - own - _PLACE_WORDS for find in asked for found in find(sentence, clues))


@lru_cache(maxsize=1024)  # once per question, not once per sentence it is checked against
def _asked(question: str) -> tuple[tuple[Finder, ...], frozenset[str]]:
    """The finders for what the question asks for, and the question's own tokens."""
    day = _ASKS_DAY.search(question)
    weekday = _ASKS_WEEKDAY.search(question)
    kinds: list[tuple[re.Pattern[str] | None, Finder]] = [
        (_ASKS_PERSON, _person_names),
        (_ASKS_PEOPLE, _finder(_PEOPLE)),
        (_ASKS_NAME, _finder(_NAME)),
        (_ASKS_WEEKDAY, _finder(_WEEKDAY)),
        (None if weekday else _ASKS_DAY, _finder(_DAY)),
        (None if day or weekday else _ASKS_DATE, _dates),
        (_ASKS_NUMBER, _counts),
        (_ASKS_RANK, _ranks),
        (_ASKS_WHERE, _places),
        (_ASKS_BUILDING, _finder(_BUILDING)),
        (_ASKS_PLACE, _finder(_CAPITALISED)),
        (_ASKS_COUNTRY, _countries),
        (_ASKS_ORDINAL, _finder(_ORDINAL)),
    ]
    lead = _LEADING_CLAUSE.match(question)
    own_clause = lead.end() if lead else 0
    found = [(m.start(), find) for pattern, find in kinds if pattern and (m := pattern.search(question, own_clause))]
    # The question word that comes first is the one asked: in "How old was he when he played?" the
    # "when" joins a clause, and in "Who led when the Franks came?" or "What happens when MAILTO is
    # empty?" it asks for no date. (A noun such as "budget" still says what a "what" asks for, and so
    # does a relative "who": "the name of the official who met him".)
    opening = _QUESTION_WORD.search(question, own_clause)
    if opening:
        found = [
            (start, find)
            for start, find in found
            if start <= opening.start() + _SAME_QUESTION_WORD or not _SUBORDINATOR.match(question, start)
        ]
    first = min((start for start, _ in found), default=0)
    asked = [find for start, find in found if start <= first + _SAME_QUESTION_WORD]
    return tuple(asked), frozenset(tokenize(question))


# A clause before the question's own, up to its comma, when a question word follows the comma.
_LEADING_CLAUSE = re.compile(
    rf"\s*(?:{alternation('subordinators')})\b[^,?]*,\s*(?=(?:[\w'’-]+\s+){{0,3}}(?:{alternation('question_words')})\b)",
    re.IGNORECASE,
)
_QUESTION_WORD = re.compile(rf"\b(?:{alternation('question_words')})\b", re.IGNORECASE)
_SUBORDINATOR = re.compile(rf"\b(?:{alternation('subordinators')})\b", re.IGNORECASE)
# "When and where", "who or which body": question words this close to the first are asked too.
_SAME_QUESTION_WORD = 12


def _finder(pattern: re.Pattern[str]) -> Finder:
    return lambda text, _clues: (m.group(0) for m in pattern.finditer(text))


# Capitalised words that make a phrase an institution, a title or an event rather than a person.
_NOT_PERSON = frozenset(words("not_person"))


def _person_names(sentence: str, clues: NameClues) -> Iterable[str]:
    yield from _full_names(sentence, clues.common)
    yield from (w for w in _CAPITALISED.findall(sentence) if w in clues.surnames)


# Cached by text: the same passages come back question after question, and these two scans were a
# fifth of an extractive answer's time.
@lru_cache(maxsize=4096)
def _lower_words(text: str) -> frozenset[str]:
    return frozenset(_LOWER_WORD.findall(text))


@lru_cache(maxsize=16_384)
def _name_runs(sentence: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in _NAME.finditer(sentence))


def _full_names(sentence: str, common: frozenset[str]) -> Iterable[str]:
    """Runs of capitalised words with no acronym and no institution or title word in them: "Kao Kim
    Hourn", "Nguyễn Mạnh Hùng"; not "ASEAN AI Safe Network" or "US-ABC Dinner Dialogue". A Vietnamese
    full name has three syllables or more (family, middle and given name), while two capitalised
    syllables are mostly places ("Việt Nam", "Hà Nội"), so Vietnamese runs need three. A word the
    documents write in lower case (``common``) is not part of a name."""
    for match in _name_runs(sentence):
        run: list[str] = []
        for word in [*match.split(), ""]:
            bare = word.strip("'’")
            possessive = bare.endswith(("'s", "’s"))  # "Việt Nam’s Party": the owner's name ends there
            bare = bare[:-2] if possessive else bare
            word_like = bare.lower() in _NOT_PERSON or (bare.isascii() and bare.lower() in common)
            if bare and not word_like and not bare.isupper() and "-" not in bare[:1]:
                run.append(bare)
                if not possessive:
                    continue
            if len(run) >= (2 if all(w.isascii() for w in run) else 3):
                yield " ".join(run)
            run = []


# A capitalised word right before a year (or a range of years) makes it part of a name: "Masterplan
# 2026–2030", "Vision 2045", "Awards 2026", "(ADM 2030)"; but not a month or a word that starts a
# sentence or a time phrase ("January 2025", "In 2025", "Năm 2025").
_NAMED_YEAR = re.compile(
    rf"\b(?!(?:{_MONTH_NAMES}|{alternation('time_phrase_words')})\b)[{_UPPER}][\w'’-]*\s+(?:\d{{4}}\s*[–-]\s*)?$"
)


def _dates(sentence: str, _clues: NameClues = NameClues()) -> Iterable[str]:
    """Dates, years and decades, but not the years that belong to a name."""
    for m in _DATE.finditer(sentence):
        if YEAR.fullmatch(m.group(0)) and _NAMED_YEAR.search(sentence, 0, m.start()):
            continue
        yield m.group(0)


def _countries(sentence: str, _clues: NameClues = NameClues()) -> Iterable[str]:
    return (name for name, _ in countries(sentence))


def _places(sentence: str, _clues: NameClues = NameClues()) -> Iterable[str]:
    """Capitalised phrases after "in", "at", "tại", "ở": "in Thailand", "tại Trung tâm Hội nghị Quốc
    gia" (Vietnamese capitalises a name's main words only, so lower-case words inside are kept and
    those after its last capitalised word dropped)."""
    for match in _PLACE_PHRASE.finditer(sentence):
        words = match.group(1).split()
        capitalised = [i for i, w in enumerate(words) if w[0].isupper()]
        if capitalised and capitalised[0] == 0:
            yield " ".join(words[: capitalised[-1] + 1])


def _counts(sentence: str, _clues: NameClues = NameClues()) -> Iterable[str]:
    """Numbers that can be a count or an amount: not years, ordinals or the day of a date; in figures or in
    words ("two", "Six-time", "twice", "hai lần")."""
    dates = [m.span() for m in _DAY_OF_MONTH.finditer(sentence)]
    for m in _NUMBER_WORD.finditer(sentence):
        number = m.group(0).strip(".,")
        if YEAR.fullmatch(number) or ORDINAL_NUMBER.fullmatch(number) or any(a <= m.start() < b for a, b in dates):
            continue  # "the 4th meeting" counts nothing
        yield m.group(0)
    yield from (m.group(0) for m in _NUMBER_NAME.finditer(sentence))


def _ranks(sentence: str, clues: NameClues = NameClues()) -> Iterable[str]:
    yield from _counts(sentence, clues)
    yield from (m.group(0) for m in _ORDINAL.finditer(sentence))


_NUMBER_NAME = re.compile(rf"\b(?:{alternation('number_words')})\b", re.IGNORECASE)


_NUMBER_WORD = re.compile(r"[\w.,]*\d[\w.,%]*")
YEAR = re.compile(r"(?:19|20)\d\d")
ORDINAL_NUMBER = re.compile(r"\d+(?:st|nd|rd|th)", re.IGNORECASE)
_DAY_OF_MONTH = re.compile(
    rf"\b{_MONTH_NAMES}"
    r"\s+\d{1,2}(?:\s*(?:to|-|–)\s*\d{1,2})?|\d{1,2}(?:\s*(?:-|–|to|đến)\s*\d{1,2})?\s+(?:tháng\s+\d{1,2}|"
    rf"{_MONTH_NAMES})|ngày\s+\d{{1,2}}"
    r"|tháng\s+\d{1,2}|\d{1,2}/\d{1,2}|\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)
# A day: "January 15", "15 tháng 1", "ngày 15", "2026-01-15", "15/1", or a weekday.
_DAY = re.compile(
    rf"\b{_MONTH_NAMES}\s+\d{{1,2}}\b"
    rf"|\b\d{{1,2}}\s+(?:tháng\s+\d{{1,2}}|{_MONTH_NAMES})\b|\bngày\s+\d{{1,2}}|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}\b"
    rf"|{_WEEKDAY_WORDS}",
    re.IGNORECASE,
)
_INITIAL = "A-ZĐ\u00c0-\u00de\u1ea0-\u1ef8"  # the first letter of a capitalised word
# A building's name: capitalised words before "Centre", "Hotel"... or after "Trung tâm", "Khách sạn"...
_BUILDING = re.compile(
    rf"\b(?:[{_INITIAL}][\w'’-]+\s+)+(?:{alternation('building_suffixes')})\b"
    rf"|\b(?:{alternation('building_prefixes')})(?:\s+[{_INITIAL}][\w'’-]*)+"
)
_CAPITALISED = re.compile(rf"\b[{_INITIAL}][\w'’-]+")
_PLACE_WORDS = frozenset(words("place_prepositions"))
