"""The BM25 index's on-disk format: a saved and reloaded index answers exactly like the one built."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textproc.tokens import tokenize
from vectorstore.lexical import LexicalIndex

WORDS = ["hà", "nội", "hanoi", "river", "rivers", "bridge", "long", "biên", "capital", "city", "việt", "nam"]

docs_strategy = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), min_size=1, max_size=25)


def _build(docs: list[list[str]]) -> LexicalIndex:
    texts = [" ".join(d) for d in docs]
    return LexicalIndex(
        "rev1",
        [f"c{i}" for i in range(len(texts))],
        [f"s{i % 3}" for i in range(len(texts))],
        ["vi" if i % 2 else "en" for i in range(len(texts))],
        [tokenize(t) for t in texts],
    )


@settings(max_examples=30, deadline=None)
@given(docs=docs_strategy, query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))
def test_reloaded_index_answers_like_the_built_one(
    tmp_path_factory: pytest.TempPathFactory, docs: list[list[str]], query: list[str]
) -> None:
    root = Path(tmp_path_factory.mktemp("lexical"))
    built = _build(docs)
    built.save(root)
    loaded = LexicalIndex.load(root)
    assert loaded is not None
    text = " ".join(query)
    for sources, languages in ((None, None), (["s1"], None), (None, ["vi"]), (["s0", "s2"], ["en"])):
        assert loaded.search(text, 5, sources, languages) == built.search(text, 5, sources, languages)
    assert loaded.token_lists == built.token_lists
    assert loaded.language_names == built.language_names
    counts = Counter(t for tokens in built.token_lists for t in set(tokens))
    for token in [*tokenize(text), "unseen"]:
        expected = math.log(1.0 + (len(docs) + 1) / (counts.get(token, 0) + 0.5))
        assert math.isclose(loaded.idf(token), expected)
        assert math.isclose(built.idf(token), expected)


def test_an_index_of_the_older_json_layout_is_not_read(tmp_path: Path) -> None:
    """The store rebuilds it from Chroma instead (tested through the store in test_ingest)."""
    (tmp_path / "rev0").mkdir()
    (tmp_path / "rev0" / "index.json").write_text(json.dumps({"revision": "rev0", "chunk_ids": [], "tokens": []}))
    (tmp_path / "CURRENT").write_text("rev0")
    assert LexicalIndex.load(tmp_path) is None


def test_an_empty_index_saves_and_loads(tmp_path: Path) -> None:
    LexicalIndex("rev2", [], [], [], []).save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded is not None
    assert len(loaded) == 0
    assert loaded.search("river", 5) == []
    assert loaded.token_lists == []


def test_a_rebuilt_revision_reuses_the_saved_tokens(tmp_path: Path) -> None:
    _build([["hà", "nội"], ["river", "bridge"]]).save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded is not None
    grown = LexicalIndex(
        "rev3",
        [*loaded.chunk_ids, "c9"],
        ["s0", "s1", "s2"],
        ["en", "vi", "en"],
        [*loaded.token_lists, tokenize("long biên")],
    )
    grown.save(tmp_path)
    again = LexicalIndex.load(tmp_path)
    assert again is not None and again.revision == "rev3"
    assert [h.chunk_id for h in again.search("long biên", 3)] == ["c9"]
    assert [h.chunk_id for h in again.search("hà nội", 3)] == ["c0"]


@settings(max_examples=60)
@given(
    docs_strategy,
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    st.integers(min_value=1, max_value=30),
    st.sampled_from([None, ["en"], ["vi"]]),
)
def test_search_returns_the_best_scoring_matches_in_order(
    docs: list[list[str]], query: list[str], k: int, languages: list[str] | None
) -> None:
    """Ranking only the chunks that matched gives bm25s's own top k (ties aside) and no non-matches."""
    index = _build(docs)
    hits = index.search(" ".join(query), k, languages=languages)
    bm25 = index._bm25
    ids = [bm25.vocab_dict[t] for t in tokenize(" ".join(query)) if t in bm25.vocab_dict]
    scores = bm25.get_scores_from_ids(ids) if ids else [0.0] * len(docs)
    allowed = [languages is None or ("vi" if i % 2 else "en") in languages for i in range(len(docs))]
    expected = sorted((float(s) for s, ok in zip(scores, allowed, strict=True) if ok and s > 0), reverse=True)[:k]
    assert [h.score for h in hits] == pytest.approx(expected)
    assert all(scores[int(h.chunk_id[1:])] > 0 and allowed[int(h.chunk_id[1:])] for h in hits)
