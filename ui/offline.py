"""Imported before gradio by every module that uses it: no analytics, no version check, nothing leaves
the machine. Kept out of ``ui/__init__`` so that `rag` commands which never serve the app (and load
``ui.cli`` through the entry point) keep their own Hugging Face settings."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
