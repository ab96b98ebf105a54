"""Serve benchmark: build time per 1,000 reports, and Datasette's response time for the
reports table with its default facets on a database of 100,000 synthetic reports.

The build is timed for real: synthetic reports printed by the replicas' text renderer,
parsed and written by ``serve.build``. The 100,000-report database is that build's
rows multiplied in SQL (new SHA-256, bodies, years and provinces), since parsing
100,000 documents would take this shared machine most of an hour.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import sqlite_utils
from nianbao.replicas.render.text import render_text
from nianbao.replicas.synth import synthetic_report
from nianbao.serve.app import make_datasette
from nianbao.serve.build import build
from nianbao.serve.documents import from_paths

BUILD_REPORTS = int(os.environ.get("BENCH_SERVE_BUILD", "200"))
SERVED_REPORTS = int(os.environ.get("BENCH_SERVE_REPORTS", "100000"))
REQUESTS = 15
PROVINCES = [
    "河南省",
    "江苏省",
    "浙江省",
    "四川省",
    "山东省",
    "福建省",
    "湖南省",
    "云南省",
    "甘肃省",
    "辽宁省",
]
LEVELS = ["province", "city", "county", "district"]


def write_reports(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        record = synthetic_report(f"示例{i // 6}县第{i % 6}局", 2018 + i % 6, seed=i)
        (folder / f"{i:05d}.txt").write_bytes(render_text(record))


def multiply(db: sqlite_utils.Database, target: int) -> None:
    """Copies of the built reports (and their tables 3 and 4) up to ``target`` reports."""
    rng = random.Random(1)
    originals = list(db.query("select * from reports"))
    t3 = {}
    for row in db.query("select * from applications"):
        t3.setdefault(row["report"], []).append(row)
    t4 = {}
    for row in db.query("select * from review_litigation"):
        t4.setdefault(row["report"], []).append(row)
    reports, applications, review = [], [], []
    for n in range(target - len(originals)):
        original = originals[n % len(originals)]
        sha = hashlib.sha256(f"{original['sha256']}{n}".encode()).hexdigest()
        province = rng.choice(PROVINCES)
        body = f"{province}第{n // 6}机关"
        year = 2018 + n % 6
        reports.append(
            {
                **original,
                "sha256": sha,
                "body": body,
                "year": year,
                "province": province,
                "city": f"{province[:2]}{n % 17}市",
                "level": rng.choice(LEVELS),
                "archived_copy": f"/-/original/{sha}",
            }
        )
        applications += [
            {**r, "report": sha, "body": body, "year": year} for r in t3.get(original["sha256"], [])
        ]
        review += [{**r, "report": sha, "body": body, "year": year} for r in t4.get(original["sha256"], [])]
        if len(reports) >= 5000:
            _flush(db, reports, applications, review)
    _flush(db, reports, applications, review)
    db.execute("analyze")
    db.conn.commit()


def _flush(db, reports, applications, review) -> None:
    db["reports"].insert_all(reports, batch_size=1000)
    db["applications"].insert_all(applications, batch_size=1000)
    db["review_litigation"].insert_all(review, batch_size=1000)
    reports.clear()
    applications.clear()
    review.clear()


def response_times(database: Path, path: str) -> list[float]:
    datasette = make_datasette(database)

    async def run() -> list[float]:
        await datasette.invoke_startup()
        times = []
        for i in range(REQUESTS + 2):
            started = time.perf_counter()
            response = await datasette.client.get(path)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text[:300]
            if i >= 2:  # the first requests warm SQLite's page cache
                times.append(elapsed)
        return times

    return asyncio.run(run())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_reports(root / "docs", BUILD_REPORTS)
        database = root / "nianbao.db"
        stats = build(database, from_paths([root / "docs"]))
        rebuild = build(database, from_paths([root / "docs"]))
        per_thousand = stats.seconds / stats.parsed * 1000
        size_built = database.stat().st_size

        db = sqlite_utils.Database(database)
        multiply(db, SERVED_REPORTS)
        served = db["reports"].count
        db.close()
        facets = "&".join(f"_facet={f}" for f in ("province", "city", "level", "year", "form", "status"))
        table = response_times(database, "/nianbao/reports")
        explicit = response_times(database, f"/nianbao/reports?{facets}")
        summary = response_times(database, "/nianbao/report_summary?year=2022")

    rows = [
        (
            "build, synthetic text reports",
            f"{stats.parsed} reports in {stats.seconds:.1f} s",
            f"{per_thousand:.0f} s per 1,000",
        ),
        (
            "second build, nothing new",
            f"{rebuild.parsed} parsed, {rebuild.unchanged} unchanged",
            f"{rebuild.seconds:.2f} s",
        ),
        (
            "database size (built)",
            f"{stats.parsed} reports",
            f"{size_built / stats.parsed / 1024:.0f} KiB per report",
        ),
        (
            "/nianbao/reports, default facets",
            f"{served:,} reports",
            f"median {statistics.median(table) * 1000:.0f} ms",
        ),
        (
            "/nianbao/reports?_facet=×6",
            f"{served:,} reports",
            f"median {statistics.median(explicit) * 1000:.0f} ms",
        ),
        (
            "/nianbao/report_summary?year=2022",
            f"{served:,} reports",
            f"median {statistics.median(summary) * 1000:.0f} ms",
        ),
    ]
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)))
    print(
        f"(target: reports table with facets, median under 200 ms; {REQUESTS} requests each after 2 warm-up)"
    )


if __name__ == "__main__":
    main()
