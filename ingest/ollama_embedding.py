"""Embeddings from an Ollama server (``RAG_EMBED_MODEL=ollama:bge-m3``): the simplest way to a
multilingual model here, since nothing may be downloaded by this project but Ollama pulls models itself.

Chunks are still sized with the bundled all-MiniLM-L6-v2 tokenizer: Ollama exposes no tokenizer, and
the multilingual embedding models it serves read far longer inputs (bge-m3: 8192 tokens) than the
chunk size, so the count only needs to be a stable measure of length.
"""

from __future__ import annotations

import numpy as np

from ingest.embedding import DEFAULT_MODEL, Embedder, EmbeddingError
from ingest.ollama_client import catchable, client, describe

PREFIX = "ollama:"  # RAG_EMBED_MODEL values that start with it name an Ollama model


class OllamaEmbedder(Embedder):
    def __init__(self, model: str, batch_size: int, host: str, timeout: float) -> None:
        name = model.removeprefix(PREFIX).strip()
        if not name:
            raise EmbeddingError("RAG_EMBED_MODEL=ollama: needs a model name, e.g. ollama:bge-m3")
        super().__init__(DEFAULT_MODEL, batch_size)  # only its tokenizer is used, for chunk sizes
        self.model_name = model
        self.ollama_model = name
        self.host = host
        self.timeout = timeout
        self._query_encoder_failed = True  # questions go to Ollama like documents

    @property
    def max_tokens(self) -> int:
        return 8192

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        batches = []
        for lo in range(0, len(texts), self.batch_size):
            batches.append(self._request(texts[lo : lo + self.batch_size]))
        vectors = np.vstack(batches)
        # Ollama normalises already; doing it here too keeps cosine = dot for any server version.
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.where(norms == 0, 1, norms), dtype=np.float32)

    def _request(self, texts: list[str]) -> np.ndarray:
        try:
            response = client(self.host, self.timeout).embed(model=self.ollama_model, input=texts, truncate=True)
            vectors = np.asarray(response.embeddings, dtype=np.float32)
        except catchable() as exc:
            reason = describe(exc, self.host, self.ollama_model, self.timeout, "RAG_EMBED_MODEL=ollama:NAME")
            raise EmbeddingError(f"embedding with {self.model_name!r} failed: {reason}") from exc
        if vectors.ndim != 2 or len(vectors) != len(texts) or vectors.shape[1] == 0:
            raise EmbeddingError(
                f"embedding with {self.model_name!r} failed: Ollama sent {len(vectors)} vectors for {len(texts)} texts"
            )
        return vectors

    def prepare_query_encoder(self) -> None:
        return None

    @property
    def query_backend(self) -> str:
        return "ollama"


__all__ = ["PREFIX", "OllamaEmbedder"]
