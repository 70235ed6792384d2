"""Ablation of the extractive reader's rules: each question cue and tuned factor switched off in turn, the
dev questions (gold and third-party dev halves) and the gold test half answered again, and the questions
whose outcome moved counted. A rule earns its keep when it moves at least two dev questions the right way
and loses nothing on test (docs/evaluation.md, "Ablation of the rules").

    python3 -m bench.ablation [--only NAME,NAME] [--out docs/ablation.json]

The refusal model stays the one shipped (fitted with every rule on), so a rule that the refusal leans on
shows its full weight. One outcome per question: an answerable one is right when the answer contains a
reference answer, an unanswerable one when it is refused.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.common import DEAD_OLLAMA
from evals import datasets
from evals.runner import RunConfig, run
from rag.answer import answer_types, evidence, extractive
from rag.settings import Settings
from textproc import entities, query_terms

NEVER = re.compile(r"(?!x)x")  # matches nothing: the cue is gone

# name -> (module or table, attribute or key, value that switches the rule off)
RULES: dict[str, tuple[ModuleType | dict[str, Any], str, object]] = {
    **{f"cue _asks_{kind}": (answer_types._ASKS, kind, NEVER) for kind in answer_types.KINDS},
    "pronoun subject (quote the sentence before)": (extractive, "STARTS_WITH_PRONOUN", NEVER),
    "photo caption is a heading": (extractive, "_CAPTION", NEVER),
    "other role (deputy, vice...)": (extractive, "_ROLE_MODIFIER", NEVER),
    "HEADING_FACTOR": (extractive, "HEADING_FACTOR", 1.0),
    "CONFLICT_FACTOR": (extractive, "CONFLICT_FACTOR", 1.0),
    "MISSING_NUMBER_FACTOR": (extractive, "MISSING_NUMBER_FACTOR", 1.0),
    "BRIDGE_DISCOUNT": (extractive, "BRIDGE_DISCOUNT", 1.0),
    "TYPE_WEIGHT (type in the sentence score)": (extractive, "TYPE_WEIGHT", 0.0),
    "UNKNOWN_FACTOR": (evidence, "UNKNOWN_FACTOR", 1.0),
    "UNKNOWN_NAME_FACTOR": (evidence, "UNKNOWN_NAME_FACTOR", 1.0),
    "TYPE_MISSING_FACTOR": (evidence, "TYPE_MISSING_FACTOR", 1.0),
    "OFF_TOPIC_SHARE (absent words scale evidence)": (evidence, "OFF_TOPIC_SHARE", 1.0 - 1e-9),
    "UNSEEN_JOIN_WEIGHT": (query_terms, "UNSEEN_JOIN_WEIGHT", 1.0),
}


@contextmanager
def switched_off(target: ModuleType | dict[str, Any], name: str, value: object) -> Iterator[None]:
    table = target if isinstance(target, dict) else vars(target)
    saved = table[name]
    table[name] = value
    _clear_caches()
    try:
        yield
    finally:
        table[name] = saved
        _clear_caches()


def _clear_caches() -> None:
    """The cue functions cache their verdicts per question and sentence."""
    for module in (answer_types, evidence, extractive, entities, query_terms):
        for value in vars(module).values():
            clear: Callable[[], None] | None = getattr(value, "cache_clear", None)
            if clear is not None:
                clear()


def outcomes(rows: Sequence[dict[str, Any]]) -> dict[str, bool]:
    """Per question: right (an answer containing a reference, or a refusal of an unanswerable one)."""
    return {
        r["id"]: (not r["refused"]) and bool(r["metrics"].get("answer_contains"))
        if r["answerable"]
        else bool(r["refused"])
        for r in rows
    }


def measure(settings: Settings) -> dict[str, dict[str, bool]]:
    config = RunConfig(modes=("hybrid",), llm="none", show_progress=False)
    dev = datasets.seeds_suite("dev") + datasets.thirdparty_suite("dev")
    return {
        "dev": outcomes(run(settings, dev, config)),
        "test": outcomes(run(settings, datasets.seeds_suite("test"), config)),
    }


def moved(base: dict[str, bool], now: dict[str, bool]) -> tuple[int, int]:
    """(questions the rule got right that go wrong without it, questions that go right without it)."""
    lost = sum(base[q] and not now[q] for q in base)
    gained = sum(now[q] and not base[q] for q in base)
    return lost, gained


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated rule names (default: all)")
    parser.add_argument("--out", type=Path, help="write the table as JSON")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",")] if args.only else list(RULES)
    home = Path(tempfile.gettempdir()) / "rag-ablation-home"
    settings = Settings(home=home, ollama_host=DEAD_OLLAMA, llm="none")
    base = measure(settings)
    print("rule | dev: lost / gained / net | test: lost / gained / net | keep")
    table = []
    for name in names:
        module, attribute, value = RULES[name]
        with switched_off(module, attribute, value):
            now = measure(settings)
        dev, test = moved(base["dev"], now["dev"]), moved(base["test"], now["test"])
        keep = dev[0] - dev[1] >= 2 and test[0] - test[1] >= 0
        table.append({"rule": name, "dev": dev, "test": test, "keep": keep})
        print(
            f"{name} | {dev[0]} / {dev[1]} / {dev[0] - dev[1]:+d} | {test[0]} / {test[1]} / {test[0] - test[1]:+d} | {'yes' if keep else 'no'}",
            flush=True,
        )
    if args.out:
        args.out.write_text(
            json.dumps({"base": {k: sum(v.values()) for k, v in base.items()}, "rules": table}, indent=1) + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
