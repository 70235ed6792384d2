"""Titles from each format's own title field or structure; never an editor's mode line."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ingest import _minimal_pdf

from ingest.loaders import load_document

MAN_PAGE = """GREP(1)                       User Commands                      GREP(1)

NAME
       grep, egrep, fgrep, rgrep - print lines that match patterns

SYNOPSIS
       grep [OPTION...] PATTERNS [FILE...]
"""


@pytest.mark.parametrize(
    ("name", "content", "title"),
    [
        ("README.txt", "-*- text -*-\n\nGNU Wget README\n\nWget is a free utility.\n", "GNU Wget README"),
        ("notes.txt", "# vim: set ts=4 sw=4:\n===========\nField notes\n===========\n", "Field notes"),
        ("grep.1.txt", MAN_PAGE, "grep, egrep, fgrep, rgrep - print lines that match patterns"),
        ("guide.md", "<!-- badges -->\n[![build](x.svg)](y)\n\nInstall\n=======\n\nText.\n", "Install"),
        ("doc.md", "Some intro line.\n\n## The `zstd` format\n\nText.\n", "The zstd format"),
        (
            "page.html",
            "<html><head><title>Ninja Manual</title></head><body><h1>Intro</h1></body></html>",
            "Ninja Manual",
        ),
        ("bare.html", "<html><body><h1>Users and groups</h1><p>Text.</p></body></html>", "Users and groups"),
    ],
)
def test_title_of_each_format(tmp_path: Path, name: str, content: str, title: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert load_document(path).title == title


def test_a_pdf_without_a_title_field_is_titled_by_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(_minimal_pdf(["Harbour cranes report", "Cranes lift containers."]))
    assert load_document(path).title == "Harbour cranes report"
