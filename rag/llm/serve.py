"""`rag llm serve`: llama.cpp's OpenAI-compatible server over the packaged (or a named) GGUF, for users
who want one model process behind several apps (point them, and this project, at it with llm=openai)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from rag.llm.base import LLMError
from rag.llm.models import PACKAGED, model_path


def server_command(model: str, home: Path, host: str, port: int, context: int, threads: int) -> list[str]:
    if importlib.util.find_spec("llama_cpp.server") is None:
        raise LLMError("llama.cpp's server is not installed: pip install 'llama-cpp-python[server]'")
    path = model_path(model, home, show_progress=True)
    alias = model if model in PACKAGED else path.stem
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(path),
        "--model_alias",
        alias,
        "--host",
        host,
        "--port",
        str(port),
        "--n_ctx",
        str(context),
        "--n_threads",
        str(threads or os.cpu_count() or 1),
    ]


def serve(model: str, home: Path, host: str, port: int, context: int, threads: int) -> int:
    """Run the server in this process's place: its output, its exit code, Ctrl+C stops it."""
    command = server_command(model, home, host, port, context, threads)
    print(f"rag llm serve: {Path(command[4]).name} as {command[6]!r} on http://{host}:{port}/v1", flush=True)
    os.execv(command[0], command)
    return 0  # not reached: execv replaces the process
