"""Hybrid retrieval over the bundled corpus (real embeddings, real Chroma, real BM25), plus the pure
parts it is made of: reciprocal rank fusion and the Vietnamese-aware tokenizer."""

from __future__ import annotations

import unicodedata

import pytest

from rag.rerank import sentence_scores
from rag.retrieval import hybrid_search, reciprocal_rank_fusion
from rag.service import RagService
from rag.settings import FusionParams
from rag.types import Passage
from textproc.tokens import fold_diacritics, tokenize
from vectorstore.analysis import bridge_query

CHAIR_Q = "Who chaired the 6th ASEAN Digital Ministers' Meeting?"
VI_Q = "Bà Lê Thị Việt Lâm giữ chức vụ gì?"
DOC_CHAIR = "001_c991d5dd9dcdba35.txt"
DOC_VI = "003_2b888d70eccc54c8.txt"
DOC_SG = "004_83c7adf370e45a73.txt"
RRF_K = 60


def _assert_well_formed(passages: list[Passage]) -> None:
    assert [p.rank for p in passages] == list(range(1, len(passages) + 1))
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert all(s > 0 for s in scores)
    assert len({p.chunk_id for p in passages}) == len(passages)
    for p in passages:
        assert p.text.strip()
        assert p.chunk_id.startswith(f"{p.source}#")
        assert 0 <= p.start < p.end
        assert p.end - p.start == len(p.text)
        assert p.language in {"en", "vi"}
        assert p.title


def test_english_question_finds_the_chair_document(corpus_service: RagService) -> None:
    passages = corpus_service.retrieve(CHAIR_Q)

    assert len(passages) == 5
    _assert_well_formed(passages)
    assert DOC_CHAIR in [p.source for p in passages]
    assert any("Nguyễn Mạnh Hùng, chair of the 6th ADGMIN" in p.text for p in passages)
    # Every hybrid passage has a cosine similarity, and the chair passage matched words too.
    assert all(p.dense_score is not None and -1.0 <= p.dense_score <= 1.0 for p in passages)
    chair = next(p for p in passages if "Nguyễn Mạnh Hùng" in p.text)
    assert chair.lexical_score is not None and chair.lexical_score > 0


def test_vietnamese_question_ranks_the_vietnamese_document_first(corpus_service: RagService) -> None:
    passages = corpus_service.retrieve(VI_Q)

    _assert_well_formed(passages)
    assert passages[0].source == DOC_VI
    assert passages[0].language == "vi"
    assert any("Lê Thị Việt Lâm" in p.text for p in passages[:2])


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_sources_filter_restricts_results(corpus_service: RagService, mode: str) -> None:
    wanted = {DOC_CHAIR, DOC_SG}
    passages = corpus_service.retrieve(CHAIR_Q, top_k=10, sources=sorted(wanted), mode=mode)

    assert len(passages) == 10
    assert {p.source for p in passages} == wanted


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_language_filter_restricts_results(corpus_service: RagService, mode: str) -> None:
    # An English question would rank English documents first: the filter must keep only Vietnamese ones.
    passages = corpus_service.retrieve(CHAIR_Q, top_k=10, languages=["vi"], mode=mode)

    assert passages
    assert {p.language for p in passages} == {"vi"}
    assert {p.source for p in passages} == {DOC_VI}


def test_filter_on_unknown_source_returns_nothing(corpus_service: RagService) -> None:
    assert corpus_service.retrieve(CHAIR_Q, sources=["no-such-file.txt"]) == []


@pytest.mark.parametrize("top_k", [1, 3, 8])
def test_top_k_is_respected(corpus_service: RagService, top_k: int) -> None:
    passages = corpus_service.retrieve(CHAIR_Q, top_k=top_k)

    assert len(passages) == top_k
    _assert_well_formed(passages)


def test_top_k_beyond_the_collection_returns_every_chunk_once(corpus_service: RagService) -> None:
    total = sum(s.chunks for s in corpus_service.sources())
    passages = corpus_service.retrieve(CHAIR_Q, top_k=total + 10)

    assert len(passages) == total
    _assert_well_formed(passages)


def test_bm25_only_mode_ranks_by_bm25(corpus_service: RagService) -> None:
    # Within the question's language there is one BM25 list (the cross-language one is tested below).
    passages = corpus_service.retrieve(CHAIR_Q, top_k=8, mode="bm25", languages=["en"])

    assert len(passages) == 8
    _assert_well_formed(passages)
    lexical = [p.lexical_score for p in passages]
    assert all(s is not None and s > 0 for s in lexical)
    assert lexical == sorted(lexical, reverse=True)  # type: ignore[type-var]
    # One list alone: the fused score is exactly 1 / (k + rank).
    assert [p.score for p in passages] == pytest.approx([1 / (RRF_K + r) for r in range(1, 9)], rel=1e-12)


def test_dense_only_mode_ranks_by_cosine_similarity(corpus_service: RagService) -> None:
    passages = corpus_service.retrieve(CHAIR_Q, top_k=8, mode="dense")

    assert len(passages) == 8
    _assert_well_formed(passages)
    assert all(p.lexical_score is None for p in passages)
    dense = [p.dense_score for p in passages]
    assert all(d is not None for d in dense)
    assert dense == sorted(dense, reverse=True)  # type: ignore[type-var]
    assert [p.score for p in passages] == pytest.approx([1 / (RRF_K + r) for r in range(1, 9)], rel=1e-12)


def test_hybrid_is_the_fusion_of_the_dense_and_per_language_bm25_lists(corpus_service: RagService) -> None:
    depth = corpus_service.settings.retrieval.fusion.candidates
    index = corpus_service.store().lexical_index()
    assert index is not None
    # The default model reads both languages: the dense search runs once per language, like BM25.
    assert corpus_service.settings.dense_languages is None
    store, vector = corpus_service.store(), corpus_service.embedder.embed_query(CHAIR_Q)
    dense_en = [cid for cid, _ in store.dense_ranking(vector, depth, languages=["en"])]
    dense_vi = [cid for cid, _ in store.dense_ranking(vector, depth, languages=["vi"])]
    english = [h.chunk_id for h in index.search(CHAIR_Q, depth, languages=["en"])]
    vietnamese = [h.chunk_id for h in index.search(bridge_query(CHAIR_Q), depth, languages=["vi"])]
    assert english and vietnamese and dense_en and dense_vi
    expected: dict[str, float] = {}
    for ranking in (dense_en, dense_vi, english, vietnamese):
        for rank, cid in enumerate(ranking, start=1):
            expected[cid] = expected.get(cid, 0.0) + 1 / (RRF_K + rank)
    # Then the first rerank_depth fused chunks gain their best sentence's share (rag.rerank).
    params = FusionParams()
    pool = sorted(expected, key=lambda c: -expected[c])[: params.rerank_depth]
    chunks = {r.chunk_id: r for r in corpus_service.store().get_chunks(pool)}
    shares = sentence_scores(
        CHAIR_Q,
        bridge_query(CHAIR_Q),
        "en",
        [(chunks[c].language, chunks[c].text, chunks[c].sentences) for c in pool],
        index.idf,
    )
    assert max(shares) > 0
    scale = params.sentence_weight / (RRF_K + 1)
    reranked = {c: expected[c] + scale * share for c, share in zip(pool, shares, strict=True)}

    hybrid = corpus_service.retrieve(CHAIR_Q, top_k=params.rerank_depth)

    assert [p.chunk_id for p in hybrid] == sorted(pool, key=lambda c: -reranked[c])
    for p in hybrid:
        assert p.score == pytest.approx(reranked[p.chunk_id], rel=1e-9)


@pytest.mark.parametrize("question", ["", "   ", "\n\t "])
def test_blank_question_raises_value_error(corpus_service: RagService, question: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        corpus_service.retrieve(question)


def test_top_k_below_one_raises_value_error(corpus_service: RagService) -> None:
    with pytest.raises(ValueError, match="top_k"):
        corpus_service.retrieve(CHAIR_Q, top_k=0)


# -- reciprocal rank fusion ---------------------------------------------------------------------


def test_rrf_sums_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a"]], [1.0, 1.0], 60)

    assert [item for item, _ in fused] == ["a", "c", "b"]
    scores = dict(fused)
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 62, rel=1e-15)
    assert scores["c"] == pytest.approx(1 / 63 + 1 / 61, rel=1e-15)
    assert scores["b"] == pytest.approx(1 / 62, rel=1e-15)


def test_rrf_weights_scale_each_list() -> None:
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "a"]], [2.0, 0.5], 60)

    assert [item for item, _ in fused] == ["a", "b"]
    assert [score for _, score in fused] == pytest.approx([2 / 61 + 0.5 / 62, 2 / 62 + 0.5 / 61])
    assert [item for item, _ in fused] == ["a", "b"]


def test_rrf_constant_changes_the_scores() -> None:
    fused = dict(reciprocal_rank_fusion([["x", "y"]], [1.0], 1))

    assert fused == pytest.approx({"x": 1 / 2, "y": 1 / 3})


def test_rrf_ties_keep_first_appearance_and_zero_weight_drops_influence() -> None:
    tie = reciprocal_rank_fusion([["x", "y"], ["y", "x"]], [1.0, 1.0], 60)
    assert [item for item, _ in tie] == ["x", "y"]
    assert tie[0][1] == pytest.approx(tie[1][1])

    muted = reciprocal_rank_fusion([["p", "q"], ["q", "p"]], [0.0, 1.0], 60)
    assert [item for item, _ in muted] == ["q", "p"]
    assert dict(muted)["q"] == pytest.approx(1 / 61)


def test_rrf_of_nothing_is_empty() -> None:
    assert reciprocal_rank_fusion([[], []], [1.0, 1.0], 60) == []


# -- the BM25 tokenizer -------------------------------------------------------------------------


def test_tokenize_keeps_vietnamese_diacritics_distinct() -> None:
    tokens = tokenize("ma má mã mạ")

    for syllable in ("ma", "má", "mã", "mạ"):
        assert syllable in tokens


def test_tokenize_keeps_d_with_stroke_and_casefolds_it() -> None:
    assert tokenize("đường")[0] == "đường"
    assert tokenize("ĐƯỜNG")[0] == "đường"
    assert "duong" not in tokenize("đường")


def test_tokenize_nfc_normalises_decomposed_input() -> None:
    composed = "Việt Nam"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed

    tokens = tokenize(decomposed)

    assert tokens == tokenize(composed)
    assert tokens[0] == "việt"
    assert all(unicodedata.is_normalized("NFC", t) for t in tokens)


def test_tokenize_adds_folded_join_of_vietnamese_names() -> None:
    assert tokenize("Việt Nam") == ["việt", "nam", "vietnam"]
    assert "hanoi" in tokenize("Hà Nội")
    assert "danang" in tokenize("ĐÀ NẴNG")


def test_tokenize_stems_english_and_adds_no_joins_for_plain_english() -> None:
    tokens = tokenize("Running ministers met in New York")

    assert tokens == ["run", "minist", "met", "in", "new", "york"]
    assert "newyork" not in tokens


def test_fold_diacritics() -> None:
    assert fold_diacritics("việt") == "viet"
    assert fold_diacritics("đà") == "da"


def test_dense_ranking_is_not_fused_for_languages_the_model_cannot_read(corpus_service: RagService) -> None:
    question = "Hội nghị sẽ khai mạc với các cuộc họp cấp cao về kỹ thuật số ASEAN từ ngày nào?"
    # A model said to read English only (RAG_EMBED_LANGUAGES=en, as for all-MiniLM-L6-v2).
    english_only = RagService(corpus_service.settings.updated(embed_languages="en"))
    english_only._stores = corpus_service._stores
    assert english_only.settings.dense_languages == frozenset({"en"})
    # Without the sentence rerank, hybrid search is BM25's ranking; with it, a reordering of BM25's.
    unranked = FusionParams(dense_languages=english_only.settings.dense_languages, rerank_depth=0)
    store, embedder = corpus_service.store(), corpus_service.embedder
    hybrid = hybrid_search(store, embedder, question, 5, unranked)
    bm25 = corpus_service.retrieve(question, top_k=5, mode="bm25")
    assert [p.chunk_id for p in hybrid] == [p.chunk_id for p in bm25]
    assert all(p.dense_score is not None for p in hybrid)  # still reported, just not fused
    pool = {p.chunk_id for p in corpus_service.retrieve(question, top_k=FusionParams().rerank_depth, mode="bm25")}
    assert {p.chunk_id for p in english_only.retrieve(question, top_k=5)} <= pool

    # The default multilingual model reads Vietnamese: its lists count.
    fused = corpus_service.retrieve(question, top_k=5)
    assert [p.score for p in fused] != [p.score for p in bm25]


def test_english_questions_fuse_both_lists(corpus_service: RagService) -> None:
    question = "Who chaired the 6th ASEAN Digital Ministers' Meeting?"
    hybrid = corpus_service.retrieve(question, top_k=5)
    bm25 = corpus_service.retrieve(question, top_k=5, mode="bm25")
    assert [p.score for p in hybrid] != [p.score for p in bm25]


# -- cross-language BM25 --------------------------------------------------------------------------


def test_bridge_query_keeps_names_numbers_and_acronyms_without_diacritics() -> None:
    assert bridge_query("Who chaired the 6th ASEAN Digital Ministers' Meeting?") == (
        "6th asean digital ministers meeting"
    )
    assert bridge_query("How many career sacks did Jared Allen have?") == "jared allen"
    assert bridge_query("Jared Allen had how many sacks?") == "jared allen"
    assert bridge_query("When did Nguyễn Mạnh Hùng speak in Đà Nẵng in 2024?") == "nguyen manh hung da nang 2024"
    assert bridge_query("what is the capital?") == ""


def test_english_question_reaches_vietnamese_passages_through_its_names_only(corpus_service: RagService) -> None:
    # Swapping the plain English words keeps the Vietnamese ranking: only names and numbers count.
    index = corpus_service.store().lexical_index()
    assert index is not None
    a = corpus_service.retrieve(CHAIR_Q, top_k=30, mode="bm25", languages=["vi"])
    b = corpus_service.retrieve(
        "Which person led the 6th ASEAN Digital Ministers' Meeting?", top_k=30, mode="bm25", languages=["vi"]
    )
    assert a
    assert {p.language for p in a} == {"vi"}
    assert [p.chunk_id for p in a] == [p.chunk_id for p in b]
    bridged = index.search(bridge_query(CHAIR_Q), 30, languages=["vi"])
    assert [p.chunk_id for p in a] == [h.chunk_id for h in bridged]


def test_cross_language_weight_zero_keeps_only_the_question_language_for_bm25(corpus_service: RagService) -> None:
    muted = RagService(corpus_service.settings.updated(cross_language_weight=0.0))
    muted._stores = corpus_service._stores
    passages = muted.retrieve(CHAIR_Q, top_k=10, mode="bm25")
    english = corpus_service.retrieve(CHAIR_Q, top_k=10, mode="bm25", languages=["en"])

    assert english
    assert [p.chunk_id for p in passages][: len(english)] == [p.chunk_id for p in english]
