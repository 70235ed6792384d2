"""Issue 6, target 6: the web app serves 20 concurrent question streams (extractive) without an error.

A real `rag ui` in a subprocess on loopback; 20 clients (threads with their own gradio_client) each ask
their own questions one after another through the `/ask` endpoint. Reports answers per second and
the p95 latency as each client saw it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

from bench.common import DEAD_OLLAMA, QUIET_ENV, Context, Result, free_port

STREAMS = 20


def _wait(url: str, process: subprocess.Popen[bytes], timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rag ui exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout:g} s")


def web_concurrency(ctx: Context) -> list[Result]:
    from gradio_client import Client

    port = free_port()
    env = {**os.environ, **QUIET_ENV, "RAG_HOME": str(ctx.work / "web"), "OLLAMA_HOST": DEAD_OLLAMA}
    env["GRADIO_ANALYTICS_ENABLED"] = "False"
    process = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ui", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait(url, process)
        Client(url, verbose=False).predict("Who chaired the meeting?", api_name="/ask")  # indexes the corpus
        per_stream = max(3, ctx.queries // 6)
        batches = ctx.question_batches(STREAMS, per_stream)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def stream(questions: list[str]) -> None:
            client = Client(url, verbose=False)
            for q in questions:
                t0 = time.perf_counter()
                try:
                    result = client.predict(q, api_name="/ask")
                    ok = bool(result.get("answer"))
                except Exception as exc:  # every failure counts; the bench reports, it does not stop
                    ok, result = False, {"error": f"{type(exc).__name__}: {exc}"}
                with lock:
                    latencies.append((time.perf_counter() - t0) * 1000)
                    if not ok:
                        errors.append(str(result.get("error", "empty answer")))

        started = time.perf_counter()
        threads = [threading.Thread(target=stream, args=(b,)) for b in batches]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    answered = len(latencies) - len(errors)
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) >= 20 else max(latencies)
    detail = (
        f"{STREAMS} streams × {per_stream} questions: {answered} answered, "
        f"{answered / wall:.1f} answers/s, p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms"
        + (f"; first error: {errors[0][:80]}" if errors else "")
    )
    return [Result("web: 20 concurrent question streams, errors", len(errors), 0, unit="", detail=detail)]


__all__ = ["web_concurrency"]
