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

# What a question can ask for, and the finder of that kind in a sentence. The cues that tell a question
# asks for it are every language's data (``[asks]`` in textproc/languages/*.toml).
KINDS: dict[str, Finder] = {
    "person": entities.person_names,
    "people": entities.people,
    "name": entities.names,
    "weekday": entities.weekdays,
    "day": entities.days,
    "date": entities.dates,
    "number": entities.counts,
    "rank": entities.ranks,
    "where": entities.places,
    "building": entities.buildings,
    "place": entities.capitalised,
    "country": entities.country_names,
    "ordinal": entities.ordinals,
}
_ASKS: dict[str, re.Pattern[str]] = {kind: cue(kind) for kind in KINDS}
# A kind not asked when the question asks for a finer one: "on which day" wants no year, "which weekday"
# no date.
_FINER = {"day": ("weekday",), "date": ("day", "weekday")}


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
    finer = {kind for kind, kinds in _FINER.items() if any(_ASKS[k].search(question) for k in kinds)}
    lead = _LEADING_CLAUSE.match(question)
    own_clause = lead.end() if lead else 0
    found = [
        (m.start(), find)
        for kind, find in KINDS.items()
        if kind not in finer and (m := _ASKS[kind].search(question, own_clause))
    ]
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


_SUBORDINATORS = alternation("subordinators")
_QUESTION_WORDS = alternation("question_words")
# A clause before the question's own, up to its comma, when a question word follows the comma.
_LEADING_CLAUSE = re.compile(
    rf"\s*(?:{_SUBORDINATORS})\b[^,?]*,\s*(?=(?:[\w'’-]+\s+){{0,3}}(?:{_QUESTION_WORDS})\b)", re.IGNORECASE
)
_QUESTION_WORD = re.compile(rf"\b(?:{_QUESTION_WORDS})\b", re.IGNORECASE)
_SUBORDINATOR = re.compile(rf"\b(?:{_SUBORDINATORS})\b", re.IGNORECASE)
# "When and where", "who or which body": question words this close to the first are asked too.
_SAME_QUESTION_WORD = 12
