"""The reader interface alone: a Reading in, a Draft out, for both readers (no retrieval)."""

from __future__ import annotations

import pytest
from ollama_stub import OllamaStub, Reply

from rag.answer.extractive import Candidate, candidates
from rag.answer.llm_reader import LLMReader, NothingVerified
from rag.answer.reader import Draft, ExtractiveReader, Reading, read
from rag.answer.refusal import REFUSALS
from rag.llm import OllamaChat
from rag.types import Passage
from textproc.query_terms import QueryTerms

QUESTION = "Where will the 7th meeting be held?"
TEXTS = [
    "The ministers met in Hanoi on 15 January. The 7th meeting will be held in Kuala Lumpur next year.",
    "Delegates discussed artificial intelligence and data governance.",
]


def _reading() -> Reading:
    passages = [
        Passage(source=f"doc{i}.txt", chunk_id=f"c{i}", text=t, score=1.0 - i / 10, start=0, end=len(t), language="en")
        for i, t in enumerate(TEXTS)
    ]
    ranked = candidates(QUESTION, QueryTerms.of(QUESTION, lambda _t: 1.0, "en"), passages, "en")
    return Reading(QUESTION, "en", passages, ranked)


def test_the_extractive_reader_quotes_the_answering_sentence_with_its_citation() -> None:
    draft = read(ExtractiveReader(), _reading())
    assert draft.mode == "extractive" and "Kuala Lumpur" in draft.text
    assert [c.source for c in draft.citations] == ["doc0.txt"] and draft.text.endswith("[1]")


def test_the_llm_reader_streams_then_keeps_only_verified_sentences() -> None:
    reply = "The 7th meeting will be held in Kuala Lumpur [1]. It will be opened by the King of Spain [2]."
    with OllamaStub(models=["m"], default=Reply(reply)) as stub:
        items = list(LLMReader(OllamaChat(stub.url, "m", 5.0), passages=2, window=0).stream(_reading()))
    deltas, draft = items[:-1], items[-1]
    assert all(isinstance(d, str) for d in deltas) and "".join(str(d) for d in deltas) == reply
    assert isinstance(draft, Draft) and draft.mode == "llm" and draft.model == "m" and draft.backend == "ollama"
    assert "Kuala Lumpur [1]" in draft.text and "Spain" not in draft.text
    assert any("Spain" in w for w in draft.warnings)


def test_the_llm_reader_turns_not_found_into_a_refusal_and_nonsense_into_an_error() -> None:
    with OllamaStub(models=["m"], default=Reply("NOT_FOUND")) as stub:
        draft = read(LLMReader(OllamaChat(stub.url, "m", 5.0)), _reading())
    assert draft.refused and draft.text == REFUSALS["en"]
    nonsense = Reply("Bananas are rich in potassium [1].")
    with OllamaStub(models=["m"], default=nonsense) as stub, pytest.raises(NothingVerified) as caught:
        read(LLMReader(OllamaChat(stub.url, "m", 5.0)), _reading())
    assert any("potassium" in w for w in caught.value.warnings)
    assert [c.supported for c in caught.value.checks] == [False]


VI_TEXT = "Hội nghị lần thứ 7 sẽ được tổ chức tại Kuala Lumpur vào năm sau. Các đại biểu đã thảo luận về dữ liệu."


def _vietnamese_reading() -> Reading:
    passage = Passage(source="vi.txt", chunk_id="v0", text=VI_TEXT, score=1.0, start=0, end=len(VI_TEXT), language="vi")
    ranked = candidates(QUESTION, QueryTerms.of(QUESTION, lambda _t: 1.0, "en"), [passage], "en")
    return Reading(QUESTION, "en", [passage], ranked)


def test_over_other_language_passages_the_quote_is_translated_above_it() -> None:
    quote = read(ExtractiveReader(), _vietnamese_reading()).text
    with OllamaStub(models=["m"]) as stub:
        stub.script(Reply("The 7th meeting will be held in Kuala Lumpur next year."))
        draft = read(LLMReader(OllamaChat(stub.url, "m", 5.0), passages=1, window=0), _vietnamese_reading())
        (translate,) = stub.requests  # no answer asked of the model: only the translation
    assert "English" in translate["messages"][0]["content"] and "[1]" not in translate["messages"][1]["content"]
    translation, source = draft.text.split("\n\n")
    assert translation == "The 7th meeting will be held in Kuala Lumpur next year."
    assert source == f"From the Vietnamese documents: {quote}" and "Kuala Lumpur" in quote  # the quote keeps its [1]
    assert [c.source for c in draft.citations] == ["vi.txt"]
    assert draft.model == "m" and any("translation" in w for w in draft.warnings)


def test_a_quote_drawing_on_both_languages_is_translated_too() -> None:
    english = "Delegates said the 7th meeting would be held in Kuala Lumpur."
    passages = [
        Passage(source="vi.txt", chunk_id="v0", text=VI_TEXT, score=1.0, start=0, end=len(VI_TEXT), language="vi"),
        Passage(source="en.txt", chunk_id="e0", text=english, score=0.9, start=0, end=len(english), language="en"),
    ]
    vi_end = VI_TEXT.index(".") + 1
    ranked = [  # the best sentence in Vietnamese, a close runner-up in English: both are quoted
        Candidate(0, 0, vi_end, VI_TEXT[:vi_end], 0.6, frozenset(), 0.6, 0.8, None, True),
        Candidate(1, 0, len(english), english, 0.55, frozenset({"kuala"}), 0.5, 0.8, None, False),
    ]
    reading = Reading(QUESTION, "en", passages, ranked)
    quote = read(ExtractiveReader(), reading).text
    assert "Kuala Lumpur vào năm sau" in quote and english in quote
    with OllamaStub(models=["m"]) as stub:
        stub.script(Reply("The 7th meeting will be held in Kuala Lumpur next year."))
        draft = read(LLMReader(OllamaChat(stub.url, "m", 5.0), passages=2, window=0), reading)
        (translate,) = stub.requests  # the Vietnamese sentence translated; the English one kept as it is
    assert "English" in translate["messages"][0]["content"]
    assert translate["messages"][1]["content"] == VI_TEXT[:vi_end]
    translation, source = draft.text.split("\n\n")
    assert translation == f"The 7th meeting will be held in Kuala Lumpur next year. {english}"
    assert source == f"From the documents: {quote}"  # not "the Vietnamese documents": one sentence is English
    assert sorted(c.source for c in draft.citations) == ["en.txt", "vi.txt"]


def test_a_sentence_whose_translation_goes_astray_is_left_to_the_quote() -> None:
    two = "Hội nghị lần thứ 7 sẽ được tổ chức tại Kuala Lumpur. Các đại biểu đã thảo luận về dữ liệu."
    passage = Passage(source="vi.txt", chunk_id="v0", text=two, score=1.0, start=0, end=len(two), language="vi")
    cut = two.index(".") + 1
    ranked = [
        Candidate(0, 0, cut, two[:cut], 0.6, frozenset(), 0.6, 0.8, None, True),
        Candidate(0, cut + 1, len(two), two[cut + 1 :], 0.5, frozenset(), 0.5, 0.8, None, True),
    ]
    reading = Reading(QUESTION, "en", [passage], ranked)
    with OllamaStub(models=["m"]) as stub:
        stub.script(Reply("The 7th meeting will be held in Kuala Lumpur."), Reply("On 4 April 2023 delegates met."))
        draft = read(LLMReader(OllamaChat(stub.url, "m", 5.0), passages=1, window=0), reading)
    translation, source = draft.text.split("\n\n")
    assert translation == "The 7th meeting will be held in Kuala Lumpur."  # the invented date went
    assert "Các đại biểu đã thảo luận về dữ liệu." in source
    assert any("1 of the 2 quoted sentences was dropped" in w and "2023" in w for w in draft.warnings)


@pytest.mark.parametrize(
    ("translation", "why"),
    [
        ("The 7th meeting will be held in Kuala Lumpur in 2027.", "2027"),  # a number the quote lacks
        ("The 7th meeting will be held in Kuala Lumpur 明年.", "cjk"),  # slipped into another script
    ],
)
def test_a_translation_that_goes_astray_is_dropped_and_the_quote_stays(translation: str, why: str) -> None:
    quote = read(ExtractiveReader(), _vietnamese_reading()).text
    with OllamaStub(models=["m"]) as stub:
        stub.script(Reply(translation))
        draft = read(LLMReader(OllamaChat(stub.url, "m", 5.0), passages=1, window=0), _vietnamese_reading())
    assert draft.text == quote
    assert any("dropped" in w and why in w for w in draft.warnings)


def test_asked_to_answer_across_languages_the_model_answers_in_the_questions_language() -> None:
    answer = "The 7th meeting will be held in Kuala Lumpur [1]."
    with OllamaStub(models=["m"]) as stub:
        stub.script(Reply(answer))
        chat = OllamaChat(stub.url, "m", 5.0)
        # Without a multilingual model's cosines, no English sentence can be checked against Vietnamese.
        with pytest.raises(NothingVerified):
            read(LLMReader(chat, passages=1, window=0, cross_language="answer"), _vietnamese_reading())
        (asked,) = stub.requests
    assert asked["messages"][-1]["content"].endswith("Answer in English, in one to three short sentences.")
