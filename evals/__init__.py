"""Offline evaluation: datasets, metrics, runners and reports."""
