"""Ollama through its official client, with every failure turned into one LLMError with a reason.

The timeout bounds silence, not length: the client's timeout applies to each read, so a model that
keeps streaming is never cut off, and one that says nothing for ``timeout`` seconds is abandoned.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx


class LLMError(RuntimeError):
    """The LLM did not produce an answer; the message is shown to the user as a warning."""


def _catchable() -> tuple[type[BaseException], ...]:
    import ollama
    import pydantic

    # What the installed client raises: ResponseError for HTTP errors, ConnectionError for a refused
    # connection, httpx errors for timeouts and cut streams, ValueError (json/pydantic) for bad bodies.
    return (ollama.ResponseError, httpx.HTTPError, ConnectionError, OSError, ValueError, pydantic.ValidationError)


def _describe(exc: BaseException, host: str, model: str, timeout: float) -> str:
    import ollama

    if isinstance(exc, ollama.ResponseError):
        if exc.status_code == 404:
            return f"Ollama has no model {model!r}; run `ollama pull {model}` or set RAG_LLM_MODEL"
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


@dataclass(frozen=True)
class OllamaChat:
    host: str
    model: str
    timeout: float
    temperature: float = 0.1

    def _client(self, timeout: float | None = None) -> Any:
        import ollama

        return ollama.Client(host=self.host, timeout=timeout or self.timeout)

    def check(self, timeout: float = 2.0) -> None:
        """Raise LLMError unless the server answers and has the model: a fast probe before asking."""
        self._listening(timeout)
        try:
            listed = self._client(timeout).list()
        except _catchable() as exc:
            raise LLMError(_describe(exc, self.host, self.model, timeout)) from exc
        names = {m.model for m in listed.models if m.model}
        wanted = self.model if ":" in self.model else f"{self.model}:latest"
        if wanted not in names and self.model not in names:
            raise LLMError(f"Ollama has no model {self.model!r}; run `ollama pull {self.model}` or set RAG_LLM_MODEL")

    def _listening(self, timeout: float) -> None:
        """A bare TCP connect: when nothing listens (the usual case without Ollama) this says so
        without importing the client, which is a third of a second of a fresh `rag ask`."""
        try:
            address = _address(self.host)
        except ValueError:
            return  # a host this parse does not follow: let the client judge it
        try:
            socket.create_connection(address, timeout=timeout).close()
        except OSError as exc:
            raise LLMError(f"Ollama is not reachable at {self.host}") from exc

    def models(self, timeout: float = 2.0) -> list[str]:
        try:
            return sorted(m.model for m in self._client(timeout).list().models if m.model)
        except _catchable() as exc:
            raise LLMError(_describe(exc, self.host, self.model, timeout)) from exc

    def _options(self) -> dict[str, float]:
        return {"temperature": self.temperature}

    def complete(self, messages: list[dict[str, str]]) -> str:
        try:
            response = self._client().chat(model=self.model, messages=messages, stream=False, options=self._options())
            content = response.message.content
        except _catchable() as exc:
            raise LLMError(_describe(exc, self.host, self.model, self.timeout)) from exc
        if not isinstance(content, str):
            raise LLMError("Ollama sent a reply without text")
        return content

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """Text deltas; raises LLMError (possibly after some deltas) when the stream fails or ends early."""
        finished = False
        try:
            for chunk in self._client().chat(model=self.model, messages=messages, stream=True, options=self._options()):
                delta = chunk.message.content or ""
                if delta:
                    yield delta
                if chunk.done:
                    finished = True
        except _catchable() as exc:
            raise LLMError(_describe(exc, self.host, self.model, self.timeout)) from exc
        if not finished:
            raise LLMError("the connection to Ollama broke off mid-answer")


def _address(host: str) -> tuple[str, int]:
    """Host and port the way the ollama client reads OLLAMA_HOST: 11434 unless a scheme or port is given."""
    explicit_scheme = "://" in host
    parts = urlsplit(host if explicit_scheme else f"http://{host}")
    default = (443 if parts.scheme == "https" else 80) if explicit_scheme else 11434
    return parts.hostname or "127.0.0.1", parts.port or default
