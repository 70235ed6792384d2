"""`python3 -m bench`: every performance target of issue 6, measured side by side, as one table.

Options: --runs N (repeats per case, default 3), --queries N (questions per latency sample,
default 60), --scale N (chunks in the scale case, default 100000; built once and cached, see
--scale-cache), --only NAME (repeatable), --keep DIR (keep the work folder).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

for _name, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("ANONYMIZED_TELEMETRY", "False")):
    os.environ.setdefault(_name, _value)

from bench.coldstart import cold_ask  # noqa: E402
from bench.common import Context, Result, machine  # noqa: E402
from bench.ingest_cases import changed_file, ingest_throughput, warm_up  # noqa: E402
from bench.llm_cases import llm_latency  # noqa: E402
from bench.retrieval_cases import encoder_fidelity, retrieval_latency  # noqa: E402
from bench.scale import scale  # noqa: E402
from bench.web_cases import web_concurrency  # noqa: E402

# A case takes the shared context and returns rows; add new ones here (e.g. web app concurrency).
CASES: dict[str, Callable[[Context], list[Result]]] = {
    "ingest": ingest_throughput,
    "changed": changed_file,
    "retrieval": retrieval_latency,
    "fidelity": encoder_fidelity,
    "cold": cold_ask,
    "scale": scale,
    "web": web_concurrency,
    "llm": llm_latency,
}


def table(results: list[Result], header: str) -> str:
    lines = [header, "", "| target | measured | limit | status | detail |", "|---|---|---|---|---|"]
    lines += [r.row() for r in results]
    met = sum(r.met for r in results)
    lines += ["", f"{met}/{len(results)} targets met" + (" — every target met" if met == len(results) else "")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument(
        "--scale-cache",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rag-bilingual" / "bench",
        help="where the synthetic scale collection is kept between runs",
    )
    parser.add_argument("--only", action="append", choices=sorted(CASES))
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rag-bench-"))
    started = time.perf_counter()
    try:
        ctx = Context(work, args.runs, args.queries, args.scale, args.scale_cache)
        before = machine()
        warm_up(ctx)
        results: list[Result] = []
        for name in args.only or list(CASES):
            print(f"running {name}…", file=sys.stderr, flush=True)
            results += CASES[name](ctx)
        header = (
            f"Machine: {before}\n\nLoad average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
            f"bench took {time.perf_counter() - started:.0f} s (runs={args.runs}, queries={args.queries}, "
            f"scale={args.scale})"
        )
        print(table(results, header))
        return 0 if all(r.met for r in results) else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
