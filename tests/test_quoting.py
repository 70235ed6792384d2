"""A quoted sentence from a hard-wrapped man page reads as one line: no indentation runs, no broken words."""

from __future__ import annotations

from pathlib import Path

from rag.service import RagService
from textproc.quoting import quoted

MAN_PAGE = """GZIP(1)                     General Commands Manual                    GZIP(1)

NAME
       gzip, gunzip, zcat - compress or expand files

ADVANCED USAGE
       The  GNU  tar  program  supports the -z option to invoke gzip transpar‐
       ently, and the archive keeps its non-
       setuid helper untouched.
"""


def test_indentation_and_line_end_hyphenation_leave_the_quote() -> None:
    assert quoted("mail is sent\n        to the user") == "mail is sent to the user"
    assert quoted("invoke gzip transpar‐\n       ently.") == "invoke gzip transpar‐ently."
    assert quoted("its non‐\n       setuid helper") == "its non‐setuid helper"  # a compound's hyphen is kept
    assert quoted("soft\u00adhy\u00ad\nphen") == "softhyphen"
    assert quoted("  Q:  Why?  ") == "Q: Why?"


def test_an_extractive_answer_quotes_a_wrapped_man_page_sentence_on_one_line(
    fresh_service: RagService, tmp_path: Path
) -> None:
    folder = tmp_path / "man"
    folder.mkdir()
    (folder / "gzip.1.txt").write_text(MAN_PAGE, encoding="utf-8")
    fresh_service.ingest([folder])

    answer = fresh_service.ask("Which GNU tar option invokes gzip?", llm="none")

    # groff's hyphenation (U+2010) goes; an explicit hyphen at a break ("non-" / "setuid") stays.
    assert "supports the -z option to invoke gzip transparently, and the archive keeps its non-setuid helper" in (
        answer.text
    )
    assert "  " not in answer.text and "\n" not in answer.text.split("[1]")[0]
    passage = answer.citations[0]
    assert "transparently," in passage.text and "GZIP(1)" not in passage.text  # whole words, no running header
