"""What the bot says when the documents do not hold the answer, in the question's language."""

from __future__ import annotations

REFUSALS = {
    "en": "The documents do not contain the answer to this question.",
    "vi": "Các tài liệu không chứa câu trả lời cho câu hỏi này.",
}
UNSUPPORTED_LANGUAGE = (
    "The documents do not contain the answer to this question. (Questions are answered in English and "
    "Vietnamese; this one seems to be in another language.)"
)


def refusal_text(language: str) -> str:
    return REFUSALS.get(language, UNSUPPORTED_LANGUAGE)
