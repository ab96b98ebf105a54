"""Content-addressed store of bodies: ``sha256/ab/cd/<sha256>``, written once, never changed."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
_HEX = re.compile(r"^[0-9a-f]{64}$")


class BlobError(Exception):
    """A blob that is missing, or a name that is not a SHA-256."""


def check_sha256(sha256: str) -> str:
    if not isinstance(sha256, str) or not _HEX.match(sha256):
        raise BlobError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


def fsync_dir(path: Path) -> None:
    """Make a folder's new or renamed entries durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    """Bodies by SHA-256 under ``root`` (the archive's ``blobs/`` folder).

    A blob is written to ``root/tmp/`` (same file system), fsynced, then linked to
    its final name, which fails rather than overwrite if it exists: a reader sees
    a whole blob or none, and a blob never changes once stored.
    """

    def __init__(self, root: Path | str, *, durable: bool = True) -> None:
        self.root = Path(root)
        self.durable = durable
        self._tmp = self.root / "tmp"

    # -- reading ---------------------------------------------------------
    def path(self, sha256: str) -> Path:
        """Where the blob lives (whether or not it exists)."""
        check_sha256(sha256)
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """The blob opened for reading; ``BlobError`` if it is not stored."""
        path = self.path(sha256)
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise BlobError(f"no blob {sha256}") from None

    def get(self, sha256: str) -> bytes:
        with self.open(sha256) as f:
            return f.read()

    def hash_of(self, sha256: str) -> str:
        """The SHA-256 of the stored bytes, read in chunks (for verification)."""
        digest = hashlib.sha256()
        with self.open(sha256) as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def __iter__(self):
        """Every stored SHA-256."""
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for path in sorted(base.glob("??/??/*")):
            if _HEX.match(path.name):
                yield path.name

    # -- writing ---------------------------------------------------------
    def put(self, data: bytes | bytearray | memoryview) -> str:
        """Store ``data``; return its SHA-256. Idempotent."""
        sha256 = hashlib.sha256(data).hexdigest()
        if self.has(sha256):
            return sha256
        tmp = self._tmp_path()
        with tmp.open("wb") as f:
            f.write(data)
            self._sync(f)
        self._install(tmp, sha256)
        return sha256

    def put_file(self, path: Path | str) -> str:
        """Store the file at ``path``, streamed in chunks; return its SHA-256."""
        with Path(path).open("rb") as src:
            return self.put_stream(src)

    def put_stream(self, stream: BinaryIO, expected: str | None = None) -> str:
        """Store everything ``stream`` yields, hashing while copying; return its SHA-256.

        With ``expected`` (a copy from another store), bytes that hash otherwise raise
        :class:`BlobError` and are not stored."""
        digest = hashlib.sha256()
        tmp = self._tmp_path()
        try:
            with tmp.open("wb") as f:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    f.write(chunk)
                self._sync(f)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        sha256 = digest.hexdigest()
        if expected is not None and sha256 != expected:
            tmp.unlink()
            raise BlobError(f"blob {expected} is damaged: its bytes hash to {sha256}")
        if self.has(sha256):
            tmp.unlink()
        else:
            self._install(tmp, sha256)
        return sha256

    def clean_tmp(self) -> int:
        """Remove temp files a crashed writer left behind; only call while holding the writer lock."""
        removed = 0
        if self._tmp.is_dir():
            for path in self._tmp.iterdir():
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    # -- internals -------------------------------------------------------
    def _tmp_path(self) -> Path:
        self._tmp.mkdir(parents=True, exist_ok=True)
        return self._tmp / f"{os.getpid()}-{secrets.token_hex(8)}.part"

    def _sync(self, f: BinaryIO) -> None:
        f.flush()
        if self.durable:
            os.fsync(f.fileno())

    def _install(self, tmp: Path, sha256: str) -> None:
        final = self.path(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)
        try:
            # link() refuses to overwrite, unlike rename(): a blob, once there, stays as it is.
            os.link(tmp, final)
        except FileExistsError:
            pass
        except OSError:
            # File systems without hard links: rename, after checking again.
            if not final.exists():
                os.replace(tmp, final)
        tmp.unlink(missing_ok=True)
        if self.durable:
            fsync_dir(final.parent)
