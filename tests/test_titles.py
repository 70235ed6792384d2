"""Titles from each format's own title field or structure; never an editor's mode line."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ingest import _minimal_pdf

from ingest.furniture import joined_pages, without_running_lines
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


MAN_PAGE_WITH_FOOTER = (
    MAN_PAGE
    + """
DESCRIPTION
       grep searches for PATTERNS in each FILE.

GNU grep 3.8                      2019-12-29                           GREP(1)
"""
)


def test_a_man_pages_running_header_and_footer_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "grep.1.txt"
    path.write_text(MAN_PAGE_WITH_FOOTER, encoding="utf-8")

    document = load_document(path)

    assert document.title == "grep, egrep, fgrep, rgrep - print lines that match patterns"
    assert document.text.startswith("NAME\n")
    assert document.text.endswith("grep searches for PATTERNS in each FILE.")
    assert "User Commands" not in document.text and "2019-12-29" not in document.text


THIRD_PARTY = Path(__file__).resolve().parent.parent / "evals" / "data" / "thirdparty" / "docs"


@pytest.mark.parametrize(
    ("name", "title", "furniture"),
    [
        # Made with enscript and ps2pdf: a header with the date and the page number tops every page.
        ("valgrind/FAQ.pdf", "Valgrind FAQ", "Sun Dec 06 05:52:38 2026"),
        # Made with groff: the man page's header and footer on every page, and no /Title.
        ("sed/sed.1.pdf", "sed − stream editor for ﬁltering and transforming text", "User Commands"),
    ],
)
def test_a_pdfs_running_headers_and_footers_are_not_text(name: str, title: str, furniture: str) -> None:
    document = load_document(THIRD_PARTY / name)

    assert document.title == title
    assert furniture not in document.text
    assert "GNU sed 4.9 January 2023" not in document.text


def test_running_lines_are_those_most_pages_repeat_page_numbers_aside() -> None:
    pages = [
        "Report  page 1\nCranes lift containers.\nHarbour Co.",
        "Report  page 2\nShips berth at dawn.\nHarbour Co.",
    ]
    assert without_running_lines(pages) == ["Cranes lift containers.", "Ships berth at dawn."]
    assert without_running_lines(pages[:1]) == pages[:1]  # one page tells nothing
    different = ["Chapter one\nText.", "Chapter two\nMore text."]
    assert without_running_lines(different) == different


def test_a_page_going_on_in_lower_case_continues_the_paragraph() -> None:
    assert joined_pages(["The cycle restarts with the", "pattern space.", "New section"]) == (
        "The cycle restarts with the\npattern space.\n\nNew section"
    )
