"""The RAG service: one per settings object, holding the loaded model and open stores.

It keeps no per-user state: every method takes all it needs as arguments, so one service can serve
many concurrent users (the web app) while the expensive parts (the model, Chroma clients, BM25
indexes) are loaded once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Unpack

from ingest import Embedder, IngestOptions, IngestReport, run_ingest
from ingest.embedding import EmbeddingError, open_embedder
from rag.answer.llm_reader import LLMReader
from rag.answer.pipeline import POOL_CROSS_RESERVE, AnswerRequest, answer_events, validate_question
from rag.answer.refusal import RefusalModel
from rag.errors import CollectionMismatchError, RagError
from rag.llm import ChatModel, open_chat, resolve_backend
from rag.options import AskOptions, RetrieveOptions, checked
from rag.retrieval import hybrid_search
from rag.settings import DEFAULT_EMBED_MODEL, Settings
from rag.types import Answer, AnswerEvent, Passage, SourceInfo
from vectorstore import ChunkStore, StoreError, open_store
from vectorstore.lexical import LexicalIndex
from vectorstore.names import matches, shortest_unique_names


def bundled_corpus() -> Path:
    """The shipped documents: inside the installed wheel, or in the source tree when run from a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_bundled_corpus", here.parent / "data" / "corpus"):
        if candidate.is_dir():
            return candidate
    raise RagError("the bundled corpus is missing from this installation; reinstall the package")


@lru_cache(maxsize=4)
def _shared_embedder(model: str, batch_size: int, ollama_host: str, timeout: float) -> Embedder:
    # Models are read-only once loaded, so one copy per process is shared by every service.
    from ingest.onnx_encoder import default_cache_dir

    return open_embedder(model, batch_size, cache_dir=default_cache_dir(), ollama_host=ollama_host, timeout=timeout)


class RagService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stores: dict[str, ChunkStore] = {}
        self._stores_lock = threading.Lock()  # guards the dict of open stores only
        self._write_lock = threading.Lock()  # one ingest or delete at a time; readers never wait on it
        self._fill_lock = threading.Lock()  # one filling of an empty default collection at a time
        # Collections found non-empty and built with our model: later questions skip both checks
        # (two Chroma round trips each). An ingest in this service clears the mark.
        self._ready: set[str] = set()
        self.refusal = RefusalModel.load(settings.embedding.model)

    @property
    def embedder(self) -> Embedder:
        s = self.settings
        return _shared_embedder(s.embedding.model, s.embedding.batch_size, s.ollama_host, s.answer.llm.timeout)

    def store(self, collection: str | None = None) -> ChunkStore:
        name = collection or self.settings.collection
        with self._stores_lock:
            if name not in self._stores:
                try:
                    self._stores[name] = open_store(self.settings.home, name, self.settings.chroma_url)
                except StoreError as exc:
                    raise RagError(str(exc)) from exc
            return self._stores[name]

    def llm(
        self, choice: str | None = None, model: str | None = None, temperature: float | None = None
    ) -> ChatModel | None:
        """The LLM a question is answered with (None: extractive); the web app passes each user's own
        backend, model and temperature."""
        backend = resolve_backend(self.settings, choice or self.settings.answer.llm.backend)
        return None if backend is None else open_chat(self.settings, backend, model, temperature)

    # -- ingest -------------------------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[str | Path] | None = None,
        *,
        collection: str | None = None,
        prune: bool = False,
        show_progress: bool = False,
    ) -> IngestReport:
        store = self.store(collection)
        self._check_model(store)
        roots = [Path(p) for p in paths] if paths else [self.settings.corpus_dir or bundled_corpus()]
        options = IngestOptions(
            chunk_size=self.settings.ingest.chunk_size,
            chunk_overlap=self.settings.ingest.chunk_overlap,
            max_file_bytes=int(self.settings.ingest.max_file_mb * 1_000_000),
            show_progress=show_progress,
        )
        with self._write_lock:
            self._ready.discard(store.name)
            try:
                report = run_ingest(roots, store, self.embedder, options, prune=prune)
            except EmbeddingError as exc:  # the model cannot be loaded, or Ollama cannot embed
                raise RagError(str(exc)) from exc
        if store.exists:
            store.set_info("embed_model", self.settings.embedding.model)
        return report

    def _check_model(self, store: ChunkStore) -> None:
        built_with = store.info("embed_model")
        if built_with and built_with != self.settings.embedding.model:
            raise CollectionMismatchError(
                f"collection {store.name!r} was built with embedding model {built_with!r}, not "
                f"{self.settings.embedding.model!r}: set RAG_EMBED_MODEL={built_with} or use another collection"
            )

    def _ready_store(self, collection: str | None) -> ChunkStore:
        """The collection to read; the default one fills itself with the bundled corpus when empty."""
        store = self.store(collection)
        if store.name in self._ready:
            return store
        # A question that comes while the bundled corpus is being indexed waits for the whole of it.
        with self._fill_lock:
            if store.count() == 0:
                if (collection or self.settings.collection) != self.settings.collection:
                    raise RagError(
                        f"collection {store.name!r} is empty: run `rag ingest PATH --collection {store.name}`"
                    )
                self.ingest(collection=collection)
        self._check_model(store)
        if store.count() > 0:
            self._ready.add(store.name)
        return store

    def prepare(self) -> None:
        """Do now what the first question would: fill an empty default collection with the bundled
        corpus. The web chat calls it as it starts, so its document list and first answer need not wait."""
        self._ready_store(None)

    # -- questions ----------------------------------------------------------------------------

    def retrieve(self, question: str, **options: Unpack[RetrieveOptions]) -> list[Passage]:
        o = checked(options, RetrieveOptions)
        question = validate_question(question)
        mode = o.get("mode") or self.settings.retrieval.mode
        if mode not in ("hybrid", "dense", "bm25"):
            raise ValueError(f"mode must be 'hybrid', 'dense' or 'bm25', not {mode!r}")
        top_k = o.get("top_k", 5)
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        collection, sources, languages = o.get("collection"), o.get("sources"), o.get("languages")
        store = self._ready_store(collection)
        index = store.lexical_index()
        keys = _source_keys(store, index, sources)
        return self._search(store, question, top_k, keys, languages, mode, index)

    def _search(
        self,
        store: ChunkStore,
        question: str,
        top_k: int,
        sources: Sequence[str] | None,
        languages: Sequence[str] | None,
        mode: str,
        index: LexicalIndex | None,
        cross_reserve: float | None = None,
    ) -> list[Passage]:
        params = self.settings.fusion
        if cross_reserve is not None:
            params = params.model_copy(update={"cross_reserve": cross_reserve})
        try:
            return hybrid_search(store, self.embedder, question, top_k, params, sources, languages, mode, index)
        except EmbeddingError as exc:
            raise RagError(str(exc)) from exc

    def ask_stream(self, question: str, **options: Unpack[AskOptions]) -> Iterator[AnswerEvent]:
        o = checked(options, AskOptions)
        question = validate_question(question)
        choice = o.get("llm") or self.settings.answer.llm.backend
        chat = self.llm(choice, o.get("llm_model"), o.get("temperature"))
        store = self._ready_store(o.get("collection"))
        index = store.lexical_index()
        sources = _source_keys(store, index, o.get("sources"))
        request = AnswerRequest(
            question=question,
            top_k=o.get("top_k") or self.settings.retrieval.top_k,
            refusal=self.refusal,
            refusal_threshold=self.refusal_threshold,
            refusal_evidence=self.settings.answer.refusal.evidence,
            llm=None if chat is None else self.llm_reader(chat),
            llm_required=choice not in ("auto", "none"),
            history=list(o.get("history") or []),
        )
        reserve = (
            max(self.settings.retrieval.fusion.cross_reserve, POOL_CROSS_RESERVE)
            if self.settings.retrieval.fusion.cross_reserve > 0
            else 0.0
        )

        def retrieve(query: str, top: int) -> list[Passage]:
            # The store is ready and its BM25 index in hand: no more round trips to check either.
            return self._search(store, query, top, sources, None, self.settings.retrieval.mode, index, reserve)

        languages = set(index.language_names) if index is not None else set()
        idf = index.idf if index is not None else (lambda _t: 1.0)
        similarity = self._similarity if self._multilingual else None
        near = index.has_near_spelling if index is not None else None
        yield from answer_events(request, retrieve, idf, languages, similarity, near)

    @property
    def refusal_threshold(self) -> float:
        t = self.settings.answer.refusal.threshold
        return self.refusal.threshold if t is None else t

    @property
    def _multilingual(self) -> bool:
        return self.settings.dense_languages is None and self.settings.retrieval.mode != "bm25"

    def llm_reader(self, chat: ChatModel) -> LLMReader:
        """The LLM reader on ``chat``; with a multilingual model its verifier also checks across languages."""
        s = self.settings
        cosines = self._cosines if self._multilingual else None
        llm = s.answer.llm
        return LLMReader(chat, llm.passages, llm.window, cosines, llm.cross_language)

    def _similarity(self, question: str) -> Callable[[Sequence[str]], Sequence[float]]:
        """The question's cosines to sentences, for scoring sentences across languages."""

        def cosines(texts: Sequence[str]) -> Sequence[float]:
            try:
                return [float(v) for v in self.embedder.embed_cached(texts) @ self.embedder.embed_query(question)]
            except EmbeddingError as exc:
                raise RagError(str(exc)) from exc

        return cosines

    def _cosines(self, text: str, others: Sequence[str]) -> Sequence[float]:
        try:
            return [float(v) for v in self.embedder.embed_cached(others) @ self.embedder.embed_query(text)]
        except EmbeddingError as exc:
            raise RagError(str(exc)) from exc

    def ask(self, question: str, **options: Unpack[AskOptions]) -> Answer:
        """The answer stream drained: one code path for streaming and non-streaming answers."""
        events = self.ask_stream(question, **options)
        final = [e.answer for e in events if e.answer is not None]
        return final[-1]

    def delete_source(self, source: str, collection: str | None = None) -> int:
        """Remove one document's chunks from both indexes; the number of chunks removed."""
        store = self.store(collection)
        keys = _source_keys(store, store.lexical_index(), [source]) or []
        if not keys or keys[0] not in store.source_states():
            raise RagError(f"no document named {source!r} in collection {store.name!r}")
        with self._write_lock:
            self._ready.discard(store.name)
            removed = store.delete_sources(keys)
            store.commit()
        return removed

    def sources(self, collection: str | None = None) -> list[SourceInfo]:
        store = self.store(collection)
        states = store.source_states()
        shown = shortest_unique_names(states)
        return [
            SourceInfo(
                source=shown[s.source],
                path=s.source,
                chunks=s.stored_chunks,
                language=s.language,
                title=s.title,
                outlet=s.extra.get("outlet"),
                date=s.extra.get("date"),
            )
            for s in sorted(states.values(), key=lambda s: shown[s.source])
        ]


def _source_keys(store: ChunkStore, index: LexicalIndex | None, wanted: Sequence[str] | None) -> list[str] | None:
    """The store keys of the documents a user named: by the name shown, the full path, or a path's tail.
    A name that matches nothing stays as given (and so matches no chunk)."""
    if wanted is None:
        return None
    shown = index.display_names if index is not None else store.source_names()
    keys: list[str] = []
    for name in wanted:
        found = [key for key, display in shown.items() if matches(key, name, display)]
        keys.extend(found or [name])
    return list(dict.fromkeys(keys))


@lru_cache(maxsize=8)
def service_for(settings: Settings) -> RagService:
    return RagService(settings)


__all__ = ["DEFAULT_EMBED_MODEL", "RagService", "bundled_corpus", "service_for"]
