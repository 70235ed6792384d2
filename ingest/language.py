"""Language identification for documents and questions.

py3langid ships its model inside the package (nothing is downloaded). Letters that only Vietnamese
uses among the supported languages settle short texts, where statistical identifiers are unreliable.
"""

from __future__ import annotations

import lzma
import os
import re
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ingest.cache import cache_dir

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
    from py3langid.langid import LanguageIdentifier

    # Our own instance: the module-level one is shared by every user of py3langid.
    ptc, pc, classes, nextmove, row, output = _model()
    identifier = LanguageIdentifier(np.asarray(ptc), np.asarray(pc), classes, nextmove, output, tk_row=row)
    identifier.set_languages(_LANGUAGES)
    return identifier


def _model() -> tuple[Any, ...]:
    """py3langid's model arrays, from an uncompressed copy in the user's cache when there is one.

    The packaged model is LZMA-compressed, and decompressing it on every start costs a fresh
    `rag ask` almost half a second; the copy is named by the packaged file's size and time, so an
    upgraded py3langid writes a new one.
    """
    from py3langid.modelio import _to_array, load_model

    packaged = _packaged_model()
    stat = packaged.stat()
    copy = cache_dir() / f"py3langid-{stat.st_size}-{stat.st_mtime_ns}.npz"
    if not copy.is_file():
        try:
            copy.parent.mkdir(parents=True, exist_ok=True)
            partial = copy.with_suffix(f".{os.getpid()}.partial")
            with lzma.open(packaged) as source, partial.open("wb") as target:
                shutil.copyfileobj(source, target, length=1 << 20)
            partial.replace(copy)  # atomic: a concurrent reader never sees half a file
        except OSError:
            return tuple(load_model(packaged))  # a read-only cache: decompress in memory every time
    try:
        with np.load(copy, allow_pickle=False) as data:
            # The same conversions as py3langid.modelio.load_model, which reads only the compressed file.
            return (
                data["ptc"],
                data["pc"],
                data["classes"].tolist(),
                _to_array(data["nextmove"]),
                _to_array(data["nextmove_row"]),
                data["out_feat"].tolist(),
            )
    except (OSError, ValueError, KeyError):
        return tuple(load_model(packaged))  # a damaged copy: the packaged model is still right


def _packaged_model() -> Path:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / str(MODEL_FILE)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language; "und" when it has no letters to go by."""
    # A question is looked at twice per answer (retrieval and answering); documents only once.
    return _detect_cached(text) if len(text) <= _CACHED_LENGTH else _detect(text)


_CACHED_LENGTH = 2000


@lru_cache(maxsize=4096)
def _detect_cached(text: str) -> str:
    return _detect(text)


def _detect(text: str) -> str:
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
    scores = dict(_identifier().rank(sample))  # type: ignore[attr-defined]
    lang = max(scores, key=scores.__getitem__)
    # A few plain English words read as Tagalog or Spanish about as well ("sang the national anthem",
    # "was radio demonstration"): another language must beat English clearly, as real French or
    # German does by 15 or more even on three words.
    if lang not in ("en", "vi") and scores[lang] - scores.get("en", float("-inf")) < OTHER_LANGUAGE_MARGIN:
        return "en"
    return str(lang)


# Log-probability by which a language other than English and Vietnamese must beat English.
OTHER_LANGUAGE_MARGIN = 10.0
