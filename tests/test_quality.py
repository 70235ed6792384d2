"""Lint, types and the README's promises are part of the suite, so CI keeps them true."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff comes with the test extras")
def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    result = _run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def _quickstart() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:bash|sh)\n(.*?)\n```", section, flags=re.DOTALL)


def test_quickstart_is_exactly_two_commands_and_ci_runs_the_second() -> None:
    commands = _quickstart()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "rag " in commands[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip() in ci.splitlines()


def test_layout_imports_point_one_way() -> None:
    """ui, evals -> rag -> ingest, vectorstore -> textproc: nothing imports the layers above it."""
    layers = (
        ("textproc", ("vectorstore", "ingest", "rag", "ui", "evals")),
        ("vectorstore", ("ingest", "rag", "ui", "evals")),
        ("ingest", ("rag", "ui", "evals")),
        ("rag", ("ui", "evals")),
        ("ui", ("evals",)),
        ("evals", ("ui",)),
    )
    for package, forbidden in layers:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for name in forbidden:
                assert not re.search(rf"^\s*(from|import) {name}\b", text, flags=re.MULTILINE), f"{path} imports {name}"
