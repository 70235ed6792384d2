"""From the settings (and a user's per-question choices) to one ChatModel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from rag.llm.base import ChatModel
from rag.llm.local import LocalChat
from rag.llm.models import is_local_model, local_model_available
from rag.llm.ollama import OllamaChat
from rag.llm.openai import OpenAIChat

if TYPE_CHECKING:
    from rag.settings import Settings

Backend = Literal["local", "ollama", "openai"]


def resolve_backend(settings: Settings, choice: str) -> Backend | None:
    """``auto`` answers with the packaged model when it is installed, else asks Ollama; ``none``: no LLM."""
    if choice == "none":
        return None
    if choice == "auto":
        return "local" if local_model_available(settings.llm_model) else "ollama"
    if choice in ("local", "ollama", "openai"):
        return choice  # type: ignore[return-value]
    raise ValueError(f"llm must be 'auto', 'local', 'ollama', 'openai' or 'none', not {choice!r}")


def open_chat(
    settings: Settings, backend: Backend, model: str | None = None, temperature: float | None = None
) -> ChatModel:
    s = settings
    temp = s.llm_temperature if temperature is None else temperature
    if backend == "local":
        return LocalChat(
            model or s.llm_model,
            s.home,
            s.llm_timeout,
            temp,
            context=s.llm_context,
            threads=s.llm_threads,
            max_tokens=s.llm_max_tokens,
        )
    if backend == "ollama":
        # RAG_LLM_MODEL named an Ollama model before there was a local backend: it still does.
        name = model or (s.llm_model if not is_local_model(s.llm_model) else s.ollama_model)
        return OllamaChat(s.ollama_host, name, s.llm_timeout, temp, max_tokens=s.llm_max_tokens)
    key = s.openai_api_key.get_secret_value() if s.openai_api_key else "not-needed"
    return OpenAIChat(s.openai_url, model or s.openai_model, s.llm_timeout, temp, s.llm_max_tokens, api_key=key)
