"""The words of an English question that can match a Vietnamese passage: names, numbers, acronyms.

With an English-only embedding model, a lexical retriever's only bridges between the languages are
the words both write alike. Vietnamese text keeps foreign names, numbers and acronyms as they are
("Super Bowl 50", "NFL", "Luther"), but many plain-ASCII Vietnamese syllables are also English words
("to", "an", "do", "con", "ban", "the" folded), so an English question's ordinary words match
Vietnamese passages by accident. Keeping only the bridge words removes that noise (measured on the
even-numbered XQuAD articles: en→vi hit@5 0.606 → 0.654; on the odd ones 0.462 → 0.533).

The reverse direction needs no such filter: a Vietnamese question's own words nearly all carry
diacritics and match nothing in English text, while its English-looking words are the bridges.
"""

from __future__ import annotations

import re

from textproc.tokens import fold_diacritics

_WORD = re.compile(r"\w+", re.UNICODE)


def _is_bridge(word: str) -> bool:
    return word[:1].isupper() or any(c.isdigit() for c in word)


def bridge_query(question: str) -> str:
    """The question's capitalised words, numbers and acronyms, without diacritics.

    The first word counts only when the next one is capitalised too ("Jared Allen ..."), since
    otherwise it is capitalised for being first ("How", "Which").
    """
    words = [w for w in _WORD.findall(question) if w != "_"]
    kept = [
        w
        for i, w in enumerate(words)
        if _is_bridge(w) and (i > 0 or any(c.isdigit() for c in w) or (len(words) > 1 and _is_bridge(words[1])))
    ]
    return " ".join(fold_diacritics(w.casefold()) for w in kept)
