"""How well retrieved text covers a question: the signal behind sentence choice and refusals.

Coverage is IDF-weighted: a question word that is rare in the collection ("budget", "Timor-Leste")
weighs far more than one every document has ("ASEAN", "digital"), so a passage that matches only the
common words of a question is weak evidence, which is exactly the shape of a plausible question the
documents do not answer.
"""

from __future__ import annotations

from textproc.query_terms import QueryTerms

# Weights of the two signals in the evidence score, and the refusal threshold in Settings, chosen on
# the dev half of data/gold/corpus_qa.jsonl by bench/core_questions.py --calibrate: the threshold that
# maximises refusal F1 while refusing at most 10% of the answerable questions.
LEXICAL_WEIGHT = 0.9
DENSE_WEIGHT = 0.1


# Evidence is scaled by these when the question names an acronym or number no document has, and when the
# sentence lacks the kind of thing the question asks for (a name for "who", a date for "when"...).
UNKNOWN_FACTOR = 0.3
# A capitalised word no document has is weaker evidence against: it may be a name the documents
# translate ("Germany" in Vietnamese text) or write another way.
UNKNOWN_NAME_FACTOR = 0.5
# Evidence shrinks in proportion once more than this share of the question's words is in no document.
OFF_TOPIC_SHARE = 0.5
TYPE_MISSING_FACTOR = 0.3


def answer_evidence(
    coverage: float, dense: float, terms: QueryTerms, type_found: bool | None, cross: bool = False
) -> float:
    """Evidence that one sentence answers the question, with the unanswerability cues applied.
    ``cross``: the sentence is in another language, so the question's words are naturally absent."""
    evidence = sentence_evidence(coverage, dense)
    # When most of what the question is about is in no document, the documents are about something
    # else ("Công thức nấu phở bò là gì?" shares only "công" and "thức" with news on digital policy).
    if not cross:
        evidence *= min(1.0, (1.0 - terms.absent_share) / (1.0 - OFF_TOPIC_SHARE))
    if terms.unknown:
        evidence *= UNKNOWN_FACTOR
    elif terms.unknown_names and not cross:
        evidence *= UNKNOWN_NAME_FACTOR
    if type_found is False:
        evidence *= TYPE_MISSING_FACTOR
    return evidence


def sentence_evidence(coverage: float, dense: float) -> float:
    """Evidence that one sentence answers: an answer is usually stated in one sentence, not spread thin.
    The answer's evidence is the best sentence's, computed once with the extractive candidates."""
    return LEXICAL_WEIGHT * coverage + DENSE_WEIGHT * max(0.0, dense)
