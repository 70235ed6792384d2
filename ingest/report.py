"""What an ingest did, for the CLI's summary line and for scripts."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class IngestReport:
    collection: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    # What a parsing library said of a file it could still read ("EOF marker not found"), by file.
    warnings: dict[str, list[str]] = field(default_factory=dict)
    chunks: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.skipped)} skipped, "
            f"{len(self.removed)} removed, {len(self.failed)} failed; {self.chunks} chunks embedded "
            f"in {self.seconds:.1f} s (collection {self.collection!r})"
        )

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, object]:
        return {
            "collection": self.collection,
            "added": self.added,
            "updated": self.updated,
            "skipped": self.skipped,
            "removed": self.removed,
            "failed": self.failed,
            "warnings": self.warnings,
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
        }
