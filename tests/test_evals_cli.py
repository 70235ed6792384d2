"""`rag eval` end to end on a few questions (the full runs stay out of CI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import NO_LOCAL_MODEL

from evals.datasets import load_gold
from evals.report import ANSWERS, CITATIONS, REFUSALS, RETRIEVAL
from rag.cli import main

EXPECTED_METRICS = set(RETRIEVAL + ANSWERS + CITATIONS + REFUSALS) | {"latency_p50_ms", "latency_p95_ms"}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("RAG_LLM_MODEL", NO_LOCAL_MODEL)
    return tmp_path


def _check_run(out: Path, modes: set[str]) -> dict[str, object]:
    for name in ("summary.json", "results.jsonl", "report.md", "metrics_by_task.png", "latency.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["modes"]) == modes
    for data in summary["modes"].values():
        assert set(data["overall"]) >= EXPECTED_METRICS
        for task in data["tasks"].values():
            assert set(task) >= EXPECTED_METRICS
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows and {"id", "task", "lang", "question", "retrieved", "answer", "citations", "metrics"} <= set(rows[0])
    assert (out / "metrics_by_task.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return summary


def test_seeds_dev_with_all_retrievers_and_compare(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = env / "run-a"
    assert main(["eval", "seeds", "--split", "dev", "--retrieval", "all", "--out", str(out), "--quiet"]) == 0
    summary = _check_run(out, {"hybrid", "dense", "bm25"})
    hybrid = summary["modes"]["hybrid"]  # type: ignore[index]
    assert hybrid["overall"]["questions"] == len(load_gold(split="dev"))
    assert {"en-en", "vi-vi", "en-vi", "vi-en", "multi", "unanswerable"} == set(hybrid["tasks"])
    # Same-language questions are what the default model handles: the gold document is found.
    assert hybrid["tasks"]["en-en"]["hit@5"] >= 0.9 and hybrid["tasks"]["vi-vi"]["hit@5"] >= 0.9
    assert hybrid["tasks"]["unanswerable"]["hit@5"] is None  # retrieval metrics need a gold document
    assert hybrid["overall"]["refusal_recall"] is not None
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Retrievers side by side" in report and "| en-en |" in report
    capsys.readouterr()

    out_b = env / "run-b"
    assert main(["eval", "seeds", "--split", "dev", "--out", str(out_b), "--quiet"]) == 0
    assert main(["eval", "compare", str(out), str(out_b)]) == 0
    text = capsys.readouterr().out
    assert "[hybrid] en-en" in text and "hit@1" in text and "+0.000" in text  # same settings, same numbers


@pytest.mark.timeout(900)  # ingests 720 XQuAD paragraphs (~75 s on two idle cores, several times that on busy ones)
def test_xquad_limited_run(env: Path) -> None:
    out = env / "xq"
    tasks_arg = "en-en,vi-en,mixed-vi"
    assert main(["eval", "xquad", "--tasks", tasks_arg, "--limit", "6", "--out", str(out), "--quiet"]) == 0
    summary = _check_run(out, {"hybrid"})
    tasks = summary["modes"]["hybrid"]["tasks"]  # type: ignore[index]
    assert set(tasks) == {"en-en", "vi-en", "mixed-vi"} and tasks["en-en"]["questions"] == 6
    assert tasks["en-en"]["hit@5"] == 1.0  # the first six questions are about one well-matched paragraph set
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    for row in rows:
        if row["task"] == "mixed-vi":  # both parallel paragraphs answer it
            assert {s[:9] for s in row["gold_sources"]} == {"xquad-en-", "xquad-vi-"} and row["lang"] == "vi"
        else:
            assert row["gold_sources"] == [row["gold_sources"][0]] and row["gold_sources"][0].startswith("xquad-en-")


def test_bad_eval_arguments_are_one_line_errors(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "xquad", "--tasks", "en-fr", "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown XQuAD tasks")
    assert main(["eval", "compare", str(env / "nope"), str(env / "nope")]) == 2


def test_calibration_on_hand_made_rows() -> None:
    from evals.calibrate import calibrate

    rows = [
        {"evidence": e, "answerable": a}
        for e, a in [(0.1, False), (0.2, False), (0.3, True), (0.5, False), (0.6, True), (0.7, True), (0.9, True)]
    ]
    # Thresholds up to 0.30 refuse only the two lowest (both unanswerable): F1 = 2*2/(2*2+0+1) = 0.8.
    # Above 0.30 the answerable 0.3 is refused too (1 of 4 = 25% > 10%): not allowed.
    result = calibrate(rows)
    assert result.threshold == pytest.approx(0.21) and result.refusal_f1 == pytest.approx(0.8)
    assert result.refused_answerable == 0.0 and result.refused_unanswerable == pytest.approx(2 / 3, abs=1e-4)


def test_calibration_ties_go_to_the_lower_threshold_whatever_the_rounding() -> None:
    from evals.calibrate import calibrate

    # Every threshold from 0.11 to 0.50 refuses the 0.1 alone: F1 = 2/(2+4) = 1/3, which rounds to
    # 0.3333, less than 1/3; above 0.50 the answerable 0.5 would be refused (100% > 10%).
    cases = [(0.1, False), *[(0.95, False)] * 4, (0.5, True)]
    rows = [{"evidence": e, "answerable": a} for e, a in cases]
    assert calibrate(rows).threshold == pytest.approx(0.11)


def test_judge_metrics_come_from_the_llm_and_are_absent_without_one(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ollama_stub import OllamaStub, Reply

    with OllamaStub(default=Reply(content="NO")) as stub:
        stub.script(*[Reply(content="YES")] * 4)  # the first two judged questions: both verdicts YES
        monkeypatch.setenv("OLLAMA_HOST", stub.url)
        monkeypatch.setenv("RAG_LLM_MODEL", NO_LOCAL_MODEL)
        monkeypatch.setenv("RAG_OLLAMA_MODEL", "qwen2.5:3b")
        out = env / "judged"
        assert main(["eval", "seeds", "--split", "dev", "--judge", "--out", str(out), "--quiet"]) == 0
        overall = json.loads((out / "summary.json").read_text(encoding="utf-8"))["modes"]["hybrid"]["overall"]
        judged = [r for r in stub.requests if "Reply with one word" in r["messages"][0]["content"]]
    assert len(judged) >= 4
    assert 0.0 < overall["judge_faithfulness"] < 1.0  # 2 YES among the NO verdicts
    assert "LLM judge" in (out / "report.md").read_text(encoding="utf-8")

    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("RAG_LLM_MODEL", NO_LOCAL_MODEL)
    out = env / "unjudged"
    assert main(["eval", "seeds", "--split", "dev", "--judge", "--out", str(out), "--quiet"]) == 0
    assert "no judge metrics" in capsys.readouterr().err
    overall = json.loads((out / "summary.json").read_text(encoding="utf-8"))["modes"]["hybrid"]["overall"]
    assert "judge_faithfulness" not in overall and "judge_correctness" not in overall


def test_seeds_can_run_some_tasks_only(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = env / "cross"
    assert main(["eval", "seeds", "--split", "dev", "--tasks", "en-vi,vi-en", "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["modes"]["hybrid"]["tasks"]) == {"en-vi", "vi-en"}
    assert summary["suite"] == "seeds-dev-en-vi+vi-en"  # not a dev run that calibration would take as whole
    capsys.readouterr()
    assert main(["eval", "seeds", "--tasks", "en-fr"]) == 2
    assert "unknown task(s) ['en-fr']" in capsys.readouterr().err


def test_an_eval_collection_holds_only_its_own_documents(env: Path) -> None:
    from evals.datasets import Task
    from evals.runner import prepare
    from rag.service import RagService
    from rag.settings import Settings

    ours, other = env / "checkout-a" / "docs", env / "checkout-b" / "docs"
    for folder in (ours, other):
        folder.mkdir(parents=True)
        (folder / "alpacas.txt").write_text("The alpaca herd grazes in the Andes every summer.\n", encoding="utf-8")
    service = RagService(Settings(home=env / "home", llm="none"))
    service.ingest([other], collection="eval-x", show_progress=False)  # another checkout's run, same home
    reports = prepare(service, [Task("t", "eval-x", ours)], show_progress=False)
    assert [Path(s.path).parent for s in service.sources("eval-x")] == [ours.resolve()]
    assert reports["eval-x"]["removed"] == ["checkout-b/docs/alpacas.txt"]
