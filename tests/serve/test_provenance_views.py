"""A demo-like build: the replica portals' report documents fetched over HTTP and
archived with the headers the server sent, plus one report from a "real" portal (no
header), then built with provenance. ``reports.synthetic`` comes from the archived
headers; ``runs``, ``run_sources``, ``source_health`` and ``sources_never_crawled`` read
without JSON, crawled sources first."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlite_utils
from nianbao.archive import Archive, Fetch
from nianbao.replicas.portals.real_reports import SEEDS, real_reports
from nianbao.replicas.render.text import render_text
from nianbao.replicas.server import start
from nianbao.replicas.sources import write_sources
from nianbao.replicas.synth import synthetic_report
from nianbao.serve.app import make_datasette
from nianbao.serve.build import build
from nianbao.serve.documents import from_archive
from nianbao.serve.sources import load_sources

from nianbao.paths import DataDir

VIEWS = ("runs", "run_sources", "source_health", "sources_never_crawled")
REAL_PORTAL_URL = "https://www.example.gov.cn/zwgk/ndbg/2023.txt"


@dataclass
class DemoLike:
    data: DataDir
    reports: list[dict]  # the replicas' manifest entries
    per_source: dict[str, dict[str, int]]


def _get(url: str) -> tuple[int, list[tuple[str, str]], bytes]:
    for _ in range(3):  # a flaky replica answers 500 once
        try:
            with urllib.request.urlopen(url, timeout=20) as response:
                return response.status, list(response.headers.items()), response.read()
        except urllib.error.HTTPError as error:
            if error.code != 500:
                raise
    raise AssertionError(f"{url} kept failing")


@pytest.fixture(scope="module")
def demo_like(tmp_path_factory: pytest.TempPathFactory) -> DemoLike:
    data = DataDir(tmp_path_factory.mktemp("provenance") / "data")
    data.ensure()
    with start(port=0, slow_seconds=0.0) as server:
        sources_file = write_sources(data.root / "replica-sources.yaml", server.base_url)
        reports = server.manifest()["reports"]
        archive = Archive(data.archive)
        crawled = sorted({f"replica-{r['portal']}" for r in reports})
        run_id = archive.start_run("portal", sources=crawled, settings={"NIANBAO_FAST": True})
        per_source: dict[str, dict[str, int]] = {}
        for report in reports:
            status, headers, body = _get(report["url"])
            source = f"replica-{report['portal']}"
            archive.record(
                run_id,
                Fetch(
                    url=report["url"],
                    status=status,
                    body=body,
                    response_headers=headers,
                    role="report",
                    source=source,
                ),
            )
            counts = per_source.setdefault(source, {"pages": 0, "reports": 0, "new": 0, "errors": 0})
            counts["reports"] += 1
            counts["new"] += 1
        # A report from a real portal: no header, so nobody knows (NULL), whatever its numbers.
        real_portal = render_text(synthetic_report("示例县人民政府", 2023, seed=77, level="county"))
        archive.record(
            run_id,
            Fetch(
                url=REAL_PORTAL_URL,
                status=200,
                body=real_portal,
                response_headers=[("Content-Type", "text/plain; charset=utf-8")],
                role="report",
            ),
        )
        totals = {f"nianbao/{k}": sum(c[k] for c in per_source.values()) for k in ("reports", "new")}
        archive.finish_run(run_id, "finished", {**totals, "elapsed_time_seconds": 1.25}, per_source)
        archive.close()
    build(
        data.database,
        from_archive(data.archive),
        sources=load_sources([sources_file]),
        provenance_db=data.archive / "provenance.db",
    )
    return DemoLike(data, reports, per_source)


def _db(demo_like: DemoLike) -> sqlite_utils.Database:
    return sqlite_utils.Database(demo_like.data.database)


def test_synthetic_replica_reports_are_marked_1(demo_like):
    db = _db(demo_like)
    marks = {r["sha256"]: r["synthetic"] for r in db.query("select sha256, synthetic from reports")}
    synthetic = [r for r in demo_like.reports if r["synthetic"]]
    assert synthetic
    assert all(marks[r["sha256"]] == 1 for r in synthetic), "every synthetic replica report says so"


def test_a_report_without_the_header_is_unknown(demo_like):
    db = _db(demo_like)
    rows = list(db.query("select synthetic from reports where source_url = ?", [REAL_PORTAL_URL]))
    assert rows == [{"synthetic": None}]


@pytest.mark.skipif(
    not SEEDS.is_dir(), reason="../shared/corpus/seeds is not here: the replicas hold no real reports"
)
def test_the_seed_reports_are_marked_real(demo_like):
    assert real_reports(), "the seeds parse"
    db = _db(demo_like)
    marks = {r["sha256"]: r["synthetic"] for r in db.query("select sha256, synthetic from reports")}
    real = [r for r in demo_like.reports if not r["synthetic"]]
    assert real, "the replicas publish the seed reports of their bodies"
    assert all(marks[r["sha256"]] == 0 for r in real)
    assert {r["sha256"] for r in real} == {sha for sha, mark in marks.items() if mark == 0}


def test_the_mark_is_rewritten_on_every_build(demo_like, tmp_path):
    """A build without a provenance.db (the fetches already copied) says the same again."""
    db = _db(demo_like)
    before = {r["sha256"]: r["synthetic"] for r in db.query("select sha256, synthetic from reports")}
    db.close()
    build(demo_like.data.database, from_archive(demo_like.data.archive))
    after = {
        r["sha256"]: r["synthetic"] for r in _db(demo_like).query("select sha256, synthetic from reports")
    }
    assert after == before


def _looks_like_json(value: object) -> bool:
    if not isinstance(value, str) or not value.strip().startswith(("{", "[")):
        return False
    try:
        return isinstance(json.loads(value), dict | list)
    except ValueError:
        return False


@pytest.mark.parametrize("name", VIEWS)
def test_provenance_views_have_no_json_columns(demo_like, name):
    db = _db(demo_like)
    table = db[name] if db[name].exists() else db.view(name)
    columns = list(table.columns_dict)
    assert columns
    assert not [c for c in columns if c.endswith("_json")]
    rows = list(db.query(f"select * from [{name}]"))
    assert rows
    assert not [(k, v) for row in rows for k, v in row.items() if _looks_like_json(v)]


def test_runs_and_run_sources_have_one_column_per_figure(demo_like):
    db = _db(demo_like)
    (run,) = db.query("select * from runs")
    assert run["outcome"] == "finished"
    assert run["reports"] == run["new"] == len(demo_like.reports)
    assert run["unchanged"] == 0  # a finished run's missing counter is 0
    assert run["seconds"] in (1.2, 1.3)  # rounded to a tenth
    # The archive's own figures of the run (it adds them when the run ends).
    assert run["fetches"] == db["fetches"].count == len(demo_like.reports) + 1
    assert run["new_reports"] == len(demo_like.reports) + 1
    assert run["sources"] == len(demo_like.per_source)
    assert run["fast"] == 1
    # The archive adds its own figures, also for fetches of no source ('').
    per_source = {r["source"]: r for r in db.query("select * from run_sources where source != ''")}
    assert set(per_source) == set(demo_like.per_source)
    for source, counts in demo_like.per_source.items():
        for key, value in counts.items():
            assert per_source[source][key] == value
    # The verbatim rows stay, for whoever wants the archive's JSON.
    assert db["runs_raw"].count == 1
    raw = json.loads(next(db.query("select stats_json from runs_raw"))["stats_json"])
    assert raw["archive"]["fetches"] == run["fetches"] and raw["elapsed_time_seconds"] == 1.25


def test_source_health_lists_crawled_sources_first(demo_like):
    db = _db(demo_like)
    rows = list(db.query("select * from source_health"))
    crawled = set(demo_like.per_source)
    head = rows[: len(crawled)]
    assert {r["source"] for r in head} == crawled
    assert all(r["status"].startswith("已抓取") and "crawled" in r["status"] for r in head)
    rest = rows[len(crawled) :]
    assert rest, "the registry holds sources the demo never crawls"
    assert all(r["status"] == "从未抓取 · never crawled" for r in rest)
    first = rows[0]
    assert first["reports"] > 0 and first["last_success"] and first["fetches"] > 0
    assert first["first_year"] <= first["last_year"]
    assert f"{first['last_year']}: " in first["reports_per_year"]
    never = {r["source"] for r in db.query("select source from sources_never_crawled")}
    assert never == {r["source"] for r in rest}
    assert not never & crawled


def test_datasette_serves_the_readable_tables(demo_like):
    ds = make_datasette(demo_like.data.database)

    async def run():
        out = {}
        for name in VIEWS:
            response = await ds.client.get(f"/nianbao/{name}.json?_shape=array&_size=5")
            assert response.status_code == 200, name
            out[name] = response.json()
        (run_row,) = out["runs"]
        page = await ds.client.get(f"/nianbao/runs/{run_row['run_id']}")
        assert page.status_code == 200
        # fetches.run_id and run_sources.run_id link to the run's row page.
        fetches = await ds.client.get("/nianbao/fetches?_size=1")
        assert f"/nianbao/runs/{run_row['run_id']}" in fetches.text
        return out

    out = asyncio.run(run())
    assert out["source_health"][0]["status"].startswith("已抓取")


def test_sources_never_crawled_without_fetches_table(tmp_path):
    """A build from files (no provenance at all) still has the views, every source never crawled."""
    from nianbao.serve.build import build as build_db
    from nianbao.serve.documents import from_paths

    path = tmp_path / "r.txt"
    path.write_bytes(render_text(synthetic_report("示例县教育局", 2023, seed=5)))
    database = tmp_path / "n.db"
    build_db(database, from_paths([path]), sources={"x": {"id": "x", "name": "示例县人民政府"}})
    db = sqlite_utils.Database(database)
    assert [r["synthetic"] for r in db.query("select synthetic from reports")] == [None]
    assert [r["status"] for r in db.query("select status from source_health")] == ["从未抓取 · never crawled"]
    assert Path(database).is_file()
