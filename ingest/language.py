"""Language identification for documents and questions.

py3langid ships its model inside the package (nothing is downloaded). Letters that only Vietnamese
uses among the supported languages settle short texts, where statistical identifiers are unreliable.
"""

from __future__ import annotations

import re
from functools import lru_cache

_VIETNAMESE_LETTERS = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĂÂĐÊÔƠƯ]")
_WORD = re.compile(r"[^\W\d_]+")


# Widely used languages only: on a few words, an unrestricted identifier answers with languages such
# as Scots Gaelic or Ligurian for "ASEAN ADGMIN 2026".
_LANGUAGES = [
    "en",
    "vi",
    "fr",
    "de",
    "es",
    "it",
    "pt",
    "nl",
    "sv",
    "da",
    "no",
    "fi",
    "pl",
    "cs",
    "ru",
    "uk",
    "tr",
    "ar",
    "fa",
    "hi",
    "bn",
    "th",
    "id",
    "ms",
    "tl",
    "zh",
    "ja",
    "ko",
    "km",
    "lo",
    "my",
    "el",
    "he",
    "hu",
    "ro",
]


@lru_cache(maxsize=1)
def _identifier() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    # Our own instance: the module-level one is shared by every user of py3langid.
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(_LANGUAGES)
    return identifier


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language; "und" when it has no letters to go by."""
    sample = text[:5000]
    letters = _WORD.findall(sample)
    if not letters:
        return "und"
    # Names ("Nguyễn Mạnh Hùng") carry Vietnamese letters in English text too, so the words that are not
    # capitalised decide, when there are any: Vietnamese when enough of them are Vietnamese-only.
    common = [w for w in letters if not w[0].isupper()]
    basis = common or letters
    vietnamese = sum(1 for w in basis if _VIETNAMESE_LETTERS.search(w))
    if vietnamese and vietnamese >= 0.3 * len(basis):
        return "vi"
    if len(basis) < 3 and all(w.isascii() for w in basis):
        return "en"  # too little to go by; acronyms and names read as English
    sample = " ".join(basis)
    lang, _score = _identifier().classify(sample)  # type: ignore[attr-defined]
    return str(lang)
