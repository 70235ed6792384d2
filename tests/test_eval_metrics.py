"""Evaluation metrics on small hand-computed cases, plus properties checked with hypothesis.

Every expected number is a literal worked out by hand (the arithmetic is in the comment next to it),
so a change in a metric's definition shows up here rather than as a silently different report.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals.metrics import (
    answer_contains,
    answer_lead,
    answer_sentences,
    citation_recall_precision,
    citation_validity,
    dedupe,
    gold_source_cited,
    hit_at_k,
    lexical_support,
    mean,
    mrr_at_k,
    ndcg_at_k,
    normalize_answer,
    percentile,
    recall_at_k,
    refusal_scores,
    token_f1,
)
from ingest import detect_language

# -- retrieval -----------------------------------------------------------------------------------


def test_dedupe_keeps_first_occurrence_order() -> None:
    assert dedupe(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
    assert dedupe([]) == []


def test_chunks_of_one_source_count_once() -> None:
    retrieved = ["a", "a", "b", "c"]  # deduped: a, b, c
    assert hit_at_k(retrieved, {"c"}, 2) == 0.0  # top-2 documents are a, b (not a, a)
    assert hit_at_k(retrieved, {"c"}, 3) == 1.0  # c is the 3rd document
    assert mrr_at_k(retrieved, {"c"}, 10) == pytest.approx(1 / 3)  # rank 3 -> 1/3 (not 1/4)
    assert recall_at_k(retrieved, {"c"}, 2) == 0.0
    assert recall_at_k(retrieved, {"c"}, 3) == 1.0
    # DCG = 1/log2(3+1) = 0.5; IDCG over min(1, 10) = 1 position = 1/log2(2) = 1 -> 0.5
    assert ndcg_at_k(retrieved, {"c"}, 10) == pytest.approx(0.5)


def test_repeated_relevant_chunks_are_one_hit() -> None:
    # Two chunks of the one gold document do not make recall 2/2 nor add a second DCG gain.
    retrieved = ["gold", "gold", "x"]
    assert recall_at_k(retrieved, {"gold", "other"}, 10) == 0.5  # 1 of 2 relevant documents
    # DCG = 1/log2(2) = 1; IDCG = 1 + 1/log2(3) = 1.6309297535714575 -> 0.6131471927654584
    assert ndcg_at_k(retrieved, {"gold", "other"}, 10) == pytest.approx(0.6131471927654584)


def test_empty_retrieval_scores_zero() -> None:
    for metric in (hit_at_k, recall_at_k, mrr_at_k, ndcg_at_k):
        assert metric([], {"a"}, 10) == 0.0


def test_no_relevant_document_is_undefined_not_zero() -> None:
    for metric in (hit_at_k, recall_at_k, mrr_at_k, ndcg_at_k):
        with pytest.raises(ValueError):
            metric(["a"], set(), 10)


def test_k_must_be_positive() -> None:
    for metric in (hit_at_k, recall_at_k, mrr_at_k, ndcg_at_k):
        with pytest.raises(ValueError):
            metric(["a"], {"a"}, 0)


def test_mrr_uses_first_relevant_rank_within_k() -> None:
    retrieved = ["x", "r1", "y", "r2"]
    assert mrr_at_k(retrieved, {"r1", "r2"}, 10) == 0.5  # first relevant at rank 2 -> 1/2
    assert mrr_at_k(retrieved, {"r2"}, 3) == 0.0  # r2 is at rank 4 > k
    assert mrr_at_k(retrieved, {"r2"}, 4) == 0.25  # 1/4


def test_recall_at_k() -> None:
    retrieved = ["a", "b", "a", "c", "d"]  # deduped: a, b, c, d
    relevant = {"a", "c", "e"}
    assert recall_at_k(retrieved, relevant, 2) == pytest.approx(1 / 3)  # {a} of 3
    assert recall_at_k(retrieved, relevant, 3) == pytest.approx(2 / 3)  # {a, c} of 3
    assert recall_at_k(retrieved, relevant, 10) == pytest.approx(2 / 3)  # e never retrieved
    # duplicates in the relevant collection do not inflate the denominator
    assert recall_at_k(retrieved, ["a", "a"], 1) == 1.0


def test_ndcg_two_relevant_only_rank_three_hit() -> None:
    # DCG = 1/log2(3+1) = 1/2 = 0.5
    # IDCG over min(2, 10) = 2 positions = 1/log2(2) + 1/log2(3) = 1 + 0.6309297535714574 = 1.6309297535714575
    # nDCG = 0.5 / 1.6309297535714575 = 0.3065735963827292
    value = ndcg_at_k(["x", "y", "r1", "z"], {"r1", "r2"}, 10)
    assert value == pytest.approx(0.3065735963827292)
    assert value == pytest.approx((1 / math.log2(4)) / (1 / math.log2(2) + 1 / math.log2(3)))


def test_ndcg_ideal_is_over_min_of_relevant_and_k() -> None:
    relevant = {"r1", "r2", "r3"}
    # k=2, ideal over min(3, 2) = 2 positions: IDCG = 1 + 1/log2(3) = 1.6309297535714575
    # perfect top-2 -> DCG = IDCG -> 1.0 (an IDCG over 3 positions would cap this at 0.7654...)
    assert ndcg_at_k(["r1", "r2", "x"], relevant, 2) == pytest.approx(1.0)
    # only rank 1 relevant within k=2: DCG = 1 -> 1 / 1.6309297535714575 = 0.6131471927654584
    assert ndcg_at_k(["r1", "x", "r2"], relevant, 2) == pytest.approx(0.6131471927654584)


def test_ndcg_ideal_is_not_over_retrieved_length() -> None:
    # one relevant document at rank 1 among 4 retrieved: IDCG is over min(1, 10) = 1 position -> 1.0
    assert ndcg_at_k(["r", "x", "y", "z"], {"r"}, 10) == 1.0


# -- answers -------------------------------------------------------------------------------------


def test_normalize_answer_keeps_vietnamese() -> None:
    assert normalize_answer("Đà Nẵng!") == "đà nẵng"
    assert normalize_answer("Hà Nội") == "hà nội"
    assert normalize_answer("Hà Nội") != normalize_answer("Ha Noi")
    assert normalize_answer("đi") != normalize_answer("di")  # "đ" is a letter of its own
    assert normalize_answer("ma") != normalize_answer("mã")  # tones distinguish words


def test_normalize_answer_composes_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Hà Nội, Việt Nam")
    assert decomposed != "Hà Nội, Việt Nam"
    assert normalize_answer(decomposed) == normalize_answer("Hà Nội, Việt Nam") == "hà nội việt nam"


def test_normalize_answer_punctuation_and_symbols_become_spaces() -> None:
    assert normalize_answer("U.S.") == normalize_answer("U S") == "u s"
    assert normalize_answer("  COVID-19\t(2020) ") == "covid 19 2020"
    assert normalize_answer("$5 + 3 = 8 €") == "5 3 8"  # Sc and Sm symbols
    assert normalize_answer("«Tiếng Việt»…") == "tiếng việt"
    assert normalize_answer("The Beatles") == "the beatles"  # no English article removal
    assert normalize_answer("?!") == ""


def test_answer_contains_on_token_boundaries() -> None:
    assert answer_contains("It was founded in 2012.", ["12"]) == 0.0  # not inside "2012"
    assert answer_contains("It was founded in 2012.", ["2012"]) == 1.0
    assert answer_contains("Namibia is in Africa.", ["Nam"]) == 0.0  # not inside "Namibia"
    assert answer_contains("Thủ đô của Việt Nam là Hà Nội.", ["nam"]) == 1.0
    assert answer_contains("The capital is New York.", ["new york"]) == 1.0
    assert answer_contains("New big York.", ["new york"]) == 0.0  # tokens must be contiguous


def test_answer_contains_vietnamese_and_references() -> None:
    prediction = "Thủ đô là Hà Nội."
    assert answer_contains(prediction, ["Ha Noi"]) == 0.0  # diacritics are not folded away
    assert answer_contains(prediction, ["Đà Nẵng", "HÀ NỘI!"]) == 1.0  # any reference will do
    assert answer_contains(prediction, []) == 0.0
    assert answer_contains(prediction, ["..."]) == 0.0  # an empty normalised reference matches nothing
    assert answer_contains("U.S. troops", ["U S"]) == 1.0


def test_token_f1_hand_computed() -> None:
    # prediction tokens: the cat sat on the mat (6); reference: the cat on a mat (5)
    # overlap (bag): the min(2,1)=1, cat 1, on 1, mat 1 -> 4
    # P = 4/6, R = 4/5, F1 = 2·(2/3)(4/5) / (2/3 + 4/5) = (16/15) / (22/15) = 8/11 = 0.7272...
    assert token_f1("The cat sat on the mat.", ["the cat on a mat"]) == pytest.approx(8 / 11)
    # max over references: "dog" scores 0, "cat sat" gives P = 2/6, R = 2/2, F1 = 2·(1/3)·1 / (4/3) = 1/2
    assert token_f1("The cat sat on the mat.", ["dog", "cat sat"]) == pytest.approx(0.5)


def test_token_f1_counts_repeats_and_edges() -> None:
    # prediction "a a a" vs reference "a": overlap min(3, 1) = 1; P = 1/3, R = 1 -> F1 = (2/3)/(4/3) = 1/2
    assert token_f1("a a a", ["a"]) == pytest.approx(0.5)
    assert token_f1("Hà Nội", ["Ha Noi"]) == 0.0
    assert token_f1("Hà Nội", ["hà nội"]) == 1.0
    assert token_f1("anything", []) == 0.0
    assert token_f1("", ["!!"]) == 1.0  # both normalise to empty
    assert token_f1("?", ["x"]) == 0.0
    assert token_f1("x", [""]) == 0.0


# -- refusals ------------------------------------------------------------------------------------


def test_refusal_scores_hand_computed() -> None:
    predicted = [True, True, True, False, False]
    should = [True, False, False, True, False]
    # TP = 1 (index 0), predicted = 3, due = 2 -> P = 1/3, R = 1/2
    # F1 = 2·(1/3)(1/2) / (1/3 + 1/2) = (1/3) / (5/6) = 2/5 = 0.4  (= 2·1 / (2·1 + 2 + 1))
    scores = refusal_scores(predicted, should)
    assert scores["refusal_precision"] == pytest.approx(1 / 3)
    assert scores["refusal_recall"] == pytest.approx(0.5)
    assert scores["refusal_f1"] == pytest.approx(0.4)


def test_refusal_scores_undefined_parts_are_none() -> None:
    # nothing refused: precision undefined (None); one refusal was due and missed -> R = 0/1, F1 = 0/(0+0+1) = 0
    scores = refusal_scores([False, False], [True, False])
    assert scores["refusal_precision"] is None
    assert scores["refusal_recall"] == 0.0
    assert scores["refusal_f1"] == 0.0
    # nothing due: recall undefined; the one refusal was wrong -> P = 0/1, F1 = 0/(0+1+0) = 0
    scores = refusal_scores([True, False], [False, False])
    assert scores == {"refusal_precision": 0.0, "refusal_recall": None, "refusal_f1": 0.0}
    # nothing refused and nothing due: nothing to score at all
    assert refusal_scores([False], [False]) == {
        "refusal_precision": None,
        "refusal_recall": None,
        "refusal_f1": None,
    }
    assert refusal_scores([], []) == {"refusal_precision": None, "refusal_recall": None, "refusal_f1": None}


def test_refusal_scores_all_wrong_is_zero_not_missing() -> None:
    # P = 0/1, R = 0/1: defined and both zero; F1 = 2·0 / (0 + 1 + 1) = 0
    assert refusal_scores([True, False], [False, True]) == {
        "refusal_precision": 0.0,
        "refusal_recall": 0.0,
        "refusal_f1": 0.0,
    }


def test_refusal_scores_need_aligned_inputs() -> None:
    with pytest.raises(ValueError):
        refusal_scores([True], [True, False])


# -- citations -----------------------------------------------------------------------------------


def test_citation_validity_counts_out_of_range_markers() -> None:
    # 3 passages; markers 1, 2, 3 valid, 0 and 7 not -> 3/5
    assert citation_validity([1, 2, 3, 0, 7], 3) == pytest.approx(0.6)
    assert citation_validity([1, 1], 1) == 1.0
    assert citation_validity([1], 0) == 0.0
    assert citation_validity([], 3) is None


_WORD = re.compile(r"\w+")


def word_subset(sentence: str, passages: Sequence[str]) -> bool:
    """A tiny deterministic judge: every word of the sentence occurs in the passages."""
    words = set(_WORD.findall(" ".join(passages).lower()))
    return set(_WORD.findall(sentence.lower())) <= words


PASSAGES = [
    "Paris is the capital of France.",  # 1
    "France borders Spain.",  # 2
    "The capital of Spain is Madrid.",  # 3
]


def test_alce_recall_and_precision_hand_computed() -> None:
    sentences = [
        # supported by {1, 2}; [1] alone supports -> precise; [2] alone does not, and [1] without it
        # still does -> [2] is irrelevant (redundant). 1 precise of 2.
        ("Paris is the capital of France", [1, 2]),
        # supported by {2, 3} together (madrid from 3, borders and france from 2); neither alone, and
        # neither remainder alone -> both precise. 2 precise of 2.
        ("Madrid borders France", [2, 3]),
        # "germany" is in no passage -> unsupported; its one citation is imprecise. 0 of 1.
        ("Paris borders Germany", [1]),
        # [9] is out of range -> ignored -> no valid citation -> unsupported, no citation counted.
        ("Spain is big", [9]),
    ]
    recall, precision = citation_recall_precision(sentences, PASSAGES, word_subset)
    assert recall == pytest.approx(0.5)  # supported sentences 2 of 4
    assert precision == pytest.approx(0.6)  # precise citations (1 + 2 + 0) of (2 + 2 + 1) = 3/5


def test_alce_each_sufficient_citation_is_precise() -> None:
    # "France" is in passages 1 and 2: each alone supports the sentence, so neither is irrelevant.
    recall, precision = citation_recall_precision([("France", [1, 2])], PASSAGES, word_subset)
    assert (recall, precision) == (1.0, 1.0)


def test_alce_repeated_citation_counts_once() -> None:
    # [1][1] is one citation: supported, precise -> (1/1, 1/1) rather than a self-redundant pair
    assert citation_recall_precision([("Paris", [1, 1])], PASSAGES, word_subset) == (1.0, 1.0)


def test_alce_undefined_parts_are_none() -> None:
    assert citation_recall_precision([], PASSAGES, word_subset) == (None, None)
    # one sentence, only an invalid citation: recall 0/1, precision has no citation to score
    assert citation_recall_precision([("Paris", [4])], PASSAGES, word_subset) == (0.0, None)
    assert citation_recall_precision([("Paris", [])], PASSAGES, word_subset) == (0.0, None)


METALS = [
    "Copper conducts electricity well.",  # tokens: copper conduct electr well
    "Silver conducts electricity even better.",  # silver conduct electr even better
    "Gulls nest on the old pier.",  # gull nest on the old pier
]


def test_lexical_support_shares_of_content_terms() -> None:
    # content terms: copper conduct electr -> all 3 in passage 1 -> 3/3 >= 0.5
    assert lexical_support("Copper conducts electricity", METALS[:1])
    # copper melt glass -> only copper -> 1/3 < 0.5, but >= 0.3
    assert not lexical_support("Copper melts glass.", METALS[:1])
    assert lexical_support("Copper melts glass.", METALS[:1], threshold=0.3)
    # copper silver conduct electr: together 4/4; "Copper conducts." alone 2/4 < 0.75
    together = ["Copper conducts.", "Silver conducts electricity."]
    assert lexical_support("Copper and silver conduct electricity", together, threshold=0.75)
    assert not lexical_support("Copper and silver conduct electricity", together[:1], threshold=0.75)
    # only function words: claims nothing, supported even by no passage
    assert lexical_support("What is it?", [])
    assert not lexical_support("Copper", [])


def test_lexical_support_keeps_vietnamese_distinct() -> None:
    # content terms: đà nẵng danang; passage tokens: da nang is a citi -> 0/3
    assert not lexical_support("Đà Nẵng", ["Da Nang is a city."])
    assert lexical_support("Đà Nẵng", ["Thành phố Đà Nẵng nằm ở miền Trung."])


def test_alce_with_lexical_support() -> None:
    sentences = [
        # copper conduct electr: {1, 3} supports (3/3 from passage 1); [1] alone supports -> precise;
        # [3] alone 0/3, and [1] without it supports -> [3] irrelevant. 1 of 2.
        ("Copper conducts electricity", [1, 3]),
        # gull nest pier: 3/3 in passage 3 -> supported, precise. 1 of 1.
        ("Gulls nest on the pier", [3]),
        # gold conduct heat: only conduct in passage 2 -> 1/3 < 0.5 -> unsupported. 0 of 1.
        ("Gold conducts heat", [2]),
    ]
    recall, precision = citation_recall_precision(sentences, METALS, lexical_support)
    assert recall == pytest.approx(2 / 3)  # 2 of 3 sentences supported
    assert precision == pytest.approx(0.5)  # (1 + 1 + 0) of (2 + 1 + 1) = 2/4


def test_answer_sentences_markers_end_sentences() -> None:
    assert answer_sentences("A is B [1]. C is D [2][3].") == [("A is B", [1]), ("C is D", [2, 3])]


def test_answer_sentences_groups_and_trailing_text() -> None:
    assert answer_sentences("X holds [1, 2] and Y holds [3]; trailing text") == [
        ("X holds", [1, 2]),
        ("and Y holds", [3]),
        ("trailing text", []),
    ]
    assert answer_sentences("A [1;3].") == [("A", [1, 3])]
    assert answer_sentences("A [1]. ") == [("A", [1])]  # no letters after the last marker


def test_answer_sentences_without_markers_and_edges() -> None:
    assert answer_sentences("No markers at all.") == [("No markers at all.", [])]
    assert answer_sentences("") == []
    assert answer_sentences("...") == []
    assert answer_sentences("[2] A is B.") == [("A is B.", [2])]  # a leading group backs what follows
    assert answer_sentences("A [1][1]") == [("A", [1])]  # repeats count once
    assert answer_sentences("A [7]") == [("A", [7])]  # out-of-range kept; the scorer ignores it
    assert answer_sentences("A is B. [1]") == [("A is B.", [1])]


def test_answer_sentences_vietnamese() -> None:
    answer = "Hà Nội là thủ đô của Việt Nam [1]. Đà Nẵng ở miền Trung [2][3]."
    assert answer_sentences(answer) == [("Hà Nội là thủ đô của Việt Nam", [1]), ("Đà Nẵng ở miền Trung", [2, 3])]


def test_answer_sentences_feed_alce() -> None:
    sentences = answer_sentences("Paris is the capital of France [1][2]. Paris borders Germany [1].")
    recall, precision = citation_recall_precision(sentences, PASSAGES, word_subset)
    assert recall == pytest.approx(0.5)  # 1 of 2 sentences supported
    assert precision == pytest.approx(1 / 3)  # [1] precise, [2] redundant, [1] of unsupported: 1 of 3


def test_gold_source_cited() -> None:
    assert gold_source_cited(["a.txt", "c.txt"], {"a.txt", "b.txt"}) == 1.0
    assert gold_source_cited(["c.txt"], {"a.txt"}) == 0.0
    assert gold_source_cited([], {"a.txt"}) == 0.0
    assert gold_source_cited(["a.txt"], set()) is None  # unanswerable: nothing to cite


# -- aggregation ---------------------------------------------------------------------------------


def test_percentile_hand_computed_and_like_numpy() -> None:
    values = [4.0, 1.0, 3.0, 2.0]  # sorted 1 2 3 4
    assert percentile(values, 50) == pytest.approx(2.5)  # position 0.5·3 = 1.5 -> 2 + 0.5·(3 − 2)
    assert percentile(values, 90) == pytest.approx(3.7)  # position 0.9·3 = 2.7 -> 3 + 0.7·(4 − 3)
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None
    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 17, 100):
        sample = rng.normal(size=n).tolist()
        for q in (0, 1, 25, 50, 90, 95, 99, 100):
            assert percentile(sample, q) == pytest.approx(float(np.percentile(sample, q)))


def test_percentile_rejects_q_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([1.0], 101)
    with pytest.raises(ValueError):
        percentile([1.0], -1)


def test_mean_ignores_none() -> None:
    assert mean([1.0, None, 2.0]) == 1.5  # (1 + 2) / 2, not (1 + 0 + 2) / 3
    assert mean([None, None]) is None
    assert mean([]) is None
    assert mean(v for v in (0.0, 1.0, None)) == 0.5  # any iterable; a real 0 is counted


# -- properties ----------------------------------------------------------------------------------

_DOCS = st.sampled_from(list("abcdefgh"))


@given(
    retrieved=st.lists(_DOCS, max_size=20),
    relevant=st.lists(_DOCS, min_size=1, max_size=6),
    k=st.integers(min_value=1, max_value=12),
)
def test_retrieval_metrics_are_bounded_and_hit_is_monotone(retrieved: list[str], relevant: list[str], k: int) -> None:
    for metric in (hit_at_k, mrr_at_k, ndcg_at_k, recall_at_k):
        assert 0.0 <= metric(retrieved, relevant, k) <= 1.0 + 1e-12
    assert hit_at_k(retrieved, relevant, k) <= hit_at_k(retrieved, relevant, k + 1)
    assert recall_at_k(retrieved, relevant, k) <= recall_at_k(retrieved, relevant, k + 1)
    # hit is exactly "some reciprocal rank"
    assert hit_at_k(retrieved, relevant, k) == (1.0 if mrr_at_k(retrieved, relevant, k) > 0 else 0.0)


@given(
    relevant=st.sets(_DOCS, min_size=1, max_size=6),
    noise=st.lists(_DOCS, max_size=10),
    k=st.integers(min_value=1, max_value=12),
    data=st.data(),
)
def test_ndcg_is_one_when_the_top_is_all_relevant(
    relevant: set[str], noise: list[str], k: int, data: st.DataObject
) -> None:
    head = data.draw(st.permutations(sorted(relevant)))[: min(len(relevant), k)]
    # repeat the head's chunks and append anything: the first min(|rel|, k) documents stay relevant
    retrieved = [doc for doc in head for _ in range(2)] + noise
    assert ndcg_at_k(retrieved, relevant, k) == pytest.approx(1.0)


_VI_TEXT = st.text(alphabet="aAđĐeêÊôơưăâàáảãạằắẳẵặệễHNộ .,!?-'\"()[]$%\u0300\u0301\u0303\u0309\u0323", max_size=30)


@given(text=_VI_TEXT)
def test_normalize_answer_is_idempotent_and_keeps_letters(text: str) -> None:
    once = normalize_answer(text)
    assert normalize_answer(once) == once
    assert once == once.strip() and "  " not in once
    # no letter is lost: the folded letters of the input are those of the output
    letters = [c for c in unicodedata.normalize("NFC", text).casefold() if c.isalpha()]
    assert [c for c in once if c.isalpha()] == letters


def test_the_language_judged_is_the_answers_lead_not_the_source_it_quotes_below() -> None:
    translated = (
        "The official opening is on January 15. [1]\n\n"
        "From the Vietnamese documents: Ngày 15 tháng 1 sẽ đánh dấu lễ khai mạc chính thức của hội nghị. [1]"
    )
    assert answer_lead(translated) == "The official opening is on January 15. [1]"
    assert detect_language(answer_lead(translated)) == "en"
    assert detect_language(translated) == "vi"  # the whole text reads as the quote's language
    assert answer_lead("  One paragraph only. [2]\n") == "One paragraph only. [2]"
