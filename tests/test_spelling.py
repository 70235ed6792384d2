"""Misspelt names are not names no document has."""

from __future__ import annotations

from textproc.query_terms import QueryTerms
from textproc.tokens import tokenize
from vectorstore.lexical import LexicalIndex
from vectorstore.spelling import SpellingIndex


def _index(texts: list[str]) -> LexicalIndex:
    return LexicalIndex(
        "r1",
        [f"c{i}" for i in range(len(texts))],
        ["d.txt"] * len(texts),
        ["en"] * len(texts),
        [tokenize(t) for t in texts],
    )


def test_near_spellings_are_found_and_other_words_are_not() -> None:
    spelling = SpellingIndex(t for w in ("Setanta", "Bendigo", "Carlsbad", "Maizière", "capital") for t in tokenize(w))
    for misspelt in ("Sentanta", "Bedigo", "Carslbad", "Maiziere"):
        assert spelling.has_near(tokenize(misspelt)[0]), misspelt
    for other in ("France", "Berlin", "Tokyo", "cap"):
        assert not spelling.has_near(tokenize(other)[0]), other


def test_a_misspelt_name_does_not_make_a_question_off_topic() -> None:
    index = _index(["Setanta Sports will launch on the digital terrestrial platform.", "Sports news and more."])
    question = "What platform was Sentanta Sports planning on launching on?"
    assert QueryTerms.of(question, index.idf, "en").unknown_names == ("sentanta",)
    assert QueryTerms.of(question, index.idf, "en", index.has_near_spelling).unknown_names == ()
    france = QueryTerms.of("Which sports platform launched in France?", index.idf, "en", index.has_near_spelling)
    assert france.unknown_names == ("franc",)  # no document names it, spelt any way
