"""Ollama through its official client, with every failure turned into one LLMError with a reason.

The timeout bounds silence, not length: the client's timeout applies to each read, so a model that
keeps streaming is never cut off, and one that says nothing for ``timeout`` seconds is abandoned.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from ingest.ollama_client import catchable, client, describe, listening
from rag.llm.base import LLMError, Messages, ServedModel


@dataclass(frozen=True)
class OllamaChat(ServedModel):
    backend: ClassVar[str] = "ollama"

    def _client(self, timeout: float | None = None) -> Any:
        return client(self.url, timeout or self.timeout)

    def _failure(self, exc: BaseException, timeout: float) -> LLMError:
        return LLMError(describe(exc, self.url, self.model, timeout, "RAG_OLLAMA_MODEL"))

    def check(self, timeout: float = 2.0) -> None:
        """Raise LLMError unless the server answers and has the model: a fast probe before asking."""
        if not listening(self.url, timeout):
            raise LLMError(f"Ollama is not reachable at {self.url}")
        try:
            listed = self._client(timeout).list()
        except catchable() as exc:
            raise self._failure(exc, timeout) from exc
        names = {m.model for m in listed.models if m.model}
        wanted = self.model if ":" in self.model else f"{self.model}:latest"
        if wanted not in names and self.model not in names:
            raise LLMError(
                f"Ollama has no model {self.model!r}; run `ollama pull {self.model}` or set RAG_OLLAMA_MODEL"
            )

    def models(self, timeout: float = 2.0) -> list[str]:
        try:
            return sorted(m.model for m in self._client(timeout).list().models if m.model)
        except catchable() as exc:
            raise self._failure(exc, timeout) from exc

    def _options(self, max_tokens: int | None) -> dict[str, float]:
        return {"temperature": self.temperature, "num_predict": max_tokens or self.max_tokens}

    def complete(self, messages: Messages, max_tokens: int | None = None) -> str:
        try:
            response = self._client().chat(
                model=self.model, messages=messages, stream=False, options=self._options(max_tokens)
            )
            content = response.message.content
        except catchable() as exc:
            raise self._failure(exc, self.timeout) from exc
        if not isinstance(content, str):
            raise LLMError("Ollama sent a reply without text")
        return content

    def stream(self, messages: Messages, max_tokens: int | None = None) -> Iterator[str]:
        """Text deltas; raises LLMError (possibly after some deltas) when the stream fails or ends early."""
        finished = False
        options = self._options(max_tokens)
        try:
            for chunk in self._client().chat(model=self.model, messages=messages, stream=True, options=options):
                delta = chunk.message.content or ""
                if delta:
                    yield delta
                if chunk.done:
                    finished = True
        except catchable() as exc:
            raise self._failure(exc, self.timeout) from exc
        if not finished:
            raise LLMError("the connection to Ollama broke off mid-answer")
