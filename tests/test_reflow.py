"""Hard-wrapped text: a paragraph's wrapped lines are one run of prose, its structure stays."""

from __future__ import annotations

from pathlib import Path

from conftest import make_settings

from ingest.reflow import reflow
from rag.service import RagService
from textproc.sentences import sentence_spans

FAQ = """Frequently asked questions
==========================

Why does the archiver keep a copy of every file it touches in the
staging area?  Because the staging area lets an interrupted run resume
from the last file that was fully written, instead of starting again.

Options:
  -k, --keep
         Keep the staging area after a successful run, which is useful
         when debugging a failing archive.
  - first item of a list
  - second item
"""


def test_reflow_joins_wrapped_prose_and_keeps_headings_options_and_lists() -> None:
    flowed = reflow(FAQ)

    assert len(flowed) == len(FAQ)
    lines = flowed.splitlines()
    assert lines[:2] == ["Frequently asked questions", "=========================="]
    assert lines[3].startswith("Why does the archiver") and lines[3].endswith("instead of starting again.")
    assert "  -k, --keep" in lines and "  - first item of a list" in lines and "  - second item" in lines
    assert any(line.strip().startswith("Keep the staging area") and line.endswith("archive.") for line in lines)
    sentences = [flowed[s:e] for s, e in sentence_spans(flowed)]
    assert (
        "Because the staging area lets an interrupted run resume from the last file that was fully written, "
        "instead of starting again." in sentences
    )


def test_a_hard_wrapped_paragraph_is_quoted_as_one_whole_sentence(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "FAQ.txt").write_text(FAQ, encoding="utf-8")
    service = RagService(make_settings(tmp_path / "home"))
    service.ingest([docs])

    answer = service.ask("What does the staging area let an interrupted run do?", llm="none")

    assert not answer.refused
    whole = (
        "Because the staging area lets an interrupted run resume from the last file that was fully written, "
        "instead of starting again."
    )
    assert whole in answer.text, answer.text


MAN_PARAGRAPH = """       A  crontab file contains instructions to the cron(8) daemon of the gen\u2010
       eral form: ``run this command at this time on this date''.  Each user
       has their own crontab, and commands in any given crontab will be exe\u2010
       cuted as the user who owns the crontab.
"""


def test_a_word_hyphenated_across_lines_is_written_whole() -> None:
    flowed = reflow(MAN_PARAGRAPH)

    assert len(flowed) == len(MAN_PARAGRAPH)
    sentences = [" ".join(flowed[s:e].split()) for s, e in sentence_spans(flowed)]
    assert (
        "A crontab file contains instructions to the cron(8) daemon of the general form: "
        "``run this command at this time on this date''." in sentences
    )
    assert (
        "Each user has their own crontab, and commands in any given crontab will be executed as the user who "
        "owns the crontab." in sentences
    )


def test_a_plain_hyphen_at_a_break_goes_only_when_the_document_writes_the_word_whole() -> None:
    text = (
        "The resul-\ntant space is resultant.\nAn upward-\ncompatible one, made by hand.\n"
        "At a kept break, before a list: re-\n- item\n"
    )
    flowed = reflow(text)

    assert len(flowed) == len(text)
    assert "The resultant" in flowed and "upward-compatible" in flowed
    assert "re-\n" in flowed  # "- item" starts no word


def test_a_hyphenated_word_is_whole_at_a_break_that_stays() -> None:
    wide = (
        "A line of a PDF, laid out in a proportional font, runs far wider than the lines of a hard-wrapped text file."
    )
    text = f"{wide}\nrestart the cycle with the resul-\ntant pattern space, resultant of the last.\n"
    flowed = reflow(text)

    assert len(flowed) == len(text)
    assert "with the resultant\n" in flowed  # the break is kept (a wide paragraph), the word is whole


def test_a_line_opening_with_a_number_or_an_option_goes_on_the_sentence_before() -> None:
    text = (
        "The default block size increases with the level. For example, xz -6 uses 8 MiB dictionary and\n"
        "24 MiB blocks, and xz -9 uses 64 MiB blocks. Before 3.4.0 it was hard; try using the\n"
        "--track-origins=yes option.\n"
        "\n"
        "Options:\n"
        "-a\n"
        "-b\n"
        "\n"
        "# run five minutes after midnight, every day\n"
        "5 0 * * *       $HOME/bin/daily.job\n"
        "15 14 1 * *     $HOME/bin/monthly\n"
    )
    flowed = reflow(text)
    assert len(flowed) == len(text)
    sentences = [" ".join(flowed[s:e].split()) for s, e in sentence_spans(flowed)]
    assert "For example, xz -6 uses 8 MiB dictionary and 24 MiB blocks, and xz -9 uses 64 MiB blocks." in sentences
    assert "Before 3.4.0 it was hard; try using the --track-origins=yes option." in sentences
    lines = flowed.splitlines()
    assert {"-a", "-b", "# run five minutes after midnight, every day", "5 0 * * *       $HOME/bin/daily.job"} <= set(
        lines
    )
