"""``nianbao run``: crawl what is due against the replica portals, build, one summary line; a lock so
two runs never overlap (the second exits at once, status 75, saying why); exit statuses."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from nianbao.archive import Archive

from nianbao.cli import main
from nianbao.periodic import EXIT_LOCKED, due_sources, parse_interval
from tests.crawler import conftest as crawler_tests
from tests.crawler.conftest import REPO, Replica

replica = crawler_tests.replica  # the replica portals' session fixture (tests/crawler/conftest.py)

SOURCES = ("replica-xinxiang-county", "replica-luoyang-xigong")
OK = re.compile(
    r"nianbao run: ok crawled (\d+) sources?, (\d+) reports? \((\d+) new(?:, \d+ errors?)?\), "
    r"built (\d+) reports? in \d+\.\d s"
)


def run_cmd(data: Path, replica: Replica, *extra: str, ids: tuple[str, ...] = SOURCES) -> list[str]:
    cmd = [sys.executable, "-m", "nianbao", "--data", str(data), "run", "--sources", str(replica.sources)]
    cmd += ["--fast", *extra]
    for sid in ids:
        cmd += ["--source", sid]
    return cmd


def run(
    data: Path, replica: Replica, *extra: str, ids: tuple[str, ...] = SOURCES, timeout: float = 120
) -> subprocess.CompletedProcess:
    env = {**os.environ, "NIANBAO_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        run_cmd(data, replica, *extra, ids=ids),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def db_reports(data: Path) -> int:
    conn = sqlite3.connect(f"file:{data / 'nianbao.db'}?mode=ro", uri=True)
    try:
        return conn.execute("select count(*) from reports").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def first(
    replica: Replica, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess]:
    data = tmp_path_factory.mktemp("periodic")
    return data, run(data, replica)


def test_first_run_crawls_and_builds(
    first: tuple[Path, subprocess.CompletedProcess], replica: Replica
) -> None:
    data, result = first
    assert result.returncode == 0, result.stdout + result.stderr
    # Standard output is the one summary line; the crawl's table and build's line went to stderr.
    assert result.stdout.count("\n") == 1, result.stdout
    match = OK.fullmatch(result.stdout.strip())
    assert match, result.stdout
    expected = len(replica.reports(SOURCES))
    sources, reports, new, built = map(int, match.groups())
    assert (sources, reports, new, built) == (2, expected, expected, expected)
    assert db_reports(data) == expected
    assert "total" in result.stderr and "reports in the database" in result.stderr
    with (data / "run.lock").open() as lock:  # the file stays, the lock went with the process
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_second_run_finds_nothing_due(
    first: tuple[Path, subprocess.CompletedProcess], replica: Replica
) -> None:
    data, _ = first
    hits = sum(replica.server.hits.values())
    result = run(data, replica)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.fullmatch(
        r"nianbao run: ok nothing due \(2 of 2 sources crawled within the interval\), "
        r"built \d+ reports in \d+\.\d s",
        result.stdout.strip(),
    ), result.stdout
    assert sum(replica.server.hits.values()) == hits  # no portal was asked
    # Due again once the interval is shorter than the time since the crawl; --all crawls regardless.
    again = run(data, replica, "--interval", "0s")
    match = OK.fullmatch(again.stdout.strip())
    assert again.returncode == 0 and match, again.stdout + again.stderr
    assert match.group(3) == "0"  # nothing new: the reports are archived already
    assert db_reports(data) == len(replica.reports(SOURCES))
    forced = run(data, replica, "--all")
    assert forced.returncode == 0 and OK.fullmatch(forced.stdout.strip()), forced.stdout + forced.stderr


def test_a_run_while_the_lock_is_held_exits_at_once(tmp_path: Path, replica: Replica) -> None:
    with (tmp_path / "run.lock").open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("pid 4242, started 2026-12-01T03:00:00Z")
        held.flush()
        started = time.monotonic()
        result = run(tmp_path, replica)
        elapsed = time.monotonic() - started
    assert result.returncode == EXIT_LOCKED == 75, result.stdout + result.stderr
    assert result.stdout.strip() == (
        f"nianbao run: locked: another run (pid 4242, started 2026-12-01T03:00:00Z) holds "
        f"{tmp_path / 'run.lock'}; this run did nothing"
    )
    assert elapsed < 15  # at once: no crawl, no build (only the interpreter's start)
    assert not (tmp_path / "archive").exists() and not (tmp_path / "nianbao.db").exists()


def test_two_overlapping_runs(tmp_path: Path, replica: Replica) -> None:
    env = {**os.environ, "NIANBAO_LOG_LEVEL": "WARNING"}
    lock = tmp_path / "run.lock"
    first = subprocess.Popen(
        run_cmd(tmp_path, replica),
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (lock.exists() and lock.read_text().startswith(f"pid {first.pid},")):
            assert first.poll() is None, "the first run ended before taking the lock"
            assert time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.05)
        second = subprocess.run(
            run_cmd(tmp_path, replica), cwd=REPO, env=env, capture_output=True, text=True, timeout=60
        )
        first_still_running = first.poll() is None
        out, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.returncode == 75, second.stdout + second.stderr
    assert second.stdout.startswith(f"nianbao run: locked: another run (pid {first.pid}, started ")
    assert second.stdout.rstrip().endswith(f"holds {lock}; this run did nothing")
    assert first_still_running  # the second did not wait for the first
    assert first.returncode == 0, out + err
    assert OK.fullmatch(out.strip()), out
    # Once the first has ended the lock is free: a third run goes ahead (nothing due by now).
    third = run(tmp_path, replica)
    assert third.returncode == 0 and "nothing due" in third.stdout, third.stdout + third.stderr


def test_a_failed_build_is_a_failed_run(tmp_path: Path, replica: Replica) -> None:
    (tmp_path / "nianbao.db").mkdir()  # the database path taken by a folder: the build cannot write it
    result = run(tmp_path, replica, ids=("replica-luoyang-xigong",))
    assert result.returncode == 1, result.stdout + result.stderr
    line = result.stdout.strip()
    assert line.startswith("nianbao run: failed build: "), line
    assert "crawled 1 source, " in line and "\n" not in line


def test_an_interrupted_crawl_is_a_failed_run_and_what_came_is_built(
    tmp_path: Path, replica: Replica
) -> None:
    env = {**os.environ, "NIANBAO_LOG_LEVEL": "WARNING"}
    ids = ("replica-xinxiang-county", "replica-luoyang-xigong", "replica-pingdingshan-city")
    proc = subprocess.Popen(
        run_cmd(tmp_path, replica, ids=ids),
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    provenance = tmp_path / "archive" / "provenance.db"
    try:
        deadline = time.monotonic() + 60
        while True:  # the crawl is under way: its run has archived a report and not ended
            assert proc.poll() is None and time.monotonic() < deadline, "no crawl run began"
            if provenance.exists():
                conn = sqlite3.connect(f"file:{provenance}?mode=ro", uri=True)
                try:
                    if conn.execute(
                        "select count(*) from runs join fetches using (run_id) "
                        "where ended_at is null and role = 'report'"
                    ).fetchone()[0]:
                        break
                except sqlite3.Error:
                    pass
                finally:
                    conn.close()
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)  # as Ctrl-C or systemctl stop would (Scrapy stops gracefully)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, out + err
    line = out.strip()
    assert line.startswith("nianbao run: failed crawl interrupted (shutdown); crawled 3 sources, "), (
        line + err
    )
    assert re.search(r"; built \d+ reports? in \d+\.\d s; \d+\.\d s in all$", line), line
    assert (tmp_path / "nianbao.db").is_file()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--data", str(tmp_path), "run", "--interval", "soon"])
    assert result.exit_code == 2 and "not an interval" in result.output
    result = runner.invoke(main, ["--data", str(tmp_path), "run", "--source", "no-such-source"])
    assert result.exit_code == 2 and "unknown source" in result.output
    assert not (tmp_path / "run.lock").exists()


def test_due_is_judged_from_finished_runs(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    done = archive.start_run("portal", sources=["a", "b"])
    archive.finish_run(done, "finished")
    cut = archive.start_run("portal", sources=["c"])
    archive.finish_run(cut, "shutdown")  # interrupted: c was not crawled
    archive.close()
    sources = [SimpleNamespace(id=i, crawlable=True) for i in ("a", "b", "c", "d")]
    sources.append(SimpleNamespace(id="e", crawlable=False))
    now = datetime.now(UTC)
    due = due_sources(sources, tmp_path / "archive", timedelta(hours=20), now)
    assert [s.id for s in due.due] == ["c", "d"]  # interrupted, never crawled
    assert due.fresh == ["a", "b"] and due.skipped == ["e"]
    later = due_sources(sources, tmp_path / "archive", timedelta(hours=20), now + timedelta(hours=21))
    assert [s.id for s in later.due] == ["a", "b", "c", "d"]
    everything = due_sources(sources, tmp_path / "archive", None, now)
    assert [s.id for s in everything.due] == ["a", "b", "c", "d"]
    assert parse_interval("90m") == timedelta(minutes=90) and parse_interval("7d") == timedelta(days=7)
