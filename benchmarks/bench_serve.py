"""Serve benchmark: the build's rate on text reports, and Datasette's response times on a
database of a million synthetic reports (``BENCH_SERVE_REPORTS``, default 1,000,000).

The build is timed for real: synthetic reports printed by the replicas' text renderer,
parsed and written by ``serve.build``. The large database is that build's reports
multiplied in SQL (new ids, SHA-256s, bodies, years, provinces; their tables 2–4 and
checks copied, a short text each with one word of a 10,000-word vocabulary for the
search), then summarised as the build does (``summarise``). Not multiplied: the long
``cell_values`` form and the section spans (no benchmarked page reads them).

Timed, each a median of ``REQUESTS`` after two warm-up requests: the reports table with
its facets (those metadata.yaml sets), a report's page, a body's page, a search for a
word in about a hundred reports, and report_summary filtered by year.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import sqlite_utils
from nianbao.replicas.render.text import render_text
from nianbao.replicas.synth import synthetic_report
from nianbao.serve import schema
from nianbao.serve.app import make_datasette
from nianbao.serve.build import build, summarise
from nianbao.serve.documents import from_paths
from nianbao.serve.search import index_terms

BUILD_REPORTS = int(os.environ.get("BENCH_SERVE_BUILD", "300"))
SERVED_REPORTS = int(os.environ.get("BENCH_SERVE_REPORTS", "1000000"))
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
VOCABULARY = 10_000  # words in the synthetic texts: a word is in about SERVED_REPORTS / 10,000 reports


def write_reports(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        record = synthetic_report(f"示例{i // 6}县第{i % 6}局", 2018 + i % 6, seed=i)
        (folder / f"{i:05d}.txt").write_bytes(render_text(record))


def word(k: int) -> str:
    """The k-th word of the synthetic vocabulary: two ideographs, as SQL makes it below."""
    return chr(0x4E00 + (k % 100) * 37) + chr(0x5E00 + (k // 100 % 100) * 41)


def multiply(db: sqlite_utils.Database, target: int) -> None:
    """Copies of the built reports, their tables 2–4 and checks, up to ``target`` reports, in SQL."""
    conn = db.conn
    conn.create_function("nianbao_terms", 1, index_terms, deterministic=True)
    built = conn.execute("select count(*), max(id) from reports").fetchone()
    count, base = built[0], built[1]
    extra = target - count
    if extra <= 0:
        return
    conn.execute(
        "create temp table originals as select row_number() over (order by id) - 1 as k, * from reports"
    )
    conn.execute("create temp table provinces (k integer primary key, name text)")
    conn.executemany("insert into temp.provinces values (?, ?)", list(enumerate(PROVINCES)))
    conn.execute("create temp table levels (k integer primary key, name text)")
    conn.executemany("insert into temp.levels values (?, ?)", list(enumerate(LEVELS)))
    # Report i (1..extra) copies original i % count; its body is one of extra / 6 bodies, six years each.
    numbers = "with recursive n(i) as (select 1 union all select i + 1 from n where i < :extra) "
    params = {"extra": extra, "count": count, "base": base}
    conn.execute(
        numbers
        + "insert into reports (id, sha256, title, body, year, form, status, checks_failed, synthetic, "
        "province, city, level, body_kind, archived_copy, published, fetched_at, kind, extraction, "
        "content_type, length, parser_version) "
        "select :base + n.i, printf('%064x', :base + n.i), o.title, p.name || '第' || (n.i / 6) || '机关', "
        "2018 + n.i % 6, o.form, o.status, o.checks_failed, 1, p.name, substr(p.name, 1, 2) || (n.i % 17) || '市', "
        "l.name, o.body_kind, '/-/original/' || printf('%064x', :base + n.i), o.published, o.fetched_at, o.kind, "
        "o.extraction, o.content_type, o.length, o.parser_version "
        "from n join temp.originals o on o.k = n.i % :count "
        "join temp.provinces p on p.k = (n.i / 6) % 10 join temp.levels l on l.k = (n.i * 7) % 4",
        params,
    )
    for table in (*schema.FORM_TABLES, "checks"):
        columns = [c for c in db[table].columns_dict if c != "report"]
        listed = ", ".join(f"[{c}]" for c in columns)
        conn.execute(
            f"create temp table copy_{table} as select o.k, t.* from [{table}] t join temp.originals o on o.id = t.report"
        )
        conn.execute(
            numbers + f"insert into [{table}] (report, {listed}) "
            f"select :base + n.i, {', '.join(f't.[{c}]' for c in columns)} "
            f"from n join temp.copy_{table} t on t.k = n.i % :count order by n.i",
            params,
        )
    conn.execute(
        numbers + "insert into report_texts (report, text) "
        "select :base + n.i, '政府信息公开工作年度报告 ' || char(19968 + (n.i % 100) * 37) || "
        "char(24064 + ((n.i / 100) % 100) * 41) || ' 行政复议 ' || (2018 + n.i % 6) from n",
        params,
    )
    conn.execute(
        f"insert into [{schema.FTS}] (rowid, terms) select report, nianbao_terms(text) from report_texts "
        "where report > :base",
        params,
    )
    conn.commit()
    summarise(db)
    conn.execute(f"insert into [{schema.FTS}] ([{schema.FTS}]) values ('optimize')")
    conn.commit()
    conn.execute("analyze")
    conn.commit()


def response_times(database: Path, paths: dict[str, str]) -> dict[str, list[float]]:
    datasette = make_datasette(database)

    async def run() -> dict[str, list[float]]:
        await datasette.invoke_startup()
        out = {}
        for name, path in paths.items():
            times = []
            for i in range(REQUESTS + 2):
                started = time.perf_counter()
                response = await datasette.client.get(path)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200, (path, response.text[:300])
                if i >= 2:  # the first requests warm SQLite's page cache
                    times.append(elapsed)
            out[name] = times
        return out

    return asyncio.run(run())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_reports(root / "docs", BUILD_REPORTS)
        database = root / "nianbao.db"
        stats = build(database, from_paths([root / "docs"]))
        rebuild = build(database, from_paths([root / "docs"]))
        size_built = database.stat().st_size

        started = time.perf_counter()
        db = sqlite_utils.Database(database)
        multiply(db, SERVED_REPORTS)
        served = db["reports"].count
        report = db.execute("select id, body from reports order by id desc limit 1").fetchone()
        searched = word(4321)
        hits = db.execute("select count(*) from report_texts where instr(text, ?)", [searched]).fetchone()[0]
        db.close()
        generated = time.perf_counter() - started
        size_served = database.stat().st_size
        pages = {
            "/nianbao/reports (its facets)": "/nianbao/reports",
            "a report's page": f"/nianbao/reports/{report[0]}",
            "a body's page": "/-/body/" + quote(report[1], safe=""),
            f"search ({hits} reports)": f"/nianbao/search?q={quote(searched)}",
            "/nianbao/report_summary?year=2022": "/nianbao/report_summary?year=2022",
        }
        times = response_times(database, pages)

    rows = [
        (
            "build, synthetic text reports",
            f"{stats.parsed} reports in {stats.seconds:.1f} s",
            f"{stats.parsed / stats.seconds:.0f} reports/s",
        ),
        (
            "second build, nothing new",
            f"{rebuild.parsed} parsed, {rebuild.unchanged} unchanged",
            f"{rebuild.seconds:.2f} s",
        ),
        (
            "database size (built)",
            f"{stats.parsed} reports",
            f"{size_built / stats.parsed / 1024:.1f} KiB per report",
        ),
        (
            "database made in SQL",
            f"{served:,} reports in {generated:.0f} s",
            f"{size_served / 2**20:,.0f} MiB",
        ),
        *(
            (name, f"{served:,} reports", f"median {statistics.median(t) * 1000:.0f} ms")
            for name, t in times.items()
        ),
    ]
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)))
    print(f"(target: each page median under 200 ms; {REQUESTS} requests each after 2 warm-up)")


if __name__ == "__main__":
    main()
