"""What every case shares: results, timing, the machine description, the XQuAD paragraphs and questions."""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from evals.datasets import XQUAD_DIR, materialise_xquad

QUIET_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
DEAD_OLLAMA = "http://127.0.0.1:9"  # nothing listens: answers are extractive, as the targets ask


@dataclass(frozen=True)
class Result:
    """One row of the table: ``value`` compared with ``limit`` (``higher`` is better or not)."""

    target: str
    value: float
    limit: float
    unit: str = "x"
    higher: bool = False
    detail: str = ""

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.higher else self.value <= self.limit

    def row(self) -> str:
        sign = "≥" if self.higher else "≤"
        digits = 3 if self.unit in ("x", "") else 1
        unit = "" if self.unit == "x" else f" {self.unit}"
        return (
            f"| {self.target} | {self.value:.{digits}f}{unit} | {sign} {self.limit:.{digits}f}{unit} | "
            f"{'met' if self.met else 'MISSED'} | {self.detail} |"
        )


@dataclass
class Context:
    """Folders and options shared by the cases of one run."""

    work: Path
    runs: int
    queries: int
    scale: int
    scale_cache: Path
    paragraphs: Path = field(init=False)
    questions: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.paragraphs = materialise_xquad(self.work / "xquad")["en"]
        self.questions = xquad_questions()

    def question_batches(self, n_batches: int, size: int) -> list[list[str]]:
        """Disjoint question lists: no cache of any system sees a question twice."""
        need = n_batches * size
        if need > len(self.questions):
            raise ValueError(f"{need} questions needed, {len(self.questions)} available")
        return [self.questions[i * size : (i + 1) * size] for i in range(n_batches)]


def xquad_questions() -> list[str]:
    """The 1190 English XQuAD questions, in file order."""
    data = json.loads((XQUAD_DIR / "xquad.en.json").read_text(encoding="utf-8"))["data"]
    return [qa["question"] for a in data for p in a["paragraphs"] for qa in p["qas"]]


def p50_ms(fn: Callable[[str], object], questions: Sequence[str]) -> float:
    times = []
    for q in questions:
        start = time.perf_counter()
        fn(q)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def peak_rss_mb() -> float:
    """This process's peak resident set. VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss
    over fork and exec, so a child would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_of(pid: int) -> float:
    """Another process's current resident set in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    versions = []
    for package in ("torch", "sentence_transformers", "onnxruntime", "chromadb", "bm25s", "llama_index.core"):
        try:
            module = __import__(package, fromlist=["__version__"])
            versions.append(f"{package.split('.')[0]} {module.__version__}")
        except ImportError:
            continue
    return (
        f"{cpu}; {os.cpu_count()} CPUs; {mem_kb / 1024 / 1024:.0f} GB RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; load average {load}; " + ", ".join(versions)
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def chroma_server(data: Path) -> Iterator[tuple[str, int]]:
    """A `chroma run` on loopback: its URL and process id."""
    exe = shutil.which("chroma")
    if exe is None:
        raise RuntimeError("the chroma CLI (from the chromadb package) is not on PATH")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**QUIET_ENV, "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("chroma run did not start") from None
                time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)
