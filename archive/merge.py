"""Merge archives: each machine's archive (WARC files, blobs, provenance) into one.

One archive stays the single input of ``nianbao build`` (and of ``nianbao serve``'s archived
copies and of ``nianbao archive verify``): the merged archive is an archive like any other,
so a database built from it is built the way one machine's is.

What a merge does with a source archive, in the archive's own order (bytes first, rows
last), so that an interrupted merge leaves no row pointing at something missing and a
rerun completes it:

1. checks what it is about to copy (each new row's blob and WARC record, as ``verify``);
2. copies each blob the destination lacks, checking its SHA-256 (a blob present is
   deduplicated, never copied again);
3. copies each WARC file the new rows name, byte for byte, under its own name (a name
   taken by a different file: the copy gets ``~<sha256 prefix>`` added; both are kept);
4. inserts the runs (their id kept, or given a suffix if another run holds it) and the
   fetches (new integer ids; ``revisit_of`` follows its original by WARC record id), in
   batches, then ends the runs the source has ended.

A fetch is known by its run and its place in that run (runs are append-only and a merge
copies their fetches in order), so merging the same source twice adds nothing, and a
rerun after an interruption copies what is still missing.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from nianbao.archive.archive import LOCK_NAME, Archive
from nianbao.archive.blob_store import CHUNK, BlobError, BlobStore, fsync_dir
from nianbao.archive.fetch import utc_now_iso
from nianbao.archive.provenance import FETCH_COLUMNS, RUN_COLUMNS
from nianbao.archive.verify import check_records
from nianbao.archive.warc_writer import OPEN_SUFFIX, WARC_SUFFIX, complete_members_end

BATCH = 2000  # fetch rows per transaction
HEAD = 1 << 16  # bytes compared to tell two WARC files apart (the warcinfo record, with its UUID)
TMP_DIR = "merge-tmp"  # under the destination archive: WARC copies being written


class MergeError(Exception):
    """A source that cannot be merged: missing, damaged, being written, or the destination itself."""


@dataclass
class MergeStats:
    """What one source added to the destination."""

    source: str
    runs_added: int = 0
    runs_ended: int = 0
    fetches_added: int = 0
    fetches_present: int = 0
    blobs_copied: int = 0
    blobs_deduplicated: int = 0
    blob_bytes_copied: int = 0
    warc_files_copied: int = 0
    warc_files_present: int = 0
    warc_files_renamed: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.source}: runs +{self.runs_added} (ended {self.runs_ended}), "
            f"fetches +{self.fetches_added} ({self.fetches_present} already there), "
            f"blobs +{self.blobs_copied} ({self.blob_bytes_copied:,} bytes; "
            f"{self.blobs_deduplicated} already there), WARC files +{self.warc_files_copied} "
            f"({self.warc_files_renamed} renamed for a clash; {self.warc_files_present} already there), "
            f"{self.seconds:.1f} s"
        )


def find_archive(path: Path) -> Path:
    """The archive at ``path``: an archive folder (holding ``provenance.db``) or a data folder
    (holding ``archive/``)."""
    path = Path(path)
    for root in (path, path / "archive"):
        if (root / "provenance.db").is_file():
            return root
    if not path.exists():
        raise MergeError(f"no archive at {path}: it does not exist")
    raise MergeError(f"no archive at {path}: neither {path}/provenance.db nor {path}/archive/provenance.db")


def destination_archive(path: Path) -> Path:
    """Where ``--into PATH`` merges to: PATH itself if it is an archive, else PATH/archive
    (PATH a data folder, as ``nianbao --data PATH build`` reads)."""
    path = Path(path)
    return path if (path / "provenance.db").is_file() else path / "archive"


def merge_archives(sources: Sequence[Path], into: Path) -> list[MergeStats]:
    """Merge each source archive (or data folder) into the archive ``into``, in order."""
    roots = [find_archive(s) for s in sources]
    into = Path(into)
    for root in roots:
        if root.resolve() == into.resolve():
            raise MergeError(f"cannot merge the archive at {root} into itself")
    out = []
    with Archive(into) as destination, destination.writing():
        for root in roots:
            out.append(SourceMerge(root, destination).run())
    return out


def _same_head(a: Path, b: Path, length: int) -> bool:
    """Two WARC files are one if they have the same length and the same first bytes: each
    file starts with its own warcinfo record, whose UUID no other file has."""
    if a.stat().st_size != length:
        return False
    with a.open("rb") as fa, b.open("rb") as fb:
        return fa.read(HEAD) == fb.read(min(HEAD, length))


def _sha256_prefix(path: Path, length: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        remaining = length
        while remaining and (chunk := f.read(min(CHUNK, remaining))):
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest()


def _copy_bytes(src: BinaryIO, dst: BinaryIO, length: int) -> None:
    remaining = length
    while remaining:
        chunk = src.read(min(CHUNK, remaining))
        if not chunk:
            raise MergeError(f"{getattr(src, 'name', 'a WARC file')} ended early while being copied")
        dst.write(chunk)
        remaining -= len(chunk)


def sync_file_system(path: Path) -> None:
    """Everything written to the file system holding ``path`` reaches the disk: one
    ``syncfs`` (Linux) where a merge would otherwise fsync each blob, else ``sync``."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(path, os.O_RDONLY)
        try:
            if libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    except (OSError, AttributeError):
        pass
    os.sync()


class SourceMerge:
    """One source archive merged into ``destination`` (whose writer lock the caller holds)."""

    def __init__(self, source_root: Path, destination: Archive) -> None:
        self.root = find_archive(source_root)
        self.dst = destination
        self.stats = MergeStats(str(self.root))
        self.run_ids: dict[str, str] = {}  # source run id -> destination run id
        self.new_run_ids: set[str] = set()  # source runs the destination lacks
        self.new_fetch_ids: list[int] = []  # source fetch ids to copy, in order
        self.blobs: set[str] = set()
        self.warc_files: set[str] = set()
        self.warc_names: dict[str, str] = {}  # source WARC file name -> destination name
        self.source: Archive  # opened by steps()

    # -- the whole merge ---------------------------------------------------
    def run(self) -> MergeStats:
        for _ in self.steps():
            pass
        return self.stats

    def steps(self, batch: int = BATCH) -> Iterator[str]:
        """The merge, step by step: yields after each durable step ("checked", "blobs",
        "warc files", "fetches" after each batch, "ended"). Stopping between two leaves the
        destination as an interrupted merge does; running the merge again completes it."""
        started = time.monotonic()
        with _SourceArchive(self.root) as source:
            self.source = source
            try:
                self.plan()
                self.check()
            except sqlite3.DatabaseError as error:
                raise MergeError(
                    f"the source archive at {self.root} is damaged: provenance.db: {error}"
                ) from None
            try:
                merge_id = self.dst.provenance.start_merge(str(self.root.resolve()), utc_now_iso())
                yield "checked"
                self.copy_blobs()
                yield "blobs"
                self.copy_warc_files()
                yield "warc files"
                for _ in self.copy_rows(batch):
                    yield "fetches"
                self.end_runs()
            except sqlite3.DatabaseError as error:
                raise MergeError(
                    f"merging {self.root} stopped: {error}; what was merged is sound, run the merge again"
                ) from None
            self.stats.seconds = round(time.monotonic() - started, 3)
            self.dst.provenance.end_merge(merge_id, utc_now_iso(), asdict(self.stats))
            yield "ended"

    # -- 1. what is new, and is it sound -----------------------------------
    def plan(self) -> None:
        """Find the runs and fetches the destination lacks, and the blobs and WARC files they need."""
        conn = self.source.provenance.conn
        for run in self.source.provenance.runs():
            dst_id, new = self._destination_run_id(run)
            self.run_ids[run["run_id"]] = dst_id
            if new:
                self.new_run_ids.add(run["run_id"])
        present = {
            r["run_id"]: r["n"]
            for r in self.dst.provenance.conn.execute(
                "SELECT run_id, COUNT(*) AS n FROM fetches GROUP BY run_id"
            )
        }
        place: Counter[str] = Counter()  # a fetch's place in its run
        for row in conn.execute(
            "SELECT id, run_id, url, fetched_at, warc_record_id, sha256, warc_file FROM fetches ORDER BY id"
        ):
            if row["run_id"] not in self.run_ids:
                raise MergeError(
                    f"the source archive at {self.root} is damaged: fetch {row['id']} names run "
                    f"{row['run_id']!r}, which it does not hold"
                )
            dst_run = self.run_ids[row["run_id"]]
            n = place[row["run_id"]]
            place[row["run_id"]] += 1
            if n < present.get(dst_run, 0):
                self.stats.fetches_present += 1
                if n == present[dst_run] - 1:
                    self._check_same_history(row, dst_run)
                continue
            self.new_fetch_ids.append(row["id"])
            if row["sha256"] is not None:
                self.blobs.add(row["sha256"])
            if row["warc_file"] is not None:
                self.warc_files.add(row["warc_file"])

    def _destination_run_id(self, run: dict) -> tuple[str, bool]:
        """The destination's id for a source run, and whether the destination lacks the run.

        Run ids are unique across machines in practice (a second and 32 random bits); one
        held by a different run gets a suffix made from the run itself, so that merging
        again finds the same id."""
        suffix = hashlib.sha256(
            "\n".join(str(run.get(k)) for k in ("run_id", "started_at", "name", "machine")).encode()
        ).hexdigest()[:8]
        candidates = [run["run_id"], f"{run['run_id']}~{suffix}"]
        candidates += [f"{run['run_id']}~{suffix}-{n}" for n in range(2, 100)]
        for candidate in candidates:
            held = self.dst.provenance.run(candidate)
            if held is None:
                return candidate, True
            if all(held.get(k) == run.get(k) for k in ("started_at", "name", "machine")):
                return candidate, False
        raise MergeError(f"run {run['run_id']!r}: no free id in the destination")  # pragma: no cover

    def _check_same_history(self, row: dict, dst_run: str) -> None:
        """The destination's last fetch of a run is the source's fetch at that place: else the
        two archives went on differently from one copy of a run, and the places mean nothing."""
        last = self.dst.provenance.conn.execute(
            "SELECT url, fetched_at, warc_record_id FROM fetches WHERE run_id = ? ORDER BY id DESC LIMIT 1",
            (dst_run,),
        ).fetchone()
        if (last["url"], last["fetched_at"], last["warc_record_id"]) != (
            row["url"],
            row["fetched_at"],
            row["warc_record_id"],
        ):
            raise MergeError(
                f"run {row['run_id']!r} differs between the source at {self.root} and the destination "
                f"(fetch {row['id']} of {row['url']}): two copies of one run that went on apart; not merged"
            )

    def check(self) -> None:
        """Before anything is written: each new row's WARC record is there and sound, each blob
        it needs is stored (in the source, or already in the destination)."""
        problems = []
        for sha in sorted(self.blobs):
            if not self.dst.blobs.has(sha) and not self.source.blobs.has(sha):
                problems.append(f"blob {sha}: missing")
        rows = (self.source.provenance.fetch(i) for i in self.new_fetch_ids)
        problems += [str(p) for p in check_records(self.source, (r for r in rows if r["warc_file"]))]
        if problems:
            listed = "\n  ".join(problems[:10])
            more = f"\n  … and {len(problems) - 10} more" if len(problems) > 10 else ""
            raise MergeError(
                f"the source archive at {self.root} is damaged ({len(problems)} problem(s); nothing merged "
                f"from it; `nianbao --data … archive verify` lists them all):\n  {listed}{more}"
            )

    # -- 2. blobs ------------------------------------------------------------
    def copy_blobs(self) -> None:
        # Written without an fsync each (three per blob made the merge ~13 ms a blob); made
        # durable all at once before any row names them (copy_warc_files ends with that).
        blobs = BlobStore(self.dst.blobs.root, durable=False)
        for sha in sorted(self.blobs):
            if blobs.has(sha):
                self.stats.blobs_deduplicated += 1
                continue
            try:
                with self.source.blobs.open(sha) as stream:
                    blobs.put_stream(stream, expected=sha)
            except BlobError as error:
                raise MergeError(f"the source archive at {self.root} is damaged: {error}") from None
            self.stats.blobs_copied += 1
            self.stats.blob_bytes_copied += blobs.path(sha).stat().st_size

    # -- 3. WARC files -------------------------------------------------------
    def copy_warc_files(self) -> None:
        tmp = self.dst.root / TMP_DIR
        if tmp.is_dir():  # what an interrupted merge left (we hold the writer lock)
            for part in tmp.iterdir():
                part.unlink()
        for name in sorted(self.warc_files):
            self.warc_names[name] = self._copy_warc_file(name)
        if self.dst.blobs.durable:
            sync_file_system(self.dst.root)

    def _copy_warc_file(self, name: str) -> str:
        path = self.source.warc_path(name)
        if not path.is_file():
            raise MergeError(f"the source archive at {self.root} is damaged: WARC file {name} is missing")
        # A crashed writer's file: its complete records, as recovery would keep them.
        length = complete_members_end(path) if path.name.endswith(OPEN_SUFFIX) else path.stat().st_size
        warc_dir = self.dst.warc_dir
        warc_dir.mkdir(parents=True, exist_ok=True)
        target = warc_dir / name
        if target.exists() and _same_head(target, path, length):
            self.stats.warc_files_present += 1
            return name
        if target.exists():
            renamed = f"{name.removesuffix(WARC_SUFFIX)}~{_sha256_prefix(path, length)[:12]}{WARC_SUFFIX}"
            target = warc_dir / renamed
            if target.exists():
                if not _same_head(target, path, length):
                    raise MergeError(f"WARC file {name}: {renamed} is taken too, by another file")
                self.stats.warc_files_present += 1
                return renamed
            self.stats.warc_files_renamed += 1
        tmp = self.dst.root / TMP_DIR / (target.name + ".part")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        with path.open("rb") as src, tmp.open("xb") as out:
            _copy_bytes(src, out, length)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, target)  # never over an existing file
        finally:
            tmp.unlink()
        fsync_dir(warc_dir)
        self.stats.warc_files_copied += 1
        return target.name

    # -- 4. rows -------------------------------------------------------------
    def copy_rows(self, batch: int = BATCH) -> Iterator[int]:
        """Insert the new runs and fetches, ``batch`` fetches a transaction; yield the fetches
        copied so far after each commit (an interruption between two leaves whole batches)."""
        prov = self.dst.provenance
        with prov.transaction():
            for run in self.source.provenance.runs():
                if run["run_id"] in self.new_run_ids:
                    row = {k: run.get(k) for k in RUN_COLUMNS}
                    # Its end comes after its fetches (end_runs): a run never looks finished and short.
                    row.update(
                        run_id=self.run_ids[run["run_id"]], ended_at=None, outcome=None, stats_json=None
                    )
                    prov.insert_run_row(row)
                    self.stats.runs_added += 1
        self.new_run_ids.clear()
        for start in range(0, len(self.new_fetch_ids), batch):
            ids = self.new_fetch_ids[start : start + batch]
            with prov.transaction():
                for i in range(0, len(ids), 500):
                    chunk = ids[i : i + 500]
                    rows = self.source.provenance.conn.execute(
                        f"SELECT * FROM fetches WHERE id IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk
                    ).fetchall()
                    for row in rows:
                        prov.insert_fetch(self._destination_row(row))
            self.stats.fetches_added += len(ids)
            yield self.stats.fetches_added

    def _destination_row(self, row: dict) -> dict:
        out = {k: row.get(k) for k in FETCH_COLUMNS}
        out["run_id"] = self.run_ids[row["run_id"]]
        if row["warc_file"] is not None:
            out["warc_file"] = self.warc_names[row["warc_file"]]
        if row["revisit_of"] is not None:
            out["revisit_of"] = self._destination_original(row)
        return out

    def _destination_original(self, row: dict) -> int:
        original = self.source.provenance.fetch(row["revisit_of"])
        found = None
        if original is not None and original["warc_record_id"]:
            found = self.dst.provenance.conn.execute(
                "SELECT id FROM fetches WHERE warc_record_id = ? ORDER BY id LIMIT 1",
                (original["warc_record_id"],),
            ).fetchone()
        if found is None:
            raise MergeError(
                f"the source archive at {self.root} is damaged: fetch {row['id']} revisits fetch "
                f"{row['revisit_of']}, whose record is in neither archive"
            )
        return int(found["id"])

    def end_runs(self) -> None:
        """End the destination's copy of each run the source has ended, with its statistics."""
        prov = self.dst.provenance
        for run in self.source.provenance.runs():
            if run["ended_at"] is None:
                continue
            dst_id = self.run_ids[run["run_id"]]
            held = prov.run(dst_id)
            if held is None or held["ended_at"] is not None:
                continue
            per_source = {
                r["source"]: r["stats_json"] for r in self.source.provenance.run_sources(run["run_id"])
            }
            with prov.transaction():
                prov.end_run_row(dst_id, run["ended_at"], run["outcome"], run["stats_json"], per_source)
            self.stats.runs_ended += 1


class _SourceArchive:
    """A source archive opened read-only, with a shared hold on its writer lock for the
    merge's length: a crawl writing to it now refuses the merge, and none starts meanwhile."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = None
        self.archive: Archive | None = None

    def __enter__(self) -> Archive:
        lock_path = self.root / LOCK_NAME
        if lock_path.exists():
            try:
                self._lock = lock_path.open("rb")
            except OSError as error:
                raise MergeError(f"cannot read the source archive at {self.root}: {error}") from None
            try:
                fcntl.flock(self._lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = lock_path.read_text(errors="replace").strip() or "another process"
                self._lock.close()
                raise MergeError(
                    f"the source archive at {self.root} is being written ({holder}): merge it when its "
                    "crawl has finished"
                ) from None
        try:
            self.archive = Archive(self.root, readonly=True)
            self.archive.provenance.conn.execute("SELECT run_id, started_at, name FROM runs LIMIT 1")
            self.archive.provenance.conn.execute("SELECT id, run_id, warc_record_id FROM fetches LIMIT 1")
        except (sqlite3.DatabaseError, FileNotFoundError) as error:
            self.__exit__()
            raise MergeError(
                f"the source archive at {self.root} is damaged: provenance.db: {error}"
            ) from None
        return self.archive

    def __exit__(self, *exc: object) -> None:
        if self.archive is not None:
            self.archive.close()
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
