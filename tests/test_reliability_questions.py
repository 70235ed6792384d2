"""Bad questions, through ``ask()`` and ``rag ask``: a clear error (ValueError; one line on stderr and
exit 2) or a refusal, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import DEAD_OLLAMA, NO_LOCAL_MODEL

from rag.answer.pipeline import MAX_QUESTION_CHARS
from rag.answer.refusal import UNSUPPORTED_LANGUAGE
from rag.cli import EXIT_ERROR, main
from rag.service import RagService

CHAIR_Q = "Who chaired the 6th ASEAN Digital Ministers' Meeting?"

ERRORS = {
    "empty": ("", "empty"),
    "blank": (" \t\n  ", "empty"),
    "invisible only": ("\u200b\ufeff\x00\x07 \x1b", "empty"),
    "100 KB": ("What did ASEAN ministers decide? " * 3100, "too long"),
    "2001 characters": ("a" * (MAX_QUESTION_CHARS + 1), "too long"),
    "punctuation only": ("?!?! ... —— ???", "no words"),
    "symbols only": ("@#$%^&*() <> [] {}", "no words"),
}
FOREIGN = {
    "Chinese": "谁主持了第六届东盟数字部长会议？",
    "Russian": "Кто председательствовал на шестом совещании министров цифровых технологий АСЕАН?",
}


@pytest.mark.parametrize(("question", "reason"), list(ERRORS.values()), ids=list(ERRORS))
def test_bad_question_is_a_value_error(corpus_service: RagService, question: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        corpus_service.ask(question, llm="none")
    with pytest.raises(ValueError, match=reason):
        next(corpus_service.ask_stream(question, llm="none"))
    with pytest.raises(ValueError, match=reason):
        corpus_service.retrieve(question)


@pytest.mark.parametrize("question", [None, 42, b"bytes"])
def test_a_question_that_is_not_text_is_a_value_error(corpus_service: RagService, question: object) -> None:
    with pytest.raises(ValueError, match="must be text"):
        corpus_service.ask(question, llm="none")  # type: ignore[arg-type]


def test_control_characters_are_removed_and_the_question_answered(corpus_service: RagService) -> None:
    noisy = "Who\x00 chaired\x07 the 6th\u200b ASEAN\x1b[31m Digital Ministers' Meeting?\x7f"
    answer = corpus_service.ask(noisy, llm="none")
    assert answer.question == "Who chaired the 6th ASEAN Digital Ministers' Meeting?"  # colour code gone whole
    assert not answer.refused and "Nguyễn Mạnh Hùng" in answer.text


@pytest.mark.parametrize("question", list(FOREIGN.values()), ids=list(FOREIGN))
def test_question_in_another_language_is_refused(corpus_service: RagService, question: str) -> None:
    answer = corpus_service.ask(question, llm="none")
    assert answer.refused and answer.text == UNSUPPORTED_LANGUAGE
    assert answer.citations == []


@pytest.fixture
def cli_home(corpus_service: RagService, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`rag ask` against the session's ingested home (no second ingest)."""
    for name in [n for n in os.environ if n.startswith("RAG_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("RAG_HOME", str(corpus_service.settings.home))
    monkeypatch.setenv("OLLAMA_HOST", DEAD_OLLAMA)
    monkeypatch.setenv("RAG_LLM_MODEL", NO_LOCAL_MODEL)
    return corpus_service.settings.home


@pytest.mark.parametrize(("question", "reason"), list(ERRORS.values()), ids=list(ERRORS))
def test_rag_ask_reports_a_bad_question_on_one_line_and_exits_2(
    cli_home: Path, capsys: pytest.CaptureFixture[str], question: str, reason: str
) -> None:
    code = main(["ask", question])

    out, err = capsys.readouterr()
    assert code == EXIT_ERROR and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: the question") and reason in err


@pytest.mark.parametrize("question", list(FOREIGN.values()), ids=list(FOREIGN))
def test_rag_ask_refuses_another_language_and_exits_0(
    cli_home: Path, capsys: pytest.CaptureFixture[str], question: str
) -> None:
    code = main(["ask", question, "--llm", "none"])

    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert out.startswith(UNSUPPORTED_LANGUAGE)
