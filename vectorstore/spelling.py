"""Near spellings in a collection's vocabulary: "Sentanta" in a question, "Setanta" in the documents.

A name that no document has makes a question about something else ("the capital of Germany"); a name
misspelt by one or two letters does not. difflib's ratio is enough here: it is only asked about the
rare question word that no document has, against words of about its length and first letter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from difflib import SequenceMatcher

from textproc.tokens import fold_diacritics

# Words shorter than this have too many neighbours one letter away to call any of them a misspelling.
MIN_LENGTH = 5
# SequenceMatcher ratio at which two words count as one spelt two ways: "sentanta"/"setanta" 0.93,
# "bedigo"/"bendigo" 0.92, "carslbad"/"carlsbad" 0.88 (XQuAD questions' misspellings). Words one
# suffix apart are near too ("germani"/"german" 0.92): a question about Germany is not off-topic
# for documents about German policy.
MIN_RATIO = 0.85
MAX_LENGTH_GAP = 2


class SpellingIndex:
    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in vocabulary:
            folded = fold_diacritics(word)
            if len(folded) >= MIN_LENGTH - MAX_LENGTH_GAP:
                self._buckets[folded[0], len(folded)].append(folded)

    def has_near(self, token: str) -> bool:
        """Whether the vocabulary has ``token`` or a word spelt nearly like it (same first letter)."""
        folded = fold_diacritics(token)
        if len(folded) < MIN_LENGTH:
            return False
        matcher = SequenceMatcher(b=folded, autojunk=False)  # b is the side it indexes
        for length in range(len(folded) - MAX_LENGTH_GAP, len(folded) + MAX_LENGTH_GAP + 1):
            for word in self._buckets.get((folded[0], length), ()):
                matcher.set_seq1(word)
                # The cheap upper bounds first: most words of the bucket fail them.
                quick = matcher.real_quick_ratio() >= MIN_RATIO and matcher.quick_ratio() >= MIN_RATIO
                if quick and matcher.ratio() >= MIN_RATIO:
                    return True
        return False
