"""How well retrieved text covers a question: the signal behind sentence choice and refusals.

Coverage is IDF-weighted: a question word that is rare in the collection ("budget", "Timor-Leste")
weighs far more than one every document has ("ASEAN", "digital"), so a passage that matches only the
common words of a question is weak evidence, which is exactly the shape of a plausible question the
documents do not answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rag.text import content_terms


@dataclass(frozen=True)
class QueryTerms:
    terms: tuple[str, ...]
    weights: tuple[float, ...]

    @classmethod
    def of(cls, question: str, idf: Callable[[str], float]) -> QueryTerms:
        terms = tuple(content_terms(question))
        return cls(terms, tuple(idf(t) for t in terms))

    @property
    def total(self) -> float:
        return sum(self.weights)

    def coverage(self, tokens: Iterable[str]) -> float:
        """Share of the question's IDF mass present in ``tokens`` (0 when the question has no terms)."""
        if not self.terms:
            return 0.0
        present = set(tokens)
        return sum(w for t, w in zip(self.terms, self.weights, strict=True) if t in present) / self.total


# Weights of the two signals in the evidence score, and the refusal threshold in Settings, chosen on
# the dev half of data/gold/corpus_qa.jsonl by bench/core_questions.py --calibrate: the threshold that
# maximises refusal F1 while refusing at most 10% of the answerable questions.
LEXICAL_WEIGHT = 0.9
DENSE_WEIGHT = 0.1


def sentence_evidence(coverage: float, dense: float) -> float:
    """Evidence that one sentence answers: an answer is usually stated in one sentence, not spread thin.
    The answer's evidence is the best sentence's, computed once with the extractive candidates."""
    return LEXICAL_WEIGHT * coverage + DENSE_WEIGHT * max(0.0, dense)
