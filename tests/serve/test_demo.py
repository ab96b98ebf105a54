"""End to end: `nianbao demo --no-serve` — replica portals, a real crawl, the build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
from nianbao.replicas.server import manifest

from nianbao.demo import check_against_manifest
from nianbao.paths import DataDir

NIANBAO = str(Path(sys.executable).with_name("nianbao"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[DataDir, subprocess.CompletedProcess]:
    data = DataDir(tmp_path_factory.mktemp("demo") / "data")
    done = subprocess.run(
        [NIANBAO, "--data", str(data.root), "demo", "--no-serve"], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return data, done


def test_every_archived_report_is_in_the_database(demo):
    data, _ = demo
    db = sqlite_utils.Database(data.database)
    archived = {
        r["sha256"]
        for r in db.query(
            "select distinct sha256 from fetches where role = 'report' and status between 200 and 299"
        )
    }
    assert archived
    assert archived == {r["sha256"] for r in db.query("select sha256 from reports")}
    # Provenance came along, and every report names its source portal and region.
    assert db["runs"].count >= 1
    assert not list(db.query("select sha256 from reports where source_id is null or province is null"))


def test_balanced_reports_are_ok_and_unbalanced_ones_show_failed_checks(demo):
    data, done = demo
    result = check_against_manifest(data, manifest()["reports"])
    db = sqlite_utils.Database(data.database)
    held = {r["sha256"] for r in db.query("select sha256 from reports")}
    balanced = [r for r in manifest()["reports"] if r["balanced"] and r["sha256"] in held]
    unbalanced = [r for r in manifest()["reports"] if not r["balanced"] and r["sha256"] in held]
    assert result.balanced_ok == len(balanced)
    assert result.unbalanced_flagged == len(unbalanced) > 0
    assert result.summary() in done.stdout


def test_the_database_holds_every_replica_report(demo):
    data, _ = demo
    result = check_against_manifest(data, manifest()["reports"])
    db = sqlite_utils.Database(data.database)
    held = {r["sha256"] for r in db.query("select sha256 from reports")}
    missing = [r["url"] for r in manifest()["reports"] if r["sha256"] not in held]
    assert result.archived == result.expected, f"not crawled: {missing}"


def test_a_second_build_parses_nothing(demo):
    data, _ = demo
    done = subprocess.run(
        [NIANBAO, "--data", str(data.root), "build", "--quiet"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert " 0 parsed (0 failed)" in done.stdout
