"""``nianbao build``: archived (or given) report documents -> ``nianbao.db``.

Incremental: a document already in the database, parsed by the current
``PARSER_VERSION``, is not parsed again. The build works on a copy of the
database and moves it into place at the end, so a reader (or a failed build)
never sees a half-written file: the new file is fsynced, renamed over the old one,
and the folder fsynced, so after a power loss the name holds the old build or the
new one, whole. A running ``nianbao serve`` serves a snapshot (a hard link under
``.serving/<pid>/``) and keeps serving the build it started with until restarted.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
from nianbao.parse import PARSER_VERSION, parse_bytes
from nianbao.serve import schema
from nianbao.serve.audits import run_audits
from nianbao.serve.body_kinds import body_kind, is_own_body, registry_kind
from nianbao.serve.documents import Document
from nianbao.serve.provenance import copy_provenance, create_source_health
from nianbao.serve.rows import ReportRows, report_rows
from nianbao.serve.search import TERMS_VERSION, terms
from tqdm import tqdm


@dataclass
class BuildStats:
    documents: int = 0
    parsed: int = 0
    unchanged: int = 0
    failed: int = 0
    reports: int = 0
    audits: dict[str, int] = field(default_factory=dict)
    provenance: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        audits = ", ".join(f"{k} {v}" for k, v in sorted(self.audits.items())) or "none"
        return (
            f"{self.documents} documents: {self.parsed} parsed ({self.failed} failed), "
            f"{self.unchanged} unchanged; {self.reports} reports in the database; "
            f"audits: {audits}; {self.seconds:.1f} s"
        )


def build(
    database: Path,
    documents: Iterable[Document],
    *,
    sources: dict[str, dict[str, Any]] | None = None,
    provenance_db: Path | None = None,
    progress: bool = False,
) -> BuildStats:
    """Parse what is new, write it, refresh provenance and audits; move the result into place."""
    started = time.monotonic()
    stats = BuildStats()
    database.parent.mkdir(parents=True, exist_ok=True)
    work = database.with_name(database.name + ".building")
    if work.exists():
        work.unlink()
    if database.exists():
        shutil.copy2(database, work)
    db = sqlite_utils.Database(work)
    # The working copy is thrown away if the build dies, so it needs no durability.
    db.execute("pragma synchronous = off")
    db.execute("pragma journal_mode = memory")
    try:
        if database.exists() and not schema.is_current(db):
            # An older layout: start a new file (every document is parsed again).
            db.conn.close()
            work.unlink()
            db = sqlite_utils.Database(work)
            db.execute("pragma synchronous = off")
            db.execute("pragma journal_mode = memory")
        schema.create(db)
        reindex_if_stale(db)
        _write_sources(db, sources or {})
        writer = ReportWriter(db)
        for document in tqdm(documents, desc="build", unit="doc", disable=not progress):
            stats.documents += 1
            if writer.parser_version(document.sha256) == PARSER_VERSION:
                stats.unchanged += 1
                continue
            rows = _parse(document)
            writer.write(rows)
            stats.parsed += 1
            stats.failed += rows.report["status"] == "failed"
        writer.finish()
        _apply_sources(db)
        if provenance_db is not None:
            stats.provenance = copy_provenance(db, provenance_db)
        _apply_synthetic(db)
        create_source_health(db)
        stats.audits = run_audits(db)
        stats.reports = db["reports"].count
        summarise(db)
        if stats.parsed and stats.parsed * 10 >= stats.reports:
            # Many new reports: merge the index's segments into one b-tree (smaller, faster).
            with db.conn:
                db.execute(f"insert into [{schema.FTS}] ([{schema.FTS}]) values ('optimize')")
        db.execute("pragma optimize")
        db.conn.close()
        _fsync(work)
        os.replace(work, database)
        _fsync(database.parent)
    except BaseException:
        db.conn.close()
        work.unlink(missing_ok=True)
        raise
    remove_stale_snapshots(database)
    stats.seconds = time.monotonic() - started
    return stats


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


SNAPSHOTS = ".serving"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_snapshots(database: Path) -> list[int]:
    """Remove the snapshots of servers no longer running (killed ones leave theirs);
    returns the process ids of those still serving."""
    folder = database.parent / SNAPSHOTS
    live = []
    if not folder.is_dir():
        return live
    for entry in folder.iterdir():
        pid = int(entry.name) if entry.name.isdigit() else None
        if pid is not None and (pid == os.getpid() or _alive(pid)):
            live.append(pid)
        else:
            shutil.rmtree(entry, ignore_errors=True)
    return live


@contextmanager
def serving_snapshot(database: Path) -> Iterator[Path]:
    """The database as it is now, under a name no build replaces: a hard link in
    ``.serving/<pid>/`` (same file name, so Datasette names it the same). Removed on exit."""
    remove_stale_snapshots(database)
    folder = database.parent / SNAPSHOTS / str(os.getpid())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    snapshot = folder / database.name
    try:
        os.link(database, snapshot)
    except OSError:  # no hard links on this file system: serve the file itself
        shutil.rmtree(folder, ignore_errors=True)
        yield database
        return
    try:
        yield snapshot
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _parse(document: Document) -> ReportRows:
    try:
        data = document.read()
    except OSError as error:
        data, read_error = b"", f"archived bytes unreadable: {error}"
    else:
        read_error = None
    result = parse_bytes(
        data, document.url or document.sha256, content_type=document.content_type, filename=document.filename
    )
    if read_error:
        result.record["errors"] = [read_error, *result.record.get("errors", [])]
    return report_rows(
        document,
        result.record,
        text=result.text,
        kind=result.kind,
        extraction=result.extraction,
        published=result.published or document.published,
        parser_version=PARSER_VERSION,
    )


class ReportWriter:
    """Writes parsed reports into the database, many per transaction (a re-parsed report
    keeps its id; its old rows and index terms are removed first)."""

    COMMIT_EVERY = 500

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.conn = db.conn
        self.known = {
            sha: (report_id, version)
            for report_id, sha, version in self.conn.execute("select id, sha256, parser_version from reports")
        }
        self.cell_ids = {
            (t, r, c): i
            for i, t, r, c in self.conn.execute("select id, form_table, row_key, column_key from cell_keys")
        }
        self.pending = 0
        columns = list(schema.REPORT_COLUMNS)
        self._insert_report = "insert into reports (id, {}) values (?, {})".format(
            ", ".join(f"[{c}]" for c in columns), ", ".join("?" for _ in columns)
        )
        self._columns = columns
        self._form_inserts = {
            name: (key, list(values)) for name, (_, key, values) in schema.FORM_TABLES.items()
        }

    def parser_version(self, sha256: str) -> str | None:
        found = self.known.get(sha256)
        return found[1] if found else None

    def write(self, rows: ReportRows) -> int:
        """Replace everything the database holds about one report with ``rows``; its id."""
        conn = self.conn
        sha = rows.report["sha256"]
        found = self.known.get(sha)
        report_id = found[0] if found else None
        if report_id is not None:
            remove_report(conn, report_id)
        cursor = conn.execute(self._insert_report, [report_id, *(rows.report.get(c) for c in self._columns)])
        report_id = cursor.lastrowid
        self.known[sha] = (report_id, rows.report.get("parser_version"))
        for name, (key, values) in self._form_inserts.items():
            table_rows = rows.tables.get(name) or []
            if not table_rows:
                continue
            present = [v for v in values if any(v in r for r in table_rows)]
            conn.executemany(
                f"insert into [{name}] (report, [{key}], {', '.join(f'[{v}]' for v in present)}) "
                f"values (?, ?, {', '.join('?' for _ in present)})",
                [(report_id, r[key], *(r.get(v) for v in present)) for r in table_rows],
            )
        conn.executemany(
            "insert or replace into cell_values (report, cell, value) values (?, ?, ?)",
            [
                (report_id, self._cell_id(c["form_table"], c["row_key"], c["column_key"]), c["value"])
                for c in rows.tables.get("cells") or []
            ],
        )
        sections = rows.tables.get("sections") or []
        conn.executemany(
            "insert into section_spans (report, number, start, [end], text) values (?, ?, ?, ?, ?)",
            [(report_id, s["number"], s["start"], s["end"], s["text"]) for s in sections],
        )
        text = (rows.tables.get("report_texts") or [{}])[0].get("text")
        conn.execute("insert into report_texts (report, text) values (?, ?)", [report_id, text])
        conn.execute(
            f"insert into [{schema.FTS}] (rowid, terms) values (?, ?)",
            [report_id, report_terms(text, [s["text"] for s in sections if s["start"] is None])],
        )
        conn.executemany(
            "insert or replace into checks (report, check_id, scope, ok, detail) values (?, ?, ?, ?, ?)",
            [
                (report_id, c["check_id"], c["scope"], c["ok"], c["detail"])
                for c in rows.tables.get("checks") or []
            ],
        )
        self.pending += 1
        if self.pending >= self.COMMIT_EVERY:
            self.finish()
        return report_id

    def _cell_id(self, form_table: str, row_key: str, column_key: str) -> int:
        key = (form_table, row_key, column_key)
        if key not in self.cell_ids:
            cursor = self.conn.execute(
                "insert into cell_keys (form_table, row_key, column_key) values (?, ?, ?)", key
            )
            self.cell_ids[key] = cursor.lastrowid
        return self.cell_ids[key]

    def finish(self) -> None:
        self.conn.commit()
        self.pending = 0


def write_report(db: sqlite_utils.Database, rows: ReportRows) -> int:
    """Replace everything the database holds about one report with ``rows``; returns its id."""
    writer = ReportWriter(db)
    report_id = writer.write(rows)
    writer.finish()
    return report_id


def report_terms(text: str | None, own_texts: Iterable[str | None]) -> str:
    """What the full-text index holds for a report: the terms of its text and of the
    sections stored with their own text (prose not found in the text, e.g. joined where
    the text breaks a line). A section stored as a span adds nothing: each bigram of it
    is one of the text's, and a lone last character is found by its prefix query."""
    return terms([text, *own_texts])


def _stored_terms(conn, report_id: int) -> str:
    text = conn.execute("select text from report_texts where report = ?", [report_id]).fetchone()
    own_texts = [
        r[0]
        for r in conn.execute(
            "select text from section_spans where report = ? and start is null order by id", [report_id]
        )
    ]
    return report_terms(text[0] if text else None, own_texts)


def remove_report(conn, report_id: int) -> None:
    """Delete one report's rows, and its terms from the contentless index (which needs
    the very terms it was given: recomputed from the stored text)."""
    conn.execute(
        f"insert into [{schema.FTS}] ([{schema.FTS}], rowid, terms) values ('delete', ?, ?)",
        [report_id, _stored_terms(conn, report_id)],
    )
    for table in schema.REPORT_TABLES:
        conn.execute(f"delete from [{table}] where report = ?", [report_id])
    conn.execute("delete from reports where id = ?", [report_id])


def reindex_if_stale(db: sqlite_utils.Database) -> None:
    """Rebuild the full-text index when the index terms were made by another version of
    serve/search.py (its old terms could not be deleted exactly)."""
    row = db.execute("select value from build_info where key = 'terms_version'").fetchone()
    if row and row[0] == TERMS_VERSION:
        return
    conn = db.conn
    conn.execute(f"drop table if exists [{schema.FTS}]")
    conn.execute(schema.FTS_SQL)
    ids = [r[0] for r in conn.execute("select id from reports")]
    for report_id in ids:
        conn.execute(
            f"insert into [{schema.FTS}] (rowid, terms) values (?, ?)",
            [report_id, _stored_terms(conn, report_id)],
        )
    conn.execute("insert or replace into build_info values ('terms_version', ?)", [TERMS_VERSION])
    conn.commit()


def summarise(db: sqlite_utils.Database) -> None:
    """The summaries the pages read (report_summary, bodies, the facet counts of the
    tables' unfiltered pages), rebuilt from the tables."""
    from nianbao.serve.app import facets  # what the site shows: metadata.yaml

    with db.conn:
        db.execute("delete from report_summary")
        db.execute(schema.SUMMARY_SQL)
        db.execute("delete from bodies")
        db.execute(schema.BODIES_SQL)
        schema.facet_counts(db, facets())


def _write_sources(db: sqlite_utils.Database, sources: dict[str, dict[str, Any]]) -> None:
    if sources:
        db["sources"].insert_all(sources.values(), replace=True)


def _apply_sources(db: sqlite_utils.Database) -> None:
    """Region, level and body kind of each report from its source and body, so a
    registry or rule fix needs no re-parse.

    A source a report names but no registry lists still gets a row (for the link)."""
    with db.conn:
        db.execute(
            "insert or ignore into sources (id, registry) "
            "select distinct source_id, 'unlisted' from reports where source_id is not null"
        )
        db.execute(
            "update reports set (region_code, province, city, county, level) = "
            "(select s.region_code, s.province, s.city, s.county, s.level from sources s where s.id = reports.source_id) "
            "where source_id is not null"
        )
    _apply_body_kinds(db)


def _apply_body_kinds(db: sqlite_utils.Database) -> None:
    """``reports.body_kind``: the registry's kind when the report is its portal's own
    government's, else what the body's name says (serve/body_kinds.yaml)."""
    sources = {row["id"]: row for row in db.query("select id, name, level, body_kind from sources")}
    updates = []
    for row in db.query("select id, body, source_id, body_kind from reports"):
        source = sources.get(row["source_id"])
        own = source is not None and is_own_body(row["body"], source["name"])
        kind = body_kind(row["body"], registry_kind(source) if own else None)
        if kind != row["body_kind"]:
            updates.append((kind, row["id"]))
    with db.conn:
        db.conn.executemany("update reports set body_kind = ? where id = ?", updates)


def _apply_synthetic(db: sqlite_utils.Database) -> None:
    """``reports.synthetic`` from the archive's provenance: what the server said about the
    bytes it sent. The demo's replica portals mark every report document with an
    ``X-Nianbao-Synthetic`` header (1: synthetic numbers under a real body's name, 0: a
    real report); real portals send none, so their reports stay NULL (unknown) — this
    never guesses from a name or a number. A report fetched more than once counts as
    synthetic if any fetch said so. Rewritten on every build, from the fetches the
    database holds (none: every report NULL, e.g. ``build --from`` files)."""
    from nianbao.replicas.portals.site import SYNTHETIC_HEADER  # the header's one definition

    if not db["fetches"].exists() or "response_headers_json" not in db["fetches"].columns_dict:
        marks: dict[str, int] = {}
    else:
        rows = db.execute(
            "select f.sha256, max(cast(trim(json_extract(h.value, '$[1]')) as integer)) "
            "from fetches f, json_each(f.response_headers_json) h "
            "where f.sha256 in (select sha256 from reports) and json_valid(f.response_headers_json) "
            "and h.type = 'array' and lower(json_extract(h.value, '$[0]')) = ? "
            "and trim(json_extract(h.value, '$[1]')) in ('0', '1') "
            "group by f.sha256",
            [SYNTHETIC_HEADER.lower()],
        ).fetchall()
        marks = dict(rows)
    current = {row["sha256"]: row["synthetic"] for row in db.query("select sha256, synthetic from reports")}
    updates = [(marks.get(sha), sha) for sha, value in current.items() if marks.get(sha) != value]
    with db.conn:
        db.conn.executemany("update reports set synthetic = ? where sha256 = ?", updates)
