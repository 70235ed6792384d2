"""What a question asks for (a person, a date, a place, a count...) and whether a sentence holds it.

A question that asks "who" is answered by a sentence that names someone, "on what date" by one that
gives a day: a sentence without the asked-for kind cannot answer, however many of the question's words
it shares. That is the commonest shape of a plausible question the documents do not answer.
"""

from __future__ import annotations

import re
from functools import lru_cache

from textproc import entities
from textproc.entities import Finder, NameClues
from textproc.tokens import tokenize
from textproc.wordlists import alternation, cue

# What a question asks for: the cues of every language's data file (textproc/languages/*.toml).
_ASKS_PERSON = cue("person")
_ASKS_PEOPLE = cue("people")
_ASKS_NAME = cue("name")
_ASKS_WHERE = cue("where")
_ASKS_BUILDING = cue("building")
_ASKS_PLACE = cue("place")
_ASKS_COUNTRY = cue("country")
_ASKS_ORDINAL = cue("ordinal")
_ASKS_DATE = cue("date")
_ASKS_DAY = cue("day")
_ASKS_WEEKDAY = cue("weekday")
_ASKS_RANK = cue("rank")
_ASKS_NUMBER = cue("number")


def asks_for_person(question: str) -> bool:
    return entities.person_names in _asked(question)[0]


def asked_type_found(question: str, sentence: str, clues: NameClues = entities.NO_CLUES) -> bool | None:
    """Whether the sentence holds what the question asks for beyond what the question itself says
    (a person's name other than the question's for "who", a date for "when", a place after "in"/"ở"
    for "where", a count for "how many"); None when the question asks for no such kind. A sentence that
    only repeats the question's own names and numbers does not answer it: "Where was the X meeting
    held?" against "The X meeting was useful"."""
    asked, own = _asked(question)
    if not asked:
        return None
    return any(
        set(tokenize(found)) - own - entities.PLACE_PREPOSITIONS for find in asked for found in find(sentence, clues)
    )


@lru_cache(maxsize=1024)  # once per question, not once per sentence it is checked against
def _asked(question: str) -> tuple[tuple[Finder, ...], frozenset[str]]:
    """The finders for what the question asks for, and the question's own tokens."""
    day = _ASKS_DAY.search(question)
    weekday = _ASKS_WEEKDAY.search(question)
    kinds: list[tuple[re.Pattern[str] | None, Finder]] = [
        (_ASKS_PERSON, entities.person_names),
        (_ASKS_PEOPLE, entities.people),
        (_ASKS_NAME, entities.names),
        (_ASKS_WEEKDAY, entities.weekdays),
        (None if weekday else _ASKS_DAY, entities.days),
        (None if day or weekday else _ASKS_DATE, entities.dates),
        (_ASKS_NUMBER, entities.counts),
        (_ASKS_RANK, entities.ranks),
        (_ASKS_WHERE, entities.places),
        (_ASKS_BUILDING, entities.buildings),
        (_ASKS_PLACE, entities.capitalised),
        (_ASKS_COUNTRY, entities.country_names),
        (_ASKS_ORDINAL, entities.ordinals),
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
