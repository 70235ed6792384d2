"""The kinds of things a sentence names: people, dates, days, counts, ordinals, places, buildings,
countries. Each finder returns the spans of its kind as text; answering asks them whether a sentence
holds what a question asks for (``rag/answer/answer_types.py``).

Written by hand: no named-entity model for English and Vietnamese installs here with its weights, and
the shapes below (a date, a count in figures or words, a run of capitalised words) are the ones the
answer checks need. Their vocabulary (month, weekday, number and title words) is language data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from textproc.countries import countries
from textproc.wordlists import alternation, words


@dataclass(frozen=True)
class NameClues:
    """What the documents tell about names: the words they write in lower case, which are no one's
    name when capitalised ("the Opening Ceremony", "Our Shared Future"; a person's name, "Kao Kim
    Hourn", is never written in lower case), and the last words of the full names they write, by
    which English names a person the second time ("Von Miller" ... "Miller")."""

    common: frozenset[str] = frozenset()
    surnames: frozenset[str] = frozenset()


NO_CLUES = NameClues()
Finder = Callable[[str, NameClues], Iterable[str]]

_UPPER = "A-ZÀ-ỸĐ"
_INITIAL = "A-ZĐ\u00c0-\u00de\u1ea0-\u1ef8"  # the first letter of a capitalised word
# Capitalised function words start sentences, not names ("The Secretary-General" is no one's name).
_NOT_NAME = rf"(?!(?:{alternation('capitalised_function_words')})\b)"
_NAME = re.compile(rf"(?<![.!?]\s)\b{_NOT_NAME}[{_UPPER}][\w'’-]+(?:\s+[{_UPPER}][\w'’-]+){{1,7}}")
_CAPITALISED = re.compile(rf"\b[{_INITIAL}][\w'’-]+")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]+")
# Capitalised words that make a phrase an institution, a title or an event rather than a person.
_NOT_PERSON = frozenset(words("not_person"))
_PEOPLE = re.compile(rf"\b(?:{alternation('people')})\b", re.IGNORECASE)

_MONTH_NAMES = f"(?:{alternation('months')})"
_WEEKDAYS = f"(?:{alternation('weekdays')})"
_WEEKDAY = re.compile(alternation("weekday_phrases"), re.IGNORECASE)
# Date formats: "January 2025", "1990s", "tháng 1" (month 1), "ngày 15" (day 15).
_DATE = re.compile(
    rf"\b(?:{_MONTH_NAMES}|{_WEEKDAYS}|1\d\d\d|20\d\d|\d{{3}}0s)\b|\btháng\s+\d{{1,2}}\b|\bngày\s+\d{{1,2}}",
    re.IGNORECASE,
)
# A day: "January 15", "15 tháng 1", "ngày 15", "2026-01-15", "15/1", or a weekday.
_DAY = re.compile(
    rf"\b{_MONTH_NAMES}\s+\d{{1,2}}\b"
    rf"|\b\d{{1,2}}\s+(?:tháng\s+\d{{1,2}}|{_MONTH_NAMES})\b|\bngày\s+\d{{1,2}}|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}\b"
    rf"|{_WEEKDAY.pattern}",
    re.IGNORECASE,
)
# The day of a date, ranges included ("January 15 to 17", "15-17 tháng 1"): its number counts nothing.
_DAY_OF_MONTH = re.compile(
    rf"\b{_MONTH_NAMES}"
    r"\s+\d{1,2}(?:\s*(?:to|-|–)\s*\d{1,2})?|\d{1,2}(?:\s*(?:-|–|to|đến)\s*\d{1,2})?\s+(?:tháng\s+\d{1,2}|"
    rf"{_MONTH_NAMES})|ngày\s+\d{{1,2}}"
    r"|tháng\s+\d{1,2}|\d{1,2}/\d{1,2}|\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)
# A capitalised word right before a year (or a range of years) makes it part of a name: "Masterplan
# 2026–2030", "Vision 2045", "Awards 2026", "(ADM 2030)"; but not a month or a word that starts a
# sentence or a time phrase ("January 2025", "In 2025", "Năm 2025").
_NAMED_YEAR = re.compile(
    rf"\b(?!(?:{_MONTH_NAMES}|{alternation('time_phrase_words')})\b)[{_UPPER}][\w'’-]*\s+(?:\d{{4}}\s*[–-]\s*)?$"
)
YEAR = re.compile(r"(?:19|20)\d\d")
ORDINAL_NUMBER = re.compile(r"\d+(?:st|nd|rd|th)", re.IGNORECASE)
_ORDINAL = re.compile(
    # "lần thứ năm" (the fifth time) whole: "lần thứ" alone is the question's own "lần thứ mấy"
    r"\b(first|second|third|fourth|fifth|sixth|\d+(st|nd|rd|th))\b|\b(?:lần\s+)?thứ\s+\w+|\blần\s+\w+|đầu tiên",
    re.IGNORECASE,
)
_NUMBER_WORD = re.compile(r"[\w.,]*\d[\w.,%]*")
_NUMBER_NAME = re.compile(rf"\b(?:{alternation('number_words')})\b", re.IGNORECASE)

PLACE_PREPOSITIONS = frozenset(words("place_prepositions"))
_PLACE_PHRASE = re.compile(rf"\b(?:{alternation('place_prepositions')})\s+(\w[\w'’-]*(?:\s+[\w'’-]+){{0,4}})")
# A building's name: capitalised words before "Centre", "Hotel"... or after "Trung tâm", "Khách sạn"...
_BUILDING = re.compile(
    rf"\b(?:[{_INITIAL}][\w'’-]+\s+)+(?:{alternation('building_suffixes')})\b"
    rf"|\b(?:{alternation('building_prefixes')})(?:\s+[{_INITIAL}][\w'’-]*)+"
)


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


def matches(pattern: re.Pattern[str]) -> Finder:
    """A finder of a pattern's matches, whatever the documents' names."""
    return lambda text, _clues: (m.group(0) for m in pattern.finditer(text))


def person_names(sentence: str, clues: NameClues) -> Iterable[str]:
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


def dates(sentence: str, _clues: NameClues) -> Iterable[str]:
    """Dates, years and decades, but not the years that belong to a name."""
    for m in _DATE.finditer(sentence):
        if YEAR.fullmatch(m.group(0)) and _NAMED_YEAR.search(sentence, 0, m.start()):
            continue
        yield m.group(0)


def country_names(sentence: str, _clues: NameClues) -> Iterable[str]:
    return (name for name, _ in countries(sentence))


def places(sentence: str, _clues: NameClues) -> Iterable[str]:
    """Capitalised phrases after "in", "at", "tại", "ở": "in Thailand", "tại Trung tâm Hội nghị Quốc
    gia" (Vietnamese capitalises a name's main words only, so lower-case words inside are kept and
    those after its last capitalised word dropped)."""
    for match in _PLACE_PHRASE.finditer(sentence):
        phrase = match.group(1).split()
        capitalised = [i for i, w in enumerate(phrase) if w[0].isupper()]
        if capitalised and capitalised[0] == 0:
            yield " ".join(phrase[: capitalised[-1] + 1])


def counts(sentence: str, _clues: NameClues) -> Iterable[str]:
    """Numbers that can be a count or an amount: not years, ordinals or the day of a date; in figures or in
    words ("two", "Six-time", "twice", "hai lần")."""
    days = [m.span() for m in _DAY_OF_MONTH.finditer(sentence)]
    for m in _NUMBER_WORD.finditer(sentence):
        number = m.group(0).strip(".,")
        if YEAR.fullmatch(number) or ORDINAL_NUMBER.fullmatch(number) or any(a <= m.start() < b for a, b in days):
            continue  # "the 4th meeting" counts nothing
        yield m.group(0)
    yield from (m.group(0) for m in _NUMBER_NAME.finditer(sentence))


def ranks(sentence: str, clues: NameClues) -> Iterable[str]:
    yield from counts(sentence, clues)
    yield from (m.group(0) for m in _ORDINAL.finditer(sentence))


people = matches(_PEOPLE)
names = matches(_NAME)
weekdays = matches(_WEEKDAY)
days = matches(_DAY)
ordinals = matches(_ORDINAL)
buildings = matches(_BUILDING)
capitalised = matches(_CAPITALISED)
