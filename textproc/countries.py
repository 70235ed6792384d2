"""Country names in English and Vietnamese, from CLDR through Babel.

Two uses: a question that asks "which country" is answered by a sentence naming one, and a country
named in one language matches its name in the other ("Nhật Bản" / "Japan", "Thái Lan" / "Thailand"),
which no word overlap and few cosines see. Names are matched by whole words and capitalised as
written, so the common words among them ("chad", "turkey") never count.
"""

from __future__ import annotations

import re
from functools import lru_cache

# How the news writes some of the commonest ones, beside CLDR's names.
_EXTRA = {"Vietnam": "VN", "Viet Nam": "VN", "Mỹ": "US", "US": "US", "U.S.": "US", "UK": "GB", "America": "US"}
_WORD = re.compile(r"\w+(?:[.'’-]\w+)*\.?")
_POSSESSIVE = re.compile(r"['’]s$")  # "Việt Nam’s"
_LONGEST = 4  # words in the longest name looked up ("Bosnia and Herzegovina", "Cộng hòa Dân chủ Congo")


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Name -> ISO code; Babel is imported here, once, only when a text is looked at."""
    from babel import Locale

    names = {
        name: code
        for language in ("en", "vi")
        for code, name in Locale(language).territories.items()
        if code.isalpha() and len(code) == 2 and len(name.split()) <= _LONGEST  # countries, not regions
    }
    return names | _EXTRA


def names_of(code: str) -> list[str]:
    """Every name of a country by its ISO code: "JP" -> ["Japan", "Nhật Bản"]."""
    return [name for name, c in _names().items() if c == code]


@lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    return frozenset(name.split()[0] for name in _names())


@lru_cache(maxsize=8192)
def countries(text: str) -> tuple[tuple[str, str], ...]:
    """The countries a text names, as (name as written, ISO code), in order."""
    words = [_POSSESSIVE.sub("", m.group(0)) for m in _WORD.finditer(text)]
    first = _first_words()
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        name = _name_at(words, i) if words[i] in first or words[i].rstrip(".") in first else None
        found += [name] if name else []
        i += len(name[0].split()) if name else 1
    return tuple(found)


def _name_at(words: list[str], i: int) -> tuple[str, str] | None:
    """The longest country name starting at word ``i``, with its code."""
    names = _names()
    for n in range(min(_LONGEST, len(words) - i), 0, -1):
        phrase = " ".join(words[i : i + n])
        code = names.get(phrase) or names.get(phrase.rstrip("."))
        if code:
            return phrase, code
    return None
