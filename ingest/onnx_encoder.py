"""A query encoder that needs neither torch nor sentence-transformers: `tokenizers` + onnxruntime.

`import sentence_transformers` costs seconds (it pulls torch, transformers and scikit-learn), which a
fresh `rag ask` cannot afford. The transformer is exported to ONNX once, with torch, by a process
that has the model loaded anyway (ingest, or the first question); later processes read the file.
Pooling and normalisation are done here in numpy, so the vectors equal sentence-transformers' own
(the tests hold them to cosine >= 0.999). Only the common layout is supported — Transformer, mean
pooling, optional Normalize — other models keep using sentence-transformers.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import uuid
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ingest.cache import cache_dir

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


class UnsupportedModel(ValueError):
    """The model's module layout is not Transformer + mean pooling (+ Normalize)."""


def _layout(model_dir: Path) -> tuple[bool, int]:
    """Whether the vectors are normalised, and the maximum sequence length; raises for other layouts."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        types = [str(m["type"]) for m in modules]
        pooling_dir = model_dir / next(str(m["path"]) for m in modules if m["type"] == _POOLING)
        pooling = json.loads((pooling_dir / "config.json").read_text(encoding="utf-8"))
        st_config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        raise UnsupportedModel(f"{model_dir} has no readable sentence-transformers layout ({exc})") from exc
    if types not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]):
        raise UnsupportedModel(f"module layout {types} is not Transformer + Pooling (+ Normalize)")
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v}
    if modes != {"pooling_mode_mean_tokens"}:
        raise UnsupportedModel(f"pooling {sorted(modes)} is not mean pooling")
    if not (model_dir / "tokenizer.json").is_file():
        raise UnsupportedModel(f"{model_dir} has no tokenizer.json")
    return types[-1] == _NORMALIZE, int(st_config.get("max_seq_length") or 512)


def default_cache_dir() -> Path:
    """Exports are derived from the model files alone, so they live in the user's cache folder and
    are shared by every RAG_HOME (one export per machine and model, not per index)."""
    return cache_dir() / "onnx"


def onnx_path(model_dir: Path, cache_dir: Path) -> Path:
    """Where the export of this model lives: named by the weights' size and time, so a changed model
    gets a new export instead of a stale one."""
    parts = [str(model_dir.resolve())]
    for weights in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
        stat = weights.stat()
        parts.append(f"{weights.name}:{stat.st_size}:{stat.st_mtime_ns}")
    digest = hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:16]
    return cache_dir / f"{model_dir.name}-{digest}.onnx"


def export_onnx(model: SentenceTransformer, model_dir: Path, target: Path) -> None:
    """Export the transformer of a loaded sentence-transformers model; written atomically."""
    import torch

    _layout(model_dir)  # refuse layouts the encoder cannot reproduce before spending time on them
    auto_model: Any = model[0].auto_model
    accepts_types = "token_type_ids" in inspect.signature(auto_model.forward).parameters
    names = ["input_ids", "attention_mask", *(["token_type_ids"] if accepts_types else [])]

    class _Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = auto_model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            hidden: torch.Tensor = self.inner(**dict(zip(names, inputs, strict=True))).last_hidden_state
            return hidden

    dummy = tuple(torch.ones((1, 8), dtype=torch.long) for _ in names)
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "hidden"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".tmp-{uuid.uuid4().hex}.onnx")
    fused = tmp.with_suffix(".fused.onnx")
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about shapes fixed by the dummy input: checked by the tests
            torch.onnx.export(
                _Hidden().eval(),
                dummy,
                str(tmp),
                input_names=names,
                output_names=["hidden"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        os.replace(_fuse(tmp, fused, auto_model.config), target)
    finally:
        tmp.unlink(missing_ok=True)
        fused.unlink(missing_ok=True)


def _fuse(exported: Path, fused: Path, config: Any) -> Path:
    """onnxruntime's transformer optimizer fuses attention, layer norm and GELU (a third faster per
    question); a model it cannot fuse is used as exported."""
    heads, hidden = getattr(config, "num_attention_heads", None), getattr(config, "hidden_size", None)
    if getattr(config, "model_type", "") != "bert" or not heads or not hidden:
        return exported
    try:
        from onnxruntime.transformers import optimizer

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            optimized = optimizer.optimize_model(
                str(exported), model_type="bert", num_heads=int(heads), hidden_size=int(hidden), opt_level=1
            )
            optimized.save_model_to_file(str(fused))
    except Exception:  # the optimizer is best effort by design; the plain export is correct
        return exported
    return fused


# Threads one question is encoded on. Measured on 2 idle cores, XQuAD questions: 6.7 ms on one
# thread, 3.8 ms on two (ORT's spinning workers; with spinning off, two threads lose most of that).
# More threads than two gain little on a few dozen tokens.
QUERY_THREADS = max(1, min(2, os.cpu_count() or 1))


class OnnxEncoder:
    """Sentence vectors from an exported transformer; thread-safe (onnxruntime sessions are)."""

    def __init__(self, model_dir: Path, onnx_file: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.normalize, max_tokens = _layout(model_dir)
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # warnings about unused initializers are noise to users
        options.intra_op_num_threads = QUERY_THREADS
        self._session = onnxruntime.InferenceSession(
            str(onnx_file), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = [i.name for i in self._session.get_inputs()]

    def encode(self, texts: list[str]) -> np.ndarray:
        """One float32 row per text, pooled like sentence-transformers (mean over real tokens)."""
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        feeds: dict[str, Any] = {}
        columns = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}
        for name in self._inputs:
            rows = np.zeros((len(encodings), width), dtype=np.int64)
            for i, e in enumerate(encodings):
                values = getattr(e, columns[name])
                rows[i, : len(values)] = values
            feeds[name] = rows
        mask = np.zeros((len(encodings), width), dtype=np.float32)
        for i, e in enumerate(encodings):
            mask[i, : len(e.ids)] = 1.0
        hidden = self._session.run(None, feeds)[0]
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        if self.normalize:
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return np.asarray(pooled, dtype=np.float32)
