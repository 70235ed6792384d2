"""Language-neutral keys of a text: months, ordinals and countries written so that an English text and a
Vietnamese one that name the same ("January 16" / "16 tháng 1", "the fifth" / "lần thứ năm", "Japan" /
"Nhật Bản") share them. Retrieval's sentence scores, the extractive reader and the check on the LLM's
translations all match on them; numbers are tokens already (textproc.tokens).
"""

from __future__ import annotations

import re
from functools import lru_cache

from textproc.countries import countries
from textproc.wordlists import words

MONTHS_EN = tuple(m.lower() for m in words("months", "en"))
ORDINALS_EN = words("ordinals", "en")
_NUMBERS_VI = words("numbers", "vi")
_MONTH_EN = re.compile(r"\b(" + "|".join(MONTHS_EN) + r")\b", re.IGNORECASE)
_MONTH_VI = re.compile(r"\btháng\s+(\d{1,2})\b", re.IGNORECASE)
_ORDINAL_EN = re.compile(r"\b(?:(\d{1,3})(?:st|nd|rd|th)|(" + "|".join(ORDINALS_EN) + r"))\b", re.IGNORECASE)
_ORDINAL_VI = re.compile(r"\bthứ\s+(\d{1,3}|" + "|".join(_NUMBERS_VI) + r"|nhất)\b|đầu tiên", re.IGNORECASE)


_DOTTED = re.compile(r"\b[A-Z](?:\.[A-Z])+\.?")


def undotted(text: str) -> str:
    """Dotted abbreviations written as acronyms ("U.S." -> "US"), as a question and a document may
    spell the same one differently."""
    return _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)


@lru_cache(maxsize=8192)
def neutral_keys(text: str) -> frozenset[str]:
    """Language-neutral keys for months, ordinals and countries: "January 16" and "16 tháng 1" share
    ``month:1``, "5th", "fifth" and "lần thứ năm" share ``ord:5`` (and the number ``5``), "Thái Lan" and
    "Thailand" ``country:TH``. Numbers are tokens already."""
    keys = {f"month:{MONTHS_EN.index(m.group(1).lower()) + 1}" for m in _MONTH_EN.finditer(text)}
    keys.update(f"month:{int(m.group(1))}" for m in _MONTH_VI.finditer(text) if 1 <= int(m.group(1)) <= 12)
    ordinals = [
        int(m.group(1)) if m.group(1) else ORDINALS_EN.index(m.group(2).lower()) + 1 for m in _ORDINAL_EN.finditer(text)
    ]
    for m in _ORDINAL_VI.finditer(text):
        word = (m.group(1) or "nhất").lower()
        ordinals.append(int(word) if word.isdigit() else 1 if word == "nhất" else _NUMBERS_VI.index(word) + 1)
    keys.update(f"ord:{n}" for n in ordinals)
    keys.update(str(n) for n in ordinals)  # "lần thứ 6" asks about the 6 of "6th"
    keys.update(f"country:{code}" for _, code in countries(text))  # "Nhật Bản" and "Japan": ``country:JP``
    return frozenset(keys)
