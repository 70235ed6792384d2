"""A document's title when its format has no title field: a Markdown heading, a man page's NAME line, or
the first line that reads as words (not an editor's mode line or a rule of ==== under nothing)."""

from __future__ import annotations

import re

from ingest.furniture import MAN_HEADER

TITLE_LIMIT = 120

# An Emacs mode line ("-*- text -*-", "-*- mode: org; coding: utf-8 -*-") or a vim modeline: editor
# settings, never a title.
_MODE_LINE = re.compile(r"-\*-.*-\*-|\b(?:vim?|ex):\s*(?:set?\s)?\w+=", re.IGNORECASE)
_HAS_WORD = re.compile(r"\w{2,}")


def text_title(text: str) -> str:
    """The title of plain text: a man page's NAME line, else the first line with words in it."""
    lines = text.splitlines()
    first = _first_nonblank(lines)
    # A man page opens with its running header, or, when that was stripped as furniture, with NAME.
    if MAN_HEADER.match(first) or first.strip() == "NAME":
        name = _man_name(lines)
        if name:
            return _shorten(name)
    for line in lines:
        line = line.strip().lstrip("#").strip()
        if line and _HAS_WORD.search(line) and not _MODE_LINE.search(line):
            return _shorten(line)
    return ""


def markdown_title(text: str) -> str:
    """The first heading of a Markdown document (ATX or setext), as its inline text."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            inline = tokens[i + 1]
            words = "".join(child.content for child in inline.children or [] if child.type in {"text", "code_inline"})
            if words.strip():
                return _shorten(words.strip())
    return ""


def _man_name(lines: list[str]) -> str:
    """The line(s) under NAME: "grep, egrep, fgrep - print lines that match patterns"."""
    for i, line in enumerate(lines):
        if line.strip() == "NAME":
            body: list[str] = []
            for following in lines[i + 1 :]:
                # It ends at a blank line or the next heading (a PDF's text keeps no indentation).
                if not following.strip() or (not following[:1].isspace() and following.strip().isupper()):
                    break
                body.append(following.strip())
            return " ".join(body)
    return ""


def _first_nonblank(lines: list[str]) -> str:
    return next((line for line in lines if line.strip()), "")


def _shorten(line: str) -> str:
    return line if len(line) <= TITLE_LIMIT else line[: TITLE_LIMIT - 1].rstrip() + "…"
