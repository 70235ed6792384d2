"""The per-language word data of ``textproc/languages/<code>.toml``: function words, number and month
names, question cues. Kept as data so that the answering code holds no language's vocabulary and a
language is added by adding its file."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES_DIR = Path(__file__).with_name("languages")


@cache
def language_data() -> dict[str, dict[str, Any]]:
    """Every language's data by code, in code order (so that patterns built from them are stable)."""
    return {path.stem: tomllib.loads(path.read_text(encoding="utf-8")) for path in sorted(LANGUAGES_DIR.glob("*.toml"))}


def words(key: str, language: str | None = None) -> tuple[str, ...]:
    """The entries of ``key`` of one language, or of every language in code order."""
    data = language_data()
    chosen = [data[language]] if language else list(data.values())
    return tuple(entry for lang in chosen for entry in lang.get(key, ()))


def alternation(key: str) -> str:
    """``key``'s entries of every language as one regular-expression alternation; one that never
    matches when no language has the key (an empty alternation would match everywhere)."""
    return "|".join(words(key)) or "(?!)"


def cue(kind: str) -> re.Pattern[str]:
    """The question cue for ``kind`` (``[asks]`` in the data): any language's pattern, case-insensitive."""
    patterns = [p for lang in language_data().values() for p in lang.get("asks", {}).get(kind, ())]
    if not patterns:
        raise KeyError(f"no language file has a question cue for {kind!r}")
    return re.compile("|".join(patterns), re.IGNORECASE)
