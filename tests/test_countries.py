"""Country names in both languages: the answer type of "which country" and a bridge across languages."""

from __future__ import annotations

import pytest

from textproc.countries import countries, names_of
from textproc.keys import neutral_keys
from textproc.query_terms import QueryTerms
from textproc.tokens import tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cuộc họp lần thứ năm ở Thái Lan, tháng 1 năm 2025.", [("Thái Lan", "TH")]),
        ("ties between ASEAN and the United States,especially in trade", [("United States", "US")]),
        ("the 4th ADGMIN + Japan meeting", [("Japan", "JP")]),
        ("In a meeting with the U.S. Coordinator", [("U.S.", "US")]),
        ("Việt Nam’s success", [("Việt Nam", "VN")]),
        (
            "Timor-Leste joined Papua New Guinea and New Zealand",
            [("Timor-Leste", "TL"), ("Papua New Guinea", "PG"), ("New Zealand", "NZ")],
        ),
        ("a turkey and a chad, in lower case, are no countries", []),
    ],
)
def test_countries_are_found_by_their_names_in_either_language(text: str, expected: list[tuple[str, str]]) -> None:
    assert list(countries(text)) == expected


def test_a_country_named_in_one_language_matches_its_name_in_the_other() -> None:
    assert {"Japan", "Nhật Bản"} <= set(names_of("JP"))
    assert "country:JP" in neutral_keys("cuộc họp ADGMIN + Nhật Bản") & neutral_keys("the ADGMIN + Japan meeting")
    question = "Tổng thư ký ASEAN đã dự cuộc họp ADGMIN + Nhật Bản lần thứ mấy?"
    terms = QueryTerms.of(question, lambda _t: 2.0, "vi")
    assert "country:JP" in dict(terms.bridge) and "nhatban" not in dict(terms.bridge)  # the key stands for the name

    def coverage(sentence: str) -> float:
        return terms.bridge_coverage(set(tokenize(sentence)), neutral_keys(sentence))

    japan = "The Secretary-General took part in the 4th ADGMIN + Japan meeting."
    other = "The Secretary-General took part in the 6th ADGMIN in Hanoi."
    assert coverage(japan) > coverage(other)
