"""How well retrieved text covers a question: the signal behind sentence choice and refusals.

Coverage is IDF-weighted: a question word that is rare in the collection ("budget", "Timor-Leste")
weighs far more than one every document has ("ASEAN", "digital"), so a passage that matches only the
common words of a question is weak evidence, which is exactly the shape of a plausible question the
documents do not answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rag.text import content_terms, sentence_spans
from rag.types import Passage
from vectorstore.lexical import tokenize


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


def passage_evidence(terms: QueryTerms, passage: Passage) -> float:
    """The passage's best sentence: an answer is usually stated in one sentence, not spread thin."""
    dense = max(0.0, passage.dense_score or 0.0)
    text = passage.text
    best = max((terms.coverage(tokenize(text[s:e])) for s, e in sentence_spans(text)), default=0.0)
    return LEXICAL_WEIGHT * best + DENSE_WEIGHT * dense


def evidence(terms: QueryTerms, passages: Sequence[Passage]) -> float:
    """The strongest single passage's evidence."""
    return max((passage_evidence(terms, p) for p in passages), default=0.0)
