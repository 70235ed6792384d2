"""The official ``ollama`` client as both Ollama users here need it (the LLM in ``rag.llm.ollama`` and Ollama
embeddings): its many failure types as one sentence a user can act on, and a cheap probe.

Nothing here imports the client, or httpx, until it is used: a fresh `rag ask` with no Ollama running
never needs them.
"""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit


def client(host: str, timeout: float) -> Any:
    import ollama

    return ollama.Client(host=host, timeout=timeout)


def catchable() -> tuple[type[BaseException], ...]:
    """What the installed client raises: ResponseError for HTTP errors, ConnectionError for a refused
    connection, httpx errors for timeouts and cut streams, ValueError (json/pydantic) for bad bodies."""
    import httpx
    import ollama
    import pydantic

    return (ollama.ResponseError, httpx.HTTPError, ConnectionError, OSError, ValueError, pydantic.ValidationError)


def describe(exc: BaseException, host: str, model: str, timeout: float, model_setting: str) -> str:
    """One sentence for a failure of the client; ``model_setting`` names the variable that picks the model."""
    import httpx
    import ollama

    if isinstance(exc, ollama.ResponseError):
        if exc.status_code == 404:
            return f"Ollama has no model {model!r}; run `ollama pull {model}` or set {model_setting}"
        return f"Ollama answered with an error ({exc.status_code}: {exc.error})"
    if isinstance(exc, httpx.TimeoutException):
        return f"Ollama said nothing for {timeout:g} s (RAG_LLM_TIMEOUT)"
    if isinstance(exc, ConnectionError | httpx.ConnectError):
        return f"Ollama is not reachable at {host}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return "the connection to Ollama broke off mid-answer"
    if isinstance(exc, ValueError):
        return "Ollama sent a reply that is not valid JSON"
    return f"Ollama failed ({type(exc).__name__}: {exc})"


def listening(host: str, timeout: float) -> bool:
    """Whether anything accepts a TCP connection at the host: when nothing does (the usual case
    without Ollama) this says so without importing the client, a third of a second of a fresh process.
    True also for a host this parse does not follow, so that the client judges it."""
    try:
        target = address(host)
    except ValueError:
        return True
    try:
        socket.create_connection(target, timeout=timeout).close()
    except OSError:
        return False
    return True


def address(host: str) -> tuple[str, int]:
    """Host and port the way the ollama client reads OLLAMA_HOST: 11434 unless a scheme or port is given."""
    explicit_scheme = "://" in host
    parts = urlsplit(host if explicit_scheme else f"http://{host}")
    default = (443 if parts.scheme == "https" else 80) if explicit_scheme else 11434
    return parts.hostname or "127.0.0.1", parts.port or default
