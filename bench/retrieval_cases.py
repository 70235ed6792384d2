"""Target 3: `retrieve()` against llama-index's default `VectorStoreIndex` retriever on the same model
and paragraphs, and `ask()` (extractive) against `retrieve()`; plus the query encoder's fidelity."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.common import DEAD_OLLAMA, Context, Result, p50_ms
from ingest.e5_embedding import E5Embedder
from ingest.embedding import Embedder
from ingest.onnx_encoder import QUERY_THREADS
from rag.service import RagService
from rag.settings import ENGLISH_EMBED_MODEL, Settings


def bundled_embedding(embedder: Embedder) -> Any:
    """Our embedding model as a llama-index embedding, so that a baseline downloads nothing."""
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class BundledEmbedding(BaseEmbedding):
        _model: Any = PrivateAttr()

        def __init__(self, embedder: Embedder) -> None:
            super().__init__(model_name=embedder.model_name)
            self._model = embedder.model
            self._e5 = isinstance(embedder, E5Embedder)

        def _encode(self, texts: list[str]) -> list[list[float]]:
            if self._e5:
                return [v.tolist() for v in self._model.passage(texts)]
            return [v.tolist() for v in self._model.encode(texts, normalize_embeddings=True)]

        def _get_query_embedding(self, query: str) -> list[float]:
            if self._e5:
                return [float(x) for x in self._model.query(query)]
            return self._encode([query])[0]

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._encode([text])[0]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._encode(texts)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    return BundledEmbedding(embedder)


def _llama_retriever(ctx: Context, embedder: Embedder) -> Any:
    """llama-index's defaults (SentenceSplitter, in-memory vector store) with the same bundled model."""
    from llama_index.core import Document, VectorStoreIndex

    docs = [Document(text=p.read_text(encoding="utf-8")) for p in sorted(ctx.paragraphs.iterdir())]
    index = VectorStoreIndex.from_documents(docs, embed_model=bundled_embedding(embedder))
    return index.as_retriever(similarity_top_k=5)


def _same_threads(measure: Callable[[], float]) -> float:
    """Run with torch on as many threads as our query encoder uses, so that neither side gets more
    of the machine than the other."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(QUERY_THREADS)
    try:
        return measure()
    finally:
        torch.set_num_threads(threads)


def retrieval_latency(ctx: Context) -> list[Result]:
    service = RagService(Settings(home=ctx.work / "home", ollama_host=DEAD_OLLAMA, llm="none"))
    llama = _llama_retriever(ctx, service.embedder)
    service.retrieve("warm up the store")
    llama.retrieve("warm up the index")
    ratios, ask_ratios, ours, theirs, asks = [], [], [], [], []
    batches = ctx.question_batches(ctx.runs * 3, ctx.queries)
    for run in range(ctx.runs):
        q_llama, q_ours, q_ask = batches[run * 3 : run * 3 + 3]
        baseline = _same_threads(lambda: p50_ms(llama.retrieve, q_llama))  # noqa: B023
        mine = p50_ms(lambda q: service.retrieve(q, top_k=5), q_ours)
        answer = p50_ms(lambda q: service.ask(q, llm="none"), q_ask)
        ours.append(mine)
        theirs.append(baseline)
        asks.append(answer)
        ratios.append(mine / baseline)
        ask_ratios.append(answer / mine)
    return [
        Result(
            "3. retrieve() p50 / llama-index VectorStoreIndex p50",
            statistics.median(ratios),
            0.5,
            detail=f"{statistics.median(ours):.1f} ms vs {statistics.median(theirs):.1f} ms "
            f"({ctx.queries} questions x {ctx.runs} rounds; {service.embedder.model_name}, both through "
            f"{service.embedder.query_backend if isinstance(service.embedder, E5Embedder) else f'{QUERY_THREADS} threads'})",
        ),
        Result(
            "3. ask() extractive p50 / retrieve() p50",
            statistics.median(ask_ratios),
            1.5,
            detail=f"ask {statistics.median(asks):.1f} ms",
        ),
    ]


def encoder_fidelity(ctx: Context) -> list[Result]:
    """The ONNX query encoder of sentence-transformers models against sentence-transformers itself.
    (The default multilingual-e5-small embeds questions and documents with one engine: nothing to compare.)"""
    embedder = Embedder(ENGLISH_EMBED_MODEL, cache_dir=ctx.work / "onnx")
    questions = ctx.questions[-200:]
    reference = embedder.embed(questions)  # sentence-transformers (and the ONNX export, once)
    fast = np.stack([embedder.embed_query(q) for q in questions])
    cosines = (reference * fast).sum(axis=1)
    backend = embedder.query_backend
    return [
        Result(
            "4. query vectors: min cosine ONNX vs sentence-transformers",
            float(cosines.min()) if backend == "onnxruntime" else 0.0,
            0.999,
            higher=True,
            detail=f"{ENGLISH_EMBED_MODEL}, {len(questions)} questions; questions embedded by {backend}",
        )
    ]
