"""The archive: one facade over the blob store, the WARC files and the provenance database.

Every response goes in three places, in this order, so that a crash at any point
leaves no provenance row pointing at something missing:

1. its body into the content-addressed store (a blob with no row is harmless);
2. its WARC request + response (or revisit) records, flushed and fsynced;
3. its provenance row, committed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nianbao.archive.blob_store import BlobStore
from nianbao.archive.fetch import Fetch, header_value, utc_now_iso
from nianbao.archive.filenames import document_filename
from nianbao.archive.http_headers import stored_response_headers
from nianbao.archive.provenance import Provenance
from nianbao.archive.warc_writer import (
    DEFAULT_MAX_SIZE,
    WarcLocation,
    WarcWriter,
    recover_directory,
    warc_date,
)
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

LOCK_NAME = "writer.lock"
MACHINE_ENV = "NIANBAO_MACHINE"


def machine_name() -> str:
    """The machine a run is recorded as running on: $NIANBAO_MACHINE, else the host name.

    Set it where host names say little (containers, several Scrapyd daemons on one host):
    the runs of archives merged from many machines keep it."""
    return os.environ.get(MACHINE_ENV, "").strip() or socket.gethostname()


class ArchiveError(Exception):
    """Misuse of the archive: unknown run, a run not held by this process, bad input."""


class ArchiveLocked(ArchiveError):
    """Another process is writing to this archive."""


class Archive:
    """The archive rooted at ``root`` (``DataDir.archive``): ``warc/``, ``blobs/``, ``provenance.db``.

    Readers (``last_fetch``, ``documents``, ``runs``, ``blobs``) need no lock.
    Writing happens inside a run: ``start_run`` (or ``resume_run``) takes an
    exclusive lock on ``writer.lock``; a second process trying to start a run
    meanwhile gets :class:`ArchiveLocked`. Use one ``Archive`` per process.
    Calls are serialised by a lock, so Scrapy's reactor thread and helper threads
    may share an instance.
    """

    def __init__(
        self,
        root: Path | str,
        *,
        readonly: bool = False,
        warc_prefix: str = "nianbao",
        warc_max_size: int = DEFAULT_MAX_SIZE,
        durable: bool = True,
    ) -> None:
        self.root = Path(root)
        self.readonly = readonly
        self.warc_dir = self.root / "warc"
        self.blobs = BlobStore(self.root / "blobs", durable=durable)
        if not readonly:
            self.root.mkdir(parents=True, exist_ok=True)
        self.provenance = Provenance(self.root / "provenance.db", readonly=readonly, durable=durable)
        self._warc_prefix = warc_prefix
        self._warc_max_size = warc_max_size
        self._durable = durable
        self._lock = threading.RLock()
        self._lock_file: Any = None
        self._writer: WarcWriter | None = None
        self._active_runs: set[str] = set()
        self.recovered_warc_files: list[Path] = []

    # -- the writer lock -------------------------------------------------
    def _acquire(self) -> None:
        if self.readonly:
            raise ArchiveError("this Archive was opened read-only")
        if self._lock_file is not None:
            return
        path = self.root / LOCK_NAME
        f = path.open("a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            f.close()
            raise ArchiveLocked(
                f"another process ({holder}) is writing to the archive at {self.root}; "
                "wait for its run to finish, or use another --data folder"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}")
        f.flush()
        self._lock_file = f
        # We are the only writer now: close off what a crashed writer left.
        self.recovered_warc_files = recover_directory(self.warc_dir)
        self.blobs.clean_tmp()
        self._writer = WarcWriter(
            self.warc_dir, self._warc_prefix, max_size=self._warc_max_size, durable=self._durable
        )

    def _release(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    @contextmanager
    def writing(self) -> Iterator[Archive]:
        """Hold the writer lock outside a run (a merge): :class:`ArchiveLocked` if another holds it."""
        with self._lock:
            self._acquire()
        try:
            yield self
        finally:
            with self._lock:
                if not self._active_runs:
                    self._release()

    def close(self) -> None:
        """Close the current WARC file, release the writer lock, close the database."""
        with self._lock:
            self._release()
            self._active_runs.clear()
            self.provenance.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- runs ------------------------------------------------------------
    def start_run(
        self,
        name: str,
        sources: list[str] | None = None,
        settings: dict | None = None,
        machine: str | None = None,
    ) -> str:
        """Begin a run on ``machine`` (default :func:`machine_name`); return its id
        (``YYYYmmddTHHMMSSZ-<hex>``, sortable and unique across machines)."""
        with self._lock:
            self._acquire()
            now = datetime.now(UTC)
            run_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
            machine = machine or machine_name()
            self.provenance.insert_run(
                run_id, name, warc_date(now.isoformat()), settings or {}, list(sources or []), machine
            )
            self._active_runs.add(run_id)
            assert self._writer is not None
            self._writer.info = {"nianbao-run": run_id, "nianbao-run-name": name, "nianbao-machine": machine}
            return run_id

    def resume_run(self, run_id: str) -> str:
        """Continue an unfinished run (after a crash, with Scrapy's JOBDIR)."""
        with self._lock:
            run = self.provenance.run(run_id)
            if run is None:
                raise ArchiveError(f"no run {run_id!r}")
            if run["ended_at"] is not None:
                raise ArchiveError(f"run {run_id!r} has ended ({run['outcome']}); start a new one")
            self._acquire()
            self._active_runs.add(run_id)
            assert self._writer is not None
            self._writer.info = {"nianbao-run": run_id, "nianbao-run-name": run["name"], "resumed": "yes"}
            return run_id

    def unfinished_runs(self) -> list[dict]:
        """Runs that started and never ended (crashed or still running)."""
        return [self._decode_run(r) for r in self.provenance.unfinished_runs()]

    def finish_run(
        self,
        run_id: str,
        outcome: str,
        stats: dict | None = None,
        per_source: dict[str, dict] | None = None,
    ) -> None:
        """End a run with its outcome ("finished", "interrupted", "failed", …) and statistics.

        The archive adds its own counts (fetches, new bodies, revisits, failures,
        bytes) under ``stats["archive"]`` and each source's ``per_source[s]["archive"]``.
        Ending the last active run closes the WARC file and releases the lock.
        """
        with self._lock:
            self._acquire()
            stats = dict(stats or {})
            per_source = {k: dict(v) for k, v in (per_source or {}).items()}
            counts = self.run_counts(run_id)
            stats["archive"] = counts.pop("_total")
            for source, c in counts.items():
                per_source.setdefault(source, {})["archive"] = c
            self.provenance.end_run(run_id, utc_now_iso(), outcome, stats, per_source)
            self._active_runs.discard(run_id)
            if not self._active_runs:
                self._release()

    def run_counts(self, run_id: str) -> dict[str, dict[str, int]]:
        """Per source (and ``_total``): fetches, new bodies, revisits, unchanged, failures, bytes."""
        rows = self.provenance.conn.execute(
            """SELECT COALESCE(source, '') AS source,
                      COUNT(*) AS fetches,
                      SUM(is_new) AS new,
                      SUM(warc_record_type = 'revisit') AS revisits,
                      SUM(error IS NOT NULL) AS failures,
                      SUM(role = 'report' AND is_new) AS new_reports,
                      COALESCE(SUM(CASE WHEN warc_record_type = 'response' THEN content_length END), 0) AS bytes
               FROM fetches WHERE run_id = ? GROUP BY COALESCE(source, '')""",
            (run_id,),
        ).fetchall()
        out: dict[str, dict[str, int]] = {}
        total = {"fetches": 0, "new": 0, "revisits": 0, "failures": 0, "new_reports": 0, "bytes": 0}
        for r in rows:
            source = r.pop("source")
            r = {k: int(v or 0) for k, v in r.items()}
            out[source] = r
            for k in total:
                total[k] += r[k]
        out["_total"] = total
        return out

    def runs(self) -> list[dict]:
        """Every run, oldest first, with ``settings``, ``stats``, ``sources`` decoded and its per-source stats."""
        out = []
        for run in self.provenance.runs():
            run = self._decode_run(run)
            run["per_source"] = {
                r["source"]: json.loads(r["stats_json"]) for r in self.provenance.run_sources(run["run_id"])
            }
            out.append(run)
        return out

    @staticmethod
    def _decode_run(run: dict) -> dict:
        run = dict(run)
        run["settings"] = json.loads(run["settings_json"] or "{}")
        run["stats"] = json.loads(run["stats_json"]) if run["stats_json"] else None
        run["sources"] = json.loads(run["sources_json"] or "[]")
        return run

    def _check_run(self, run_id: str) -> None:
        if run_id not in self._active_runs:
            raise ArchiveError(f"run {run_id!r} is not active in this process; call start_run or resume_run")

    # -- recording -------------------------------------------------------
    def record(self, run_id: str, fetch: Fetch) -> dict:
        """Archive one response: blob, WARC records, provenance row. Return the row.

        A 304, or a body whose SHA-256 equals the last one fetched from the same URL
        with the same status, is written as a WARC ``revisit`` record pointing at
        the original response; its row has ``revisit_of`` = the original's id.
        """
        if not isinstance(fetch, Fetch):
            raise ArchiveError(f"record() takes a Fetch, not {type(fetch).__name__}")
        with self._lock:
            self._check_run(run_id)
            assert self._writer is not None
            fetched_at = warc_date(fetch.fetched_at)
            previous = self.provenance.last_fetch(fetch.url)
            original = self._original_of(previous)

            if fetch.status == 304 and original is not None:
                return self._record_revisit(run_id, fetch, fetched_at, original, not_modified=True)

            # 1. the body into the store
            if fetch.body_path is not None:
                sha256 = self.blobs.put_file(fetch.body_path)
            else:
                sha256 = self.blobs.put(fetch.body)
            if (
                original is not None
                and original["sha256"] == sha256
                and original["status"] == fetch.status
                and original["payload_digest"]
            ):
                return self._record_revisit(run_id, fetch, fetched_at, original, not_modified=False)
            is_new = not self.provenance.seen_sha256(sha256)

            # 2. the WARC records
            location = self._write_response(fetch, fetched_at)

            # 3. the row
            return self._insert(
                run_id, fetch, fetched_at, sha256, fetch.body_length, is_new, None, location, "response"
            )

    def _write_response(self, fetch: Fetch, fetched_at: str) -> WarcLocation:
        assert self._writer is not None
        common = dict(
            url=fetch.final_url or fetch.url,  # the URL that served this response
            status=fetch.status,
            method=fetch.method,
            request_headers=fetch.request_headers,
            request_body=fetch.request_body,
            date=fetched_at,
            protocol=fetch.protocol,
        )
        if fetch.raw_body is not None:
            # The bytes as they came: headers stay true as they are (bar framing).
            headers = stored_response_headers(fetch.response_headers, len(fetch.raw_body), None)
            return self._writer.write_exchange(response_headers=headers, body=fetch.raw_body, **common)
        headers = stored_response_headers(
            fetch.response_headers, fetch.body_length, fetch.decoded_content_encoding
        )
        if fetch.body_path is not None:
            with fetch.body_path.open("rb") as stream:
                return self._writer.write_exchange(
                    response_headers=headers, body=stream, body_length=fetch.body_length, **common
                )
        return self._writer.write_exchange(response_headers=headers, body=fetch.body, **common)

    def _record_revisit(
        self, run_id: str, fetch: Fetch, fetched_at: str, original: dict, *, not_modified: bool
    ) -> dict:
        assert self._writer is not None
        length = fetch.body_length if not not_modified else 0
        headers = stored_response_headers(
            fetch.response_headers,
            len(fetch.raw_body) if fetch.raw_body is not None else length,
            None if fetch.raw_body is not None else fetch.decoded_content_encoding,
        )
        if not_modified:
            headers = list(fetch.response_headers)
        location = self._writer.write_revisit(
            url=fetch.final_url or fetch.url,
            status=fetch.status,
            response_headers=headers,
            refers_to_uri=original["final_url"] or original["url"],
            refers_to_date=original["fetched_at"],
            refers_to_record_id=original["warc_record_id"],
            payload_digest=original["payload_digest"],
            not_modified=not_modified,
            method=fetch.method,
            request_headers=fetch.request_headers,
            request_body=fetch.request_body,
            date=fetched_at,
            protocol=fetch.protocol,
        )
        return self._insert(
            run_id,
            fetch,
            fetched_at,
            original["sha256"],
            original["content_length"],
            False,
            original,
            location,
            "revisit",
        )

    def _insert(
        self,
        run_id: str,
        fetch: Fetch,
        fetched_at: str,
        sha256: str | None,
        content_length: int | None,
        is_new: bool,
        original: dict | None,
        location: WarcLocation,
        record_type: str,
    ) -> dict:
        etag = header_value(fetch.response_headers, "ETag")
        last_modified = header_value(fetch.response_headers, "Last-Modified")
        if original is not None and fetch.status == 304:
            etag = etag or original["etag"]
            last_modified = last_modified or original["last_modified"]
        row = {
            "run_id": run_id,
            "source": fetch.source,
            "url": fetch.url,
            "final_url": fetch.final_url,
            "method": fetch.method,
            "status": fetch.status,
            "request_headers_json": json.dumps(fetch.request_headers, ensure_ascii=False),
            "response_headers_json": json.dumps(fetch.response_headers, ensure_ascii=False),
            "content_type": fetch.content_type or (original or {}).get("content_type"),
            "content_length": content_length,
            "sha256": sha256,
            "fetched_at": fetched_at,
            "referer": fetch.referer,
            "anchor_text": fetch.anchor_text,
            "found_by": fetch.found_by,
            "role": fetch.role,
            "list_page": fetch.list_page,
            "etag": etag,
            "last_modified": last_modified,
            "is_new": int(is_new),
            "revisit_of": original["id"] if original is not None else None,
            "warc_file": location.filename,
            "warc_offset": location.offset,
            "warc_length": location.length,
            "warc_record_id": location.record_id,
            "warc_record_type": record_type,
            "payload_digest": location.payload_digest,
            "published": fetch.published,
            "error": None,
        }
        row["id"] = self.provenance.insert_fetch(row)
        return row

    def _original_of(self, row: dict | None) -> dict | None:
        """The row holding the full response record that ``row`` is (or refers to)."""
        if row is None or row["warc_file"] is None:
            return None
        if row["warc_record_type"] == "revisit" and row["revisit_of"] is not None:
            return self.provenance.fetch(row["revisit_of"])
        if row["warc_record_type"] == "response" and row["sha256"] is not None:
            return row
        return None

    def record_failure(
        self,
        run_id: str,
        url: str,
        source: str | None,
        error: str,
        *,
        method: str = "GET",
        referer: str | None = None,
        anchor_text: str | None = None,
        found_by: str | None = None,
        role: str = "page",
        list_page: str | None = None,
        fetched_at: str | None = None,
    ) -> dict:
        """A fetch that got no response (timeout, DNS, refused, too large …): a row, no WARC, no blob."""
        if not error:
            raise ArchiveError("record_failure needs the error")
        with self._lock:
            self._check_run(run_id)
            row = {
                "run_id": run_id,
                "source": source,
                "url": url,
                "final_url": None,
                "method": method,
                "status": None,
                "fetched_at": warc_date(fetched_at),
                "referer": referer,
                "anchor_text": anchor_text,
                "found_by": found_by,
                "role": role,
                "list_page": list_page,
                "is_new": 0,
                "error": str(error),
            }
            return self.provenance.fetch(self.provenance.insert_fetch(row))

    # -- reading ---------------------------------------------------------
    def last_fetch(self, url: str) -> dict | None:
        """The latest response for ``url``: etag, last_modified, sha256, status, fetched_at … or None."""
        return self.provenance.last_fetch(url)

    def seen_sha256(self, sha256: str) -> bool:
        return self.provenance.seen_sha256(sha256)

    def fetched_in_run(self, run_id: str, url: str, method: str = "GET", body: bytes = b"") -> dict | None:
        """The latest response this run archived for the request ``method url`` with ``body``
        (a POST's form, compared with the body of the stored WARC request record), or None."""
        for row in self.provenance.fetches_in_run(url, run_id, method.upper()):
            if row["warc_file"] is None:
                continue
            if method.upper() == "GET" or self.request_body_of(row) == (body or b""):
                return row
        return None

    def request_body_of(self, row: dict) -> bytes | None:
        """The body of the WARC ``request`` record stored with ``row``'s response (None if unreadable)."""
        path = self.warc_path(row["warc_file"])
        try:
            with path.open("rb") as f:
                f.seek(row["warc_offset"] + row["warc_length"])
                record = next(iter(ArchiveIterator(f)), None)
                if (
                    record is None
                    or record.rec_type != "request"
                    or record.rec_headers.get_header("WARC-Concurrent-To") != row["warc_record_id"]
                ):
                    return None
                return record.content_stream().read()
        except (ArchiveLoadFailed, OSError, EOFError, ValueError):
            return None

    def seen_url(self, url: str) -> bool:
        return self.provenance.last_fetch(url) is not None

    def documents(self) -> Iterator[dict]:
        """One dict per distinct report body (role "report", 2xx): sha256, fetch_id, url, final_url,
        source, content_type, content_length, anchor_text, fetched_at, run_id, list_page,
        referer, published, fetch_count, url_count, and ``filename`` (from Content-Disposition,
        else the URL's last path part). Oldest first."""
        for row in self.provenance.documents():
            headers = json.loads(row.pop("response_headers_json") or "[]")
            row["filename"] = document_filename([tuple(h) for h in headers], row["final_url"] or row["url"])
            yield row

    def get(self, sha256: str) -> bytes:
        return self.blobs.get(sha256)

    def warc_path(self, filename: str) -> Path:
        """Path of a WARC file by the name a row gives (the ``.open`` name while it is being written)."""
        path = self.warc_dir / filename
        if not path.exists() and (self.warc_dir / (filename + ".open")).exists():
            return self.warc_dir / (filename + ".open")
        return path

    def warc_files(self) -> list[Path]:
        if not self.warc_dir.is_dir():
            return []
        return sorted(p for p in self.warc_dir.iterdir() if p.name.endswith((".warc.gz", ".warc.gz.open")))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
