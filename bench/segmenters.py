"""`python3 -m bench.segmenters`: sentence segmenters compared on hard-wrapped real-world text.

The labelled sample is evals/data/segmentation/sample.jsonl, built from the hand-annotated
evals/data/segmentation/annotated.txt (`--build` rebuilds it; see the README there). Each candidate
returns character spans of the raw text; a boundary is the end of a span after trailing whitespace.
Reported per group (English/Vietnamese x wrapped/unwrapped, and overall): boundary precision, recall
and F1, and exact-sentence accuracy (gold sentences reproduced exactly, modulo surrounding
whitespace); then speed on the whole sample and the import cost of each library in a fresh process.

Options: --build (rebuild sample.jsonl from annotated.txt), --runs N (timing repeats, default 5),
--no-imports (skip the fresh-process import timings), --errors N (print N failures per candidate),
--only NAME (repeatable), --doc (rewrite the table in docs/segmenters.md). Nothing is downloaded: NLTK's English
punkt model is the copy bundled inside llama-index-core.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "evals" / "data" / "segmentation"
ANNOTATED = SAMPLE_DIR / "annotated.txt"
SAMPLE = SAMPLE_DIR / "sample.jsonl"
DOC = ROOT / "docs" / "segmenters.md"
MARK = "⟂"  # in annotated.txt: a sentence ends just before this character

Span = tuple[int, int]
Segmenter = Callable[[str, str], list[Span]]  # (text, lang) -> spans of text
GROUPS = ("en wrapped", "en unwrapped", "vi wrapped", "vi unwrapped", "all")


# --- the labelled sample ---------------------------------------------------------------------------


def parse_annotated(annotated: str) -> list[dict[str, Any]]:
    """Items of annotated.txt: a `### {json header}` line, then the raw text with MARK after each sentence."""
    items: list[dict[str, Any]] = []
    parts = re.split(r"^### (.*)\n", annotated, flags=re.M)
    if parts[0].strip():
        raise ValueError("text before the first ### header")
    for header, body in zip(parts[1::2], parts[2::2], strict=True):
        item = json.loads(header)
        marked = body[:-1] if body.endswith("\n") else body
        text, sentences = marked.replace(MARK, ""), []
        for piece in marked.split(MARK)[:-1]:
            sentence = piece.strip()
            if not sentence:
                raise ValueError(f"{item['id']}: empty sentence (two marks in a row)")
            sentences.append(sentence)
        if marked.split(MARK)[-1].strip():
            raise ValueError(f"{item['id']}: text after the last mark: {marked.split(MARK)[-1][:60]!r}")
        item.update(text=text, sentences=sentences)
        items.append(item)
    return items


def gold_spans(item: dict[str, Any]) -> list[Span]:
    """Spans of the gold sentences, which are exact substrings of the text, in order."""
    text, spans, position = item["text"], [], 0
    for sentence in item["sentences"]:
        start = text.index(sentence, position)
        if text[position:start].strip():
            raise ValueError(f"{item['id']}: uncovered text {text[position:start]!r}")
        spans.append((start, start + len(sentence)))
        position = start + len(sentence)
    if text[position:].strip():
        raise ValueError(f"{item['id']}: uncovered text at the end {text[position:]!r}")
    return spans


def validate(items: Sequence[dict[str, Any]]) -> None:
    ids = [item["id"] for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate ids")
    for item in items:
        if item["lang"] not in ("en", "vi") or not isinstance(item["wrapped"], bool):
            raise ValueError(f"{item['id']}: bad lang or wrapped")
        for (start, end), sentence in zip(gold_spans(item), item["sentences"], strict=True):
            if sentence != sentence.strip() or re.search(r"\n[ \t]*\n", item["text"][start:end]):
                raise ValueError(f"{item['id']}: {sentence[:40]!r} crosses a blank line or has outer whitespace")


def build_sample() -> list[dict[str, Any]]:
    items = parse_annotated(ANNOTATED.read_text(encoding="utf-8"))
    validate(items)
    keys = ("id", "lang", "wrapped", "source", "text", "sentences")
    SAMPLE.write_text(
        "".join(json.dumps({k: item[k] for k in keys}, ensure_ascii=False) + "\n" for item in items), encoding="utf-8"
    )
    return items


def load_sample() -> list[dict[str, Any]]:
    items = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    validate(items)
    return items


# --- spans from a segmenter's output ---------------------------------------------------------------


def strip_span(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def locate(text: str, pieces: Iterable[str], base: int = 0, end: int | None = None) -> list[Span]:
    """Spans in text[base:end] of pieces output in order; whitespace may differ (a library that turns newlines
    into spaces), every other character must match."""
    stop = len(text) if end is None else end
    spans, position = [], base
    for piece in pieces:
        chars = [c for c in piece if not c.isspace()]
        if not chars:
            continue
        while position < stop and text[position].isspace():
            position += 1
        start = position
        for c in chars:
            while position < stop and text[position].isspace():
                position += 1
            if position >= stop or text[position] != c:
                raise ValueError(f"segmenter output not found in the text near {text[start : start + 40]!r}")
            position += 1
        spans.append((start, position))
    return spans


def normalise(text: str, spans: Iterable[Span]) -> list[Span]:
    out = [s for s in (strip_span(text, a, b) for a, b in spans) if s]
    return sorted(set(out))


_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def blocks(text: str, separator: re.Pattern[str]) -> list[Span]:
    """Spans of text between separators (blank lines, or line breaks)."""
    spans, start = [], 0
    for m in separator.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [s for s in spans if text[s[0] : s[1]].strip()]


# --- reflow ----------------------------------------------------------------------------------------

_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•+–]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])[ \t]+\S")
_OPTION = re.compile(r"[ \t]*--?[A-Za-z0-9?]")


def _indent(line: str) -> int:
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())


def reflow(text: str, fit: bool = False) -> str:
    """The reflow measured here: with fit=True, the one ingest uses (ingest/reflow.py); without, the first
    rule alone (a line break becomes a space unless the next line is a list item, an option line or
    indented differently), kept to show what fitting adds."""
    if fit:
        from ingest.reflow import reflow as fitted

        return fitted(text)
    lines = text.split("\n")
    keep = [True] * (len(lines) - 1)
    start = 0
    for end in [*(i for i, line in enumerate(lines) if not line.strip()), len(lines)]:
        for i in range(start, end - 1):
            line, following = lines[i], lines[i + 1]
            keep[i] = bool(_LIST_ITEM.match(following) or _OPTION.match(following)) or _indent(following) != _indent(
                line
            )
        start = end + 1
    return "".join(line + ("\n" if k else " ") for line, k in zip(lines, keep, strict=False)) + lines[-1]


_LINE_BREAK = re.compile(r"\n\s*")


def with_reflow(segment: Segmenter, fit: bool = False) -> Segmenter:
    """Reflow, then every line break left is a hard break: the segmenter runs on each line of the reflowed text."""

    def run(text: str, lang: str) -> list[Span]:
        flowed, spans = reflow(text, fit), []
        for a, b in blocks(flowed, _LINE_BREAK):
            spans += [(a + s, a + e) for s, e in segment(flowed[a:b], lang)]
        return spans

    return run


# --- candidates ------------------------------------------------------------------------------------


@cache
def _project_sentences() -> ModuleType:
    """textproc/sentences.py loaded on its own, as the project splits sentences."""
    spec = importlib.util.spec_from_file_location("_bench_project_sentences", ROOT / "textproc" / "sentences.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def _punkt() -> Any:
    # The project's tokenizer: punkt's English model (bundled in llama-index-core) with the abbreviations
    # textproc/sentences.py adds ("No.", "TP.", "PGS.TS.", ...).
    return _project_sentences()._punkt()


def punkt_lines(text: str, lang: str) -> list[Span]:
    """The project's current rule, textproc.sentences.sentence_spans: every line break ends a sentence."""
    # Unwrapped from its lru_cache, which would otherwise time dictionary look-ups on repeated runs.
    return list(_project_sentences()._sentence_spans.__wrapped__(text))


def punkt_paragraphs(text: str, lang: str) -> list[Span]:
    tokenizer, spans = _punkt(), []
    for a, b in blocks(text, _BLANK_LINE):
        spans += [(a + s, a + e) for s, e in tokenizer.span_tokenize(text[a:b])]
    return spans


@cache
def _pysbd() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=False)  # no Vietnamese in pysbd: English rules


def pysbd_segment(text: str, lang: str) -> list[Span]:
    return locate(text, _pysbd().segment(text))


def sentencex_segment(text: str, lang: str) -> list[Span]:
    import sentencex

    return locate(text, sentencex.segment(lang, text))


def blingfire_segment(text: str, lang: str) -> list[Span]:
    import blingfire

    _, offsets = blingfire.text_to_sentences_and_offsets(text)
    return [(int(a), int(b)) for a, b in offsets]


CANDIDATES: dict[str, Segmenter] = {
    "punkt-lines": punkt_lines,
    "punkt": punkt_paragraphs,
    "punkt +reflow": with_reflow(punkt_paragraphs),
    "punkt +reflow-fit": with_reflow(punkt_paragraphs, fit=True),
    "pysbd": pysbd_segment,
    "pysbd +reflow": with_reflow(pysbd_segment),
    "pysbd +reflow-fit": with_reflow(pysbd_segment, fit=True),
    "sentencex": sentencex_segment,
    "sentencex +reflow": with_reflow(sentencex_segment),
    "sentencex +reflow-fit": with_reflow(sentencex_segment, fit=True),
    "blingfire": blingfire_segment,
    "blingfire +reflow": with_reflow(blingfire_segment),
    "blingfire +reflow-fit": with_reflow(blingfire_segment, fit=True),
}

# Fresh-process cost: the import alone, and import + the first split (model load, regex compilation).
_PUNKT_FIRST = (
    "import importlib.util, pathlib, nltk.data; from nltk.tokenize.punkt import PunktTokenizer; "
    "spec = importlib.util.find_spec('llama_index.core'); "
    "nltk.data.path.append(str(pathlib.Path(list(spec.submodule_search_locations)[0]) / '_static' / 'nltk_cache')); "
    "PunktTokenizer('english').tokenize('One. Two.')"
)
IMPORTS: dict[str, tuple[str, str]] = {
    "punkt": ("import nltk.tokenize.punkt", _PUNKT_FIRST),
    "pysbd": ("import pysbd", "import pysbd; pysbd.Segmenter(language='en', clean=False).segment('One. Two.')"),
    "sentencex": ("import sentencex", "import sentencex; list(sentencex.segment('vi', 'Một. Hai.'))"),
    "blingfire": ("import blingfire", "import blingfire; blingfire.text_to_sentences_and_offsets('One. Two.')"),
}


# --- scoring ---------------------------------------------------------------------------------------


@dataclass
class Score:
    tp: int = 0
    predicted: int = 0
    gold: int = 0
    exact: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold
        self.exact += other.exact

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        return self.exact / self.gold if self.gold else 0.0


@dataclass
class Outcome:
    scores: dict[str, Score] = field(default_factory=lambda: {g: Score() for g in GROUPS})
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (item id, "missed" | "extra", context)
    seconds: float = 0.0
    import_s: float | None = None
    first_s: float | None = None


def group_of(item: dict[str, Any]) -> str:
    return f"{item['lang']} {'wrapped' if item['wrapped'] else 'unwrapped'}"


def _context(text: str, at: int) -> str:
    return (text[max(0, at - 45) : at] + " ‖ " + text[at : at + 35]).replace("\n", "⏎").replace("\t", " ")


def score(items: Sequence[dict[str, Any]], segment: Segmenter) -> Outcome:
    outcome = Outcome()
    for item in items:
        text = item["text"]
        gold = gold_spans(item)
        predicted = normalise(text, segment(text, item["lang"]))
        gold_ends, predicted_ends = {e for _, e in gold}, {e for _, e in predicted}
        s = Score(len(gold_ends & predicted_ends), len(predicted_ends), len(gold_ends), len(set(gold) & set(predicted)))
        outcome.scores[group_of(item)].add(s)
        outcome.scores["all"].add(s)
        outcome.errors += [(item["id"], "missed", _context(text, e)) for e in sorted(gold_ends - predicted_ends)]
        outcome.errors += [(item["id"], "extra", _context(text, e)) for e in sorted(predicted_ends - gold_ends)]
    return outcome


def time_segmenter(items: Sequence[dict[str, Any]], segment: Segmenter, runs: int) -> float:
    for item in items[:3]:  # warm: models loaded, regexes compiled
        segment(item["text"], item["lang"])
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for item in items:
            segment(item["text"], item["lang"])
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh_python(code: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd="/")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- report ----------------------------------------------------------------------------------------


def table(outcomes: dict[str, Outcome], items: Sequence[dict[str, Any]], baseline_s: float | None) -> str:
    chars = sum(len(item["text"]) for item in items)
    sentences = sum(len(item["sentences"]) for item in items)
    counts = {g: sum(len(i["sentences"]) for i in items if g in ("all", group_of(i))) for g in GROUPS}
    lines = [
        f"Sample: {len(items)} texts, {sentences} gold sentences, {chars:,} characters "
        f"({', '.join(f'{g} {counts[g]}' for g in GROUPS[:4])}).",
        "",
        "Boundary F1 by group; precision / recall and exact-sentence accuracy overall:",
        "",
        "| candidate | en wrapped | en unwrapped | vi wrapped | vi unwrapped | **all F1** | P | R | exact |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, o in outcomes.items():
        s = o.scores
        lines.append(
            f"| {name} | "
            + " | ".join(f"{s[g].f1:.3f}" for g in GROUPS[:4])
            + f" | **{s['all'].f1:.3f}** | {s['all'].precision:.3f} | {s['all'].recall:.3f} | {s['all'].accuracy:.3f} |"
        )
    lines += [
        "",
        "Exact-sentence accuracy by group; speed on the whole sample (median of runs); fresh-process cost:",
        "",
        "| candidate | en wrapped | en unwrapped | vi wrapped | vi unwrapped | µs / 1k chars | sentences / s "
        "| import s | import + first split s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, o in outcomes.items():
        s = o.scores
        cost = "| — | — |"
        if o.import_s is not None and o.first_s is not None:
            cost = f"| {o.import_s:.3f} | {o.first_s:.3f} |"
        lines.append(
            f"| {name} | "
            + " | ".join(f"{s[g].accuracy:.3f}" for g in GROUPS[:4])
            + f" | {o.seconds / chars * 1e9:,.0f} | {sentences / o.seconds:,.0f} {cost}"
        )
    if baseline_s is not None:
        lines += ["", f"Fresh-process times include Python's own start-up (`python3 -c pass`: {baseline_s:.3f} s)."]
    return "\n".join(lines)


def detail(outcomes: dict[str, Outcome]) -> str:
    """Every metric of every group: boundary precision / recall / F1, then exact-sentence accuracy."""
    lines = [
        "Per group, boundary precision / recall / F1 and exact-sentence accuracy:",
        "",
        "| candidate | " + " | ".join(GROUPS) + " |",
        "|---" * (len(GROUPS) + 1) + "|",
    ]
    for name, o in outcomes.items():
        cells = [f"{s.precision:.3f} / {s.recall:.3f} / {s.f1:.3f}, {s.accuracy:.3f}" for s in o.scores.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def compact(outcomes: dict[str, Outcome], items: Sequence[dict[str, Any]], baseline_s: float | None) -> str:
    """The table for docs/segmenters.md: boundary F1 · exact-sentence accuracy per group, then cost."""
    chars = sum(len(item["text"]) for item in items)
    counts = {g: sum(len(i["sentences"]) for i in items if g in ("all", group_of(i))) for g in GROUPS}

    def f(x: float) -> str:
        return f"{x:.3f}".removeprefix("0")

    lines = [
        "| candidate | "
        + " | ".join(f"{g} ({counts[g]})" for g in GROUPS)
        + " | all P / R | µs / 1k chars | import s |",
        "|---" * (len(GROUPS) + 4) + "|",
    ]
    for name, o in outcomes.items():
        cells = [f"{f(s.f1)} · {f(s.accuracy)}" for s in o.scores.values()]
        cost = "—" if o.import_s is None or o.first_s is None else f"{o.import_s:.2f} ({o.first_s:.2f})"
        everything = o.scores["all"]
        lines.append(
            f"| {name} | " + " | ".join(cells) + f" | {f(everything.precision)} / {f(everything.recall)} "
            f"| {o.seconds / chars * 1e9:,.0f} | {cost} |"
        )
    lines += [
        "",
        "Cells: boundary F1 · exact-sentence accuracy. Speed: median of runs over the sample "
        f"({chars:,} characters). Import: fresh `python3 -c 'import X'` (and first split), median of 3"
        + (f"; bare start-up {baseline_s:.2f} s." if baseline_s is not None else "."),
    ]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    start, end = "<!-- table:start -->", "<!-- table:end -->"
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Sentence segmenters\n\n{start}\n{end}\n"
    before, rest = doc.split(start, 1)
    _, after = rest.split(end, 1)
    DOC.write_text(f"{before}{start}\n{text}\n{end}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m bench.segmenters", description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="store_true", help="rebuild sample.jsonl from annotated.txt")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-imports", action="store_true")
    parser.add_argument("--errors", type=int, default=0, help="print this many failures per candidate")
    parser.add_argument("--only", action="append", help="candidate name (repeatable)")
    parser.add_argument("--doc", action="store_true", help="rewrite the generated table in docs/segmenters.md")
    args = parser.parse_args(argv)

    items = build_sample() if args.build or not SAMPLE.exists() else load_sample()
    names = args.only or list(CANDIDATES)
    outcomes: dict[str, Outcome] = {}
    for name in names:
        outcome = score(items, CANDIDATES[name])
        outcome.seconds = time_segmenter(items, CANDIDATES[name], args.runs)
        outcomes[name] = outcome
    baseline = None
    if not args.no_imports:
        baseline = fresh_python("pass")
        for library, (just_import, first_split) in IMPORTS.items():
            import_s, first_s = fresh_python(just_import), fresh_python(first_split)
            for name, outcome in outcomes.items():
                if name.split()[0].split("-")[0] == library:
                    outcome.import_s, outcome.first_s = import_s, first_s
    report = table(outcomes, items, baseline)
    print(report, detail(outcomes), sep="\n\n")
    if args.errors:
        for name, outcome in outcomes.items():
            print(f"\n## {name}: {len(outcome.errors)} boundary errors")
            for item_id, kind, context in outcome.errors[: args.errors]:
                print(f"  {kind:6} {item_id:28} {context}")
    if args.doc:
        write_doc(compact(outcomes, items, baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
