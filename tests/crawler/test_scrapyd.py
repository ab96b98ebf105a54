"""Crawls spread over machines with Scrapyd, as crawler/README.md ("Scrapyd") says: two Scrapyd
daemons on loopback (two ports, two data directories: two machines), the project's egg built
with scrapyd-client's ``scrapyd-deploy --build-egg`` and uploaded to each, a crawl of different
replica sources scheduled on each; each machine's archive holds its own sources' reports. The
two archives are then merged and built, and the database equals the one a single machine
crawling every source builds (issue 11, item 4).

The commands below are the README's, word for word (``test_the_readme_says_these_commands``):
HOST, DIR, NAME, FILE and ID stand for the machine, its data directory, its name, the sources
file and the source ids; ALL, DIR1 and DIR2 for the data directory that gathers the machines'
archives and two machines' data directories."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from nianbao.archive import Archive

from tests.crawler.conftest import REPO, Replica, crawl

BIN = Path(sys.executable).parent
SCRAPYD_CONF = """\
[scrapyd]
bind_address = 127.0.0.1
http_port    = 6800
eggs_dir     = eggs
logs_dir     = logs
dbs_dir      = dbs
items_dir    =
max_proc     = 1
poll_interval = 1
"""
START = "NIANBAO_DATA=DIR NIANBAO_MACHINE=NAME scrapyd"
BUILD = "scrapyd-deploy --build-egg nianbao.egg"
UPLOAD = "curl -sS http://HOST:6800/addversion.json -F project=nianbao -F version=0.1.0 -F egg=@nianbao.egg"
SCHEDULE = (
    "curl -sS http://HOST:6800/schedule.json -d project=nianbao -d spider=portal -d sources=FILE -d source=ID"
)
FAST = "-d setting=NIANBAO_FAST=1"  # the replicas are local: politeness off
LISTJOBS = "curl -sS http://HOST:6800/listjobs.json?project=nianbao"
# On the machine that builds, the machines' data directories copied over (DIR1, DIR2 …):
MERGE = "nianbao --data ALL archive merge DIR1 DIR2"
BUILD_ALL = "nianbao --data ALL build"
# Different sources on each machine; one job per machine (an archive has one writer).
MACHINES = {
    "a": ("replica-xinxiang-county",),
    "b": ("replica-luoyang-xigong", "replica-pingdingshan-city"),
}
DEADLINE = 90.0  # seconds, from the daemons' start to both crawls finished

pytestmark = pytest.mark.skipif(
    not (shutil.which("curl") and (BIN / "scrapyd").exists() and (BIN / "scrapyd-deploy").exists()),
    reason="needs curl, scrapyd and scrapyd-client (the dev extra)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(template: str, cwd: Path, timeout: float = 30, **values: str) -> str:
    """Run one of the README's commands with HOST:6800/DIR/FILE/ID filled in (no shell)."""
    words = shlex.split(template)
    env = dict(os.environ)
    while words and re.fullmatch(r"[A-Z_]+=\S+", words[0]):  # VAR=value command …
        name, _, value = words.pop(0).partition("=")
        env[name] = values.get(value, value)
    for placeholder, value in sorted(values.items(), key=lambda pv: -len(pv[0])):
        words = [w.replace(placeholder, value) for w in words]
    if words[0] in ("scrapyd", "scrapyd-deploy", "nianbao"):
        words[0] = str(BIN / words[0])  # the venv's, whether or not it is on PATH
    result = subprocess.run(words, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{template}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def api(template: str, cwd: Path, **values: str) -> dict:
    answer = json.loads(command(template, cwd, **values))
    assert answer.get("status") == "ok", answer
    return answer


class Machine:
    """A Scrapyd daemon in its own directory (its scrapyd.conf, eggs, logs, dbs) with its own
    NIANBAO_DATA: one machine."""

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self.name = name
        self.data = root / "nianbao"
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.where = {"HOST:6800": self.host}  # the README's HOST:6800 for this machine
        root.mkdir(parents=True)
        (root / "scrapyd.conf").write_text(SCRAPYD_CONF.replace("6800", str(self.port)))
        words = shlex.split(START)
        # PYTHON_EGG_CACHE: where the egg unpacks (setup.py), per machine and not in /tmp.
        env = {
            **os.environ,
            "NIANBAO_DATA": str(self.data),
            "NIANBAO_MACHINE": name,
            "PYTHON_EGG_CACHE": str(root / "egg-cache"),
        }
        env.pop("SCRAPY_SETTINGS_MODULE", None)
        assert words == ["NIANBAO_DATA=DIR", "NIANBAO_MACHINE=NAME", "scrapyd"]
        self.log = (root / "scrapyd.out").open("wb")
        self.proc = subprocess.Popen(
            [str(BIN / "scrapyd")], cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_up(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                with urllib.request.urlopen(f"http://{self.host}/daemonstatus.json", timeout=2) as r:
                    if json.load(r)["status"] == "ok":
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("scrapyd did not start:\n" + self.output())

    def output(self) -> str:
        text = (self.root / "scrapyd.out").read_text(errors="replace")[-4000:]
        for log in sorted((self.root / "logs").rglob("*.log")):
            text += f"\n--- {log.name}\n" + log.read_text(errors="replace")[-4000:]
        return text

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture
def machines(tmp_path: Path) -> Iterator[dict[str, Machine]]:
    started: dict[str, Machine] = {}
    try:
        for name in MACHINES:
            started[name] = Machine(tmp_path / f"machine-{name}", f"machine-{name}")
        yield started
    finally:
        for machine in started.values():
            machine.stop()


def test_the_readme_says_these_commands() -> None:
    text = (REPO / "crawler" / "README.md").read_text()
    section = text.split("## Scrapyd", 1)[1].split("\n## ", 1)[0]
    for line in (
        START,
        BUILD,
        UPLOAD,
        SCHEDULE,
        FAST,
        LISTJOBS,
        MERGE,
        BUILD_ALL,
        *SCRAPYD_CONF.splitlines(),
    ):
        assert line in section, line


def database_reports(path: Path) -> dict[str, dict]:
    """A built database's reports by SHA-256: title, body, year, status and the set of their
    cells (form table, row, column, value), read by column name through plain SQL on ``reports``
    and ``cells`` (a table or a view; a cell's ``report`` is the report's id or its SHA-256)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        reports, sha_of = {}, {}
        for row in conn.execute("select * from reports"):
            keys = row.keys()
            reports[row["sha256"]] = {k: row[k] for k in ("title", "body", "year", "status")} | {
                "cells": set()
            }
            sha_of[row["id"] if "id" in keys else row["sha256"]] = row["sha256"]
        for cell in conn.execute("select * from cells"):
            sha = sha_of.get(cell["report"], cell["report"])
            reports[sha]["cells"].add(
                (cell["form_table"], cell["row_key"], cell["column_key"], cell["value"])
            )
        return reports
    finally:
        conn.close()


@pytest.mark.timeout(240)
def test_two_scrapyd_machines_crawl_their_sources_and_merged_equal_one_machine(
    machines: dict[str, Machine], replica: Replica, tmp_path: Path
) -> None:
    deadline = time.monotonic() + DEADLINE
    # Meanwhile, one machine crawls every source the way the other crawl tests do.
    single = tmp_path / "single"
    every_source = tuple(sid for ids in MACHINES.values() for sid in ids)
    with ThreadPoolExecutor(1) as pool:
        single_crawl = pool.submit(crawl, single, replica, every_source)
        everything = crawl_on_the_machines_and_merge(machines, replica, tmp_path, deadline)
        single_crawl.result()
    command(BUILD_ALL, tmp_path, timeout=120, ALL=str(single))
    from_machines = database_reports(everything / "nianbao.db")
    from_one = database_reports(single / "nianbao.db")
    expected = {r["sha256"] for r in replica.reports(every_source)}
    assert set(from_one) == expected
    assert from_machines == from_one
    assert any(report["cells"] for report in from_one.values())


def crawl_on_the_machines_and_merge(
    machines: dict[str, Machine], replica: Replica, tmp_path: Path, deadline: float
) -> Path:
    """Deploy, crawl on each machine, check each archive; merge them into one data directory,
    check it and build it; return that directory."""
    # The project as a user has it, without the build's leftovers in the checkout.
    tree = tmp_path / "checkout"
    ignore = shutil.ignore_patterns(".git", ".venv", "data", "build", "*.egg-info", "__pycache__", ".*_cache")
    shutil.copytree(REPO, tree, ignore=ignore)
    command(BUILD, tree, timeout=60)
    egg = tree / "nianbao.egg"
    assert egg.is_file()

    jobs: dict[str, str] = {}
    for name, machine in machines.items():
        machine.wait_up(deadline)
        api(UPLOAD, tree, **machine.where)
        answer = api(
            f"{SCHEDULE} {FAST}",
            tree,
            **machine.where,
            FILE=str(replica.sources),
            ID=",".join(MACHINES[name]),
        )
        jobs[name] = answer["jobid"]

    pending = dict(machines)
    while pending and time.monotonic() < deadline:
        for name, machine in list(pending.items()):
            listing = api(LISTJOBS, tree, **machine.where)
            finished = {job["id"]: job for job in listing["finished"]}
            if jobs[name] in finished:
                del pending[name]
        time.sleep(0.5)
    assert not pending, "crawls not finished in time:\n" + "\n".join(m.output() for m in pending.values())

    for name, machine in machines.items():
        archive = Archive(machine.data / "archive", readonly=True)
        try:
            got = {(d["url"], d["sha256"]) for d in archive.documents()}
        finally:
            archive.close()
        expected = {(r["url"], r["sha256"]) for r in replica.reports(MACHINES[name])}
        assert got == expected, machine.output()
        # The jobs ran the uploaded egg's code (unpacked), not the checkout's.
        assert list((machine.root / "egg-cache").glob("nianbao-egg-*/nianbao/crawler/profiles.yaml"))

    # The machines' archives merged into one and built, as the README says.
    everything = tmp_path / "all"
    dirs = {"ALL": str(everything), "DIR1": str(machines["a"].data), "DIR2": str(machines["b"].data)}
    merged = command(MERGE, tree, timeout=60, **dirs)
    assert "merged 2 archive(s)" in merged, merged
    print(merged)  # what the merge copied and deduplicated (pytest -s)
    verified = subprocess.run(
        [str(BIN / "nianbao"), "--data", str(everything), "archive", "verify", "--full"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    archive = Archive(everything / "archive", readonly=True)
    try:
        assert {r["machine"] for r in archive.runs()} == {"machine-a", "machine-b"}
    finally:
        archive.close()
    command(BUILD_ALL, tree, timeout=120, ALL=str(everything))
    return everything
