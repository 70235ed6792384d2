"""Performance benchmark: `python3 -m bench` runs every case side by side and prints one table.

Each case measures a ratio against a reference run in the same process and minute (absolute times
drift on shared machines), takes the median of several runs, and says whether its target is met.
New cases are functions added to ``bench.__main__.CASES``.
"""
