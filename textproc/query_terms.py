"""A question's terms weighed by how rare they are in the collection (IDF), with the terms that can
match a document in the other language and the names and numbers no document has.

The one notion of "a question's terms" that answering's evidence and the extractive reader share;
retrieval's sentence scores and the citation checks use its unweighted form (``textproc.terms``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from textproc.countries import countries, names_of
from textproc.keys import MONTHS_EN, ORDINALS_EN, neutral_keys, undotted
from textproc.terms import content_terms
from textproc.tokens import tokenize

# No tokenizer output is ever whitespace, so its IDF is that of a word the collection lacks.
_NEVER_SEEN = " "


# A word that names something: capitalised or with a digit, as names, acronyms, numbers and years are
# written the same (or nearly: diacritics) in English and Vietnamese text.
_NAMING_WORD = re.compile(r"[\w'’‑-]+")


@dataclass(frozen=True)
class QueryTerms:
    terms: tuple[str, ...]
    weights: tuple[float, ...]
    # Terms that can match a document in the other language: names, acronyms, numbers (all tokens of
    # the question's naming words) and neutral_keys(); with their weights.
    bridge: tuple[tuple[str, float], ...] = ()
    # Names and numbers of the question that no document of the collection has.
    unknown: tuple[str, ...] = ()
    # Capitalised words of an English question that no document has ("France"): no sentence in the
    # question's language can answer it, though one in another language may name it translated.
    unknown_names: tuple[str, ...] = ()
    # Share of the question's word weight (joins aside) in words no document of the collection has.
    absent_share: float = 0.0

    @classmethod
    def of(
        cls,
        question: str,
        idf: Callable[[str], float],
        language: str = "",
        near_spelling: Callable[[str], bool] | None = None,
    ) -> QueryTerms:
        """``near_spelling``: whether the collection has a word spelt nearly like a token, so that a
        misspelt name ("Sentanta Sports") does not count as one no document has."""
        unseen = idf(_NEVER_SEEN)
        question = undotted(question)
        words = set(tokenize(question, joins=False))
        # The tokenizer also joins neighbouring words when one has diacritics ("Hà Nội" -> "hanoi") so
        # that names match their English spelling. A join no document has is either a compound word
        # the documents lack ("công thức", evidence against them) or just two neighbouring words
        # ("nhóm công"), noise; there is no Vietnamese word segmenter to tell which, so such a join
        # weighs a fraction of a word: at full weight, joins would drown every Vietnamese question.
        terms = tuple(content_terms(question))
        weights = tuple(idf(t) * (1.0 if t in words or idf(t) < unseen else UNSEEN_JOIN_WEIGHT) for t in terms)
        naming = set(tokenize(" ".join(_naming_words(question))))  # with joins: "Việt Nam" -> "vietnam"
        # Only ASCII tokens cross: acronyms, numbers, English names, and Vietnamese names folded and
        # joined ("Nguyễn Mạnh Hùng" -> "nguyenmanh", "manhhung", which English text with the name also
        # yields); a capitalised Vietnamese syllable ("Hội nghị") is a word, not a name in English text.
        bridge = [(t, w) for t, w in zip(terms, weights, strict=True) if t in naming and t.isascii()]
        informative = any(idf(t) < unseen for t in terms)
        unknown = _unknown(question, idf, unseen, language) if informative else ()
        names = _unknown_names(question, idf, unseen) if informative and language == "en" else ()
        if near_spelling is not None:
            names = tuple(n for n in names if not near_spelling(n))
        mean = sum(weights) / len(weights) if weights else 1.0
        # A number weighs as its commonest written form ("6" as "6th"), once: it is one key either way.
        keys = {k: min(mean, _key_idf(k, idf)) for k in sorted(neutral_keys(question))}
        # A country's name stands as its key, which its name in the other language also has.
        named = {t for name, _ in countries(question) for t in tokenize(name)}
        bridge = [
            (t, min(w, _key_idf(t, idf)) if t.isdigit() else w) for t, w in bridge if t not in keys and t not in named
        ]
        bridge += list(keys.items())
        word_weights = [(t in words, w, idf(t) >= unseen) for t, w in zip(terms, weights, strict=True)]
        word_mass = sum(w for is_word, w, _ in word_weights if is_word)
        absent = sum(w for is_word, w, missing in word_weights if is_word and missing)
        absent_share = absent / word_mass if word_mass and informative else 0.0
        return cls(
            terms,
            weights,
            tuple(bridge),
            unknown,
            unknown_names=tuple(n for n in names if n not in unknown),
            absent_share=absent_share,
        )

    @property
    def total(self) -> float:
        return sum(self.weights)

    def coverage(self, tokens: Iterable[str]) -> float:
        """Share of the question's IDF mass present in ``tokens`` (0 when the question has no terms)."""
        if not self.terms:
            return 0.0
        present = set(tokens)
        return sum(w for t, w in zip(self.terms, self.weights, strict=True) if t in present) / self.total

    def bridge_coverage(self, tokens: Iterable[str], keys: frozenset[str]) -> float:
        """Coverage of a sentence in another language, by the terms that can cross languages: share of
        the bridge terms' weight present, scaled down when the bridge terms weigh little in all (one
        ubiquitous acronym must not make every sentence a match)."""
        mass = sum(w for _, w in self.bridge)
        if not mass:
            return 0.0
        present = set(tokens) | keys
        found = sum(w for t, w in self.bridge if t in present)
        return found / mass * min(1.0, mass / BRIDGE_MASS)


def _unknown(question: str, idf: Callable[[str], float], unseen: float, language: str) -> tuple[str, ...]:
    """Acronyms and numbers of the question ("GDP", "Mbps", "7") that no document has: they are written
    alike in both languages, so their absence means no document speaks of them; so are the Latin
    words of a Vietnamese question, which are names, units and loanwords. A number counts as
    present in its ordinal forms too ("6" in "6th"). Without an index (every IDF equal) nothing is."""
    out = []
    for word in _naming_words(question):
        foreign = language == "vi" and word.isascii()  # "Mbps", "USD" in a Vietnamese question
        if sum(c.isupper() for c in word) < 2 and not any(c.isdigit() for c in word) and not foreign:
            continue  # a capitalised word may be a name translated in the other language's document
        for t in tokenize(word):
            forms = _number_forms(t) if t.isdigit() else [t]
            if all(idf(f) >= unseen for f in forms):
                out.append(t)
    return tuple(dict.fromkeys(out))


def _unknown_names(question: str, idf: Callable[[str], float], unseen: float) -> tuple[str, ...]:
    """Capitalised words (not the first) of which no document has any token."""
    out = []
    for word in _naming_words(question):
        tokens = tokenize(word)
        if word.isascii() and tokens and all(idf(t) >= unseen for t in tokens):
            out.extend(tokens)
    return tuple(dict.fromkeys(out))


def _number_forms(number: str) -> list[str]:
    """A number as written alone and as an ordinal: "6", "6st", "6nd", "6rd", "6th" (only the right
    suffix occurs in text; the others cost a lookup each)."""
    return [number, *(number + s for s in ("st", "nd", "rd", "th"))]


def _key_idf(key: str, idf: Callable[[str], float]) -> float:
    """IDF of a language-neutral key by its commonest written form: "ord:6" is as common as "6th" or
    "sixth", so the edition every document names ("the 6th meeting") does not make every sentence
    that names it a cross-language match."""
    kind, _, value = key.partition(":")
    if not value:  # a bare number
        forms = _number_forms(key)
    elif kind == "country":
        forms = names_of(value)
    elif kind == "ord":
        n = int(value)
        forms = _number_forms(value)[1:] + ([ORDINALS_EN[n - 1]] if 1 <= n <= len(ORDINALS_EN) else [])
    else:
        forms = [MONTHS_EN[int(value) - 1]]
    return min(idf(t) for form in forms for t in tokenize(form) or [form])


def _naming_words(question: str) -> list[str]:
    """Naming words of the question, without the first word of each of its sentences unless that is an
    acronym or a number (every sentence starts with a capital)."""
    return [
        m.group(0)
        for m in _NAMING_WORD.finditer(question)
        if any(c.isupper() or c.isdigit() for c in m.group(0))
        and not (_SENTENCE_START.fullmatch(question[: m.start()]) and not _acronym_or_number(m.group(0)))
    ]


# Nothing but the end of an earlier sentence before a word: a follow-up joined to the question before
# it ("Who chaired the meeting? When?") starts a sentence of its own.
_SENTENCE_START = re.compile(r"(?:.*[.?!…]\s+|\W*)", re.DOTALL)


def _acronym_or_number(word: str) -> bool:
    return word.isupper() or any(c.isdigit() for c in word)


# Weight of a join of two syllables that no document has, relative to a word (see QueryTerms.of).
UNSEEN_JOIN_WEIGHT = 0.5
# Weight of bridge terms at which a cross-language match counts fully (about two rare names or numbers).
BRIDGE_MASS = 8.0
