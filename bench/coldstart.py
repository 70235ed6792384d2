"""Target 4: `rag ask` in a fresh process on an existing index, wall time to the first answer."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from bench.common import DEAD_OLLAMA, QUIET_ENV, Context, Result


def _wall(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def cold_ask(ctx: Context) -> list[Result]:
    env = {
        **os.environ,
        **QUIET_ENV,
        "RAG_HOME": str(ctx.work / "home"),
        "RAG_OLLAMA_HOST": DEAD_OLLAMA,
        "RAG_LLM": "none",
    }
    questions = ctx.questions[-ctx.runs - 1 :]
    walls = [_wall([sys.executable, "-m", "rag.cli", "ask", q], env) for q in questions[: ctx.runs]]
    reference = _wall([sys.executable, "-c", "import sentence_transformers"], env)
    return [
        Result(
            "4. `rag ask` fresh process, first answer",
            statistics.median(walls),
            5.0,
            unit="s",
            detail=f"runs {', '.join(f'{w:.1f}' for w in walls)} s; `import sentence_transformers` alone {reference:.1f} s",
        )
    ]
