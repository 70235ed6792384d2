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
        return "local" if local_model_available(settings.answer.llm.model) else "ollama"
    if choice in ("local", "ollama", "openai"):
        return choice  # type: ignore[return-value]
    raise ValueError(f"llm must be 'auto', 'local', 'ollama', 'openai' or 'none', not {choice!r}")


def open_chat(
    settings: Settings, backend: Backend, model: str | None = None, temperature: float | None = None
) -> ChatModel:
    s = settings
    temp = s.answer.llm.temperature if temperature is None else temperature
    if backend == "local":
        return LocalChat(
            model or s.answer.llm.model,
            s.home,
            s.answer.llm.timeout,
            temp,
            context=s.answer.llm.context,
            threads=s.answer.llm.threads,
            max_tokens=s.answer.llm.max_tokens,
        )
    if backend == "ollama":
        # RAG_LLM_MODEL named an Ollama model before there was a local backend: it still does.
        name = model or (s.answer.llm.model if not is_local_model(s.answer.llm.model) else s.answer.llm.ollama_model)
        return OllamaChat(s.ollama_host, name, s.answer.llm.timeout, temp, max_tokens=s.answer.llm.max_tokens)
    key = s.answer.llm.openai_api_key.get_secret_value() if s.answer.llm.openai_api_key else "not-needed"
    return OpenAIChat(
        s.answer.llm.openai_url,
        model or s.answer.llm.openai_model,
        s.answer.llm.timeout,
        temp,
        s.answer.llm.max_tokens,
        api_key=key,
    )
