"""``nianbao archive merge``: many machines' archives into one (issue 11, item 4)."""

from __future__ import annotations

import os
import socket
import sqlite3
from pathlib import Path

import pytest
from archive_helpers import html_fetch
from click.testing import CliRunner
from nianbao.archive import Archive, ArchiveLocked, Provenance
from nianbao.archive.merge import MergeError, SourceMerge, merge_archives
from nianbao.archive.verify import verify

from nianbao.cli import main

SHARED_BODY = "<p>同一份年报，两台机器都抓到</p>"


def make_machine(data: Path, machine: str, pages: range, *, shared: bool = True) -> Path:
    """A data folder as one machine leaves it: one finished run of its own reports (each
    fetched twice: the second a revisit), and a report both machines fetch."""
    a = Archive(data / "archive", durable=False)
    run = a.start_run("portal", sources=[machine], machine=machine)
    for i in pages:
        a.record(
            run, html_fetch(f"http://{machine}.test/{i}.html", f"<p>{machine} 报告 {i}</p>", role="report")
        )
    a.record(run, html_fetch(f"http://{machine}.test/{pages[0]}.html", f"<p>{machine} 报告 {pages[0]}</p>"))
    if shared:
        a.record(run, html_fetch(f"http://{machine}.test/shared.html", SHARED_BODY, role="report"))
    a.record_failure(run, f"http://{machine}.test/gone.html", machine, "timeout")
    a.finish_run(run, "finished", per_source={machine: {"pages": len(pages)}})
    a.close()
    return data


def read(root: Path) -> Archive:
    return Archive(root, readonly=True)


def summary(root: Path) -> dict:
    """What a merged archive holds, independent of its ids."""
    a = read(root)
    try:
        return {
            "runs": sorted((r["run_id"], r["machine"], r["outcome"]) for r in a.provenance.runs()),
            "fetches": sorted(
                (f["run_id"], f["url"], f["fetched_at"], f["sha256"], f["warc_record_id"], f["error"])
                for f in a.provenance.fetches()
            ),
            "documents": sorted(d["sha256"] for d in a.documents()),
            "blobs": sorted(a.blobs),
            "warc": sorted(p.name for p in a.warc_files()),
            "run_sources": sorted(
                (r["run_id"], r["source"]) for r in a.provenance.conn.execute("SELECT * FROM run_sources")
            ),
        }
    finally:
        a.close()


def assert_verifies(root: Path) -> None:
    a = read(root)
    try:
        assert verify(a, full=True) == []
    finally:
        a.close()


@pytest.fixture
def two_machines(tmp_path: Path) -> tuple[Path, Path]:
    return (
        make_machine(tmp_path / "a", "machine-a", range(3)),
        make_machine(tmp_path / "b", "machine-b", range(4)),
    )


def test_a_run_records_its_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = Archive(tmp_path / "archive", durable=False)
    monkeypatch.setenv("NIANBAO_MACHINE", "crawler-7")
    named = a.start_run("portal")
    monkeypatch.delenv("NIANBAO_MACHINE")
    default = a.start_run("portal")
    assert a.provenance.run(named)["machine"] == "crawler-7"
    assert a.provenance.run(default)["machine"] == socket.gethostname()
    a.close()


OLD_SCHEMA = """
CREATE TABLE runs (run_id TEXT PRIMARY KEY, name TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT,
    outcome TEXT, settings_json TEXT NOT NULL DEFAULT '{}', stats_json TEXT,
    sources_json TEXT NOT NULL DEFAULT '[]');
CREATE TABLE run_sources (run_id TEXT NOT NULL REFERENCES runs(run_id), source TEXT NOT NULL,
    stats_json TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (run_id, source));
CREATE TRIGGER runs_end_once BEFORE UPDATE ON runs
WHEN OLD.ended_at IS NOT NULL OR NEW.run_id IS NOT OLD.run_id OR NEW.name IS NOT OLD.name
BEGIN SELECT RAISE(ABORT, 'a run changes only once, when it ends'); END;
INSERT INTO runs (run_id, name, started_at) VALUES ('20200101T000000Z-00000000', 'portal', '2020-01-01');
PRAGMA user_version=1;
"""


def test_an_older_provenance_database_opens_and_gains_the_machine_column(tmp_path: Path) -> None:
    path = tmp_path / "provenance.db"
    old = sqlite3.connect(path)
    old.executescript(OLD_SCHEMA)
    old.close()
    readonly = Provenance(path, readonly=True)
    assert readonly.runs()[0]["run_id"] == "20200101T000000Z-00000000"
    readonly.close()
    p = Provenance(path)
    assert p.runs()[0]["machine"] is None  # not known for runs recorded before
    p.insert_run("20260101T000000Z-11111111", "portal", "2026-01-01", {}, [], "m1")
    with pytest.raises(sqlite3.IntegrityError, match="only once"):  # the new trigger guards machine too
        p.conn.execute("UPDATE runs SET machine = 'm2' WHERE run_id = '20260101T000000Z-11111111'")
    p.close()
    assert Provenance(path).conn.execute("PRAGMA user_version").fetchone()["user_version"] == 2


def test_merge_two_machines(two_machines: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = two_machines
    into = tmp_path / "merged" / "archive"
    first, second = merge_archives([a, b], into)
    assert first.fetches_added == 6 and second.fetches_added == 7
    # The shared report's blob came with machine a: b's copy is not stored again.
    assert second.blobs_deduplicated == 1 and second.blobs_copied == 4
    assert first.warc_files_copied == second.warc_files_copied == 1

    merged = summary(into)
    alone_a, alone_b = summary(a / "archive"), summary(b / "archive")
    assert merged["fetches"] == sorted(alone_a["fetches"] + alone_b["fetches"])
    assert {m for _, m, _ in merged["runs"]} == {"machine-a", "machine-b"}
    assert set(merged["documents"]) == set(alone_a["documents"]) | set(alone_b["documents"])
    assert len(merged["documents"]) == 3 + 4 + 1
    assert merged["warc"] == sorted(alone_a["warc"] + alone_b["warc"])
    assert merged["run_sources"] == sorted(alone_a["run_sources"] + alone_b["run_sources"])
    assert_verifies(into)

    m = read(into)
    ids = [f["id"] for f in m.provenance.fetches()]
    assert ids == list(range(1, 14))  # b's fetches 1… got new ids after a's
    for revisit in m.provenance.conn.execute("SELECT * FROM fetches WHERE revisit_of IS NOT NULL"):
        original = m.provenance.fetch(revisit["revisit_of"])
        assert original["run_id"] == revisit["run_id"] and original["sha256"] == revisit["sha256"]
    m.close()


def test_merging_again_adds_nothing(two_machines: tuple[Path, Path], tmp_path: Path) -> None:
    into = tmp_path / "merged"
    merge_archives(two_machines, into)
    before = summary(into)
    again = merge_archives([*two_machines, two_machines[0]], into)
    assert [s.fetches_added + s.runs_added + s.blobs_copied + s.warc_files_copied for s in again] == [0, 0, 0]
    assert again[0].fetches_present == 6 and again[0].blobs_deduplicated == 0  # nothing new to look at
    assert summary(into) == before


def test_a_merged_archive_merges_into_another(two_machines: tuple[Path, Path], tmp_path: Path) -> None:
    """Merges compose: a, then (a+b) into a third, holds each fetch once."""
    a, b = two_machines
    merge_archives([a, b], tmp_path / "ab")
    merge_archives([a], tmp_path / "all")
    merge_archives([tmp_path / "ab"], tmp_path / "all")
    assert summary(tmp_path / "all") == summary(tmp_path / "ab")
    assert_verifies(tmp_path / "all")


def test_a_warc_name_clash_keeps_both_files(two_machines: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = two_machines
    name_a = read(a / "archive").warc_files()[0].name
    (file_b,) = read(b / "archive").warc_files()
    # Two machines that picked the same file name (same time, same pid): b's file renamed as a's,
    # its rows with it (the append-only triggers set aside for this).
    file_b.rename(file_b.with_name(name_a))
    conn = sqlite3.connect(b / "archive" / "provenance.db")
    conn.execute("DROP TRIGGER fetches_no_update")
    conn.execute("UPDATE fetches SET warc_file = ? WHERE warc_file IS NOT NULL", (name_a,))
    conn.commit()
    conn.close()

    into = tmp_path / "merged"
    merge_archives([a, b], into)
    warc = summary(into)["warc"]
    assert len(warc) == 2 and name_a in warc
    renamed = next(n for n in warc if n != name_a)
    assert renamed.startswith(name_a.removesuffix(".warc.gz") + "~") and renamed.endswith(".warc.gz")
    assert (into / "warc" / renamed).read_bytes() == (b / "archive" / "warc" / name_a).read_bytes()
    assert_verifies(into)
    again = merge_archives([b], into)[0]
    assert again.warc_files_copied == 0 and again.fetches_added == 0
    assert summary(into)["warc"] == warc


def test_a_run_id_held_by_another_run_is_remapped(two_machines: tuple[Path, Path], tmp_path: Path) -> None:
    a, _ = two_machines
    (run_a,) = read(a / "archive").provenance.runs()
    c = Archive(tmp_path / "c" / "archive", durable=False)
    c.provenance.insert_run(run_a["run_id"], "portal", "2030-01-01T00:00:00.000000Z", {}, [], "machine-c")
    c.resume_run(run_a["run_id"])
    c.record(run_a["run_id"], html_fetch("http://machine-c.test/1.html", "<p>c</p>", role="report"))
    c.finish_run(run_a["run_id"], "finished")
    c.close()

    into = tmp_path / "merged"
    merge_archives([a, tmp_path / "c"], into)
    runs = {r["machine"]: r["run_id"] for r in read(into).provenance.runs()}
    assert runs["machine-a"] == run_a["run_id"]
    assert runs["machine-c"].startswith(run_a["run_id"] + "~")
    urls = {f["url"]: f["run_id"] for f in read(into).provenance.fetches()}
    assert urls["http://machine-c.test/1.html"] == runs["machine-c"]
    assert merge_archives([tmp_path / "c"], into)[0].fetches_added == 0  # the same id found again
    assert_verifies(into)


def merge_until(source: Path, into: Path, stop_at: str, batch: int = 1) -> None:
    """Merge, and stop after step ``stop_at`` (as a kill there leaves it)."""
    with Archive(into, durable=False) as dst, dst.writing():
        steps = SourceMerge(source, dst).steps(batch=batch)
        for step in steps:
            if step == stop_at:
                break
        steps.close()


@pytest.mark.parametrize("stop_at", ["checked", "blobs", "warc files", "fetches"])
def test_an_interrupted_merge_leaves_the_archive_sound_and_a_rerun_completes_it(
    two_machines: tuple[Path, Path], tmp_path: Path, stop_at: str
) -> None:
    a, b = two_machines
    merge_archives([a, b], tmp_path / "whole")
    into = tmp_path / "merged" / "archive"
    merge_archives([a], into)
    merge_until(b, into, stop_at)
    # No row points at anything missing; what has no row yet is only WARC records copied ahead.
    m = read(into)
    problems = verify(m, full=True)
    assert {p.what for p in problems} <= {"orphan"}
    assert [r["source"] for r in m.provenance.unfinished_merges()] == [str((b / "archive").resolve())]
    if stop_at == "fetches":  # one batch in: b's run is there, with one fetch, not yet ended
        (run_b,) = [r for r in m.provenance.runs() if r["machine"] == "machine-b"]
        assert run_b["ended_at"] is None
        assert len(list(m.provenance.fetches(run_id=run_b["run_id"]))) == 1
    m.close()
    said = run_cli("--data", str(into.parent), "archive", "verify")
    assert (
        f"the merge of {(b / 'archive').resolve()}" in said.output and "again to complete it" in said.output
    )
    (into / "merge-tmp").mkdir(exist_ok=True)
    (into / "merge-tmp" / "half-copied.warc.gz.part").write_bytes(b"\x1f\x8b")  # a kill mid-copy
    merge_archives([b], into)
    assert summary(into) == summary(tmp_path / "whole")
    assert_verifies(into)
    assert read(into).provenance.unfinished_merges() == []
    assert list((into / "merge-tmp").iterdir()) == []


def test_a_run_merged_unfinished_is_completed_by_the_next_merge(tmp_path: Path) -> None:
    """A machine merged while one of its runs had not ended (it crashed); the run resumed later."""
    src = Archive(tmp_path / "m" / "archive", durable=False)
    run = src.start_run("portal", machine="m")
    src.record(run, html_fetch("http://m.test/1.html", "<p>一</p>", role="report"))
    src.close()  # killed: the run never ended
    into = tmp_path / "merged"
    assert merge_archives([tmp_path / "m"], into)[0].runs_ended == 0
    src = Archive(tmp_path / "m" / "archive", durable=False)
    src.resume_run(run)
    src.record(run, html_fetch("http://m.test/2.html", "<p>二</p>", role="report"))
    src.finish_run(run, "finished")
    src.close()
    again = merge_archives([tmp_path / "m"], into)[0]
    assert (again.fetches_present, again.fetches_added, again.runs_ended) == (1, 1, 1)
    assert summary(into) == summary(tmp_path / "m" / "archive")
    assert_verifies(into)


def run_cli(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_command_merges_into_a_data_folder_and_says_what_it_did(two_machines, tmp_path: Path) -> None:
    a, b = two_machines
    result = run_cli("--data", str(tmp_path / "merged"), "archive", "merge", str(a), str(b / "archive"))
    assert result.exit_code == 0, result.output
    assert "blobs +4" in result.output and "1 already there" in result.output
    assert "merged 2 archive(s)" in result.output
    assert run_cli("--data", str(tmp_path / "merged"), "archive", "verify", "--full").exit_code == 0
    elsewhere = run_cli("archive", "merge", str(a), "--into", str(tmp_path / "other"))
    assert elsewhere.exit_code == 0 and (tmp_path / "other" / "archive" / "provenance.db").is_file()


def test_missing_and_damaged_sources_are_refused_with_nothing_merged(two_machines, tmp_path: Path) -> None:
    a, b = two_machines
    into = tmp_path / "merged"

    def refused(source: Path) -> str:
        result = run_cli("archive", "merge", str(source), "--into", str(into))
        assert result.exit_code == 1
        return result.output

    assert "does not exist" in refused(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    assert "no archive at" in refused(tmp_path / "empty")
    assert "into itself" in run_cli("--data", str(a), "archive", "merge", str(a)).output

    garbage = tmp_path / "garbage" / "archive"
    garbage.mkdir(parents=True)
    (garbage / "provenance.db").write_bytes(b"not a database at all" * 100)
    assert "damaged" in refused(tmp_path / "garbage")

    # b: a blob gone, and a byte of its WARC file changed.
    rows = list(read(b / "archive").provenance.fetches())
    blob = read(b / "archive").blobs.path(rows[1]["sha256"])
    os.chmod(blob, 0o644)
    blob.unlink()
    warc = b / "archive" / "warc" / rows[0]["warc_file"]
    data = bytearray(warc.read_bytes())
    data[rows[0]["warc_offset"] + 30] ^= 0xFF
    warc.write_bytes(bytes(data))
    output = refused(b)
    assert "damaged" in output and "nothing merged" in output
    assert f"blob {rows[1]['sha256']}: missing" in output and rows[0]["warc_file"] in output
    assert not (into / "archive" / "warc").exists() or not list((into / "archive" / "warc").iterdir())
    assert sorted(read(into / "archive").blobs) == []


def test_a_source_or_destination_being_written_is_refused(two_machines, tmp_path: Path) -> None:
    a, b = two_machines
    live = Archive(a / "archive", durable=False)
    live.start_run("portal")
    try:
        with pytest.raises(MergeError, match="being written"):
            merge_archives([a], tmp_path / "merged")
        with pytest.raises(ArchiveLocked, match="another process"):  # a crawl into the destination
            merge_archives([b], a / "archive")
    finally:
        live.close()


def test_an_archive_from_before_machines_were_recorded_merges(two_machines, tmp_path: Path) -> None:
    a, _ = two_machines
    conn = sqlite3.connect(a / "archive" / "provenance.db")
    conn.executescript(
        """DROP TRIGGER runs_end_once; ALTER TABLE runs DROP COLUMN machine; DROP TABLE merges;
        CREATE TRIGGER runs_end_once BEFORE UPDATE ON runs WHEN OLD.ended_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a run changes only once, when it ends'); END;
        PRAGMA user_version=1;"""
    )
    conn.close()
    into = tmp_path / "merged"
    assert merge_archives([a], into)[0].fetches_added == 6  # the source read as it is, not upgraded
    assert "machine" not in read(a / "archive").provenance.runs()[0]
    assert [r["machine"] for r in read(into).provenance.runs()] == [None]
    assert_verifies(into)
