"""Page furniture: the running headers and footers that rendered man pages and paginated PDFs repeat.

They state nothing ("GREP(1)   User Commands   GREP(1)", "README  Sun Dec 06 05:52:34 2026  2"), yet a
short line full of the document's name matches a question about it closely, so they were quoted as
answers; inside a PDF they also cut a paragraph running over a page break in two. No maintained
library strips them from extracted text (pypdf has no layout analysis of headers), hence this.
"""

from __future__ import annotations

import re
from collections import Counter

# The running header of a rendered man page: "GREP(1)   User Commands   GREP(1)".
MAN_HEADER = re.compile(r"^\s*([\w.:+-]+)\((\w+)\)\s.*\b\1\(\2\)\s*$")
# A man page's footer lays out two or three fields across the line ("GNU grep 3.8   2019-12-29
# GREP(1)", "BSD   November 28, 2022   BSD"): fields apart by wide gaps.
_FIELD_GAP = re.compile(r"\S\s{3,}\S")
_DIGITS = re.compile(r"\d+")
# A line repeated at the top (or bottom) of at least this share of a PDF's pages is furniture.
RUNNING_SHARE = 0.5


def without_man_furniture(text: str) -> str:
    """A rendered man page (``man -P cat``) without its header line and its footer line; any other
    text as it is."""
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled or not MAN_HEADER.match(lines[filled[0]]):
        return text
    drop = {filled[0]}
    last = lines[filled[-1]]
    if len(filled) > 1 and _FIELD_GAP.search(last) and len(last.strip()) <= 100:
        drop.add(filled[-1])
    return "\n".join(line for i, line in enumerate(lines) if i not in drop).strip("\n")


def without_running_lines(pages: list[str]) -> list[str]:
    """The pages without the first (and last) line when, page numbers aside, the same line opens (or
    closes) most pages: a running header or footer. A document of one page has none to tell."""
    split = [page.strip("\n").split("\n") for page in pages]
    if len(split) < 2:
        return pages
    for end in (0, -1):
        keys = [_DIGITS.sub("#", lines[end].strip()) if lines and lines[end].strip() else None for lines in split]
        counts = Counter(key for key in keys if key)
        running = {key for key, n in counts.items() if n >= 2 and n >= RUNNING_SHARE * len(split)}
        split = [
            (lines[1:] if end == 0 else lines[:-1]) if key in running else lines
            for lines, key in zip(split, keys, strict=True)
        ]
    return ["\n".join(lines) for lines in split]


def joined_pages(pages: list[str]) -> str:
    """Pages as one text: a page that goes on with a lower-case word continues the paragraph the page
    before ended in; otherwise a blank line parts them."""
    parts = [page.strip("\n").rstrip() for page in pages if page.strip()]
    if not parts:
        return ""
    out = parts[0].lstrip()
    for page in parts[1:]:
        out += ("\n" if page.lstrip()[0].islower() else "\n\n") + page
    return out
