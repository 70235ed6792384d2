"""LLM backends behind one small interface (``ChatModel``): the packaged model in-process (``local``),
Ollama, and any OpenAI-compatible server; ``open_chat`` picks one from the settings."""

from rag.llm.base import ChatModel, LLMError, Messages
from rag.llm.factory import Backend, open_chat, resolve_backend
from rag.llm.local import LocalChat
from rag.llm.ollama import OllamaChat
from rag.llm.openai import OpenAIChat

__all__ = [
    "Backend",
    "ChatModel",
    "LLMError",
    "LocalChat",
    "Messages",
    "OllamaChat",
    "OpenAIChat",
    "open_chat",
    "resolve_backend",
]
