"""Answering: readers that turn a question and its passages into a cited draft, and the pipeline
that retrieves, decides to refuse, and streams the answer."""
