"""Undoing hard wrapping: FAQs, READMEs, man pages and text pulled out of PDFs break their paragraphs
into lines of ~72–80 columns, and a sentence splitter that takes each line break for a boundary quotes
them in fragments ("context of XZ Utils.", "When grep").

Written here because no maintained library reflows plain text while keeping its structure (lists,
option blocks, headings, preformatted text); measured against punkt per line and three segmenters on
606 hand-labelled sentences in docs/segmenters.md (boundary F1 0.722 -> 0.955 with punkt).
"""

from __future__ import annotations

import re

# Bump when the rules change: stored texts of an older version are re-read (see pipeline's fingerprint).
REFLOW_VERSION = "1"

_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•+–]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])[ \t]+\S")
_OPTION = re.compile(r"[ \t]*--?[A-Za-z0-9?]")
_RULE = re.compile(r"[ \t]*([-=~*_#+])\1{2,}[ \t]*$")  # ----- ===== ~~~~~ under or between headings
WIDEST_WRAP = 100  # a paragraph with a longer line is not hard-wrapped: its line breaks are meant


def reflow(text: str) -> str:
    """The text with each wrapped paragraph's line breaks turned into spaces (same length, so offsets
    into it hold for the original too). A break stays before a list item, an option line
    (``-i, --ignore-case``) or a line indented differently; where the next line's first word is not
    lower-case and would have fitted on the line (a heading, a caption, a list item's end); around a
    rule line; and in a paragraph with a line wider than WIDEST_WRAP. Blank lines stay."""
    lines = text.split("\n")
    keep = [True] * (len(lines) - 1)  # keep[i]: the break after lines[i]
    start = 0
    for end in [*(i for i, line in enumerate(lines) if not line.strip()), len(lines)]:
        paragraph = range(start, end)  # lines[start:end] has no blank line
        start = end + 1
        if len(paragraph) < 2:
            continue
        widest = max(_width(lines[i]) for i in paragraph)
        if widest > WIDEST_WRAP:
            continue
        for i in paragraph[:-1]:
            keep[i] = not _continues(lines[i], lines[i + 1], widest)
    return "".join(line + ("\n" if k else " ") for line, k in zip(lines, keep, strict=False)) + lines[-1]


def _continues(line: str, following: str, widest: int) -> bool:
    if _LIST_ITEM.match(following) or _OPTION.match(following) or _indent(following) != _indent(line):
        return False
    if _RULE.match(line) or _RULE.match(following):
        return False
    first_word = following.split()[0]
    fitted = _width(line) + 1 + len(first_word) <= widest and not first_word[0].islower()
    return not fitted


def _width(line: str) -> int:
    return len(line.rstrip().expandtabs(8))


def _indent(line: str) -> int:
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())
