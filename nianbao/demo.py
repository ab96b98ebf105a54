"""``nianbao demo``: the whole pipeline offline — replica portals -> crawl -> build -> serve.

The crawl runs as its own process: Scrapy's Twisted reactor starts once per process
and takes over signal handling, and the demo still has a server to run after it.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import click
import sqlite_utils

from nianbao.paths import DataDir


@dataclass
class DemoResult:
    expected: int  # reports the replicas hold
    archived: int  # of those, in the database (by SHA-256)
    balanced_ok: int  # balanced reports with status ok
    balanced: int
    unbalanced_flagged: int  # unbalanced reports showing a failed check
    unbalanced: int

    def summary(self) -> str:
        return (
            f"{self.archived}/{self.expected} replica reports in the database; "
            f"{self.balanced_ok}/{self.balanced} balanced ones ok; "
            f"{self.unbalanced_flagged}/{self.unbalanced} unbalanced ones show their failed checks"
        )


def run_demo(data: DataDir, *, progress: bool = True) -> DemoResult:
    """Start the replicas, crawl them into ``data``, build the database; stop the replicas."""
    from nianbao.replicas.server import start
    from nianbao.replicas.sources import write_sources
    from nianbao.serve.build import build
    from nianbao.serve.documents import from_archive
    from nianbao.serve.sources import load_sources

    data.ensure()
    with start(port=0) as server:
        sources_file = write_sources(data.root / "replica-sources.yaml", server.base_url)
        click.echo(f"[1/3] replica portals at {server.base_url}", err=True)
        click.echo("[2/3] crawling them", err=True)
        crawl = subprocess.run(
            [
                sys.executable,
                "-m",
                "nianbao",
                "--data",
                str(data.root),
                "crawl",
                "--sources",
                str(sources_file),
                "--fast",
            ],
            timeout=1800,
        )
        if crawl.returncode != 0:
            raise click.ClickException(f"the crawl failed (exit {crawl.returncode}); see its output above")
        manifest = server.manifest()
    click.echo("[3/3] building the database", err=True)
    stats = build(
        data.database,
        from_archive(data.archive),
        sources=load_sources([sources_file]),
        provenance_db=data.archive / "provenance.db",
        progress=progress,
    )
    click.echo(f"{data.database}: {stats.summary()}", err=True)
    return check_against_manifest(data, manifest["reports"])


def check_against_manifest(data: DataDir, reports: list[dict]) -> DemoResult:
    db = sqlite_utils.Database(data.database)
    rows = {r["sha256"]: r for r in db.query("select sha256, status, checks_failed from reports")}
    failed_arithmetic = {
        r["report"]
        for r in db.query(
            "select r.sha256 as report from checks c join reports r on r.id = c.report "
            "where c.ok = 0 and c.check_id like 'T%' and c.scope = 'report'"
        )
    }
    balanced = [r for r in reports if r.get("balanced", True)]
    unbalanced = [r for r in reports if not r.get("balanced", True)]
    db.close()
    return DemoResult(
        expected=len(reports),
        archived=sum(r["sha256"] in rows for r in reports),
        balanced_ok=sum(rows.get(r["sha256"], {}).get("status") == "ok" for r in balanced),
        balanced=len(balanced),
        unbalanced_flagged=sum(r["sha256"] in failed_arithmetic for r in unbalanced),
        unbalanced=len(unbalanced),
    )


@click.command("demo")
@click.option("--no-serve", is_flag=True, help="Stop after the build.")
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to serve on (make demo PORT=...).",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to serve on (make demo HOST=...)."
)
@click.pass_obj
def demo_command(data: DataDir, no_serve: bool, port: int, host: str) -> None:
    """Offline demo: replica portals -> crawl -> build -> serve on 127.0.0.1:8001 (--port to change).

    The replicas publish synthetic reports under real bodies' names (and the real
    seed reports of ../shared, when present): reports.synthetic says which is which."""
    from nianbao.serve.cli import port_free, serve

    if not no_serve and not port_free(host, port):  # say so now, not after the crawl
        raise click.ClickException(f"port {port} on {host} is taken: stop what runs there, or use --port")
    result = run_demo(data)
    click.echo(result.summary())
    if not no_serve:
        serve(data, host, port)
