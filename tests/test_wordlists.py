"""The per-language word data (textproc/languages/*.toml) that the answering code reads."""

from __future__ import annotations

import re

import pytest

from rag.answer.answer_types import asked_type_found
from textproc.wordlists import alternation, cue, language_data, words

KINDS = ("person", "people", "name", "where", "building", "place", "country", "ordinal", "date", "day")


def test_both_languages_have_data_and_every_cue_compiles() -> None:
    assert set(language_data()) == {"en", "vi"}
    for kind in (*KINDS, "weekday", "rank", "number"):
        assert cue(kind).pattern  # compiled from at least one language's patterns
    with pytest.raises(KeyError, match="no language file"):
        cue("colour")


def test_words_of_one_language_or_all_in_code_order() -> None:
    assert words("months", "en")[0] == "January" and words("months", "vi") == ()
    assert words("place_prepositions") == ("in", "at", "tại", "ở")


def test_a_key_no_language_has_never_matches() -> None:
    assert not re.search(alternation("no_such_key"), "any text at all")


@pytest.mark.parametrize(
    ("question", "sentence", "found"),
    [
        ("Who chaired the meeting?", "The meeting was chaired by Nguyễn Mạnh Hùng.", True),
        ("Ai chủ trì hội nghị?", "Hội nghị do Bộ trưởng Nguyễn Mạnh Hùng chủ trì.", True),
        ("Bao nhiêu nước tham dự?", "Mười nước ASEAN tham dự.", True),
        ("How many countries attended?", "The countries attended the meeting.", False),
    ],
)
def test_the_cues_from_the_data_decide_what_a_question_asks(question: str, sentence: str, found: bool) -> None:
    assert asked_type_found(question, sentence) is found
