"""Check the archive against itself: every row's blob and WARC record exist and match, and
every WARC record has its row.

A WARC record without a provenance row (an *orphan*) is what a crash leaves between
writing an exchange's records and committing its row (``Archive.record`` writes in
that order so that no row ever points at something missing). The orphan is reported,
not repaired: the row's provenance (source, role, how the link was found, the list
page, the anchor text) lived only in the crawler that died, rows are append-only and
ordered, so a row added later would pose as the newest fetch of its URL, and the
resumed crawl fetches that URL again anyway (it has no row), so nothing is lost.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from nianbao.archive.archive import Archive
from nianbao.archive.blob_store import CHUNK, BlobError
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed


@dataclass(frozen=True)
class Problem:
    what: str  # "blob" | "warc" | "file" | "orphan"
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


def check_records(archive: Archive, rows: Iterable[dict] | None = None) -> Iterator[Problem]:
    """Each row's WARC record is where the row says, is the record it names, and holds its body.

    ``rows``: only these fetch rows (a merge checks what it is about to copy); default all."""
    if rows is None:
        rows = archive.provenance.conn.execute("SELECT * FROM fetches WHERE warc_file IS NOT NULL")
    by_file: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row["warc_file"] is not None:
            by_file[row["warc_file"]].append(row)
    for file_rows in by_file.values():
        file_rows.sort(key=lambda r: r["warc_offset"])  # one pass forward through each file
    originals = {}
    for filename, file_rows in sorted(by_file.items()):
        path = archive.warc_path(filename)
        if not path.is_file():
            for row in file_rows:
                yield Problem("warc", f"{filename}@{row['warc_offset']}", "WARC file missing", row["id"])
            continue
        with path.open("rb") as f:
            for row in file_rows:
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


ORPHAN_DETAIL = (
    "has no provenance row: it was written just before the writer died, and its row never "
    "committed. The archive does not count it; a resumed crawl fetches the URL again."
)


def _writer_active(archive: Archive) -> bool:
    """True while a process holds the archive's writer lock (its ``.open`` file is growing)."""
    path = archive.root / "writer.lock"
    if not path.exists():
        return False
    with path.open("rb") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False


def _warcinfo_fields(record) -> dict[str, str]:
    fields = {}
    for line in record.content_stream().read().decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def check_orphans(archive: Archive) -> Iterator[Problem]:
    """Each ``response``/``revisit`` record in the WARC files has its provenance row, and each
    ``request`` record is the request of a record that has one.

    Reads only what lies between the records the rows name (the rows' own records are
    checked by :func:`check_records`): the warcinfo, each row's request record, and any
    gap or tail. The tail of the ``.open`` file of a writer that is running now is skipped:
    its last row may be committing as we read.
    """
    known: dict[str, list[dict]] = defaultdict(list)
    row_ids: set[str] = set()
    for row in archive.provenance.conn.execute(
        "SELECT id, warc_file, warc_offset, warc_length, warc_record_id FROM fetches "
        "WHERE warc_file IS NOT NULL ORDER BY warc_file, warc_offset"
    ):
        known[row["warc_file"]].append(row)
        row_ids.add(row["warc_record_id"])
    live = _writer_active(archive)
    for path in archive.warc_files():
        name = path.name.removesuffix(".open")
        rows = known.get(name, [])
        skip_tail = live and path.name.endswith(".open")
        try:
            yield from _file_orphans(path, name, rows, row_ids, skip_tail)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            yield Problem("file", path.name, f"unreadable while looking for records without rows: {exc}")


def _file_orphans(path, name: str, rows: list[dict], row_ids: set[str], skip_tail: bool) -> Iterator[Problem]:
    orphans: dict[str, dict] = {}  # response/revisit record id -> what we know of it
    stray_requests: list[tuple[int, str, str | None]] = []
    run: str | None = None
    size = path.stat().st_size
    with path.open("rb") as f:
        pos = 0
        index = 0
        while pos < size:
            row = rows[index] if index < len(rows) else None
            if row is not None and row["warc_offset"] <= pos:
                index += 1
                if row["warc_offset"] < pos:
                    continue  # a row pointing inside a record: check_records says so
                pos = row["warc_offset"] + row["warc_length"]
                # its request record follows it
                f.seek(pos)
                it = ArchiveIterator(f)
                record = next(iter(it), None)
                if (
                    record is not None
                    and record.rec_type == "request"
                    and record.rec_headers.get_header("WARC-Concurrent-To") == row["warc_record_id"]
                ):
                    pos = it.get_record_offset() + it.get_record_length()
                continue
            if row is None and skip_tail:
                break
            end = row["warc_offset"] if row is not None else size
            f.seek(pos)
            it = ArchiveIterator(f)
            for record in it:
                info = _warcinfo_fields(record) if record.rec_type == "warcinfo" else {}
                offset = it.get_record_offset()  # reads the record to its end
                if offset >= end:
                    break
                pos = offset + it.get_record_length()
                headers = record.rec_headers
                record_id = headers.get_header("WARC-Record-ID")
                if record.rec_type == "warcinfo":
                    run = info.get("nianbao-run", run)
                elif record.rec_type in ("response", "revisit") and record_id not in row_ids:
                    orphans[record_id] = {
                        "offset": offset,
                        "type": record.rec_type,
                        "uri": headers.get_header("WARC-Target-URI"),
                        "date": headers.get_header("WARC-Date"),
                        "request": False,
                    }
                elif record.rec_type == "request":
                    to = headers.get_header("WARC-Concurrent-To")
                    if to in orphans:
                        orphans[to]["request"] = True
                    elif to not in row_ids:
                        stray_requests.append((offset, headers.get_header("WARC-Target-URI"), to))
            pos = max(pos, end)
    run_text = f", run {run}" if run else ""
    for orphan in orphans.values():
        with_request = (
            " (and its request record)" if orphan["request"] else " (its request record is missing)"
        )
        yield Problem(
            "orphan",
            f"{name}@{orphan['offset']}",
            f"{orphan['type']} record{with_request} for {orphan['uri']} of {orphan['date']}{run_text} "
            + ORPHAN_DETAIL,
        )
    for offset, uri, to in stray_requests:
        yield Problem(
            "orphan",
            f"{name}@{offset}",
            f"request record for {uri}{run_text} is the request of {to}, which has no provenance row "
            "(nor a record in this file): a writer died between the two records",
        )


def verify(archive: Archive, *, full: bool = False) -> list[Problem]:
    """All problems found; ``full`` also reads every WARC file end to end."""
    problems = list(check_blobs(archive))
    problems += check_records(archive)
    problems += check_orphans(archive)
    if full:
        problems += check_files(archive)
    return problems
