"""The provenance database (SQLite, WAL): runs, per-source run statistics, one row per fetch.

Append-only, enforced by triggers: fetches and run_sources are never updated or
deleted; a run's row changes once, when it ends.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# 2: runs.machine, the merges table, fetches indexed by WARC record id.
SCHEMA_VERSION = 2

TABLES = """
CREATE TABLE IF NOT EXISTS runs (
    run_id        TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    outcome       TEXT,
    settings_json TEXT NOT NULL DEFAULT '{}',
    stats_json    TEXT,
    sources_json  TEXT NOT NULL DEFAULT '[]',
    machine       TEXT
);
CREATE TABLE IF NOT EXISTS run_sources (
    run_id     TEXT NOT NULL REFERENCES runs(run_id),
    source     TEXT NOT NULL,
    stats_json TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, source)
);
CREATE TABLE IF NOT EXISTS fetches (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id                TEXT NOT NULL REFERENCES runs(run_id),
    source                TEXT,
    url                   TEXT NOT NULL,
    final_url             TEXT,
    method                TEXT NOT NULL DEFAULT 'GET',
    status                INTEGER,
    request_headers_json  TEXT,
    response_headers_json TEXT,
    content_type          TEXT,
    content_length        INTEGER,
    sha256                TEXT,
    fetched_at            TEXT NOT NULL,
    referer               TEXT,
    anchor_text           TEXT,
    found_by              TEXT,
    role                  TEXT,
    list_page             TEXT,
    etag                  TEXT,
    last_modified         TEXT,
    is_new                INTEGER NOT NULL DEFAULT 0,
    revisit_of            INTEGER REFERENCES fetches(id),
    warc_file             TEXT,
    warc_offset           INTEGER,
    warc_length           INTEGER,
    warc_record_id        TEXT,
    warc_record_type      TEXT,
    payload_digest        TEXT,
    published             TEXT,
    error                 TEXT
);
CREATE TABLE IF NOT EXISTS merges (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    source     TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at   TEXT,
    stats_json TEXT
);
"""

# Added to older databases (CREATE TABLE IF NOT EXISTS leaves their tables as they were).
ADDED_COLUMNS = {"runs": {"machine": "TEXT"}}

INDEXES_AND_TRIGGERS = """
CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url);
CREATE INDEX IF NOT EXISTS fetches_sha256 ON fetches(sha256);
CREATE INDEX IF NOT EXISTS fetches_source ON fetches(source);
CREATE INDEX IF NOT EXISTS fetches_run_id ON fetches(run_id);
CREATE INDEX IF NOT EXISTS fetches_final_url ON fetches(final_url);
CREATE INDEX IF NOT EXISTS fetches_warc_record_id ON fetches(warc_record_id);

CREATE TRIGGER IF NOT EXISTS fetches_no_update BEFORE UPDATE ON fetches
BEGIN SELECT RAISE(ABORT, 'fetches is append-only'); END;
CREATE TRIGGER IF NOT EXISTS fetches_no_delete BEFORE DELETE ON fetches
BEGIN SELECT RAISE(ABORT, 'fetches is append-only'); END;
CREATE TRIGGER IF NOT EXISTS run_sources_no_update BEFORE UPDATE ON run_sources
BEGIN SELECT RAISE(ABORT, 'run_sources is append-only'); END;
CREATE TRIGGER IF NOT EXISTS run_sources_no_delete BEFORE DELETE ON run_sources
BEGIN SELECT RAISE(ABORT, 'run_sources is append-only'); END;
CREATE TRIGGER IF NOT EXISTS runs_no_delete BEFORE DELETE ON runs
BEGIN SELECT RAISE(ABORT, 'runs is append-only'); END;
CREATE TRIGGER IF NOT EXISTS runs_end_once BEFORE UPDATE ON runs
WHEN OLD.ended_at IS NOT NULL
  OR NEW.run_id IS NOT OLD.run_id OR NEW.name IS NOT OLD.name
  OR NEW.started_at IS NOT OLD.started_at OR NEW.settings_json IS NOT OLD.settings_json
  OR NEW.sources_json IS NOT OLD.sources_json OR NEW.machine IS NOT OLD.machine
BEGIN SELECT RAISE(ABORT, 'a run changes only once, when it ends'); END;
"""

FETCH_COLUMNS = (
    "run_id",
    "source",
    "url",
    "final_url",
    "method",
    "status",
    "request_headers_json",
    "response_headers_json",
    "content_type",
    "content_length",
    "sha256",
    "fetched_at",
    "referer",
    "anchor_text",
    "found_by",
    "role",
    "list_page",
    "etag",
    "last_modified",
    "is_new",
    "revisit_of",
    "warc_file",
    "warc_offset",
    "warc_length",
    "warc_record_id",
    "warc_record_type",
    "payload_digest",
    "published",
    "error",
)


RUN_COLUMNS = (
    "run_id",
    "name",
    "started_at",
    "ended_at",
    "outcome",
    "settings_json",
    "stats_json",
    "sources_json",
    "machine",
)


def _statements(script: str) -> list[str]:
    """The statements of a script, whole (a trigger's body holds semicolons of its own)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def _dict(cursor: sqlite3.Cursor, row: tuple) -> dict[str, Any]:
    return {d[0]: v for d, v in zip(cursor.description, row, strict=True)}


class Provenance:
    """The SQLite provenance database at ``path``. ``readonly`` opens it without writing."""

    def __init__(self, path: Path | str, *, readonly: bool = False, durable: bool = True) -> None:
        self.path = Path(path)
        if readonly:
            if not self.path.exists():
                raise FileNotFoundError(f"no provenance database at {self.path}")
            self.conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
            )
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed row survives power loss; NORMAL (WAL) only guards against corruption.
            self.conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._create_or_upgrade()
        self.conn.row_factory = _dict
        self.conn.execute("PRAGMA foreign_keys=ON")

    def _create_or_upgrade(self) -> None:
        """Create the schema, or bring an older database up to it (in one transaction, so two
        processes opening an old database at once do not both add a column)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for statement in _statements(TABLES):
                self.conn.execute(statement)
            for table, columns in ADDED_COLUMNS.items():
                have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
                for column, kind in columns.items():
                    if column not in have:
                        self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            if version < SCHEMA_VERSION:
                # The trigger that guards a run's row names the new column: replace the old one.
                self.conn.execute("DROP TRIGGER IF EXISTS runs_end_once")
            for statement in _statements(INDEXES_AND_TRIGGERS):
                self.conn.execute(statement)
            if version != SCHEMA_VERSION:
                self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()

    # -- runs ------------------------------------------------------------
    def insert_run(
        self,
        run_id: str,
        name: str,
        started_at: str,
        settings: dict,
        sources: list[str],
        machine: str | None = None,
    ) -> None:
        self.insert_run_row(
            {
                "run_id": run_id,
                "name": name,
                "started_at": started_at,
                "settings_json": json.dumps(settings, ensure_ascii=False, default=str),
                "sources_json": json.dumps(sources, ensure_ascii=False),
                "machine": machine,
            }
        )

    def insert_run_row(self, row: dict[str, Any]) -> None:
        """A run's row as stored (JSON as text), e.g. copied from another archive."""
        cols = [c for c in RUN_COLUMNS if c in row]
        self.conn.execute(
            f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        )

    def end_run(
        self, run_id: str, ended_at: str, outcome: str, stats: dict, per_source: dict[str, dict]
    ) -> None:
        with self.transaction():
            self.end_run_row(
                run_id,
                ended_at,
                outcome,
                json.dumps(stats, ensure_ascii=False, default=str),
                {s: json.dumps(v, ensure_ascii=False, default=str) for s, v in per_source.items()},
            )

    def end_run_row(
        self,
        run_id: str,
        ended_at: str,
        outcome: str | None,
        stats_json: str | None,
        per_source: dict[str, str],
    ) -> None:
        """End a run with its statistics as stored (JSON as text); inside the caller's transaction."""
        cur = self.conn.execute(
            "UPDATE runs SET ended_at = ?, outcome = ?, stats_json = ? WHERE run_id = ? AND ended_at IS NULL",
            (ended_at, outcome, stats_json, run_id),
        )
        if cur.rowcount != 1:
            raise ValueError(f"run {run_id!r} does not exist or has already ended")
        self.conn.executemany(
            "INSERT INTO run_sources (run_id, source, stats_json) VALUES (?, ?, ?)",
            [(run_id, source, stats) for source, stats in per_source.items()],
        )

    def run(self, run_id: str) -> dict | None:
        return self.conn.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()

    def runs(self) -> list[dict]:
        return self.conn.execute("SELECT * FROM runs ORDER BY started_at, run_id").fetchall()

    def unfinished_runs(self) -> list[dict]:
        return self.conn.execute("SELECT * FROM runs WHERE ended_at IS NULL ORDER BY started_at").fetchall()

    def run_sources(self, run_id: str) -> list[dict]:
        return self.conn.execute(
            "SELECT * FROM run_sources WHERE run_id = ? ORDER BY source", (run_id,)
        ).fetchall()

    # -- fetches ---------------------------------------------------------
    def insert_fetch(self, row: dict[str, Any]) -> int:
        unknown = set(row) - set(FETCH_COLUMNS)
        if unknown:
            raise ValueError(f"unknown fetch columns: {sorted(unknown)}")
        cols = [c for c in FETCH_COLUMNS if c in row]
        cur = self.conn.execute(
            f"INSERT INTO fetches ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        )
        return int(cur.lastrowid)

    def fetch(self, fetch_id: int) -> dict | None:
        return self.conn.execute("SELECT * FROM fetches WHERE id = ?", (fetch_id,)).fetchone()

    def last_fetch(self, url: str) -> dict | None:
        """The latest fetch of ``url`` that got a response (failures skipped)."""
        return self.conn.execute(
            "SELECT * FROM fetches WHERE url = ? AND status IS NOT NULL ORDER BY id DESC LIMIT 1", (url,)
        ).fetchone()

    def fetches_in_run(self, url: str, run_id: str, method: str = "GET") -> list[dict]:
        """The fetches of ``url`` in run ``run_id`` with ``method`` that got a response, latest first."""
        return self.conn.execute(
            "SELECT * FROM fetches WHERE url = ? AND run_id = ? AND method = ? AND status IS NOT NULL "
            "ORDER BY id DESC",
            (url, run_id, method),
        ).fetchall()

    def seen_sha256(self, sha256: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM fetches WHERE sha256 = ? LIMIT 1", (sha256,)).fetchone()
            is not None
        )

    def fetches(self, *, run_id: str | None = None) -> Iterator[dict]:
        if run_id is None:
            yield from self.conn.execute("SELECT * FROM fetches ORDER BY id")
        else:
            yield from self.conn.execute("SELECT * FROM fetches WHERE run_id = ? ORDER BY id", (run_id,))

    def documents(self) -> Iterator[dict]:
        """One row per distinct report body: its first 2xx fetch, and the first published date seen."""
        yield from self.conn.execute(
            """
            WITH reports AS (
                SELECT * FROM fetches
                WHERE role = 'report' AND status BETWEEN 200 AND 299 AND sha256 IS NOT NULL
            ), firsts AS (
                SELECT sha256, MIN(id) AS first_id, COUNT(*) AS fetch_count,
                       COUNT(DISTINCT url) AS url_count
                FROM reports GROUP BY sha256
            )
            SELECT r.sha256, r.id AS fetch_id, r.url, r.final_url, r.source, r.content_type, r.response_headers_json,
                   r.content_length, r.anchor_text, r.fetched_at, r.run_id, r.list_page, r.referer,
                   (SELECT p.published FROM reports p WHERE p.sha256 = r.sha256 AND p.published IS NOT NULL
                    ORDER BY p.id LIMIT 1) AS published,
                   f.fetch_count, f.url_count
            FROM firsts f JOIN reports r ON r.id = f.first_id
            ORDER BY r.id
            """
        )

    def counts(self) -> dict[str, int]:
        one = self.conn.execute(
            """SELECT (SELECT COUNT(*) FROM runs) AS runs,
                      (SELECT COUNT(*) FROM fetches) AS fetches,
                      (SELECT COUNT(*) FROM fetches WHERE error IS NOT NULL) AS failures,
                      (SELECT COUNT(*) FROM fetches WHERE warc_record_type = 'revisit') AS revisits,
                      (SELECT COUNT(DISTINCT sha256) FROM fetches) AS distinct_bodies"""
        ).fetchone()
        return dict(one)

    # -- merges ----------------------------------------------------------
    def start_merge(self, source: str, started_at: str) -> int:
        """A merge of ``source`` begins: its id, that of the interrupted one it completes if any."""
        unfinished = self.conn.execute(
            "SELECT id FROM merges WHERE source = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1", (source,)
        ).fetchone()
        if unfinished is not None:
            return int(unfinished["id"])
        cur = self.conn.execute("INSERT INTO merges (source, started_at) VALUES (?, ?)", (source, started_at))
        return int(cur.lastrowid)

    def end_merge(self, merge_id: int, ended_at: str, stats: dict) -> None:
        self.conn.execute(
            "UPDATE merges SET ended_at = ?, stats_json = ? WHERE id = ?",
            (ended_at, json.dumps(stats, ensure_ascii=False, default=str), merge_id),
        )

    def unfinished_merges(self) -> list[dict]:
        """Merges that started and never ended (interrupted): rerunning them completes them."""
        if not self.has_table("merges"):
            return []
        return self.conn.execute("SELECT * FROM merges WHERE ended_at IS NULL ORDER BY id").fetchall()

    def has_table(self, name: str) -> bool:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return self.conn.execute(query, (name,)).fetchone() is not None

    # -- transactions ----------------------------------------------------
    def transaction(self):
        return _Transaction(self.conn)


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
