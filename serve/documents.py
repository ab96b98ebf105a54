"""The report documents a build reads: from the archive, or from files on disk."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Document:
    """One distinct report document (by SHA-256) and where it came from."""

    sha256: str
    url: str | None  # the URL it was fetched from, or the file's path
    content_type: str | None = None
    length: int | None = None
    fetched_at: str | None = None
    published: str | None = None  # from the crawl (list page), if it saw one
    source_id: str | None = None
    blob_path: Path | None = None  # archived bytes
    local_path: Path | None = None  # a file given to ``build --from``
    filename: str | None = None

    def read(self) -> bytes:
        path = self.blob_path or self.local_path
        if path is None:
            raise FileNotFoundError(f"no stored bytes for document {self.sha256}")
        return path.read_bytes()


def _first(row: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if row.get(key) not in (None, ""):
            return row[key]
    return None


def from_archive(archive_root: Path) -> Iterator[Document]:
    """Every report document the archive holds (``Archive.documents()``)."""
    from nianbao.archive import Archive  # the archive stage; only needed for archive builds

    archive = Archive(archive_root, readonly=True)
    for row in archive.documents():
        sha = row["sha256"]
        url = _first(row, "final_url", "url")
        yield Document(
            sha256=sha,
            url=url,
            content_type=_first(row, "content_type"),
            length=_first(row, "length", "content_length", "body_length"),
            fetched_at=_first(row, "fetched_at"),
            published=_first(row, "published"),
            source_id=_first(row, "source", "source_id"),
            blob_path=archive.blobs.path(sha),
            filename=_first(row, "filename") or (Path(url).name if url else None),
        )


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")


def from_paths(paths: Iterable[Path]) -> Iterator[Document]:
    """Documents from files and folders (recursively), in order; duplicates by content once."""
    seen: set[str] = set()
    for path in _files(paths):
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if sha in seen:
            continue
        seen.add(sha)
        yield Document(
            sha256=sha,
            url=str(path),
            content_type=mimetypes.guess_type(path.name)[0],
            length=len(data),
            local_path=path.resolve(),
            filename=path.name,
        )
