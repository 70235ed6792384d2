"""Settings: nested by the part of the system that reads them, set by the flat names of earlier
releases (environment variables and keywords) or by their paths."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rag.settings import FLAT_NAMES, FusionParams, Settings, setting_name


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in [k for k in os.environ if k.startswith("RAG_")]:
        monkeypatch.delenv(name)


def test_every_flat_name_reaches_a_setting() -> None:
    defaults = Settings()
    for flat, path in FLAT_NAMES.items():
        node: object = defaults
        for part in path:
            node = getattr(node, part)  # AttributeError names a path that leads nowhere
        assert flat in str(setting_name(path))


def test_flat_environment_variables_and_keywords_keep_working(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_TOP_K", "7")
    monkeypatch.setenv("RAG_LLM", "none")
    monkeypatch.setenv("RAG_CROSS_LANGUAGE_WEIGHT", "0.5")
    monkeypatch.setenv("RAG_REFUSAL_EVIDENCE", "0.2")
    settings = Settings()
    assert settings.retrieval.top_k == 7 and settings.answer.llm.backend == "none"
    assert settings.retrieval.fusion.cross_weight == 0.5 and settings.answer.refusal.evidence == 0.2
    # A keyword wins over the environment, as before.
    assert Settings(top_k=3, llm="local").retrieval.top_k == 3
    assert Settings(top_k=3, llm="local").answer.llm.backend == "local"


def test_nested_variables_name_a_setting_by_its_path_and_win_over_flat_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_LLM_MODEL", "qwen2.5-coder-0.5b")
    monkeypatch.setenv("RAG_ANSWER__LLM__MODEL", "/models/any.gguf")
    monkeypatch.setenv("RAG_RETRIEVAL__FUSION__RRF_K", "40")
    settings = Settings()
    assert settings.answer.llm.model == "/models/any.gguf" and settings.retrieval.fusion.rrf_k == 40


def test_fusion_params_come_from_the_settings_with_the_embedding_models_languages() -> None:
    english = Settings(embed_model="all-MiniLM-L6-v2", rerank_depth=4)
    assert english.fusion == FusionParams(rerank_depth=4, dense_languages=frozenset({"en"}))
    assert Settings().fusion.dense_languages is None  # multilingual-e5-small reads every language


def test_updated_validates_and_knows_the_flat_names() -> None:
    base = Settings(top_k=4)
    changed = base.updated(llm_timeout=5.0, cross_reserve=0.0)
    assert changed.answer.llm.timeout == 5.0 and changed.retrieval.fusion.cross_reserve == 0.0
    assert changed.retrieval.top_k == 4 and base.answer.llm.timeout == 60.0
    with pytest.raises(ValidationError):
        base.updated(top_k=0)
    assert hash(changed) != hash(base) and Settings(top_k=4) == base  # equal settings share cached resources


def test_an_invalid_value_is_named_as_users_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_TOP_K", "500")
    with pytest.raises(ValidationError) as caught:
        Settings()
    (error,) = caught.value.errors()
    assert setting_name(error["loc"]) == "top_k (RAG_TOP_K)"
    with pytest.raises(ValidationError, match="RAG_CHUNK_OVERLAP"):
        Settings(chunk_size=64, chunk_overlap=64)
