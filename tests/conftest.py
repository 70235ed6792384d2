"""Shared fixtures: real embeddings, real Chroma, and one ingest of the bundled corpus per session."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `import ollama_stub`

from rag.service import RagService, bundled_corpus
from rag.settings import Settings

# Property tests check behaviour, not speed: on a shared 2-core machine a deadline only makes them flaky.
hypothesis_settings.register_profile("rag", deadline=None)
hypothesis_settings.load_profile("rag")

# Nothing listens here: every test that does not start the Ollama stand-in runs without an LLM.
DEAD_OLLAMA = "http://127.0.0.1:9"
# No such model file: `auto` then looks for Ollama (dead, above) and answers extractively, as on a
# machine without the packaged model. The tests of the real model ask for it by name.
NO_LOCAL_MODEL = "/nonexistent/no-local-model.gguf"
SMALL_MODEL = "qwen2.5-coder-0.5b"


def make_settings(home: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "home": home,
        "ollama_host": DEAD_OLLAMA,
        "llm_model": NO_LOCAL_MODEL,
        "ollama_model": "qwen2.5:3b",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def corpus_service(tmp_path_factory: pytest.TempPathFactory) -> RagService:
    """A service whose default collection holds the bundled corpus (ingested once per session)."""
    service = RagService(make_settings(tmp_path_factory.mktemp("rag-home")))
    service.ingest()
    return service


@pytest.fixture
def fresh_service(tmp_path: Path) -> Iterator[RagService]:
    """A service on an empty home of its own."""
    yield RagService(make_settings(tmp_path / "home"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return bundled_corpus()
