"""Hybrid retrieval: dense (Chroma) and BM25 ranked lists fused by weighted reciprocal rank fusion.

RRF needs no score calibration between the two retrievers, which matters here: cosine similarities
of an English-only model and BM25 scores of Vietnamese syllables live on unrelated scales.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ingest import Embedder, detect_language
from rag.rerank import sentence_scores
from rag.settings import FusionParams
from rag.types import Passage
from vectorstore import ChunkRecord, ChunkStore
from vectorstore.analysis import bridge_query
from vectorstore.lexical import LexicalHit, LexicalIndex


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int
) -> list[tuple[str, float]]:
    """Ids ordered by sum of weight / (k + rank); ties keep the order of first appearance."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def hybrid_search(
    store: ChunkStore,
    embedder: Embedder,
    query: str,
    top_k: int,
    params: FusionParams,
    sources: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    mode: str = "hybrid",
    lexical_index: LexicalIndex | None = None,
) -> list[Passage]:
    """The top_k fused passages; ``mode`` "dense" or "bm25" runs one retriever alone (for baselines).

    ``lexical_index``: the store's BM25 index when the caller holds it already (one revision check
    per question instead of one per search); by default the store looks it up.
    """
    sources = list(sources) if sources is not None else None
    languages = list(languages) if languages is not None else None
    depth = max(params.candidates, top_k)
    vector = embedder.embed_query(query)
    query_language = detect_language(query)
    index: LexicalIndex | None = None
    if mode != "dense":
        index = lexical_index if lexical_index is not None else store.lexical_index()
    split = mode == "hybrid" and index is not None and params.dense_languages is None and params.cross_dense_weight > 0
    dense: list[tuple[str, float]] = []
    dense_cross: list[tuple[str, float]] = []
    if mode != "bm25":
        dense, dense_cross = _dense_lists(store, index, split, vector, depth, sources, languages, query_language)
    same, cross = _lexical_by_language(index, query, query_language, depth, sources, languages)
    lexical = same + cross

    dense_weight = params.dense_weight
    unread = params.dense_languages is not None and query_language not in params.dense_languages
    if mode == "hybrid" and unread and lexical:
        dense_weight = 0.0
    fused = reciprocal_rank_fusion(
        [
            [cid for cid, _ in dense],
            [cid for cid, _ in dense_cross],
            [h.chunk_id for h in same],
            [h.chunk_id for h in cross],
        ],
        [
            dense_weight,
            dense_weight * params.cross_dense_weight,
            params.lexical_weight,
            params.lexical_weight * params.cross_weight,
        ],
        params.rrf_k,
    )
    rerank = mode == "hybrid" and index is not None and params.rerank_depth > 1
    head = max(top_k, params.rerank_depth) if rerank else top_k
    reserved = [cid for cid, _ in dense_cross]
    fused = _reserve(fused, reserved, head, params.cross_reserve)[:head]
    similarity = dict(dense + dense_cross)
    bm25 = {h.chunk_id: h.score for h in lexical}
    # One round trip for the few fused chunks; vectors give BM25-only hits their dense score too.
    records: dict[str, ChunkRecord] = {}
    for record, vec in store.get_chunks_with_vectors([cid for cid, _ in fused]):
        records[record.chunk_id] = record
        similarity.setdefault(record.chunk_id, float(np.dot(vec, vector)))
    fused = [(cid, score) for cid, score in fused if cid in records]
    if rerank and index is not None:
        weight = params.sentence_weight if dense_weight > 0 else params.sentence_weight_lexical_only
        fused = _sentence_rerank(fused, records, index, query, query_language, weight / (params.rrf_k + 1))
    fused = _reserve(fused, [cid for cid in reserved if cid in records], top_k, params.cross_reserve)[:top_k]
    names_index = index or lexical_index
    shown = names_index.display_names if names_index is not None else {}
    return [_passage(records[cid], score, rank, similarity, bm25, shown) for rank, (cid, score) in enumerate(fused, 1)]


def _dense_lists(
    store: ChunkStore,
    index: LexicalIndex | None,
    split: bool,
    vector: np.ndarray,
    depth: int,
    sources: list[str] | None,
    languages: list[str] | None,
    query_language: str,
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The dense ranking; with ``split`` (the collection's languages known from ``index``), the
    question's language and the others ranked apart, so that the other language's best passages
    reach the fusion."""
    if not split or index is None:
        return store.dense_ranking(vector, depth, sources, languages, index), []
    if languages is None:
        return _dense_by_language(store, index, vector, depth, sources, query_language)
    present = set(languages)
    others = sorted(present - {query_language})
    same = store.dense_ranking(vector, depth, sources, [query_language], index) if query_language in present else []
    return same, store.dense_ranking(vector, depth, sources, others, index) if others else []


def _passage(
    record: ChunkRecord,
    score: float,
    rank: int,
    similarity: dict[str, float],
    bm25: dict[str, float],
    shown: Mapping[str, str],
) -> Passage:
    cid = record.chunk_id
    return Passage(
        source=shown.get(record.source) or posixpath.basename(record.source),
        path=record.source,
        chunk_id=cid,
        text=record.text,
        score=score,
        start=record.start,
        end=record.end,
        language=record.language,
        title=record.title,
        dense_score=similarity.get(cid),
        lexical_score=bm25.get(cid),
        rank=rank,
        sentences=record.sentences,
    )


def _reserve(fused: list[tuple[str, float]], best: list[str], size: int, share: float) -> list[tuple[str, float]]:
    """``fused`` with the first max(1, ⌊share × size⌋) of ``best`` among its first ``size`` entries: each
    missing one takes the place of the last entry that is not one of them (scores are kept)."""
    if share <= 0 or not best or size < 1:
        return fused
    wanted = best[: max(1, int(share * size))]
    head = fused[:size]
    present = {cid for cid, _ in head}
    missing = [cid for cid in wanted if cid not in present]
    if not missing:
        return fused
    scores = dict(fused)
    kept = [entry for entry in head if entry[0] in wanted]
    others = [entry for entry in head if entry[0] not in wanted][: max(0, size - len(kept) - len(missing))]
    new_head = sorted(others + kept, key=lambda kv: -kv[1]) + [(cid, scores.get(cid, 0.0)) for cid in missing]
    taken = {cid for cid, _ in new_head}
    return new_head + [entry for entry in fused if entry[0] not in taken]


def _sentence_rerank(
    fused: list[tuple[str, float]],
    records: dict[str, ChunkRecord],
    index: LexicalIndex,
    query: str,
    query_language: str,
    scale: float,
) -> list[tuple[str, float]]:
    """The fused chunks reordered by fused score + scale × best-sentence share (see rag.rerank)."""
    if scale <= 0 or len(fused) < 2:
        return fused
    cross_query = bridge_query(query) if query_language == "en" else query
    shares = sentence_scores(
        query,
        cross_query,
        query_language,
        [(records[c].language, records[c].text, records[c].sentences) for c, _ in fused],
        index.idf,
    )
    rescored = [(cid, score + scale * share) for (cid, score), share in zip(fused, shares, strict=True)]
    return sorted(rescored, key=lambda kv: -kv[1])


def _dense_by_language(
    store: ChunkStore,
    index: LexicalIndex,
    vector: np.ndarray,
    depth: int,
    sources: list[str] | None,
    query_language: str,
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The dense ranking split into the question's language and the others, from one deeper query
    without a language filter: Chroma filters by scanning metadata, which costs ~250 ms a query at
    100k chunks, against ~5 ms for the vector search. A filtered query for the other languages is
    made only when none of them reached the deeper list. Chunks this revision of the BM25 index does
    not know yet (another process's new ones) count as the question's language."""
    ranked = store.dense_ranking(vector, depth * SPLIT_DEPTH, sources, index=index)
    same: list[tuple[str, float]] = []
    cross: list[tuple[str, float]] = []
    for hit in ranked:
        language = index.language_of(hit[0])
        (cross if language is not None and language != query_language else same).append(hit)
    others = sorted(set(index.language_names) - {query_language})
    if others and not cross:
        cross = store.dense_ranking(vector, depth, sources, others, index)
    return same[:depth], cross[:depth]


# How much deeper the one dense query goes when its hits are split by language.
SPLIT_DEPTH = 4


def _lexical_by_language(
    index: LexicalIndex | None,
    query: str,
    query_language: str,
    depth: int,
    sources: list[str] | None,
    languages: list[str] | None,
) -> tuple[list[LexicalHit], list[LexicalHit]]:
    """BM25 hits in the question's language, and in the other languages (with bridge words only
    for English questions, whose plain words collide with ASCII Vietnamese syllables)."""
    if index is None:
        return [], []
    present = set(index.language_names) if languages is None else set(languages)
    same = index.search(query, depth, sources, [query_language]) if query_language in present else []
    others = sorted(present - {query_language})
    cross_query = bridge_query(query) if query_language == "en" else query
    cross = index.search(cross_query, depth, sources, others) if others and cross_query else []
    return same, cross
