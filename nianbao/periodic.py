"""``nianbao run``: one command for cron or a systemd timer — crawl what is due, then build.

    nianbao run                          # the registry's sources not crawled within 20 h, then build
    nianbao run --all                    # every source, due or not
    nianbao run --interval 7d --source henan-xinxiang-city
    nianbao --data /tmp/d run --sources local.yaml --fast

When a source is due, judged from the archive's provenance (``runs``): a source is
*crawled* when a run that listed it (``runs.sources_json``) ended with outcome
``finished``; it is due when no such run *started* within ``--interval`` (measured
from the start, so a daily timer finds yesterday's sources due again whatever the
crawl took). A source never crawled, or whose runs were interrupted or failed, is
due. Sources with neither homepage nor column (``Source.crawlable`` false) are
never due: the crawler has nowhere to start them.

The crawl is ``nianbao crawl`` (crawler/cli.py) with the due sources as
``--source``; the build is ``nianbao build`` (serve/cli.py). Their output goes to
standard error; standard output gets one line for monitoring::

    nianbao run: ok crawled 3 sources, 72 reports (5 new), built 72 reports in 4.1 s
    nianbao run: failed crawl interrupted (shutdown); crawled 3 sources, 40 reports (5 new); built 70 reports in 3.9 s; 9.0 s in all
    nianbao run: locked: another run (pid 812, started 2026-12-01T03:00:02Z) holds data/run.lock

Two runs never overlap: the first holds an exclusive ``flock`` on
``<data>/run.lock`` until it exits (the kernel drops it when the process dies, so
a killed run leaves no stale lock); a second exits at once with status 75.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import click

from nianbao.crawler.cli import since_option, source_option, sources_option
from nianbao.paths import DataDir

LOCK_NAME = "run.lock"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_LOCKED = 75  # EX_TEMPFAIL (sysexits.h): try again later
DEFAULT_INTERVAL = "20h"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class RunLocked(Exception):
    """Another ``nianbao run`` holds the lock."""


def parse_interval(text: str) -> timedelta:
    """``90m``, ``20h``, ``7d``, ``2w`` (or a bare number of seconds) -> timedelta."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text.lower())
    if not match:
        raise ValueError(f"not an interval: {text!r} (e.g. 30m, 20h, 7d)")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2) or "s"])


class IntervalType(click.ParamType):
    name = "interval"

    def convert(self, value: Any, param: Any, ctx: Any) -> timedelta:
        if isinstance(value, timedelta):
            return value
        try:
            return parse_interval(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


@contextlib.contextmanager
def run_lock(data: DataDir) -> Iterator[Path]:
    """Hold ``<data>/run.lock`` exclusively (flock) for the block, or raise :class:`RunLocked`."""
    data.ensure()
    path = data.root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            raise RunLocked(f"another run ({holder}) holds {path}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {_now():%Y-%m-%dT%H:%M:%SZ}".encode(), 0)
        yield path
    finally:
        os.close(fd)  # releases the flock


def _now() -> datetime:
    return datetime.now(UTC)


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _provenance_runs(archive: Path) -> list[dict[str, Any]]:
    """Every run in the archive's provenance database (read-only; none without an archive)."""
    db = archive / "provenance.db"
    if not db.is_file():
        return []
    conn = sqlite3.connect(f"file:{db.resolve()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        runs = [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY started_at")]
        per_source: dict[str, dict[str, dict]] = {}
        for row in conn.execute("SELECT run_id, source, stats_json FROM run_sources"):
            per_source.setdefault(row["run_id"], {})[row["source"]] = json.loads(row["stats_json"] or "{}")
    finally:
        conn.close()
    for run in runs:
        run["sources"] = json.loads(run.get("sources_json") or "[]")
        run["per_source"] = per_source.get(run["run_id"], {})
    return runs


def last_crawled(archive: Path) -> dict[str, datetime]:
    """Per source: when the latest finished run that listed it started."""
    out: dict[str, datetime] = {}
    for run in _provenance_runs(archive):
        started = _when(run.get("started_at"))
        if run.get("outcome") != "finished" or started is None:
            continue
        for source in run["sources"]:
            if source not in out or started > out[source]:
                out[source] = started
    return out


@dataclass
class Due:
    due: list[Any]  # crawler Source objects, in the order given
    fresh: list[str]  # ids crawled within the interval
    skipped: list[str]  # ids the crawler cannot start (no homepage, no column)


def due_sources(sources: Sequence[Any], archive: Path, interval: timedelta | None, now: datetime) -> Due:
    """Which of ``sources`` are due (``interval`` None: all crawlable ones)."""
    crawled = last_crawled(archive) if interval is not None else {}
    result = Due([], [], [])
    for source in sources:
        if not getattr(source, "crawlable", True):
            result.skipped.append(source.id)
        elif interval is not None and source.id in crawled and now - crawled[source.id] < interval:
            result.fresh.append(source.id)
        else:
            result.due.append(source)
    return result


def _database_reports(database: Path) -> int | None:
    if not database.is_file():
        return None
    conn = sqlite3.connect(f"file:{database.resolve()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM reports").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _crawl_counts(archive: Path, since: datetime) -> tuple[list[dict], int, int, int]:
    """The runs that ended since ``since`` (this crawl, resumed or new): runs, reports, new, errors."""
    runs = [r for r in _provenance_runs(archive) if (_when(r.get("ended_at")) or since) > since]
    reports = new = errors = 0
    for run in runs:
        for counts in run["per_source"].values():
            reports += int(counts.get("reports", 0) or 0)
            new += int(counts.get("new", 0) or 0)
            errors += int(counts.get("errors", 0) or 0)
    return runs, reports, new, errors


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@contextlib.contextmanager
def _detail_to(stream: TextIO | None) -> Iterator[None]:
    """Send what the stages print on standard output to ``stream`` (None: nowhere)."""
    target = stream if stream is not None else open(os.devnull, "w")  # noqa: SIM115
    try:
        with contextlib.redirect_stdout(target):
            yield
    finally:
        target.flush()
        if stream is None:
            target.close()


@click.command("run")
@sources_option
@source_option
@since_option
@click.option(
    "--interval",
    type=IntervalType(),
    default=DEFAULT_INTERVAL,
    show_default=True,
    help="A source is due when no finished crawl of it started within this (30m, 20h, 7d, 2w).",
)
@click.option("--all", "crawl_all", is_flag=True, help="Crawl every source, due or not.")
@click.option(
    "--fast", is_flag=True, help="Politeness off (no delays, more concurrency): local sources only."
)
@click.option("--quiet", is_flag=True, help="Print only the summary line (and Scrapy's log).")
@click.pass_context
def run_command(
    ctx: click.Context,
    sources_files: tuple[Path, ...],
    source_ids: tuple[str, ...],
    since: int | None,
    interval: timedelta,
    crawl_all: bool,
    fast: bool,
    quiet: bool,
) -> None:
    """Crawl the sources that are due, then build the database: for cron or a systemd timer.

    Standard output gets one summary line (`nianbao run: ok …` or `nianbao run:
    failed …`); the crawl's and build's own output goes to standard error. Exit
    status: 0 ok, 1 failed (crawl or build), 2 bad arguments, 75 another run holds
    the lock (<data>/run.lock) and this one did nothing.
    """
    from nianbao.crawler.sources import SourceError, load_registry, load_sources, select_sources

    data: DataDir = ctx.obj
    started = time.monotonic()
    try:
        loaded = load_sources(list(sources_files)) if sources_files else load_registry()
        candidates = select_sources(loaded, source_ids)
    except SourceError as exc:
        raise click.UsageError(str(exc)) from None
    if fast and any(not s.local for s in candidates):
        raise click.UsageError(
            "--fast is only for local sources (the replicas): "
            + ", ".join(s.id for s in candidates if not s.local)[:200]
        )
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(run_lock(data))
        except RunLocked as exc:
            click.echo(f"nianbao run: locked: {exc}; this run did nothing")
            ctx.exit(EXIT_LOCKED)
        code = _run_locked(
            ctx, data, candidates, sources_files, since, None if crawl_all else interval, fast, quiet, started
        )
    ctx.exit(code)


def _yaml_files(paths: Sequence[Path]) -> tuple[Path, ...]:
    """The YAML files given, folders expanded (``nianbao build --sources`` takes files)."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path])
    return tuple(files)


def _run_locked(
    ctx: click.Context,
    data: DataDir,
    candidates: Sequence[Any],
    sources_files: tuple[Path, ...],
    since: int | None,
    interval: timedelta | None,
    fast: bool,
    quiet: bool,
    started: float,
) -> int:
    """Crawl what is due, build, print the summary line; return the exit status."""
    from nianbao.crawler.cli import crawl_command
    from nianbao.serve.cli import build_command

    now = _now()
    due = due_sources(candidates, data.archive, interval, now)
    detail = None if quiet else sys.stderr
    failures: list[str] = []
    crawl_part = ""
    if due.due:
        if not quiet:
            click.echo(
                f"nianbao run: {len(due.due)} due, {len(due.fresh)} crawled within the interval, "
                f"{len(due.skipped)} not crawlable",
                err=True,
            )
        crawl_started = now - timedelta(seconds=1)
        interrupted = False
        try:
            with _detail_to(detail):
                ctx.invoke(
                    crawl_command,
                    sources_files=sources_files,
                    source_ids=tuple(s.id for s in due.due),
                    since=since,
                    fast=fast,
                    no_resume=False,
                )
        except SystemExit as exc:
            interrupted = exc.code not in (0, None)
        except click.ClickException as exc:
            failures.append(f"crawl: {exc.format_message()}")
        except Exception as exc:  # noqa: BLE001 - reported on the summary line
            failures.append(f"crawl: {type(exc).__name__}: {exc}")
        runs, reports, new, errors = _crawl_counts(data.archive, crawl_started)
        outcomes = [r.get("outcome") for r in runs]
        unfinished = [str(o) for o in outcomes if o != "finished"]
        if not failures and (interrupted or unfinished):
            failures.append("crawl interrupted" + (f" ({', '.join(unfinished)})" if unfinished else ""))
        errors_part = f", {_plural(errors, 'error')}" if errors else ""
        crawl_part = f"crawled {_plural(len(due.due), 'source')}, {_plural(reports, 'report')} ({new} new{errors_part})"
    else:
        crawl_part = (
            f"nothing due ({len(due.fresh)} of {len(candidates)} sources crawled within the interval)"
        )
    build_part = ""
    if data.archive.is_dir():
        build_started = time.monotonic()
        try:
            with _detail_to(detail):
                ctx.invoke(
                    build_command,
                    from_disk=False,
                    paths=(),
                    sources_files=_yaml_files(sources_files),
                    quiet=True,
                )
            count = _database_reports(data.database)
            build_part = f"built {_plural(count or 0, 'report')} in {time.monotonic() - build_started:.1f} s"
        except click.ClickException as exc:
            failures.append(f"build: {exc.format_message()}")
        except Exception as exc:  # noqa: BLE001 - reported on the summary line
            failures.append(f"build: {type(exc).__name__}: {exc}")
    else:
        build_part = "nothing to build (no archive yet)"
    total = f"{time.monotonic() - started:.1f} s in all"
    if failures:
        parts = ["; ".join(failures), crawl_part, build_part, total]
        click.echo(" ".join(("nianbao run: failed " + "; ".join(p for p in parts if p)).split()))
        code = EXIT_FAILED
    else:
        click.echo(
            f"nianbao run: ok {crawl_part}, {build_part}" if build_part else f"nianbao run: ok {crawl_part}"
        )
        code = EXIT_OK
    return code
