"""What a question asks for (a person, a date, a place, a count...) and whether a sentence holds it.

A question that asks "who" is answered by a sentence that names someone, "on what date" by one that
gives a day: a sentence without the asked-for kind cannot answer, however many of the question's words
it shares. That is the commonest shape of a plausible question the documents do not answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from vectorstore.lexical import tokenize

_UPPER = "A-ZÀ-ỸĐ"
# Capitalised function words start sentences, not names ("The Secretary-General" is no one's name).
_NOT_NAME = (
    r"(?!(?:The|A|An|In|On|At|As|For|With|By|From|This|That|These|Those|Its|His|Her|Their|Our|Các|Những|Ông|Bà)\b)"
)
_NAME = re.compile(rf"(?<![.!?]\s)\b{_NOT_NAME}[{_UPPER}][\w'’-]+(?:\s+[{_UPPER}][\w'’-]+){{1,7}}")
_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|(?:19|20)\d\d)\b|\btháng\s+\d{1,2}\b|\bngày\s+\d{1,2}",
    re.IGNORECASE,
)

_ORDINAL = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|\d+(st|nd|rd|th))\b|\b(thứ|lần)\s+\w+|đầu tiên", re.IGNORECASE
)

_ASKS_PERSON = re.compile(
    r"\b(who|whom|whose)\b|\b(which|what) (minister|official|person|leader|chair|president|representative)\b"
    r"|(?-i:\b[Aa]i\b)|\bngười nào\b|\bvị( \w+){1,3} nào\b|\b(ông|bà) nào\b",
    re.IGNORECASE,
)
# "Những ai" (who, plural) asks for kinds of people as often as for names: "policymakers and experts".
_ASKS_PEOPLE = re.compile(r"\bnhững ai\b|\bnhững người nào\b", re.IGNORECASE)
_PEOPLE = re.compile(
    r"\b(?:officials|experts|representatives|leaders|ministers|delegates|delegations|partners|policymakers"
    r"|businesses|companies|participants|nhà hoạch định|chuyên gia|đại diện|quan chức|lãnh đạo|bộ trưởng"
    r"|đại biểu|đối tác|doanh nghiệp)\b",
    re.IGNORECASE,
)
_ASKS_NAME = re.compile(r"\bwhich (organi[sz]ation|agency|body)\b|\b(tổ chức|cơ quan) nào\b", re.IGNORECASE)
# "Where", and the venues a place phrase ("in/at/tại/ở ...") answers: "which convention centre",
# "trung tâm hội nghị nào", "địa điểm nào".
_ASKS_WHERE = re.compile(
    r"\bwhere\b|\bở đâu\b|\btại đâu\b|\bnơi nào\b|\bwhich (\w+ )?(venue|centre|center|hall|hotel|building)\b"
    r"|\b(trung tâm|địa điểm|khách sạn|tòa nhà)( \w+){0,2} nào\b",
    re.IGNORECASE,
)
_ASKS_PLACE = re.compile(
    r"\b(in )?which (country|countries|city|nation|venue)\b|\b(nước|quốc gia|thành phố) nào\b", re.IGNORECASE
)
_ASKS_ORDINAL = re.compile(r"\bthứ mấy\b|\bwhich (edition|time)\b|\blần thứ mấy\b", re.IGNORECASE)
_ASKS_DATE = re.compile(
    r"\bwhen\b|\bwhat (\w+ )?(date|day|year|month)\b|\bkhi nào\b|\bbao giờ\b|\bngày nào\b|\bnăm nào\b|\btháng nào\b|\blúc nào\b",
    re.IGNORECASE,
)
# "On what date", "which day", "hôm nào": a day, not just a year or a month ("in 2026" does not answer).
_ASKS_DAY = re.compile(
    r"\b(what|which) (\w+ )?(date|day)\b|\bngày nào\b|\bhôm nào\b|\bngày bao nhiêu\b|\bngày tháng nào\b",
    re.IGNORECASE,
)
_ASKS_NUMBER = re.compile(
    r"\bhow (many|much)\b|\bwhat (percentage|share|number|rate)\b|\bbao nhiêu\b|\bmấy\b|\bphần trăm\b"
    r"|\b(budget|cost|price|worth|funding)\b|\b(ngân sách|kinh phí|chi phí|giá trị)\b",
    re.IGNORECASE,
)

_PLACE_PHRASE = re.compile(r"\b(?:in|at|tại|ở)\s+(\w[\w'’-]*(?:\s+[\w'’-]+){0,4})")


Finder = Callable[[str, frozenset[str]], Iterable[str]]


def asked_type_found(question: str, sentence: str, common: frozenset[str] = frozenset()) -> bool | None:
    """Whether the sentence holds what the question asks for beyond what the question itself says
    (a person's name other than the question's for "who", a date for "when", a place after "in"/"ở"
    for "where", a count for "how many"); None when the question asks for no such kind. A sentence that
    only repeats the question's own names and numbers does not answer it: "Where was the X meeting
    held?" against "The X meeting was useful". ``common``: words the documents write in lower case
    (see common_words), which are no one's name when capitalised ("the Opening Ceremony")."""
    asked, own = _asked(question)
    if not asked:
        return None
    return any(set(tokenize(found)) - own - _PLACE_WORDS for find in asked for found in find(sentence, common))


_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]+")


def common_words(texts: Iterable[str]) -> frozenset[str]:
    """Words written in lower case somewhere in English ``texts``: capitalised in a title, an event or
    a slogan ("Opening Ceremony", "Our Shared Future") they are still words, where a person's name
    ("Kao Kim Hourn", "Amandeep Singh Gill") is never written in lower case. Only English text:
    Vietnamese syllables such as "kim" or "minh" are also words there."""
    return frozenset(w for text in texts for w in _LOWER_WORD.findall(text))


@lru_cache(maxsize=1024)  # once per question, not once per sentence it is checked against
def _asked(question: str) -> tuple[tuple[Finder, ...], frozenset[str]]:
    """The finders for what the question asks for, and the question's own tokens."""
    asked: list[Finder] = []
    if _ASKS_PERSON.search(question):
        asked.append(_person_names)
    if _ASKS_PEOPLE.search(question):
        asked.append(_finder(_PEOPLE))
    if _ASKS_NAME.search(question):
        asked.append(_finder(_NAME))
    if _ASKS_DAY.search(question):
        asked.append(_finder(_DAY))
    elif _ASKS_DATE.search(question):
        asked.append(_finder(_DATE))
    if _ASKS_NUMBER.search(question):
        asked.append(_counts)
    if _ASKS_WHERE.search(question):
        asked.append(_places)
    if _ASKS_PLACE.search(question):
        asked.append(_finder(_CAPITALISED))
    if _ASKS_ORDINAL.search(question):
        asked.append(_finder(_ORDINAL))
    return tuple(asked), frozenset(tokenize(question))


def _finder(pattern: re.Pattern[str]) -> Finder:
    return lambda text, _common: (m.group(0) for m in pattern.finditer(text))


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


def _person_names(sentence: str, common: frozenset[str]) -> Iterable[str]:
    """Runs of capitalised words with no acronym and no institution or title word in them: "Kao Kim
    Hourn", "Nguyễn Mạnh Hùng"; not "ASEAN AI Safe Network" or "US-ABC Dinner Dialogue". A Vietnamese
    full name has three syllables or more (family, middle and given name), while two capitalised
    syllables are mostly places ("Việt Nam", "Hà Nội"), so Vietnamese runs need three. A word the
    documents write in lower case (``common``) is not part of a name."""
    for match in _NAME.finditer(sentence):
        run: list[str] = []
        for word in [*match.group(0).split(), ""]:
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


def _places(sentence: str, _common: frozenset[str] = frozenset()) -> Iterable[str]:
    """Capitalised phrases after "in", "at", "tại", "ở": "in Thailand", "tại Trung tâm Hội nghị Quốc
    gia" (Vietnamese capitalises a name's main words only, so lower-case words inside are kept and
    those after its last capitalised word dropped)."""
    for match in _PLACE_PHRASE.finditer(sentence):
        words = match.group(1).split()
        capitalised = [i for i, w in enumerate(words) if w[0].isupper()]
        if capitalised and capitalised[0] == 0:
            yield " ".join(words[: capitalised[-1] + 1])


def _counts(sentence: str, _common: frozenset[str] = frozenset()) -> Iterable[str]:
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
# A day: "January 15", "15 tháng 1", "ngày 15", "2026-01-15", "15/1", or a weekday.
_DAY = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2}\b"
    r"|\b\d{1,2}\s+(?:tháng\s+\d{1,2}|January|February|March|April|May|June|July|August|September|October"
    r"|November|December)\b|\bngày\s+\d{1,2}|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}\b"
    r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\b(?:vào|hôm|ngày)\s+thứ\s+(?:hai|ba|tư|năm|sáu|bảy)\b"
    r"|\bchủ nhật\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"\b[A-ZĐ\u00c0-\u00de\u1ea0-\u1ef8][\w'’-]+")
_PLACE_WORDS = frozenset({"in", "at", "tại", "ở"})
