"""Gzipped WARC/1.1 files: request/response pairs and revisits, rotated, crash-safe.

A file being written is named ``<name>.warc.gz.open`` and renamed to
``<name>.warc.gz`` when closed, so a complete-looking name always means a complete
file. Each record is its own gzip member, flushed (and fsynced when durable) before
``write_*`` returns; a crash leaves at worst a torn last member, which
:func:`recover_directory` cuts off.
"""

from __future__ import annotations

import io
import os
import socket
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from nianbao.archive.fetch import Header
from nianbao.archive.http_headers import WireHeaders
from warcio.recordbuilder import RecordBuilder
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
DEFAULT_MAX_SIZE = 1 << 30
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


class WarcError(Exception):
    """A WARC file that cannot be written or read as expected."""


@dataclass(frozen=True)
class WarcLocation:
    """Where a record landed."""

    filename: str  # final name (``….warc.gz``), relative to the WARC folder
    offset: int  # of the record's gzip member
    length: int  # compressed length of that member
    record_id: str  # WARC-Record-ID, ``<urn:uuid:…>``
    date: str  # WARC-Date
    payload_digest: str  # WARC-Payload-Digest, ``sha256:<base32>``


def warc_date(iso: str | None) -> str:
    """An ISO 8601 timestamp as a WARC-Date (UTC, microseconds, ``Z``)."""
    if not iso:
        moment = datetime.now(UTC)
    else:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha256_payload_digest(hex_digest: str) -> str:
    """A hex SHA-256 in the WARC header form, ``sha256:<base32>``."""
    import base64

    return "sha256:" + base64.b32encode(bytes.fromhex(hex_digest)).decode("ascii")


class _Sha256Writer(WARCWriter):
    """warcio's writer with SHA-256 block and payload digests (warcio defaults to SHA-1)."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return target


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def complete_members_end(path: Path) -> int:
    """Offset just past the last complete gzip member of ``path``."""
    good = 0
    pos = 0
    decomp = zlib.decompressobj(wbits=31)
    with path.open("rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            data = chunk
            while data:
                try:
                    # Output is discarded; max_length bounds memory for highly compressible members.
                    decomp.decompress(data, 1 << 20)
                except zlib.error:
                    return good
                while decomp.unconsumed_tail and not decomp.eof:
                    try:
                        decomp.decompress(decomp.unconsumed_tail, 1 << 20)
                    except zlib.error:
                        return good
                if decomp.eof:
                    unused = decomp.unused_data
                    pos += len(data) - len(unused)
                    good = pos
                    decomp = zlib.decompressobj(wbits=31)
                    data = unused
                else:
                    pos += len(data)
                    data = b""
    return good


def recover_file(path: Path) -> Path:
    """Close off an ``.open`` WARC file left by a crash: cut it at its last complete record, rename it."""
    if not path.name.endswith(OPEN_SUFFIX):
        raise WarcError(f"not an open WARC file: {path}")
    end = complete_members_end(path)
    with path.open("r+b") as f:
        f.truncate(end)
        f.flush()
        os.fsync(f.fileno())
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    if end == 0:
        # Nothing whole in it (not even the warcinfo): nothing to keep.
        path.unlink()
        return final
    if final.exists():
        raise WarcError(f"cannot recover {path}: {final} already exists")
    os.replace(path, final)
    return final


def recover_directory(directory: Path) -> list[Path]:
    """Recover every ``.open`` WARC file in ``directory``. Call only when no writer is running."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return [recover_file(p) for p in sorted(directory.glob("*" + WARC_SUFFIX + OPEN_SUFFIX))]


class WarcWriter:
    """Writes WARC/1.1 records into ``directory``, rotating at ``max_size`` bytes."""

    def __init__(
        self,
        directory: Path | str,
        prefix: str = "nianbao",
        *,
        max_size: int = DEFAULT_MAX_SIZE,
        info: dict[str, str] | None = None,
        durable: bool = True,
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.info = dict(info or {})
        self.durable = durable
        self._file: BinaryIO | None = None
        self._writer: _Sha256Writer | None = None
        self._name: str | None = None
        self._serial = 0
        self._builder = RecordBuilder(warc_version="WARC/1.1")
        self.directory.mkdir(parents=True, exist_ok=True)

    # -- files -----------------------------------------------------------
    @property
    def current_file(self) -> str | None:
        """Final name of the file being written, if any."""
        return self._name

    def _open_new(self) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        self._serial += 1
        name = f"{self.prefix}-{stamp}-{self._serial:05d}-{os.getpid()}{WARC_SUFFIX}"
        path = self.directory / (name + OPEN_SUFFIX)
        self._file = path.open("xb")
        self._writer = _Sha256Writer(self._file, gzip=True, warc_version="WARC/1.1")
        self._name = name
        info = {
            "software": "nianbao archive (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            **self.info,
        }
        self._writer.write_record(self._writer.create_warcinfo_record(name, info))
        self._sync()

    def close(self) -> str | None:
        """Close the current file and give it its final name; return that name."""
        if self._file is None:
            return None
        self._sync()
        self._file.close()
        name = self._name
        assert name is not None
        os.replace(self.directory / (name + OPEN_SUFFIX), self.directory / name)
        if self.durable:
            fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        self._file = self._writer = self._name = None
        return name

    def _sync(self) -> None:
        assert self._file is not None
        self._file.flush()
        if self.durable:
            os.fsync(self._file.fileno())

    def _ensure_open(self) -> None:
        if self._file is None:
            self._open_new()

    def _rotate_if_full(self) -> None:
        if self._file is not None and self._file.tell() >= self.max_size:
            self.close()

    # -- records ---------------------------------------------------------
    def _request_record(self, url: str, method: str, headers: Sequence[Header], body: bytes, date: str):
        assert self._writer is not None
        http = WireHeaders(f"{method} {_request_target(url)} HTTP/1.1", list(headers), is_http_request=True)
        return self._writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )

    def _write_pair(self, response, request) -> WarcLocation:
        """Response first, then its request, linked by WARC-Concurrent-To; return the response's place."""
        assert self._file is not None and self._writer is not None
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        request.rec_headers.add_header("WARC-Concurrent-To", response_id)
        offset = self._file.tell()
        try:
            self._writer.write_record(response)
            length = self._file.tell() - offset
            self._writer.write_record(request)
            self._sync()
        except BaseException:
            # A half-written member must not stay in the middle of the file: cut it and go on.
            self._file.truncate(offset)
            self._file.seek(offset)
            raise
        location = WarcLocation(
            filename=self._name or "",
            offset=offset,
            length=length,
            record_id=response_id,
            date=response.rec_headers.get_header("WARC-Date"),
            payload_digest=response.rec_headers.get_header("WARC-Payload-Digest") or "",
        )
        self._rotate_if_full()
        return location

    def write_exchange(
        self,
        *,
        url: str,
        status: int,
        response_headers: Sequence[Header],
        body: bytes | BinaryIO,
        body_length: int | None = None,
        method: str = "GET",
        request_headers: Sequence[Header] = (),
        request_body: bytes = b"",
        date: str | None = None,
        protocol: str = "HTTP/1.1",
        extra_warc_headers: dict[str, str] | None = None,
    ) -> WarcLocation:
        """A ``response`` record and its ``request`` record.

        ``response_headers`` are stored as given: pass them through
        :func:`archive.http_headers.stored_response_headers` first. ``body`` may be
        a seekable binary stream with ``body_length`` for large bodies.
        """
        self._ensure_open()
        assert self._writer is not None
        wdate = warc_date(date)
        if isinstance(body, bytes | bytearray | memoryview):
            stream: BinaryIO = io.BytesIO(body)
            length = len(body)
        else:
            stream = body
            if body_length is None:
                raise WarcError("a streamed body needs body_length")
            length = body_length
        http = WireHeaders(_status_line(status), list(response_headers), protocol=protocol)
        response = self._writer.create_warc_record(
            url,
            "response",
            payload=stream,
            length=length,
            http_headers=http,
            warc_headers_dict={"WARC-Date": wdate, **(extra_warc_headers or {})},
        )
        request = self._request_record(url, method, request_headers, request_body, wdate)
        return self._write_pair(response, request)

    def write_revisit(
        self,
        *,
        url: str,
        status: int,
        response_headers: Sequence[Header],
        refers_to_uri: str,
        refers_to_date: str,
        payload_digest: str,
        not_modified: bool = False,
        method: str = "GET",
        request_headers: Sequence[Header] = (),
        request_body: bytes = b"",
        date: str | None = None,
        protocol: str = "HTTP/1.1",
        refers_to_record_id: str | None = None,
    ) -> WarcLocation:
        """A ``revisit`` record (headers only) and its ``request`` record.

        Profile ``server-not-modified`` for a 304, else ``identical-payload-digest``.
        ``payload_digest`` is the original record's WARC-Payload-Digest.
        """
        self._ensure_open()
        assert self._writer is not None
        wdate = warc_date(date)
        http = WireHeaders(_status_line(status), list(response_headers), protocol=protocol)
        warc_headers = {"WARC-Date": wdate}
        if refers_to_record_id:
            warc_headers["WARC-Refers-To"] = refers_to_record_id
        revisit = self._writer.create_revisit_record(
            url,
            payload_digest,
            refers_to_uri,
            refers_to_date,
            http_headers=http,
            warc_headers_dict=warc_headers,
        )
        profile = PROFILE_NOT_MODIFIED if not_modified else PROFILE_IDENTICAL
        revisit.rec_headers.replace_header("WARC-Profile", profile)
        request = self._request_record(url, method, request_headers, request_body, wdate)
        return self._write_pair(revisit, request)

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
