"""What every LLM backend offers the answering code: a probe, a completion, a stream of text deltas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Protocol

Messages = list[dict[str, str]]


class LLMError(RuntimeError):
    """The LLM did not produce an answer; the message is shown to the user as a warning."""


class ChatModel(Protocol):
    """One backend and model. ``stream`` raises LLMError (possibly after some deltas) when generation
    fails, stalls past the timeout or ends early; closing the iterator cancels generation."""

    @property
    def name(self) -> str:
        """The model as answers name it ("qwen2.5-coder-1.5b", "qwen2.5:3b")."""
        ...

    @property
    def backend(self) -> str:
        """local, ollama or openai."""
        ...

    def check(self, timeout: float = 2.0) -> None:
        """Raise LLMError unless the model can answer now: a fast probe before asking."""
        ...

    def complete(self, messages: Messages, max_tokens: int | None = None) -> str: ...

    def stream(self, messages: Messages, max_tokens: int | None = None) -> Iterator[str]: ...


@dataclass(frozen=True)
class ServedModel:
    """What the backends of a model server share: where it listens, the server's own name for the model
    (which answers are named by), how long a silence may last, and the sampling settings."""

    url: str
    model: str
    timeout: float
    temperature: float = 0.1
    max_tokens: int = 512
    backend: ClassVar[str]

    @property
    def name(self) -> str:
        return self.model
