"""The ONNX query encoder: same vectors as sentence-transformers, exported once, refused for layouts it
cannot reproduce."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ingest.embedding import Embedder, resolve_model
from ingest.onnx_encoder import OnnxEncoder, UnsupportedModel, onnx_path

QUESTIONS = [
    "Who chaired the 6th ASEAN Digital Ministers' Meeting?",
    "Ai là chủ tịch Hội nghị Bộ trưởng Số ASEAN lần thứ 6?",
    "x",
    "Panthers " * 400,  # longer than the model reads: both sides must truncate alike
    "What is the Panthers' defense known for?",
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    """An embedder exporting into a cache of its own, so the export itself runs in this test."""
    embedder = Embedder("all-MiniLM-L6-v2", cache_dir=tmp_path_factory.mktemp("onnx-cache"))
    embedder.embed(["load the model"])  # embedding documents exports the query encoder
    return embedder


def test_query_vectors_match_sentence_transformers(exported: Embedder) -> None:
    assert exported.query_backend == "onnxruntime"
    reference = exported.embed(QUESTIONS)
    fast = np.stack([exported.embed_query(q) for q in QUESTIONS])
    cosines = (reference * fast).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)


def test_batched_questions_of_different_lengths_pool_only_real_tokens(exported: Embedder, tmp_path: Path) -> None:
    model_dir = Path(resolve_model("all-MiniLM-L6-v2"))
    assert exported._cache_dir is not None
    encoder = OnnxEncoder(model_dir, onnx_path(model_dir, exported._cache_dir))
    together = encoder.encode(QUESTIONS)
    alone = np.stack([encoder.encode([q])[0] for q in QUESTIONS])
    assert np.allclose(together, alone, atol=1e-4)


def test_a_fresh_embedder_reuses_the_export_without_loading_the_model(exported: Embedder) -> None:
    again = Embedder("all-MiniLM-L6-v2", cache_dir=exported._cache_dir)
    vector = again.embed_query("Where is Hanoi?")
    assert again._model is None  # sentence-transformers never loaded
    assert float(vector @ exported.embed(["Where is Hanoi?"])[0]) >= 0.999


def test_without_a_cache_folder_questions_go_through_sentence_transformers() -> None:
    plain = Embedder("all-MiniLM-L6-v2")
    assert plain.query_backend == "sentence-transformers"
    assert plain.embed_query("Where is Hanoi?").shape == (384,)


def test_other_poolings_are_refused(tmp_path: Path) -> None:
    model_dir = Path(resolve_model("all-MiniLM-L6-v2"))
    copy = tmp_path / "cls-model"
    (copy / "1_Pooling").mkdir(parents=True)
    for name in ("modules.json", "sentence_bert_config.json", "tokenizer.json"):
        (copy / name).write_bytes((model_dir / name).read_bytes())
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (copy / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    with pytest.raises(UnsupportedModel, match="mean pooling"):
        OnnxEncoder(copy, tmp_path / "never-read.onnx")


def test_the_export_name_changes_with_the_weights(tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    weights = model_dir / "model.safetensors"
    weights.write_bytes(b"one")
    first = onnx_path(model_dir, tmp_path / "cache")
    weights.write_bytes(b"other weights")
    assert onnx_path(model_dir, tmp_path / "cache") != first
