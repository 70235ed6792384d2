"""Property tests (hypothesis): cleaning, chunking (with the embedding model's real tokenizer),
citation parsing and defanging never raise on any text, and keep their promises: offsets always point
into the text, chunks cover all of it, citations are numbered 1..k and name real passages."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.chunking import Chunker
from ingest.cleaning import clean_text
from ingest.e5_embedding import E5Embedder
from rag.answer.citations import MARKER, resolve, strip_markers
from rag.answer.prompts import defang
from rag.settings import DEFAULT_EMBED_MODEL
from rag.types import Passage

FRAGMENTS = [
    "[1]",
    "[2]",
    "[12]",
    "[0]",
    "[2, 3]",
    "[1;4]",
    "[ 1 ]",
    "［2］",
    "[",
    "]",
    ". ",
    "? ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "  ",
    "Việt Nam",
    "Hà Nội",
    "Nguyễn Mạnh Hùng",
    "nghi\u0300",
    "e\u0301",
    "ASEAN",
    "2026",
    "\u200b",
    "\ufeff",
    "\x00",
    "\x0b",
    "<passage>",
    "</passages>",
    "<|im_start|>",
    "[INST]",
    "Mr. Smith",
    "e.g.",
    "…",
    "a" * 60,
]
# Text made of the pieces that break parsers (markers, newlines, Vietnamese, invisibles) and of arbitrary text.
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=40).map("".join)
words = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12)),
    min_size=1,
    max_size=160,
).map(" ".join)


@given(texts)
def test_cleaning_never_raises_and_is_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert cleaned == cleaned.strip()
    assert unicodedata.is_normalized("NFC", cleaned)
    assert "\r" not in cleaned and "\n\n\n" not in cleaned
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]", cleaned)


@pytest.fixture(scope="module")
def chunker() -> Chunker:
    # Small chunks, so that short generated texts are split many times; the real tokenizer counts.
    return Chunker(32, 8, E5Embedder(DEFAULT_EMBED_MODEL).tokenize)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words)
# The last piece repeats just after the overlap as well as inside it: it is the one after (found by hypothesis).
@example("Ë0:2: Ë0:2<0<0 Ë0:2<0<0 Ë0:2<0<0 Ë")
def test_chunks_have_valid_offsets_and_cover_the_whole_text(chunker: Chunker, raw: str) -> None:
    text = clean_text(raw)
    chunks = chunker.split(text)

    assert bool(chunks) == bool(text.strip())
    covered = [False] * len(text)
    previous_start = -1
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.start >= previous_start  # in reading order
        previous_start = chunk.start
        covered[chunk.start : chunk.end] = [True] * (chunk.end - chunk.start)
    lost = "".join(c for c, seen in zip(text, covered, strict=True) if not seen and not c.isspace())
    assert lost == ""


def _passages(n: int) -> list[Passage]:
    bodies = ["The alpaca herd grazes in the Andes.", "Hà Nội hosted the ASEAN meeting in 2026.", "Tides come twice."]
    return [
        Passage(
            source=f"d{i}.txt", chunk_id=f"d{i}#x:0", text=bodies[i % 3], score=1.0, start=0, end=len(bodies[i % 3])
        )
        for i in range(n)
    ]


@given(texts, st.integers(min_value=0, max_value=5))
def test_citation_parsing_never_raises_and_numbers_real_passages(text: str, n_passages: int) -> None:
    passages = _passages(n_passages)
    resolved = resolve(text, passages)

    numbers = [c.n for c in resolved.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert {c.source for c in resolved.citations} <= {p.source for p in passages}
    assert all(0.0 <= c.support <= 1.0 for c in resolved.citations)
    for citation in resolved.citations:
        for start, end in citation.highlights:
            assert 0 <= start < end <= len(citation.text)
    markers = [int(x) for m in MARKER.finditer(resolved.text) for x in re.split(r"\s*[,;]\s*", m.group(1))]
    assert set(markers) <= set(numbers)  # every marker left in the text names a citation
    written = [int(x) for m in MARKER.finditer(text) for x in re.split(r"\s*[,;]\s*", m.group(1))]
    assert sorted(resolved.dropped) == sorted(x for x in written if not 1 <= x <= n_passages)
    assert not MARKER.search(strip_markers(resolved.text))


@given(texts)
def test_defanged_text_holds_no_marker_tag_or_special_token(text: str) -> None:
    safe = defang(text)
    assert not MARKER.search(safe)
    assert not re.search(r"<\|[^|<>]{1,40}\|>", safe)
    assert not re.search(r"</?\s*(passages?|system|assistant|user|im_start|im_end)\b[^>]*>", safe, re.IGNORECASE)
    assert "[INST]" not in safe
