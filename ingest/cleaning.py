"""Text normalisation applied to every document before chunking; offsets refer to its output."""

from __future__ import annotations

import re
import unicodedata

# Control characters other than tab and newline, zero-width marks and the BOM carry no meaning here
# and break sentence splitting and matching.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")
# Terminal colour and cursor codes ("\x1b[31m") pasted from a console: their printable tail ("[31m")
# would read as a number no document has.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """NFC (Vietnamese is often typed decomposed), unified newlines, no invisible characters."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ANSI_ESCAPE.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = _TRAILING_SPACE.sub("\n", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()
