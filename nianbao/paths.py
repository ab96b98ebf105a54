"""Where the data lives: one folder (``data/`` unless told otherwise), one layout."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def default(cls) -> DataDir:
        return cls(Path(os.environ.get("NIANBAO_DATA", "data")))

    @property
    def archive(self) -> Path:
        """WARC files, the content-addressed store and the provenance database."""
        return self.root / "archive"

    @property
    def database(self) -> Path:
        """The SQLite database Datasette serves."""
        return self.root / "nianbao.db"

    @property
    def jobs(self) -> Path:
        """Scrapy JOBDIRs, so an interrupted crawl resumes."""
        return self.root / "jobs"

    def ensure(self) -> DataDir:
        self.root.mkdir(parents=True, exist_ok=True)
        return self
