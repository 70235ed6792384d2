"""Running the web app for tests: as the real `rag ui` command in a subprocess, or in-process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import free_port

CHAIR_QUESTION = "Who chaired the 6th ASEAN Digital Ministers' Meeting?"
CHAIR_SOURCE = "001_c991d5dd9dcdba35.txt"
ARTIFACTS = Path(os.environ.get("RAG_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))

# Chromium as the workplace runs it: Debian's binary, and no background calls to Google's services.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def wait_for_http(
    url: str, process: subprocess.Popen[str] | None = None, log: Path | None = None, timeout: float = 180.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            output = log.read_text(encoding="utf-8")[-2000:] if log else ""
            raise RuntimeError(f"the server exited with {process.returncode}: {output}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:g} s")


@contextmanager
def rag_ui_process(home: Path, **env_overrides: str) -> Iterator[str]:
    """`rag ui` exactly as a user starts it, on a free loopback port; yields its URL."""
    with rag_ui_server(home, **env_overrides) as (url, _):
        yield url


def rss_bytes(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextmanager
def rag_ui_server(home: Path, **env_overrides: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`rag ui` in a subprocess; yields its URL and the process (for its memory)."""
    port = free_port()
    env = {
        **os.environ,
        "RAG_HOME": str(home),
        "OLLAMA_HOST": "http://127.0.0.1:9",
        # Extractive unless a test asks for the real model: the packaged one is not looked for.
        "RAG_LLM_MODEL": "/nonexistent/no-local-model.gguf",
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        **env_overrides,
    }
    env.pop("RAG_OLLAMA_HOST", None)
    # The server's output goes to a file: a pipe nobody reads fills up and blocks the server.
    log_path = home.parent / f"{home.name}-rag-ui.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rag.cli", "ui", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_for_http(url, process, log_path)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def launch_in_process(settings: Any) -> tuple[Any, str]:
    """The app served from this process (the model is loaded once per test session); returns (app, url)."""
    from ui.cli import serve

    port = free_port()
    app = serve(settings, "127.0.0.1", port, block=False)
    url = f"http://127.0.0.1:{port}/"
    wait_for_http(url)
    return app, url
