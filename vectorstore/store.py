"""One collection: chunks and vectors in Chroma, words in a BM25 index, and what is known of each source.

Chroma is the single source of truth. The per-source bookkeeping (content hash, expected chunk count)
lives in each chunk's metadata, so it can never disagree with what is stored, and the BM25 index is a
derived cache stamped with the collection's revision: when the revisions differ (another process
ingested), it is rebuilt from Chroma.

The first write after a commit stamps the collection with a *pending* revision. While it is pending
(an ingest is running, or one was killed before it committed) no BM25 index is saved or trusted
beyond the moment it was built: readers rebuild in memory when Chroma's count moves, and the next
ingest commits, whatever it finds to do itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from textproc.tokens import tokenize
from vectorstore.chroma import StoreError, get_collection, list_collection_names, open_client
from vectorstore.exact import EXACT_UP_TO, ExactVectors
from vectorstore.lexical import LexicalHit, LexicalIndex, new_revision
from vectorstore.names import shortest_unique_names
from vectorstore.records import ChunkRecord, SourceState

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

__all__ = ["ChunkStore", "StoreError", "open_store"]

# Chroma caps one write; stay well below it.
_WRITE_BATCH = 2000
# Recently read chunks kept in memory (text, metadata, vector: ~3 kB each with a 384-d model).
_RECENT_CHUNKS = 4096
PENDING = "pending-"
_Row = TypeVar("_Row")


class ChunkStore:
    """A named collection; safe to share between threads of one process."""

    def __init__(self, client: ClientAPI, name: str, lexical_root: Path) -> None:
        self.client = client
        self.name = name
        self._lexical_root = lexical_root
        self._collection: Collection | None = get_collection(client, name, create=False)
        self._lexical: LexicalIndex | None = None
        self._lock = threading.Lock()
        # Chunks (with vectors) read lately, by id. A chunk id names one version of one source's
        # content, so an entry never goes stale by another process's writes; this process's own
        # writes clear it anyway. Saves a Chroma read per question for the passages that recur.
        self._recent: OrderedDict[str, tuple[ChunkRecord, np.ndarray]] = OrderedDict()
        self._recent_lock = threading.Lock()
        # The exact-search vectors and the BM25 index (of one revision) they were built for.
        self._exact: tuple[LexicalIndex | None, ExactVectors | None] = (None, None)
        self._exact_lock = threading.Lock()

    # -- reading ------------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self._collection is not None

    def count(self) -> int:
        return 0 if self._collection is None else int(self._collection.count())

    def revision(self) -> str:
        if self._collection is None:
            return ""
        fresh = get_collection(self.client, self.name, create=False)
        if fresh is None:
            self._collection = None
            return ""
        self._collection = fresh
        return str((fresh.metadata or {}).get("revision", ""))

    def source_states(self) -> dict[str, SourceState]:
        """Per source: the current version's hash, how many of its chunks are stored, and stale ids."""
        rows = self._all_metadata()
        by_source: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for chunk_id, meta in rows:
            by_source.setdefault(str(meta["source"]), []).append((chunk_id, meta))
        states = {}
        for source, chunks in by_source.items():
            # The version with the most recent write wins; older versions are stale leftovers.
            newest = max(chunks, key=lambda c: float(c[1].get("written_at", 0.0)))[1]
            current = str(newest["content_hash"])
            ids_current = [cid for cid, m in chunks if m["content_hash"] == current]
            stale = [cid for cid, m in chunks if m["content_hash"] != current]
            extra = {k[2:]: str(v) for k, v in newest.items() if k.startswith("x_")}
            states[source] = SourceState(
                source=source,
                content_hash=current,
                n_chunks=int(newest["n_chunks"]),
                stored_chunks=len(set(ids_current)),
                language=str(newest.get("language", "")),
                title=str(newest.get("title", "")),
                extra=extra,
                stale_ids=stale,
            )
        return states

    def _all_metadata(self) -> list[tuple[str, dict[str, Any]]]:
        if self._collection is None:
            return []
        out: list[tuple[str, dict[str, Any]]] = []
        total = self._collection.count()
        for offset in range(0, total, 10_000):
            got = self._collection.get(include=["metadatas"], limit=10_000, offset=offset)
            metas = got["metadatas"] or []
            out.extend((cid, dict(m)) for cid, m in zip(got["ids"], metas, strict=True))
        return out

    def chunk_ids(self) -> list[str]:
        """Every stored chunk's id, read from Chroma."""
        return [cid for cid, _ in self._all_metadata()]

    def get_chunks(self, chunk_ids: Sequence[str]) -> list[ChunkRecord]:
        if self._collection is None or not chunk_ids:
            return []
        got = self._collection.get(ids=list(chunk_ids), include=["documents", "metadatas"])
        by_id = {
            cid: ChunkRecord.from_stored(cid, doc or "", dict(meta or {}))
            for cid, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
        }
        return [by_id[c] for c in chunk_ids if c in by_id]

    def get_chunks_with_vectors(self, chunk_ids: Sequence[str]) -> list[tuple[ChunkRecord, np.ndarray]]:
        if self._collection is None or not chunk_ids:
            return []
        with self._recent_lock:
            known = {cid: self._recent[cid] for cid in chunk_ids if cid in self._recent}
            for cid in known:
                self._recent.move_to_end(cid)
        missing = [cid for cid in chunk_ids if cid not in known]
        fetched = {pair[0].chunk_id: pair for pair in self._read_with_vectors(missing)} if missing else {}
        for _record, vector in fetched.values():
            vector.setflags(write=False)  # shared by every later reader
        with self._recent_lock:
            self._recent.update(fetched)
            while len(self._recent) > _RECENT_CHUNKS:
                self._recent.popitem(last=False)
        both = known | fetched
        return [both[cid] for cid in chunk_ids if cid in both]

    def _exact_vectors(self, index: LexicalIndex) -> ExactVectors:
        """Every vector of the revision ``index`` was built from, kept while that index is current."""
        with self._exact_lock:
            built_for, vectors = self._exact
            if built_for is not index or vectors is None:
                vectors = ExactVectors.build(index.chunk_ids, vectors, self._vectors_of)
                self._exact = (index, vectors)
            return vectors

    def _vectors_of(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks, read in batches; unreadable ones are left out."""

        def read(ids: Sequence[str]) -> list[tuple[str, np.ndarray]]:
            assert self._collection is not None
            got = self._collection.get(ids=list(ids), include=["embeddings"])
            vectors = got["embeddings"] if got["embeddings"] is not None else []
            return [(cid, np.asarray(v, dtype=np.float32)) for cid, v in zip(got["ids"], vectors, strict=True)]

        out: dict[str, np.ndarray] = {}
        for lo in range(0, len(chunk_ids), _WRITE_BATCH):
            out.update(_skipping_unreadable(read, chunk_ids[lo : lo + _WRITE_BATCH]))
        return out

    def _forget_recent(self) -> None:
        with self._recent_lock:
            self._recent.clear()

    def _read_with_vectors(self, chunk_ids: Sequence[str]) -> list[tuple[ChunkRecord, np.ndarray]]:
        return _skipping_unreadable(self._with_vectors, chunk_ids)

    def _with_vectors(self, chunk_ids: Sequence[str]) -> list[tuple[ChunkRecord, np.ndarray]]:
        assert self._collection is not None
        got = self._collection.get(ids=list(chunk_ids), include=["documents", "metadatas", "embeddings"])
        vectors = got["embeddings"] if got["embeddings"] is not None else []
        return [
            (ChunkRecord.from_stored(cid, doc or "", dict(meta or {})), np.asarray(vec, dtype=np.float32))
            for cid, doc, meta, vec in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], vectors, strict=True
            )
        ]

    @property
    def pending(self) -> bool:
        """True when writes were made that no commit has published (running or interrupted ingest)."""
        return self.revision().startswith(PENDING)

    def dense_ranking(
        self,
        vector: np.ndarray,
        k: int,
        sources: Iterable[str] | None = None,
        languages: Iterable[str] | None = None,
        index: LexicalIndex | None = None,
    ) -> list[tuple[str, float]]:
        """Ids and cosine similarities only: fetching 30 chunks' texts and metadata costs Chroma more
        than the search itself, and fusion keeps only a few of them. Exact up to ``EXACT_UP_TO``
        chunks (vectorstore/exact.py says why); ``index``: the BM25 index of the revision the caller
        reads, when it holds it (saves a revision check)."""
        if self._collection is None or k <= 0:
            return []
        index = index if index is not None else self.lexical_index()
        if index is not None and len(index) <= EXACT_UP_TO:
            return self._exact_vectors(index).rank(vector, k, index.mask(sources, languages))
        embedding: Any = [vector.astype(np.float32).tolist()]
        where = _where(sources, languages)
        try:
            result = self._collection.query(
                query_embeddings=embedding,
                n_results=k,  # Chroma returns fewer when it holds fewer: no count() round trip
                where=where,
                include=["distances"],
            )
        except Exception as exc:
            from chromadb.errors import ChromaError  # chromadb is imported by now; not at module load (cold start)

            if where is None or not isinstance(exc, ChromaError):
                raise
            return self._dense_ranking_filtered_here(embedding, k, sources, languages)
        dists = (result["distances"] or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], dists, strict=True)]

    def _dense_ranking_filtered_here(
        self, embedding: Any, k: int, sources: Iterable[str] | None, languages: Iterable[str] | None
    ) -> list[tuple[str, float]]:
        """Embedded Chroma in a process that did not write the newest chunks sees their metadata but
        not their vectors, and a filtered query trips over them ("Error finding id"). Then rank
        without the filter, deeper, and filter the hits here."""
        assert self._collection is not None
        result = self._collection.query(
            query_embeddings=embedding, n_results=k * _UNFILTERED_DEPTH, include=["distances", "metadatas"]
        )
        wanted_sources = set(sources) if sources is not None else None
        wanted_languages = set(languages) if languages is not None else None
        hits = []
        rows = zip(result["ids"][0], (result["distances"] or [[]])[0], (result["metadatas"] or [[]])[0], strict=True)
        for cid, dist, meta in rows:
            meta = meta or {}
            if wanted_sources is not None and meta.get("source") not in wanted_sources:
                continue
            if wanted_languages is not None and meta.get("language") not in wanted_languages:
                continue
            hits.append((cid, 1.0 - float(dist)))
        return hits[:k]

    def lexical_index(self) -> LexicalIndex | None:
        """The BM25 index of the current revision, loading or rebuilding it when it is behind."""
        revision = self.revision()
        if not revision:
            return None
        with self._lock:
            if revision.startswith(PENDING):
                return self._pending_lexical(revision)
            if self._lexical is not None and self._lexical.revision == revision:
                return self._lexical
            loaded = LexicalIndex.load(self._lexical_dir())
            if loaded is None or loaded.revision != revision:
                loaded = self._build_lexical(revision, previous=loaded)
                loaded.save(self._lexical_dir())
            self._lexical = loaded
            return loaded

    def _pending_lexical(self, revision: str) -> LexicalIndex:
        """Mid-ingest (or after a killed one) the index follows Chroma as it is now, and is not saved:
        the revision does not change with each write, so a saved copy would go stale unnoticed."""
        current = self._lexical
        if current is None or current.revision != revision or len(current) != self.count():
            current = self._build_lexical(revision, previous=current or LexicalIndex.load(self._lexical_dir()))
            self._lexical = current
        return current

    def lexical_search(
        self,
        query: str,
        k: int,
        sources: Iterable[str] | None = None,
        languages: Iterable[str] | None = None,
    ) -> list[LexicalHit]:
        index = self.lexical_index()
        return [] if index is None else index.search(query, k, sources, languages)

    # -- writing ------------------------------------------------------------------------------

    def replace_source(self, records: Sequence[ChunkRecord], embeddings: np.ndarray) -> None:
        """Store a source's new chunks, then drop its other versions: a crash in between leaves
        both versions, which the next ingest sees as stale ids and removes."""
        self.replace_sources([(records, embeddings)])

    def replace_sources(self, items: Sequence[tuple[Sequence[ChunkRecord], np.ndarray]]) -> None:
        """replace_source for several sources in one write: embedded Chroma pays ~30 ms per write
        call (a transaction and its fsyncs), more than embedding a short file costs."""
        items = [(records, vectors) for records, vectors in items if records]
        if not items:
            return
        import time

        collection = self._ensure_collection()
        self._mark_pending()
        self._forget_recent()
        written_at = time.time()
        records = [r for batch, _ in items for r in batch]
        embeddings = np.concatenate([vectors[: len(batch)] for batch, vectors in items])
        for lo in range(0, len(records), _WRITE_BATCH):
            batch = records[lo : lo + _WRITE_BATCH]
            collection.upsert(
                ids=[r.chunk_id for r in batch],
                embeddings=embeddings[lo : lo + len(batch)].astype(np.float32).tolist(),
                documents=[r.text for r in batch],
                metadatas=[{**r.metadata(), "written_at": written_at} for r in batch],
            )
        sources = sorted({batch[0].source for batch, _ in items})
        keep = {r.chunk_id for r in records}
        old = collection.get(where=_where(sources, None), include=[])
        stale = [cid for cid in old["ids"] if cid not in keep]
        self.delete_ids(stale)

    def delete_ids(self, chunk_ids: Sequence[str]) -> None:
        if self._collection is None or not chunk_ids:
            return
        self._mark_pending()
        self._forget_recent()
        for lo in range(0, len(chunk_ids), _WRITE_BATCH):
            self._collection.delete(ids=list(chunk_ids[lo : lo + _WRITE_BATCH]))

    def delete_sources(self, sources: Iterable[str]) -> int:
        if self._collection is None:
            return 0
        removed = 0
        for source in sources:
            ids = self._collection.get(where={"source": source}, include=[])["ids"]
            self.delete_ids(ids)
            removed += len(ids)
        return removed

    def rename_source(self, old: str, new: str) -> None:
        """Store a source's chunks under another key, vectors untouched (a migration of keys)."""
        if self._collection is None:
            return
        got = self._collection.get(where={"source": old}, include=["metadatas"])
        if not got["ids"]:
            return
        self._mark_pending()
        self._forget_recent()
        metas: list[Any] = [{**dict(m), "source": new} for m in got["metadatas"] or []]
        for lo in range(0, len(metas), _WRITE_BATCH):
            self._collection.update(ids=got["ids"][lo : lo + _WRITE_BATCH], metadatas=metas[lo : lo + _WRITE_BATCH])

    def source_names(self) -> dict[str, str]:
        """Every source's key and the name it is shown by (its shortest unique path)."""
        index = self.lexical_index()
        return index.display_names if index is not None else shortest_unique_names(self.source_states())

    def commit(self) -> None:
        """Publish the writes: a new revision, and the BM25 index rebuilt to match it."""
        collection = self._ensure_collection()
        revision = new_revision()
        with self._lock:
            previous = self._lexical or LexicalIndex.load(self._lexical_dir())
            index = self._build_lexical(revision, previous=previous)
            index.save(self._lexical_dir())
            meta = dict(collection.metadata or {})
            meta["revision"] = revision
            meta.pop("hnsw:space", None)
            collection.modify(metadata=meta)
            self._lexical = index

    def _mark_pending(self) -> None:
        """Stamp the collection before writing, so no reader or later ingest takes it as published."""
        if self.pending:
            return
        collection = self._ensure_collection()
        with self._lock:
            meta = dict(collection.metadata or {})
            meta["revision"] = PENDING + new_revision()
            meta.pop("hnsw:space", None)
            collection.modify(metadata=meta)

    def info(self, key: str) -> str:
        """A value kept in the collection's own metadata (e.g. the embedding model it was built with)."""
        self.revision()  # refreshes the collection handle
        if self._collection is None:
            return ""
        return str((self._collection.metadata or {}).get(f"info_{key}", ""))

    def set_info(self, key: str, value: str) -> None:
        collection = self._ensure_collection()
        with self._lock:
            meta = dict(collection.metadata or {})
            if meta.get(f"info_{key}") == value:
                return
            meta[f"info_{key}"] = value
            meta.pop("hnsw:space", None)
            collection.modify(metadata=meta)

    def drop(self) -> None:
        """Delete the whole collection and its lexical index."""
        import shutil

        if self._collection is not None:
            self.client.delete_collection(self._collection.name)
            self._collection = None
        shutil.rmtree(self._lexical_dir(), ignore_errors=True)
        self._lexical = None
        self._forget_recent()

    # -- internals ----------------------------------------------------------------------------

    def _ensure_collection(self) -> Collection:
        if self._collection is None:
            self._collection = get_collection(self.client, self.name, create=True)
        assert self._collection is not None
        return self._collection

    def _lexical_dir(self) -> Path:
        digest = hashlib.sha1(self.name.encode("utf-8")).hexdigest()[:10]
        return self._lexical_root / digest

    def _build_lexical(self, revision: str, previous: LexicalIndex | None) -> LexicalIndex:
        """Tokenise only chunks the previous index did not hold; chunk ids change with content."""
        known: dict[str, list[str]] = {}
        if previous is not None:
            known = dict(zip(previous.chunk_ids, previous.token_lists, strict=True))
        ids: list[str] = []
        sources: list[str] = []
        languages: list[str] = []
        tokens: list[list[str]] = []
        if self._collection is not None:
            total = self._collection.count()
            for offset in range(0, total, 10_000):
                page = self._collection.get(include=["metadatas"], limit=10_000, offset=offset)
                need = [c for c in page["ids"] if c not in known]
                texts: dict[str, str] = {}
                if need:
                    got = self._collection.get(ids=need, include=["documents"])
                    texts = dict(zip(got["ids"], [d or "" for d in got["documents"] or []], strict=True))
                for cid, meta in zip(page["ids"], page["metadatas"] or [], strict=True):
                    ids.append(cid)
                    sources.append(str(meta["source"]))
                    languages.append(str(meta.get("language", "")))
                    tokens.append(known[cid] if cid in known else tokenize(texts[cid]))
        return LexicalIndex(revision, ids, sources, languages, tokens)


# How much deeper an unfiltered ranking goes when the filter has to be applied here.
_UNFILTERED_DEPTH = 4


def _where(sources: Iterable[str] | None, languages: Iterable[str] | None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if sources is not None:
        clauses.append({"source": {"$in": list(sources)}})
    if languages is not None:
        clauses.append({"language": {"$in": list(languages)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def open_store(home: Path, collection: str, chroma_url: str | None = None) -> ChunkStore:
    """The store for a collection, embedded under ``home`` or on the Chroma server at ``chroma_url``."""
    client = open_client(home / "chroma", chroma_url)
    if chroma_url:
        digest = hashlib.sha1(chroma_url.encode("utf-8")).hexdigest()[:10]
        lexical_root = home / "lexical" / f"server-{digest}"
    else:
        lexical_root = home / "lexical" / "embedded"
    return ChunkStore(client, collection, lexical_root)


def collection_names(home: Path, chroma_url: str | None = None) -> list[str]:
    return list_collection_names(open_client(home / "chroma", chroma_url))


def _skipping_unreadable(read: Callable[[Sequence[str]], list[_Row]], chunk_ids: Sequence[str]) -> list[_Row]:
    """``read(chunk_ids)``, or, when that fails, each chunk read alone and the unreadable ones skipped.
    Embedded Chroma: chunks another process wrote since this one opened the store are in its SQLite
    (so BM25 finds them) but not in this process's vector index, and reading their vectors fails."""
    from chromadb.errors import InternalError

    try:
        return read(chunk_ids)
    except InternalError:
        out: list[_Row] = []
        for cid in chunk_ids:
            with contextlib.suppress(InternalError):
                out.extend(read([cid]))
        return out
