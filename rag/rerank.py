"""Sentence-level rerank of the fused candidates.

A factoid question usually paraphrases one sentence of the passage that answers it, while BM25 and
the chunk embedding score the whole chunk. Sibling paragraphs of one article share most of their
vocabulary, so the chunk-level scores often put a sibling first; the passage whose single best
sentence holds most of the question's rare words is the likelier answer. Each candidate's score gets
a bonus for that: the idf-weighted share of the question's content terms found in its best sentence.

Sentences are the chunk's own, found at ingest (see textproc.sentences); each chunk's sentence tokens
are cached by value, so a chunk is tokenised once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from textproc.sentences import sentence_spans
from textproc.terms import content_terms
from textproc.tokens import tokenize

Span = tuple[int, int]


def question_terms(question: str) -> list[str]:
    """The question's BM25 word tokens without function words, in order, without repeats.

    The tokenizer's folded joins of neighbouring Vietnamese words ("ai đã" -> "aida") are left out:
    they are rare in passages, so they would weigh a lot and mostly match by accident (XQuAD even
    articles, vi→vi hit@1: 0.913 without them, 0.912 with them; mixed-vi 0.920 and 0.918).
    """
    return content_terms(question, joins=False)


@lru_cache(maxsize=16_384)
def sentence_token_sets(text: str, spans: tuple[Span, ...] | None = None) -> tuple[frozenset[str], ...]:
    """Each sentence's BM25 tokens (``spans``: the sentences stored with the chunk; None: split now);
    cached because the same chunks come back question after question."""
    found = spans if spans is not None else tuple(sentence_spans(text))
    return tuple(frozenset(tokenize(text[s:e])) for s, e in found)


def best_sentence_share(
    terms: Sequence[str], idf: dict[str, float], total: float, text: str, spans: tuple[Span, ...] | None = None
) -> float:
    """The largest idf-weighted share of ``terms`` that one sentence of ``text`` holds (0..1 of ``total``)."""
    if not terms or total <= 0:
        return 0.0
    best = 0.0
    for tokens in sentence_token_sets(text, spans):
        best = max(best, sum(idf[t] for t in terms if t in tokens))
    return best / total


def sentence_scores(
    question: str,
    cross_question: str,
    question_language: str,
    candidates: Sequence[tuple[str, str, tuple[Span, ...] | None]],
    idf: Callable[[str], float],
) -> list[float]:
    """Each (language, text, sentence spans) candidate's best-sentence share of the question's idf.

    Passages in another language are matched with ``cross_question`` (for an English question, its
    names and numbers only, as BM25 does), and their share is still taken of the whole question's
    idf, so that one shared name does not count as a full match.
    """
    terms = question_terms(question)
    cross_terms = question_terms(cross_question) if cross_question else []
    weights = {t: idf(t) for t in {*terms, *cross_terms}}
    total = sum(weights[t] for t in terms)
    return [
        best_sentence_share(terms if language == question_language else cross_terms, weights, total, text, spans)
        for language, text, spans in candidates
    ]
