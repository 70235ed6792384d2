"""The refusal threshold from a run: maximise refusal F1 while refusing at most a given share of the
answerable questions. Run it on the dev split only; the test split then measures the choice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


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
