"""The sentence rerank: its pure parts, and its effect through retrieve() (real embeddings, Chroma, BM25)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.rerank import best_sentence_share, question_terms, sentence_scores, sentence_token_sets
from rag.retrieval import hybrid_search
from rag.service import RagService
from rag.settings import FusionParams

# Both paragraphs hold the question's words; the first spreads them over five sentences (and is the
# one BM25 and the embedding both rank first), the second says them in one sentence.
SPREAD = (
    "The Red River rises in the mountains of Yunnan. Its water turns red from the iron in the soil. "
    "Farmers along the river grow rice twice a year. The delta around Hanoi is crowded with villages "
    "and markets. In summer the monsoon rains arrive and the river rises quickly. Boats carry goods "
    "between the delta towns. Silt covers the fields after each flood, and the farmers welcome it.\n"
)
ONE_SENTENCE = (
    "Hanoi grew up on the banks of a great waterway. Its old quarter has thirty-six streets named after "
    "crafts. Every summer the Red River carries fresh silt down to the delta, where it feeds the rice "
    "fields. The city now has more than eight million people.\n"
)
QUESTION = "What does the Red River carry to the delta in summer?"


def test_question_terms_drop_function_words_and_stem_english() -> None:
    assert question_terms("What does the Red River carry to the delta in summer?") == [
        "red",
        "river",
        "carri",
        "delta",
        "summer",
    ]


def test_question_terms_keep_vietnamese_syllables_without_joins() -> None:
    # "ai", "đã", "ở", "đâu" are function words; no folded joins such as "aida" or "songhong".
    assert question_terms("Ai đã đặt tên sông Hồng ở đâu?") == ["đặt", "tên", "sông", "hồng"]


def test_sentences_are_the_stored_ones_or_the_splitters() -> None:
    text = "One river. Two deltas! Three? Four\nfive"
    sentences = sentence_token_sets(text)
    assert [sorted(s) for s in sentences] == [["one", "river"], ["delta", "two"], ["three"], ["four"], ["five"]]
    assert [sorted(s) for s in sentence_token_sets(text, ((0, 22), (23, 40)))] == [
        ["delta", "one", "river", "two"],
        ["five", "four", "three"],
    ]


def test_best_sentence_share_prefers_terms_together_over_terms_spread() -> None:
    terms = ["red", "river", "silt"]
    idf = {"red": 1.0, "river": 1.0, "silt": 2.0}
    spread = "The red one. A river here. Silt there."
    together = "Nothing here. The red river carries silt."
    assert best_sentence_share(terms, idf, 4.0, spread) == pytest.approx(0.5)
    assert best_sentence_share(terms, idf, 4.0, together) == pytest.approx(1.0)
    assert best_sentence_share([], idf, 0.0, together) == 0.0


def test_other_language_passages_count_the_cross_terms_against_the_whole_question() -> None:
    idf = {"hanoi": 3.0, "capit": 1.0, "citi": 1.0}.get
    shares = sentence_scores(
        "Which city is the capital? Hanoi",
        "hanoi",
        "en",
        [
            ("en", "Hanoi is the capital city.", None),
            ("vi", "Hà Nội, Hanoi, là thủ đô.", None),
            ("vi", "Không có tên.", None),
        ],
        lambda t: idf(t) or 0.0,
    )
    assert shares == pytest.approx([1.0, 0.6, 0.0])


@pytest.fixture
def siblings(fresh_service: RagService, tmp_path: Path) -> RagService:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "spread.txt").write_text(SPREAD, encoding="utf-8")
    (folder / "one-sentence.txt").write_text(ONE_SENTENCE, encoding="utf-8")
    fresh_service.ingest([folder])
    return fresh_service


def test_rerank_puts_the_passage_that_says_it_in_one_sentence_first(siblings: RagService) -> None:
    store, embedder = siblings.store(), siblings.embedder
    # Each retriever alone, and their fusion without the rerank, prefer the paragraph with more matches.
    for mode in ("bm25", "dense"):
        assert siblings.retrieve(QUESTION, mode=mode)[0].source == "spread.txt"
    plain = hybrid_search(store, embedder, QUESTION, 5, FusionParams(rerank_depth=0))
    assert plain[0].source == "spread.txt"

    passages = siblings.retrieve(QUESTION)

    assert [p.source for p in passages] == ["one-sentence.txt", "spread.txt"]
    assert [p.rank for p in passages] == [1, 2]
    assert passages[0].score > passages[1].score
    # The bonus is at most one first rank's worth per unit of weight.
    assert passages[0].score - plain[1].score <= 1 / (FusionParams().rrf_k + 1) + 1e-12


def test_rerank_weight_zero_keeps_the_fused_order(siblings: RagService) -> None:
    store, embedder = siblings.store(), siblings.embedder
    off = hybrid_search(store, embedder, QUESTION, 5, FusionParams(sentence_weight=0.0))
    plain = hybrid_search(store, embedder, QUESTION, 5, FusionParams(rerank_depth=0))
    assert [(p.chunk_id, p.score) for p in off] == [(p.chunk_id, p.score) for p in plain]
