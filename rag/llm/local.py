"""The packaged model (or any GGUF) in-process through llama-cpp-python: the default LLM.

A model is loaded once per process and shared by every service and web user; llama.cpp's context is
not thread-safe, so one generation runs at a time and the others wait (up to the timeout) for it.
llama-cpp-python keeps the previous prompt's tokens and reuses their longest common prefix, so the
fixed system prompt is processed once, not per question.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.llm.base import LLMError, Messages
from rag.llm.models import PACKAGED, model_path

_LOADED: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}
_LOADING = threading.Lock()


@atexit.register
def _close_all() -> None:
    # Freed before the interpreter tears its modules down: llama-cpp-python's own finaliser, run later,
    # prints a traceback on every exit otherwise.
    with _LOADING:
        for llama, _ in _LOADED.values():
            llama.close()
        _LOADED.clear()


def _load(path: Path, context: int, threads: int) -> tuple[Any, threading.Lock]:
    key = (str(path), context, threads)
    with _LOADING:
        if key not in _LOADED:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise LLMError("llama-cpp-python is not installed: reinstall the project (pip install -e .)") from exc
            try:
                llama = Llama(
                    model_path=str(path),
                    n_ctx=context,
                    n_threads=threads,
                    n_threads_batch=threads,
                    logits_all=False,  # it would reserve n_ctx × vocabulary floats: 1.3 GB more, for nothing here
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise LLMError(f"cannot load the model {path.name}: {exc}") from exc
            _LOADED[key] = (llama, threading.Lock())
        return _LOADED[key]


@dataclass(frozen=True)
class LocalChat:
    model: str  # a packaged model's name or a path to a .gguf file
    home: Path
    timeout: float
    temperature: float = 0.1
    context: int = 4096
    threads: int = 0  # 0: every core
    max_tokens: int = 512
    seed: int = 0

    @property
    def name(self) -> str:
        return self.model if self.model in PACKAGED else Path(self.model).name

    @property
    def backend(self) -> str:
        return "local"

    def _engine(self) -> tuple[Any, threading.Lock]:
        path = model_path(self.model, self.home, show_progress=True)
        return _load(path, self.context, self.threads or os.cpu_count() or 1)

    def check(self, timeout: float = 2.0) -> None:
        self._engine()  # assembles and loads the model on first use; later calls return at once

    def complete(self, messages: Messages, max_tokens: int | None = None) -> str:
        return "".join(self.stream(messages, max_tokens))

    def stream(self, messages: Messages, max_tokens: int | None = None) -> Iterator[str]:
        llama, busy = self._engine()
        if not busy.acquire(timeout=self.timeout):
            raise LLMError(f"the local model stayed busy with other questions for {self.timeout:g} s (RAG_LLM_TIMEOUT)")
        try:
            started = last = time.monotonic()
            chunks = llama.create_chat_completion(
                messages=messages,
                stream=True,
                temperature=self.temperature,
                max_tokens=max_tokens or self.max_tokens,
                seed=self.seed,  # the same prompt gets the same answer: evaluations can be repeated
            )
            try:
                for chunk in chunks:
                    now = time.monotonic()
                    if now - last > self.timeout:
                        waited = "before its first word" if last == started else "between two words"
                        raise LLMError(f"the local model took over {self.timeout:g} s {waited} (RAG_LLM_TIMEOUT)")
                    last = now
                    delta = chunk["choices"][0]["delta"].get("content") or ""
                    if delta:
                        yield delta
            finally:
                chunks.close()  # a consumer that stops reading cancels generation here
        except ValueError as exc:  # the prompt does not fit the context window
            raise LLMError(f"the local model could not take the prompt: {exc}") from exc
        finally:
            busy.release()
