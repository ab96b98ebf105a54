"""Check the archive against itself: every row's blob and WARC record exist and match."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.archive import Archive
from archive.blob_store import CHUNK, BlobError


@dataclass(frozen=True)
class Problem:
    what: str  # "blob" | "warc" | "file"
    where: str  # sha256, "file@offset" or file name
    detail: str
    fetch_id: int | None = None

    def __str__(self) -> str:
        row = f" (fetch {self.fetch_id})" if self.fetch_id is not None else ""
        return f"{self.what} {self.where}{row}: {self.detail}"


def _hash_stream(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def check_blobs(archive: Archive) -> Iterator[Problem]:
    """Each SHA-256 a row names is stored, and its bytes hash to that name."""
    rows = archive.provenance.conn.execute(
        "SELECT sha256, MIN(id) AS id FROM fetches WHERE sha256 IS NOT NULL GROUP BY sha256 ORDER BY id"
    ).fetchall()
    for row in rows:
        sha = row["sha256"]
        try:
            actual = archive.blobs.hash_of(sha)
        except BlobError:
            yield Problem("blob", sha, "missing", row["id"])
            continue
        if actual != sha:
            yield Problem("blob", sha, f"content hashes to {actual}", row["id"])


def check_records(archive: Archive) -> Iterator[Problem]:
    """Each row's WARC record is where the row says, is the record it names, and holds its body."""
    by_file: dict[str, list[dict]] = defaultdict(list)
    for row in archive.provenance.conn.execute(
        "SELECT * FROM fetches WHERE warc_file IS NOT NULL ORDER BY warc_file, warc_offset"
    ):
        by_file[row["warc_file"]].append(row)
    originals = {}
    for filename, rows in by_file.items():
        path = archive.warc_path(filename)
        if not path.is_file():
            for row in rows:
                yield Problem("warc", f"{filename}@{row['warc_offset']}", "WARC file missing", row["id"])
            continue
        with path.open("rb") as f:
            for row in rows:
                where = f"{filename}@{row['warc_offset']}"
                f.seek(row["warc_offset"])
                try:
                    it = ArchiveIterator(f, check_digests=True)
                    record = next(iter(it), None)
                    if record is None:
                        yield Problem("warc", where, "no record at this offset", row["id"])
                        continue
                    problems = list(_check_record(archive, row, record, originals))
                except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
                    yield Problem("warc", where, f"unreadable: {exc}", row["id"])
                    continue
                for detail in problems:
                    yield Problem("warc", where, detail, row["id"])


def _check_record(archive: Archive, row: dict, record, originals: dict) -> Iterator[str]:
    headers = record.rec_headers
    if headers.get_header("WARC-Record-ID") != row["warc_record_id"]:
        yield f"record id {headers.get_header('WARC-Record-ID')} is not the row's {row['warc_record_id']}"
        return
    if record.rec_type != row["warc_record_type"]:
        yield f"record type {record.rec_type}, row says {row['warc_record_type']}"
    if headers.get_header("WARC-Target-URI") != (row["final_url"] or row["url"]):
        yield f"target URI {headers.get_header('WARC-Target-URI')} is not the row's {row['final_url'] or row['url']}"
    if headers.get_header("WARC-Payload-Digest") != row["payload_digest"]:
        yield "payload digest differs from the row's"
    if record.rec_type == "response":
        # content_stream() undoes any Content-Encoding still on the stored body (a raw_body).
        actual = _hash_stream(record.content_stream())
        if record.digest_checker.passed is False:
            yield "; ".join(record.digest_checker.problems)
        if actual != row["sha256"]:
            yield f"stored body hashes to {actual}, row says {row['sha256']}"
    elif record.rec_type == "revisit":
        original = originals.get(row["revisit_of"])
        if original is None:
            original = originals[row["revisit_of"]] = archive.provenance.fetch(row["revisit_of"])
        if original is None:
            yield f"revisit of fetch {row['revisit_of']}, which does not exist"
            return
        if headers.get_header("WARC-Refers-To-Target-URI") != (original["final_url"] or original["url"]):
            yield "WARC-Refers-To-Target-URI is not the original's URL"
        if headers.get_header("WARC-Refers-To-Date") != original["fetched_at"]:
            yield "WARC-Refers-To-Date is not the original's date"
        if headers.get_header("WARC-Payload-Digest") != original["payload_digest"]:
            yield "revisit payload digest is not the original's"
        if row["sha256"] != original["sha256"]:
            yield "revisit row's sha256 is not the original's"


def check_files(archive: Archive) -> Iterator[Problem]:
    """Every WARC file reads to its end with every digest right (as ``warcio check``)."""
    for path in archive.warc_files():
        try:
            with path.open("rb") as f:
                it = ArchiveIterator(f, check_digests=True)
                for record in it:
                    stream = record.content_stream()
                    while stream.read(CHUNK):
                        pass
                    if record.digest_checker.passed is False:
                        yield Problem(
                            "file",
                            f"{path.name}@{it.get_record_offset()}",
                            "; ".join(record.digest_checker.problems),
                        )
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            yield Problem("file", path.name, f"unreadable: {exc}")


def verify(archive: Archive, *, full: bool = False) -> list[Problem]:
    """All problems found; ``full`` also reads every WARC file end to end."""
    problems = list(check_blobs(archive))
    problems += check_records(archive)
    if full:
        problems += check_files(archive)
    return problems
