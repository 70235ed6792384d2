"""Undoing hard wrapping: FAQs, READMEs, man pages and text pulled out of PDFs break their paragraphs
into lines of ~72–80 columns, and a sentence splitter that takes each line break for a boundary quotes
them in fragments ("context of XZ Utils.", "When grep").

Written here because no maintained library reflows plain text while keeping its structure (lists,
option blocks, headings, preformatted text); measured against punkt per line and three segmenters on
606 hand-labelled sentences in docs/segmenters.md (boundary F1 0.722 -> 0.955 with punkt).
"""

from __future__ import annotations

import re

# Bump when the rules change, here or in what the loaders strip (ingest/furniture.py): stored texts of
# an older version are re-read (see pipeline's fingerprint).
REFLOW_VERSION = "3"

_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•+–]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])[ \t]+\S")
_OPTION = re.compile(r"[ \t]*--?[A-Za-z0-9?]")
_COLUMNS = re.compile(r"\S(?: {3,}|\t)\S")  # a gap that lines up columns
_RULE = re.compile(r"[ \t]*([-=~*_#+])\1{2,}[ \t]*$")  # ----- ===== ~~~~~ under or between headings
WIDEST_WRAP = 100  # a paragraph with a longer line is not hard-wrapped: its line breaks are meant


def reflow(text: str) -> str:
    """The text with each wrapped paragraph's line breaks turned into spaces (same length, so offsets
    into it hold for the original too). A break stays before a list item, an option line
    (``-i, --ignore-case``; not one that goes on a sentence stopped mid-way) or a line indented
    differently; where the next line's first word is neither lower-case, a number nor an option and would
    have fitted on the line (a heading, a caption, a list item's end); between lines of numbers in
    columns; around a rule line; and in a paragraph with a line wider than WIDEST_WRAP. Blank lines stay. A word
    hyphenated at a line's end is written whole (see _unbroken), at a kept break too."""
    lines = text.split("\n")
    keep = [True] * (len(lines) - 1)  # keep[i]: the break after lines[i]
    vocabulary: set[str] | None = None
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
    out = []
    for i, k in enumerate(keep):
        if _BROKEN_WORD.search(lines[i]) and lines[i + 1].lstrip()[:1].islower():
            vocabulary = vocabulary if vocabulary is not None else {w.casefold() for w in _LETTERS.findall(text)}
            # Whole on this line; a kept break goes after the word, a joined one's space with the padding.
            head, lines[i + 1] = _unbroken(lines[i], lines[i + 1], vocabulary, "\n" if k else "")
            out.append(head)
        else:
            out.append(lines[i] + ("\n" if k else " "))
    return "".join(out) + lines[-1]


# A word broken across lines by hyphenation: "gen‐" / "eral form" (groff writes U+2010 there) or
# "resul-" / "tant pattern".
_BROKEN_WORD = re.compile(r"[^\W\d_]([-\u2010])$")
_LETTERS = re.compile(r"[^\W\d_]+")
_NON_SPACE = re.compile(r"\S*")


def _unbroken(line: str, following: str, vocabulary: set[str], separator: str) -> tuple[str, str]:
    """Two lines with a word hyphenated across them, the word written whole on the first ("general")
    with ``separator`` after it, the second padded with spaces to keep the length. groff's U+2010 is
    always a break's; a plain hyphen goes when the document writes the word whole elsewhere
    ("resultant"), else it stays ("upward-compatible")."""
    head = _LETTERS.findall(line)[-1]
    indent = len(following) - len(following.lstrip())
    tail = _LETTERS.match(following, indent)
    assert tail is not None  # the line goes on with a lower-case letter
    hyphen = "" if line.endswith("\u2010") or (head + tail.group(0)).casefold() in vocabulary else "-"
    word_end = _NON_SPACE.match(following, tail.end())
    assert word_end is not None  # matches the empty string at worst
    joined = line[:-1] + hyphen + following[indent : word_end.end()] + separator  # "ently." with its stop
    rest = following[word_end.end() :]
    return joined, " " * (len(line) + 1 + len(following) - len(joined) - len(rest)) + rest


def _continues(line: str, following: str, widest: int) -> bool:
    if _LIST_ITEM.match(following) or _indent(following) != _indent(line):
        return False
    if _OPTION.match(following) and not _option_in_prose(line):
        return False
    if _RULE.match(line) or _RULE.match(following):
        return False
    first_word = following.split()[0]
    if first_word[0].isdigit() and (_COLUMNS.search(line.strip()) or _COLUMNS.search(following.strip())):
        return False  # a table's row or a line of code ("5 0 * * *       $HOME/bin/daily.job")
    # A number or an option goes on a sentence as a lower-case word does ("uses 8 MiB dictionary and" /
    # "24 MiB blocks", "try using the" / "--track-origins=yes option."); list items were told apart above.
    opens = not (first_word[0].islower() or first_word[0].isdigit() or _OPTION.match(following))
    fitted = _width(line) + 1 + len(first_word) <= widest and opens
    return not fitted


def _option_in_prose(line: str) -> bool:
    """Whether an option opening the next line goes on this line's sentence: this line is prose (no option
    or list item of a list) that stops mid-sentence, as an option list's lines and its lead-in do not."""
    return not (_OPTION.match(line) or _LIST_ITEM.match(line) or line.rstrip().endswith((".", ":", ";", "!", "?")))


def _width(line: str) -> int:
    return len(line.rstrip().expandtabs(8))


def _indent(line: str) -> int:
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())
