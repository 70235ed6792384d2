"""The learned refusal: fitted on dev runs only, stored as plain numbers, and used by every answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import NO_LOCAL_MODEL

from evals.calibrate import FEATURES, fit_refusal
from rag.answer.refusal import LEXICAL_SIGNALS, MODEL_FILE, RefusalModel
from rag.cli import main
from rag.service import RagService
from rag.settings import Settings


def _rows(n: int) -> list[dict[str, object]]:
    """Answerable questions have high coverage and cosines, unanswerable ones low, with some overlap."""
    rows: list[dict[str, object]] = []
    for i in range(n):
        answerable = i % 3 != 0
        level = (0.55 if answerable else 0.25) + (i % 7) * 0.05
        signals = {f: level for f in FEATURES}
        signals["unknown"] = 0.0 if answerable else float(i % 2)
        rows.append({"id": f"q{i}", "answerable": answerable, "signals": signals, "mode": "hybrid"})
    return rows


def test_the_fit_separates_what_the_signals_separate_and_the_model_reads_back() -> None:
    fitted = fit_refusal(_rows(60))
    model = RefusalModel.from_dict(fitted)
    high = {f: 0.9 for f in FEATURES} | {"unknown": 0.0}
    low = {f: 0.2 for f in FEATURES} | {"unknown": 1.0}
    assert model.probability(high) > model.threshold > model.probability(low)
    assert fitted["fitted_on"]["cross_validated"]["refused_answerable"] <= 0.07


def test_the_shipped_model_names_only_signals_answers_carry(corpus_service: RagService) -> None:
    model = corpus_service.refusal
    assert model == RefusalModel.load(corpus_service.settings.embedding.model, MODEL_FILE)
    assert len(model.features) == len(model.coef) == len(model.mean) == len(model.scale)
    answer = corpus_service.ask("Who chaired the 6th ASEAN Digital Ministers' Meeting?", llm="none")
    assert set(model.features) <= set(answer.signals)
    assert answer.evidence == pytest.approx(model.probability(answer.signals), abs=1e-3)
    refused = corpus_service.ask(
        "What is the total budget allocated to implement the ASEAN Digital Masterplan 2026–2030?", llm="none"
    )
    assert refused.refused and refused.evidence < corpus_service.refusal_threshold


def test_calibrate_fits_on_dev_runs_and_refuses_test_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RAG_LLM_MODEL", NO_LOCAL_MODEL)
    for split in ("dev", "test"):
        run = tmp_path / split
        run.mkdir()
        (run / "summary.json").write_text(json.dumps({"suite": f"seeds-{split}"}), encoding="utf-8")
        (run / "results.jsonl").write_text("\n".join(json.dumps(r) for r in _rows(40)), encoding="utf-8")
    written = tmp_path / "model.json"
    assert main(["eval", "calibrate", str(tmp_path / "dev"), "--write", str(written)]) == 0
    assert RefusalModel.load("another-model", written).features == LEXICAL_SIGNALS
    assert RefusalModel.load(Settings().embedding.model, written).features == FEATURES
    assert main(["eval", "calibrate", str(tmp_path / "test")]) == 2


def test_a_question_is_refused_only_when_the_model_and_the_evidence_rule_agree() -> None:
    from rag.answer.refusal import refuses

    assert refuses(0.2, 0.6, {"evidence": 0.1}, 0.3)
    assert not refuses(0.2, 0.6, {"evidence": 0.5}, 0.3)  # strong evidence: the rule vetoes
    assert not refuses(0.9, 0.6, {"evidence": 0.1}, 0.3)  # the model vetoes
