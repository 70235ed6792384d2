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
