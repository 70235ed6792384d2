"""Evaluation metrics: retrieval, answers, refusals and citations, as plain pure functions.

Written to avoid the known traps of public tools:

* retrieval is scored per DOCUMENT: several chunks of one source count once;
* nDCG's ideal DCG runs over ``min(|relevant|, k)`` positions, not over the retrieved list;
* answer normalisation keeps Vietnamese diacritics and "đ" (SQuAD/ROUGE normalisers strip them and so
  merge different words) and removes no English articles;
* a score that is undefined is ``None``, never 0, and ``mean`` skips it, so absent metrics stay absent.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TypeAlias

from rag.answer.citations import MARKER
from textproc.terms import content_terms
from textproc.tokens import tokenize

# -- retrieval -----------------------------------------------------------------------------------


def dedupe(sources: Sequence[str]) -> list[str]:
    """Sources in first-occurrence order: chunks of one document count as one retrieved document."""
    return list(dict.fromkeys(sources))


def _top_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> tuple[list[str], set[str]]:
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    gold = set(relevant)
    if not gold:
        raise ValueError("retrieval metrics are undefined without relevant documents (unanswerable question)")
    return dedupe(retrieved)[:k], gold


def hit_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """1.0 when a relevant document is among the first k distinct documents."""
    top, gold = _top_k(retrieved, relevant, k)
    return 1.0 if any(doc in gold for doc in top) else 0.0


def recall_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the relevant documents found among the first k distinct documents."""
    top, gold = _top_k(retrieved, relevant, k)
    return len(gold.intersection(top)) / len(gold)


def mrr_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Reciprocal rank of the first relevant distinct document within k, else 0."""
    top, gold = _top_k(retrieved, relevant, k)
    for rank, doc in enumerate(top, start=1):
        if doc in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Binary-relevance nDCG@k; the ideal ranking puts min(|relevant|, k) relevant documents first."""
    top, gold = _top_k(retrieved, relevant, k)
    dcg = sum(1.0 / math.log2(rank + 1) for rank, doc in enumerate(top, start=1) if doc in gold)
    idcg = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold), k) + 1))
    return dcg / idcg


# -- answers -------------------------------------------------------------------------------------


def normalize_answer(text: str) -> str:
    """NFC, case-folded, punctuation and symbols turned into spaces; diacritics and "đ" are kept.

    Case folding can leave decomposed sequences behind, so NFC is applied again after it.
    """
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
    spaced = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in folded)
    return " ".join(spaced.split())


def answer_contains(prediction: str, references: Sequence[str]) -> float:
    """1.0 when a normalised reference occurs in the prediction on token boundaries ("12" ∉ "2012").

    A reference that normalises to nothing (only punctuation) matches nothing.
    """
    padded = f" {normalize_answer(prediction)} "
    for reference in references:
        ref = normalize_answer(reference)
        if ref and f" {ref} " in padded:
            return 1.0
    return 0.0


def _f1(prediction: list[str], reference: list[str]) -> float:
    if not prediction or not reference:
        return 1.0 if prediction == reference else 0.0
    same = sum((Counter(prediction) & Counter(reference)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(prediction), same / len(reference)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, references: Sequence[str]) -> float:
    """SQuAD token F1 (bags of tokens with counts), best over the references; 0.0 without references."""
    tokens = normalize_answer(prediction).split()
    return max((_f1(tokens, normalize_answer(r).split()) for r in references), default=0.0)


# -- refusals ------------------------------------------------------------------------------------


def refusal_scores(predicted_refused: Sequence[bool], should_refuse: Sequence[bool]) -> dict[str, float | None]:
    """Precision, recall and F1 of refusing, with refusal as the positive class.

    Precision is None when nothing was refused, recall None when nothing should have been. F1 is
    2·TP / (2·TP + FP + FN), which equals the harmonic mean of P and R whenever both are defined and
    is 0.0 (a real failure, not a missing score) when there were refusals to get right and none was
    right; it is None only when there was nothing to get right or wrong (no refusal predicted or due).
    """
    if len(predicted_refused) != len(should_refuse):
        raise ValueError(f"{len(predicted_refused)} predictions for {len(should_refuse)} labels")
    tp = sum(p and s for p, s in zip(predicted_refused, should_refuse, strict=True))
    predicted = sum(bool(p) for p in predicted_refused)
    due = sum(bool(s) for s in should_refuse)
    fp, fn = predicted - tp, due - tp
    return {
        "refusal_precision": tp / predicted if predicted else None,
        "refusal_recall": tp / due if due else None,
        "refusal_f1": 2 * tp / (2 * tp + fp + fn) if (tp + fp + fn) else None,
    }


# -- citations -----------------------------------------------------------------------------------

Support: TypeAlias = Callable[[str, Sequence[str]], bool]
"""Does the concatenation of these passages support this sentence?"""


def citation_validity(markers: Sequence[int], n_passages: int) -> float | None:
    """Share of [n] markers that name an existing passage (1 <= n <= n_passages); None without markers."""
    if not markers:
        return None
    return sum(1 <= n <= n_passages for n in markers) / len(markers)


def lexical_support(sentence: str, passages: Sequence[str], threshold: float = 0.5) -> bool:
    """Enough of the sentence's content words occur in the passages (the check ``rag.answer.citations`` uses).

    Passages are tokenised one by one so that no word pair is joined across a passage boundary.
    A sentence without content words claims nothing and is supported.
    """
    terms = content_terms(sentence)
    if not terms:
        return True
    tokens: set[str] = set()
    for passage in passages:
        tokens.update(tokenize(passage))
    return sum(t in tokens for t in terms) / len(terms) >= threshold


def citation_recall_precision(
    sentences: Sequence[tuple[str, Sequence[int]]],
    passages: Sequence[str],
    support: Support,
) -> tuple[float | None, float | None]:
    """ALCE citation recall and precision (Gao et al. 2023).

    Recall: share of sentences supported by their cited passages together (no valid citation: not
    supported). Precision: share of valid citations that are precise; in a supported sentence a
    citation is irrelevant when it does not support the sentence alone and the others still do; every
    citation of an unsupported sentence is imprecise. Out-of-range numbers are ignored and a number
    repeated within a sentence counts once. (None, None) parts mean nothing to score.
    """
    supported = precise = n_citations = 0
    for sentence, numbers in sentences:
        cited = [n for n in dict.fromkeys(numbers) if 1 <= n <= len(passages)]
        n_citations += len(cited)
        if not cited or not support(sentence, [passages[n - 1] for n in cited]):
            continue
        supported += 1
        if len(cited) == 1:
            precise += 1
            continue
        for n in cited:
            alone = support(sentence, [passages[n - 1]])
            # irrelevant: useless alone while the other citations still carry the sentence
            redundant = not alone and support(sentence, [passages[o - 1] for o in cited if o != n])
            precise += not redundant
    recall = supported / len(sentences) if sentences else None
    precision = precise / n_citations if n_citations else None
    return recall, precision


_LEADING = " \t\r\n.,;:!?"


def answer_lead(answer_text: str) -> str:
    """What a reader takes for the answer, whose language is judged: its first paragraph. An answer
    translated across languages leads with the translation and quotes its source below it, labelled
    ("From the Vietnamese documents: …"); that quote is the evidence, in the documents' language."""
    return answer_text.strip().split("\n\n", 1)[0]


def answer_sentences(answer_text: str) -> list[tuple[str, list[int]]]:
    """Split a cited answer into (text without markers, cited numbers) pairs.

    A marker group backs the text since the previous group ("A is B [1]. C is D [2][3]."); groups with
    no words in between ("[2][3]") back the same text; "[1, 2]" cites 1 and 2. Text after the last
    marker is an uncited sentence if it has letters or digits. Markers before any text (a leading
    "[2] A is B.") are given to the text that follows. Numbers are kept as written, out of range or
    not, in first-occurrence order without repeats; the scorer decides which are valid.
    """
    result: list[tuple[str, list[int]]] = []
    pending: list[int] = []
    last_end = 0
    for match in MARKER.finditer(answer_text):
        numbers = [int(x) for x in match.group(1).replace(";", ",").split(",")]
        segment = answer_text[last_end : match.start()]
        last_end = match.end()
        if any(ch.isalnum() for ch in segment):
            result.append((segment.lstrip(_LEADING).rstrip(), list(dict.fromkeys([*pending, *numbers]))))
            pending = []
        elif result:
            text, cited = result[-1]
            result[-1] = (text, list(dict.fromkeys([*cited, *numbers])))
        else:
            pending.extend(numbers)
    tail = answer_text[last_end:]
    if any(ch.isalnum() for ch in tail):
        result.append((tail.lstrip(_LEADING).rstrip(), list(dict.fromkeys(pending))))
    return result


def gold_source_cited(cited_sources: Collection[str], gold_sources: Collection[str]) -> float | None:
    """1.0 when the answer cites a gold source; None for unanswerable questions (no gold sources)."""
    if not gold_sources:
        return None
    return 1.0 if set(cited_sources) & set(gold_sources) else 0.0


# -- aggregation ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation, as numpy.percentile; None when empty."""
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within 0..100, got {q}")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return float(ordered[low] + (ordered[high] - ordered[low]) * fraction)


def mean(values: Iterable[float | None]) -> float | None:
    """Mean over the values that exist; None when none does (an absent metric stays absent)."""
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present) if present else None
