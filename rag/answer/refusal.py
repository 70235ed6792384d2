"""When to refuse, and what to say then.

Whether the documents hold the answer is decided by a small logistic regression over signals the
pipeline computes anyway (how much of the question the best sentence covers, how close the passages
are in meaning, whether the sentence holds the kind of thing asked for, names and numbers no document
has...). It is fitted on the dev questions only (``rag eval calibrate``) and stored beside this module
as plain numbers, so answering needs no scikit-learn and the decision is reproducible.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.answer.evidence import answer_evidence, sentence_evidence
from rag.answer.extractive import Candidate
from rag.types import Passage
from textproc.query_terms import QueryTerms

MODEL_FILE = Path(__file__).with_name("refusal_model.json")

REFUSALS = {
    "en": "The documents do not contain the answer to this question.",
    "vi": "Các tài liệu không chứa câu trả lời cho câu hỏi này.",
}
UNSUPPORTED_LANGUAGE = (
    "The documents do not contain the answer to this question. (Questions are answered in English and "
    "Vietnamese; this one seems to be in another language.)"
)


def refusal_text(language: str) -> str:
    return REFUSALS.get(language, UNSUPPORTED_LANGUAGE)


def signals(
    terms: QueryTerms,
    ranked: Sequence[Candidate],
    quoted: Sequence[Candidate],
    passages: Sequence[Passage],
    cosine: float | None = None,
) -> dict[str, float]:
    """What the refusal decides on, by name: values the pipeline has at hand, none tuned by hand.
    ``cosine``: the question's to the best sentence, when the embedding model reads both languages."""
    best = quoted[0] if quoted else None
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    dense = max((p.dense_score or 0.0 for p in passages), default=0.0)
    lexical = max((p.lexical_score or 0.0 for p in passages), default=0.0)
    evidence = max((answer_evidence(c.coverage, c.dense, terms, c.type_found, c.cross) for c in quoted), default=0.0)
    # A near miss shares most of the question's words but not the one that matters most ("budget").
    missing = [w for t, w in zip(terms.terms, terms.weights, strict=True) if best is None or t not in best.covered]
    return {
        "evidence": evidence,
        "sentence_evidence": sentence_evidence(best.coverage, best.dense) if best else 0.0,
        "coverage": best.coverage if best else 0.0,
        "heaviest_missing": max(missing, default=0.0) / terms.total if terms.total else 0.0,
        "sentence_score": best.score if best else 0.0,
        "margin": (best.score - runner_up) if best else 0.0,
        "dense": dense,
        "sentence_cosine": cosine if cosine is not None else dense,
        "lexical": math.log1p(max(0.0, lexical)),
        "type_asked": float(best is not None and best.type_found is not None),
        "type_missing": float(best is not None and best.type_found is False),
        "cross": float(best is not None and best.cross),
        "unknown": float(bool(terms.unknown)),
        "unknown_names": float(bool(terms.unknown_names)),
        "absent_share": terms.absent_share,
    }


# The signals by name, in the order the fitted models list them.
SIGNALS = (
    "evidence",
    "sentence_evidence",
    "coverage",
    "heaviest_missing",
    "sentence_score",
    "margin",
    "dense",
    "sentence_cosine",
    "lexical",
    "type_asked",
    "type_missing",
    "cross",
    "unknown",
    "unknown_names",
    "absent_share",
)
# The refusal fitted on the signals no embedding model scales serves collections embedded with another
# model than the one the full refusal was fitted with (cosines of other models sit in other bands).
_COSINE_SCALED = {"evidence", "sentence_evidence", "sentence_score", "margin", "dense", "sentence_cosine"}
LEXICAL_SIGNALS = tuple(s for s in SIGNALS if s not in _COSINE_SCALED)


def refuses(answerable: float, threshold: float, values: Mapping[str, float], evidence_floor: float) -> bool:
    """Refuse when the learned probability of an answer is below the threshold and the best sentence's
    evidence is below ``evidence_floor`` too (the rule of earlier releases). Fitted on news articles and
    near misses, the model alone refused more answerable questions on other text (XQuAD en→en 9.9 % →
    17.8 %); requiring both refuses fewer answerable questions than the rule alone on every set measured
    (docs/evaluation.md, "Learned refusal")."""
    return answerable < threshold and values.get("evidence", 0.0) < evidence_floor


@dataclass(frozen=True)
class RefusalModel:
    """P(the documents answer) = logistic(coef · standardised signals + intercept); refuse below ``threshold``."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    @classmethod
    def load(cls, embed_model: str, path: Path = MODEL_FILE) -> RefusalModel:
        """The full model for the embedding model it was fitted with, else the one on lexical signals."""
        data = json.loads(path.read_text(encoding="utf-8"))
        fitted = data["models"]["full" if embed_model == data["embed_model"] else "lexical"]
        return cls.from_dict(fitted)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RefusalModel:
        return cls(
            tuple(data["features"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["coef"]),
            float(data["intercept"]),
            float(data["threshold"]),
        )

    def probability(self, values: Mapping[str, float]) -> float:
        z = self.intercept + sum(
            c * (values.get(f, 0.0) - m) / s
            for f, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
