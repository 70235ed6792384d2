"""A stored sentence as it is quoted in an answer.

Reflowing keeps a hard-wrapped paragraph's length (offsets into it must hold), so a man page's
sentence keeps the next line's indentation ("sent        to the user") and groff's hyphenation at a
line end ("transpar‐        ently"). The quote drops both spaces; the passage itself, with its
offsets, is untouched. The hyphen stays: groff writes a compound's own hyphen the same way
("non‐setuid"), and a kept hyphen never makes a wrong word.
"""

from __future__ import annotations

import re

# groff breaks words with U+2010 HYPHEN at a line end; a soft hyphen (U+00AD) is invisible anyway.
_BROKEN_WORD = re.compile(r"(?<=\w\u2010)\s+(?=[a-z])")
_SOFT_HYPHEN = re.compile(r"\u00ad\s*")
_SPACES = re.compile(r"\s+")


def quoted(sentence: str) -> str:
    """One line, single-spaced; a word hyphenated across a line break is written in one piece."""
    text = _SOFT_HYPHEN.sub("", sentence)
    text = _BROKEN_WORD.sub("", text)
    return _SPACES.sub(" ", text).strip()
