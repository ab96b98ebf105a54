"""``nianbao crawl``: run the portal spider in-process, show progress, print a summary.

    nianbao crawl                                  # every source of the registry
    nianbao crawl --source henan-xinxiang-city     # one (repeat for more)
    nianbao crawl --sources my.yaml --since 2020
    nianbao --data /tmp/d crawl --sources local.yaml --fast   # replicas only

An interrupted crawl (Ctrl-C, kill) resumes when run again with the same
arguments: the JOBDIR under ``data/jobs/`` keeps Scrapy's queue and seen
requests, and is removed once a crawl finishes. After ``kill -9`` that queue is
torn (Scrapy writes it on close): the crawl starts again from its start URLs, and
what the run archived is answered from the archive (``RunReplayMiddleware``).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from nianbao.crawler.sources import SourceError, load_registry, load_sources, select_sources

SUMMARY_KEYS = ("pages", "reports", "new", "unchanged", "duplicates", "errors", "refused")


def crawl_settings(data_root: Path, jobdir: Path | None, *, fast: bool, since: int | None) -> Any:
    """The project settings with this run's paths and switches."""
    from nianbao.crawler import settings as project
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule(project, priority="project")
    settings.set("NIANBAO_DATA", str(data_root), priority="cmdline")
    settings.set("NIANBAO_ARCHIVE", str(data_root / "archive"), priority="cmdline")
    if jobdir is not None:
        settings.set("JOBDIR", str(jobdir), priority="cmdline")
    if fast:
        settings.set("NIANBAO_FAST", True, priority="cmdline")
        for key, value in project.FAST_SETTINGS.items():
            settings.set(key, value, priority="cmdline")
    if since:
        settings.set("NIANBAO_SINCE", since, priority="cmdline")
    return settings


def job_key(files: Sequence[str], ids: Sequence[str], since: int | None) -> str:
    """A stable name for the JOBDIR of these arguments, so the same command resumes."""
    text = "|".join([*sorted(str(Path(f).resolve()) for f in files), *sorted(ids), str(since or "")])
    return "portal-" + hashlib.sha256(text.encode()).hexdigest()[:12]


class Progress:
    """One status line, updated as pages and reports come in (per source on the line)."""

    def __init__(self, crawler: Any, stream: Any = sys.stderr, every: float = 0.5) -> None:
        from nianbao.crawler.run_record import ArchiveRun
        from scrapy import signals

        self.crawler = crawler
        self.run = ArchiveRun.of(crawler)
        self.stream = stream
        self.every = every
        self.last = 0.0
        self.tty = stream.isatty()
        crawler.signals.connect(self.tick, signal=signals.response_received)
        crawler.signals.connect(self.tick, signal=signals.item_scraped)

    def line(self) -> str:
        parts = []
        total_pages = total_reports = 0
        for sid, counts in sorted(self.run.per_source.items()):
            total_pages += counts.get("pages", 0) + counts.get("documents", 0)
            total_reports += counts.get("reports", 0)
            parts.append(f"{sid} {counts.get('reports', 0)}")
        return f"{total_reports} reports / {total_pages} fetched  [" + ", ".join(parts[-4:]) + "]"

    def tick(self, *args: Any, **kwargs: Any) -> None:
        now = time.monotonic()
        if now - self.last < (self.every if self.tty else 10.0):
            return
        self.last = now
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def summary_table(per_source: dict[str, dict[str, int]]) -> str:
    """Per source: pages, reports found, new, unchanged, duplicates, errors, refused."""
    rows = [("source", *SUMMARY_KEYS)]
    totals = dict.fromkeys(SUMMARY_KEYS, 0)
    for sid in sorted(per_source):
        counts = per_source[sid]
        rows.append((sid, *(str(counts.get(k, 0)) for k in SUMMARY_KEYS)))
        for k in SUMMARY_KEYS:
            totals[k] += counts.get(k, 0)
    rows.append(("total", *(str(totals[k]) for k in SUMMARY_KEYS)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(len(lines) - 1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# The options that choose sources, shared by every command that takes sources.
sources_option = click.option(
    "--sources",
    "sources_files",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Sources YAML file or folder, repeatable (default: the registry, crawler/sources/registry/).",
)
source_option = click.option(
    "--source", "source_ids", multiple=True, metavar="ID", help="Only this source (repeatable)."
)
since_option = click.option(
    "--since", type=click.IntRange(2008, 2100), default=None, help="Only reports for this year or later."
)


@click.command("crawl")
@sources_option
@source_option
@since_option
@click.option(
    "--fast", is_flag=True, help="Politeness off (no delays, more concurrency): local sources only."
)
@click.option("--no-resume", is_flag=True, help="Start afresh even if an interrupted crawl left a JOBDIR.")
@click.pass_obj
def crawl_command(
    data: Any,
    sources_files: tuple[Path, ...],
    source_ids: tuple[str, ...],
    since: int | None,
    fast: bool,
    no_resume: bool,
) -> None:
    """Crawl report columns into the archive (WARC + blobs + provenance)."""
    from nianbao.crawler.run_record import RUNNING_FILE, ArchiveRun
    from nianbao.crawler.spiders.portal import PortalSpider
    from scrapy.crawler import CrawlerProcess

    try:
        loaded = load_sources(list(sources_files)) if sources_files else load_registry()
        sources = select_sources(loaded, source_ids)
    except SourceError as exc:
        raise click.UsageError(str(exc)) from None
    if not sources:
        raise click.UsageError("no sources to crawl")
    if fast and any(not s.local for s in sources):
        raise click.UsageError(
            "--fast is only for local sources (the replicas): "
            + ", ".join(s.id for s in sources if not s.local)[:200]
        )
    data.ensure()
    jobdir = data.jobs / job_key([str(f) for f in sources_files], [s.id for s in sources], since)
    if no_resume and jobdir.exists():
        shutil.rmtree(jobdir)
    if (jobdir / RUNNING_FILE).exists():
        click.echo(
            f"resuming the crawl in {jobdir}, which was killed: what it archived is read from the "
            "archive, not asked for again",
            err=True,
        )
    elif jobdir.exists():
        click.echo(f"resuming the interrupted crawl in {jobdir}", err=True)
    settings = crawl_settings(data.root, jobdir, fast=fast, since=since)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    progress: Progress | None = None

    def attach(*_: Any, **__: Any) -> None:
        nonlocal progress
        progress = Progress(crawler)

    from scrapy import signals

    crawler.signals.connect(attach, signal=signals.engine_started)
    click.echo(f"crawling {len(sources)} source(s) into {data.archive}", err=True)
    process.crawl(crawler, sources=sources, since=since)
    process.start()
    if progress is not None:
        progress.done()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = stats.get("finish_reason", "unknown")
    try:
        per_source = ArchiveRun.of(crawler).per_source
    except Exception:
        per_source = {}
    click.echo(summary_table({k: v for k, v in per_source.items()}))
    click.echo(
        f"run {stats.get('nianbao/run_id', '?')}: {reason}; "
        f"{stats.get('downloader/response_count', 0)} responses in "
        f"{stats.get('elapsed_time_seconds', 0):.1f} s"
    )
    if reason == "finished":
        shutil.rmtree(jobdir, ignore_errors=True)
    else:
        click.echo(f"interrupted ({reason}); run the same command again to resume", err=True)
        sys.exit(1)
