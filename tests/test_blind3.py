"""The third blind set (evals/data/blind3.jsonl) loads, is well formed, and `rag eval blind3` exists."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.datasets import BLIND3_FILE, GOLD_FILE, blind3_suite, load_gold
from rag.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
TASKS = {"en-en", "vi-vi", "en-vi", "vi-en", "multi", "unanswerable"}


def test_blind3_file_is_well_formed() -> None:
    questions = load_gold(BLIND3_FILE, split="blind3")
    assert len(questions) >= 40
    assert len(questions) == len(load_gold(BLIND3_FILE))  # every row is in the "blind3" split
    ids = [q.id for q in questions]
    assert len(set(ids)) == len(ids) and all(i.startswith("b3-") for i in ids)
    assert not set(ids) & {q.id for q in load_gold(GOLD_FILE)}
    by_task = Counter(q.task for q in questions)
    assert set(by_task) == TASKS
    answerable = [q for q in questions if q.answerable]
    unanswerable = [q for q in questions if not q.answerable]
    assert answerable and unanswerable
    assert all(q.task == "unanswerable" and not q.answers and not q.sources for q in unanswerable)
    assert all(q.task != "unanswerable" and q.answers for q in answerable)
    corpus = {p.name for p in CORPUS.glob("*.txt")}
    for q in answerable:
        assert q.sources <= corpus, (q.id, sorted(q.sources - corpus))
    for q in questions:
        assert q.lang in ("en", "vi")
        if q.task in ("en-en", "en-vi", "vi-vi", "vi-en"):
            assert q.lang == q.task[:2], q.id


def test_blind3_rows_have_every_key() -> None:
    for line in BLIND3_FILE.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert set(row) == {"id", "question", "lang", "task", "answers", "sources", "answerable", "split", "note"}
        assert row["split"] == "blind3" and row["note"]


def test_blind3_suite_holds_the_whole_file_on_the_bundled_corpus() -> None:
    tasks = blind3_suite()
    assert {t.name for t in tasks} == TASKS
    assert all(t.documents is None for t in tasks)  # the bundled corpus
    assert sum(len(t.questions) for t in tasks) == len(load_gold(BLIND3_FILE))


def test_rag_eval_blind3_is_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["eval", "blind3", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--llm" in out and "--out" in out
