"""Any OpenAI-compatible server (llama.cpp's server, `rag llm serve`, vLLM, LM Studio, Ollama's /v1)
through the official ``openai`` client. Its timeout bounds each read, so a long stream is not cut off."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from rag.llm.base import LLMError, Messages, ServedModel


@dataclass(frozen=True)
class OpenAIChat(ServedModel):
    backend: ClassVar[str] = "openai"
    api_key: str = "not-needed"

    def _client(self, timeout: float | None = None) -> Any:
        from openai import OpenAI

        return OpenAI(base_url=self.url, api_key=self.api_key, timeout=timeout or self.timeout, max_retries=0)

    def _failure(self, exc: BaseException) -> LLMError:
        from openai import APIConnectionError, APITimeoutError

        if isinstance(exc, APITimeoutError):
            return LLMError(f"the server at {self.url} was silent for {self.timeout:g} s (RAG_LLM_TIMEOUT)")
        if isinstance(exc, APIConnectionError):
            return LLMError(f"no OpenAI-compatible server answers at {self.url} (RAG_OPENAI_URL)")
        return LLMError(f"the server at {self.url} failed: {exc}")

    def check(self, timeout: float = 2.0) -> None:
        from openai import OpenAIError

        try:
            self._client(timeout).models.list()
        except OpenAIError as exc:
            raise self._failure(exc) from exc

    def complete(self, messages: Messages, max_tokens: int | None = None) -> str:
        return "".join(self.stream(messages, max_tokens))

    def stream(self, messages: Messages, max_tokens: int | None = None) -> Iterator[str]:
        import httpx
        from openai import OpenAIError

        finished = False
        try:
            response = self._client().chat.completions.create(
                model=self.model,
                messages=messages,
                stream=True,
                temperature=self.temperature,
                max_tokens=max_tokens or self.max_tokens,
            )
            with response:
                for chunk in response:
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content
                    if choice.finish_reason:
                        finished = True
        except (OpenAIError, httpx.HTTPError) as exc:  # a server that dies mid-stream breaks the read itself
            raise self._failure(exc) from exc
        if not finished:
            raise LLMError(f"the connection to {self.url} broke off mid-answer")
