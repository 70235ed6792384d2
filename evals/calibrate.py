"""The refusal threshold from a run: maximise refusal F1 while refusing at most a given share of the
answerable questions. Run it on the dev split only; the test split then measures the choice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rag.answer.refusal import LEXICAL_SIGNALS, SIGNALS


@dataclass(frozen=True)
class Calibration:
    threshold: float
    refusal_f1: float
    refused_unanswerable: float
    refused_answerable: float


def calibrate(rows: Sequence[dict[str, Any]], max_refused_answerable: float = 0.10) -> Calibration:
    """Scan thresholds on the recorded evidence scores; ties go to the lower threshold."""
    scored = [(float(r["evidence"]), bool(r["answerable"])) for r in rows]
    n_answerable = sum(a for _, a in scored)
    n_unanswerable = len(scored) - n_answerable
    if not n_answerable or not n_unanswerable:
        raise ValueError("calibration needs both answerable and unanswerable questions")
    best: Calibration | None = None
    best_f1 = -1.0  # unrounded: comparing with the rounded best let every later tie replace it
    for step in range(0, 101):
        threshold = step / 100
        tp = sum(e < threshold and not a for e, a in scored)
        fp = sum(e < threshold and a for e, a in scored)
        fn = n_unanswerable - tp
        if fp / n_answerable > max_refused_answerable:
            break  # refusing only grows with the threshold
        f1 = 2 * tp / (2 * tp + fp + fn)
        if f1 > best_f1:
            best_f1 = f1
            best = Calibration(threshold, round(f1, 4), round(tp / n_unanswerable, 4), round(fp / n_answerable, 4))
    assert best is not None  # threshold 0 refuses nothing, so it always qualifies
    return best


# The signals the learned refusal reads (rag.answer.refusal.signals): all of them, chosen on the dev
# questions by cross-validated refusal F1 (docs/evaluation.md, "Learned refusal").
FEATURES = SIGNALS


def fit_refusal_models(
    rows: Sequence[dict[str, Any]],
    embed_model: str,
    max_refused_answerable: float = 0.07,
    evidence_floor: float = 0.30,
) -> dict[str, Any]:
    """What rag/answer/refusal_model.json holds: the model on every signal, for collections embedded
    with ``embed_model``, and one on the signals no embedding model scales, for any other."""
    return {
        "embed_model": embed_model,
        "models": {
            "full": fit_refusal(rows, FEATURES, max_refused_answerable, evidence_floor=evidence_floor),
            "lexical": fit_refusal(rows, LEXICAL_SIGNALS, max_refused_answerable, evidence_floor=evidence_floor),
        },
    }


def fit_refusal(
    rows: Sequence[dict[str, Any]],
    features: Sequence[str] = FEATURES,
    max_refused_answerable: float = 0.07,
    c: float = 0.1,
    folds: int = 5,
    evidence_floor: float = 0.30,
) -> dict[str, Any]:
    """The refusal model fitted on ``rows`` (one per question, with its signals), as stored in
    rag/answer/refusal_model.json. The threshold is chosen on cross-validated probabilities, so it is
    not set on answers the model has already seen; the coefficients then come from all rows."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    usable = [r for r in rows if r.get("signals")]  # no passages at all: refused before any model
    x = np.array([[float(r["signals"].get(f, 0.0)) for f in features] for r in usable])
    y = np.array([bool(r["answerable"]) for r in usable], dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    model = LogisticRegression(C=c, max_iter=1000)
    splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    held_out = cross_val_predict(model, z, y, cv=splits, method="predict_proba")[:, 1]
    # Only questions whose evidence is below the floor can be refused (rag.answer.refusal.refuses): the
    # others score above any threshold.
    weak = [float(r["signals"].get("evidence", 0.0)) < evidence_floor for r in usable]
    chosen = calibrate(
        [
            {"evidence": float(p) if w else 2.0, "answerable": bool(a)}
            for p, w, a in zip(held_out, weak, y, strict=True)
        ],
        max_refused_answerable,
    )
    model.fit(z, y)
    return {
        "features": list(features),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "threshold": chosen.threshold,
        "fitted_on": {
            "questions": len(usable),
            "answerable": int(y.sum()),
            "C": c,
            "max_refused_answerable": max_refused_answerable,
            "evidence_floor": evidence_floor,
            "cross_validated": {
                "folds": folds,
                "refusal_f1": chosen.refusal_f1,
                "refused_unanswerable": chosen.refused_unanswerable,
                "refused_answerable": chosen.refused_answerable,
            },
        },
    }
