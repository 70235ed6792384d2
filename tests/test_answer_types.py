"""What a question asks for, and whether a sentence holds it: the cue behind most refusals."""

from __future__ import annotations

import pytest

from rag.answer.answer_types import asked_type_found
from rag.answer.extractive import MISSING_NUMBER_FACTOR, candidates
from rag.types import Passage
from textproc.entities import name_clues
from textproc.query_terms import QueryTerms


def test_capitalised_common_words_are_no_ones_name() -> None:
    question = "Which minister chaired the 5th ASEAN Digital Ministers' Meeting?"
    sentence = "The Secretary-General attended the Opening Ceremony of the 5th ASEAN Digital Ministers' Meeting."
    english = ["The opening of the meeting was a ceremony of note for ministers.", sentence]
    assert asked_type_found(question, sentence) is True  # without the documents' words, a name
    assert asked_type_found(question, sentence, name_clues(english)) is False
    named = "It was chaired by Minister Kao Kim Hourn."
    assert asked_type_found(question, named, name_clues([*english, named])) is True


def test_name_clues_come_from_english_text_only_and_keep_names() -> None:
    clues = name_clues(["ASEAN Secretary-General Kao Kim Hourn spoke about digital trade."])
    assert {"spoke", "about", "digital", "trade"} <= clues.common
    assert not {"kao", "kim", "hourn", "asean"} & clues.common
    sentence = "ASEAN Secretary-General Kao Kim Hourn spoke."
    # "kim" is a word in Vietnamese ("kim ngạch"), which is why callers pass English text only.
    assert asked_type_found("Who is the Secretary-General?", sentence, clues) is True


def test_a_surname_alone_names_someone_the_documents_named_in_full() -> None:
    texts = ["Linebacker Von Miller was named the game's MVP.", "On the next play, Miller stripped the ball."]
    clues = name_clues([*texts, "Hanoi hosted the meeting in the city."])
    assert "Miller" in clues.surnames and "Hanoi" not in clues.surnames
    assert asked_type_found("Who stripped the ball?", texts[1], clues) is True
    assert asked_type_found("Who hosted the meeting?", "The meeting was held in Hanoi.", clues) is False


def test_who_in_the_plural_is_answered_by_kinds_of_people() -> None:
    question = "Những ai sẽ tham gia các phiên thảo luận?"
    assert asked_type_found(question, "Các phiên có sự tham gia của các chuyên gia công nghệ.") is True
    assert asked_type_found(question, "Các phiên thảo luận diễn ra trong ba ngày.") is False
    assert asked_type_found("Ai sẽ phát biểu?", "Các chuyên gia công nghệ sẽ phát biểu.") is False  # "ai": a name


def test_a_possessive_ends_a_name() -> None:
    sentence = "The goals set by Việt Nam’s Party, State and Government underscore the vision."
    assert asked_type_found("Who heads the working group?", sentence) is False
    assert asked_type_found("Who spoke?", "Kao Kim Hourn’s remarks were welcomed.") is True


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("On what exact date will the agreement be signed?", "ASEAN aims to sign it later in 2026.", False),
        ("On what exact date will the agreement be signed?", "It will be signed on January 16.", True),
        ("What date did the meeting open?", "The meeting opened on 15 tháng 1.", True),
        ("When will the agreement be signed?", "ASEAN aims to sign it later in 2026.", True),  # a year answers "when"
        ("Buổi họp báo diễn ra hôm nào?", "Bà cho biết tại một cuộc họp báo hôm 31 tháng 12.", True),
        ("Buổi họp báo diễn ra hôm nào?", "Buổi họp báo diễn ra trong năm 2025.", False),
        ("What day was the interview?", "The interview was on Thursday.", True),
    ],
)
def test_a_question_for_a_date_wants_a_day(question: str, sentence: str, expected: bool) -> None:
    assert asked_type_found(question, sentence) is expected


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("Triển lãm được tổ chức tại trung tâm hội nghị nào?", "Triển lãm sẽ giới thiệu các sản phẩm mới.", False),
        ("Triển lãm được tổ chức tại trung tâm hội nghị nào?", "Triển lãm diễn ra tại Trung tâm Mỹ Đình.", True),
        (
            "Which convention centre hosts the exhibition?",
            "The exhibition is held at National Convention Centre.",
            True,
        ),
        ("Which convention centre hosts the exhibition?", "The exhibition shows new products.", False),
        # a building's name answers, not the city it stands in
        ("Which convention centre hosts the exhibition?", "The exhibition is held in Hanoi.", False),
        ("Hội nghị được tổ chức tại khách sạn nào?", "Hội nghị diễn ra tại Hà Nội từ ngày 12 đến 16.", False),
        ("Hội nghị được tổ chức tại khách sạn nào?", "Hội nghị diễn ra tại Khách sạn Melia Hà Nội.", True),
        ("Which stadium hosted Super Bowl 50?", "Super Bowl 50 was played at Levi's Stadium.", True),
        ("Where is the exhibition?", "The exhibition is held in Hanoi.", True),
    ],
)
def test_a_question_for_a_venue_wants_a_place(question: str, sentence: str, expected: bool) -> None:
    assert asked_type_found(question, sentence) is expected


@pytest.mark.parametrize(
    "question",
    [
        "When several archives are joined with tar -A, which option reads past the first one?",
        "When the tests run as root, which variable names the other user?",
        "When you build it yourself, what option makes the library smaller?",
    ],
)
def test_a_leading_clause_is_not_what_the_question_asks(question: str) -> None:
    """ "When ..., which option" asks for an option: a sentence without a date answers it."""
    assert asked_type_found(question, "Use --ignore-zeros to read every archive.") is None


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("When was the archive format changed?", "The format changed in 2019.", True),
        ("When was the archive format changed?", "The format changed for good.", False),
        ("When the meeting opened, who chaired it?", "Nguyễn Mạnh Hùng chaired it.", True),
        ("When the meeting opened, who chaired it?", "It was chaired well.", False),
    ],
)
def test_the_question_word_after_a_leading_clause_is_still_asked(question: str, sentence: str, expected: bool) -> None:
    assert asked_type_found(question, sentence) is expected


@pytest.mark.parametrize(
    "question",
    [
        "In a crontab, what happens when MAILTO is defined but set to an empty string?",
        "What does the archiver do when the disk is full?",
    ],
)
def test_a_when_after_the_question_word_opens_a_clause_and_asks_for_no_date(question: str) -> None:
    assert asked_type_found(question, "If MAILTO is empty, no mail will be sent.") is None


def test_a_sentence_in_the_other_language_without_the_questions_year_is_discounted() -> None:
    vi = "Việt Nam đặt mục tiêu phủ sóng 5G cho 99% dân số vào năm 2030."
    question = "What share of the population will 5G cover in 2030?"
    other = vi.replace("2030", "2025")
    passages = [
        Passage(source=f"{n}.txt", chunk_id=n, text=t, score=1.0, start=0, end=len(t), language="vi")
        for n, t in (("a", vi), ("b", other))
    ]
    terms = QueryTerms.of(question, lambda _t: 1.0, "en")
    ranked = candidates(question, terms, passages, "en", lambda texts: [0.88] * len(texts))
    by_text = {c.text: c for c in ranked}
    assert ranked[0].text == vi
    # Discounted below what the same meaning with the year scores, and below the share of it the year adds.
    assert by_text[other].coverage <= by_text[vi].coverage * MISSING_NUMBER_FACTOR


def test_both_quoted_sentences_keep_their_passages_when_ranked_below_top_k() -> None:
    from rag.answer.extractive import choose, extract
    from rag.answer.pipeline import _handed

    texts = [
        "Hội nghị diễn ra tại Hà Nội.",
        "Đây là hội nghị lần thứ sáu.",
        "The 6th meeting was chaired by Nguyễn Mạnh Hùng.",
    ]
    texts.append("Prime Minister Phạm Minh Chính opened the 6th meeting.")
    pool = [
        Passage(source=f"{i}.txt", chunk_id=str(i), text=t, score=1.0, start=0, end=len(t), language=lang)
        for i, (t, lang) in enumerate(zip(texts, ["vi", "vi", "en", "en"], strict=True))
    ]
    question = "Ai chủ trì hội nghị lần thứ 6?"
    terms = QueryTerms.of(question, lambda _t: 1.0, "vi")
    ranked = candidates(question, terms, pool, "vi", lambda sentences: [0.86] * len(sentences))
    assert {c.passage_index for c in choose(ranked)} == {2, 3}  # a near tie across languages: both quoted
    passages, kept = _handed(pool, ranked, 2)
    assert [p.chunk_id for p in passages] == ["2", "3"]
    answer = extract(kept)
    assert "Nguyễn Mạnh Hùng" in answer and "Phạm Minh Chính" in answer


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("How many delegates attended?", "Two hundred delegates attended.", True),
        ("How many times has Polonia won the cup?", "They won the cup twice.", True),
        ("Có bao nhiêu vùng đô thị?", "Khu vực này có hai vùng đô thị.", True),
        ("How much did Japan pledge at the 4th ADGMIN + Japan meeting?", "The 5th meeting followed.", False),
        ("How many countries attended?", "It was one of the bloc's top focuses.", False),
        ("How old was Manning when he played?", "He is the oldest to play at age 39.", True),
    ],
)
def test_counts_in_words_but_not_ordinals_or_the_pronoun_one(question: str, sentence: str, expected: bool) -> None:
    assert asked_type_found(question, sentence) is expected


def test_the_first_question_word_is_the_one_asked() -> None:
    # "when" joins a clause here: the question wants a number, and a date alone does not answer it.
    question = "How old was John Elway when he played in Super Bowl XXXIII?"
    assert asked_type_found(question, "Elway played in Super Bowl XXXIII in January 1999.") is False
    assert asked_type_found(question, "Elway won Super Bowl XXXIII at age 38.") is True
    assert asked_type_found("When and where was it held?", "It was held in Hanoi.") is True  # both asked


def test_a_who_answer_given_by_a_pronoun_is_quoted_with_the_sentence_naming_the_person() -> None:
    from rag.answer.extractive import extract

    text = (
        "Theo bà Lê Thị Việt Lâm, hội nghị sẽ ghi nhận nhiều cột mốc. "
        "Bà cho biết tại một cuộc họp báo hôm 31 tháng 12 rằng Timor-Leste sẽ tham gia."
    )
    passage = Passage(source="v.txt", chunk_id="v", text=text, score=1.0, start=0, end=len(text), language="vi")
    question = "Ai đã phát biểu tại cuộc họp báo hôm 31 tháng 12?"
    ranked = candidates(question, QueryTerms.of(question, lambda _t: 1.0, "vi"), [passage], "vi")
    best = ranked[0]
    assert best.type_found is True and best.start == 0 and best.text == text
    assert extract(ranked) == f"{text} [1]"  # quoted once, not again as its own second sentence
    plain = "Bà cho biết hội nghị sẽ mở."  # no name before it: still no name
    alone = Passage(source="w.txt", chunk_id="w", text=plain, score=1.0, start=0, end=len(plain), language="vi")
    assert candidates(question, QueryTerms.of(question, lambda _t: 1.0, "vi"), [alone], "vi")[0].type_found is False


def test_a_sentence_giving_another_year_or_code_than_the_question_is_demoted() -> None:
    from rag.answer.extractive import CONFLICT_FACTOR

    texts = [
        "5G coverage reached 91.2 per cent of the population.",
        "6G coverage reached 10 per cent of the population.",
    ]
    passages = [
        Passage(source=f"{n}.txt", chunk_id=str(n), text=t, score=1.0, start=0, end=len(t), language="en")
        for n, t in enumerate(texts)
    ]
    question = "What share of the population does 6G coverage reach?"
    ranked = candidates(question, QueryTerms.of(question, lambda _t: 1.0, "en"), passages, "en")
    by_text = {c.text: c for c in ranked}
    assert ranked[0].text == texts[1]
    plain = QueryTerms.of(question, lambda _t: 1.0, "en").coverage(tokenize_words(texts[0]))
    assert by_text[texts[0]].coverage == pytest.approx(plain * CONFLICT_FACTOR)
    other_year = "E-commerce reached US$36 billion in 2025."
    pool = [Passage(source="y.txt", chunk_id="y", text=other_year, score=1.0, start=0, end=40, language="en")]
    asked = "How big will e-commerce be in 2030?"
    terms = QueryTerms.of(asked, lambda _t: 1.0, "en")
    demoted = candidates(asked, terms, pool, "en")[0]
    assert demoted.coverage == pytest.approx(terms.coverage(tokenize_words(other_year)) * CONFLICT_FACTOR)


def tokenize_words(text: str) -> set[str]:
    from textproc.keys import undotted
    from textproc.tokens import tokenize

    return set(tokenize(undotted(text)))


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        # "which year" asks for a date as "what year" does
        ("In which year did Indonesia back the declaration?", "Indonesia has expressed its support for it.", False),
        ("In which year did Indonesia back the declaration?", "Indonesia backed it in 2023.", True),
        # a year inside a name is not a date: "Masterplan 2030", "Vision 2045", "(ADM 2030)"
        ("In what year was the Charter adopted?", "The ASEAN Digital Masterplan 2030 is being finalised.", False),
        ("When was it adopted?", "It adopts the Digital Masterplan 2026–2030 (ADM 2030).", False),
        ("When was it adopted?", "It was adopted in January 2025.", True),
        ("When was it adopted?", "In 2025 it was adopted.", True),
        ("Khi nào thuộc địa được thành lập?", "Năm 1788, thuộc địa được thành lập.", True),
        # a Vietnamese title and "nào" (which) asks for a person
        ("Phó Thủ tướng nào dự lễ bế mạc?", "Lễ bế mạc diễn ra trọng thể.", False),
        ("Phó Thủ tướng nào dự lễ bế mạc?", "Phó Thủ tướng Trần Hồng Hà dự lễ bế mạc.", True),
        # a country question wants a country's name, in either language, not any capitalised word
        ("Which country hosted the 38th ASEAN Summit?", "It was approved at the 38th ASEAN Summit in 2021.", False),
        ("Which country hosted the 38th ASEAN Summit?", "Brunei hosted the 38th ASEAN Summit.", True),
        ("Cuộc họp lần thứ năm diễn ra ở nước nào?", "Cuộc họp lần thứ năm diễn ra ở Thái Lan.", True),
        # "lần thứ mấy" (which time) is answered by "lần thứ năm", not by the question's own "lần thứ"
        ("Ảnh được chụp tại cuộc họp lần thứ mấy?", "Ảnh chụp tại cuộc họp lần thứ năm ở Thái Lan.", True),
        ("Ảnh được chụp tại cuộc họp lần thứ mấy?", "Ảnh chụp tại cuộc họp ở Thái Lan.", False),
        # "nhóm người nào" (which group of people) asks for no name: a kind of people answers it
        ("Nhóm người nào cần được hỗ trợ?", "Persons with disabilities need support.", None),
        ("Người nào cần được hỗ trợ?", "Persons with disabilities need support.", False),
        # "which day of the week" wants a weekday's name, not a date
        ("On which day of the week did it open?", "The meetings run from January 12 to 16.", False),
        ("On which day of the week did it open?", "The Prime Minister opened it on Thursday.", True),
        ("Phiên họp diễn ra vào thứ mấy?", "Phiên họp diễn ra ngày 15 tháng 1.", False),
        ("Phiên họp diễn ra vào thứ mấy?", "Phiên họp diễn ra vào thứ Năm.", True),
        # "where did it rank" asks for a rank, not a place
        ("Where did its internet speeds rank in 2025?", "Its speeds in 2025 ranked among the world's top 20.", True),
        ("Where did the team finish?", "The team finished third.", True),
        ("Where did the team finish?", "The team finished the season.", False),
    ],
)
def test_what_the_question_asks_for_decides_what_answers(question: str, sentence: str, expected: bool | None) -> None:
    assert asked_type_found(question, sentence) is expected


def test_a_title_with_a_modifier_the_question_lacks_is_another_role() -> None:
    text = (
        "Theo bà Lê Thị Việt Lâm, Phó Giám đốc Vụ Hợp tác Quốc tế, hội nghị sẽ ghi nhận cột mốc. "
        "Các guru thường thực hiện rất nhiều quyền kiểm soát cuộc sống của môn đồ."
    )
    passage = Passage(source="d.txt", chunk_id="c", text=text, score=1.0, start=0, end=len(text), dense_score=0.5)

    def best(question: str) -> tuple[str, bool | None]:
        top = candidates(question, QueryTerms.of(question, lambda _t: 1.0), [passage])[0]
        return top.text, top.type_found

    # the deputy director is not the director: no person found, and the sentence is demoted
    assert best("Ai là Giám đốc Vụ Hợp tác Quốc tế?") == (text.split(". ")[0] + ".", False)
    assert best("Ai là Phó Giám đốc Vụ Hợp tác Quốc tế?")[1] is True
    # "quyền" (acting) modifies only a capitalised title; "quyền kiểm soát" is "control"
    assert best("Các guru kiểm soát ai?")[0].startswith("Các guru")


def test_an_answer_from_the_other_language_quotes_its_close_runners_up() -> None:
    from rag.answer.extractive import CROSS_SENTENCES, Candidate, choose

    def ranked(cross: bool) -> list[Candidate]:
        scores = [1.0, 0.8, 0.76, 0.74, 0.7]
        return [
            Candidate(i, 0, 10, f"sentence {i}", s, frozenset({"w"}), 0.5, 0.8, None, cross)
            for i, s in enumerate(scores)
        ]

    # across languages the cosine is coarse: the close ones are quoted too, at most CROSS_SENTENCES
    assert [c.passage_index for c in choose(ranked(cross=True))] == [0, 1, 2][:CROSS_SENTENCES]
    # in the question's language, a runner-up must be nearly as good and add words the best lacks
    assert [c.passage_index for c in choose(ranked(cross=False))] == [0]
