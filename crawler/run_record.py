"""The crawl as a run of the archive: opened when the spider opens, closed with its statistics.

An extension (``EXTENSIONS``) so every spider gets it; the middlewares and
pipelines reach the open run through :meth:`ArchiveRun.of`. With a JOBDIR the run
id is kept there, so a crawl killed and started again continues the same run.

Scrapy writes its JOBDIR (the request queue's index, ``active.json``) only when the
crawl closes; after ``kill -9`` (or an OOM kill, a power cut) the queue is gone while
``requests.seen`` holds whatever its buffer had flushed: requests marked seen that were
never fetched. That state is not trusted: a marker (``nianbao-running``, locked while
the crawl runs) left behind says the last crawl never closed, and the queue and the
seen set are dropped before Scrapy opens them. The crawl then starts again from its
start URLs and ``RunReplayMiddleware`` answers everything the run already archived
from the archive, so nothing archived is asked for again and nothing unfetched is lost.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import weakref
from collections import defaultdict
from pathlib import Path
from typing import Any

from nianbao.archive import Archive, ArchiveError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

RUN_ID_FILE = "nianbao-run-id"
RUNNING_FILE = "nianbao-running"  # present and locked while a crawl runs in the JOBDIR
# What Scrapy keeps in a JOBDIR that a crash leaves torn (written only on a clean close).
SCRAPY_QUEUE_STATE = ("requests.queue", "requests.seen")
SOURCE_KEYS = ("pages", "reports", "new", "unchanged", "duplicates", "errors", "refused")

_RUNS: weakref.WeakKeyDictionary[Crawler, ArchiveRun] = weakref.WeakKeyDictionary()


class JobdirBusy(RuntimeError):
    """Another crawl is running in this JOBDIR."""


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


class ArchiveRun:
    """Holds the archive and the run id for one crawl; counts per source."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        root = crawler.settings.get("NIANBAO_ARCHIVE")
        if not root:
            raise NotConfigured("NIANBAO_ARCHIVE is not set")
        self.root = Path(root)
        self.archive: Archive | None = None
        self.run_id: str | None = None
        self.resumed = False
        self.per_source: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SOURCE_KEYS, 0))
        self.crashed = False  # the last crawl in this JOBDIR ended without closing
        self._running: Any = None
        _RUNS[crawler] = self
        # Before the scheduler opens the JOBDIR (extensions are built first).
        self._claim_jobdir()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveRun:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @classmethod
    def of(cls, crawler: Crawler) -> ArchiveRun:
        """The run of this crawler (the extension must be enabled)."""
        try:
            return _RUNS[crawler]
        except KeyError:
            raise NotConfigured("nianbao.crawler.run_record.ArchiveRun is not in EXTENSIONS") from None

    @property
    def active(self) -> bool:
        return self.archive is not None and self.run_id is not None

    def count(self, source: str | None, key: str, n: int = 1) -> None:
        """Add ``n`` to a per-source counter (and to Scrapy's stats, for the log)."""
        source = source or "_unknown"
        self.per_source[source][key] = self.per_source[source].get(key, 0) + n
        self.crawler.stats.inc_value(f"nianbao/{key}", n)
        self.crawler.stats.inc_value(f"nianbao/source/{source}/{key}", n)

    def _claim_jobdir(self) -> None:
        """Lock the JOBDIR's marker; if a dead crawl left it, drop Scrapy's torn queue state."""
        jobdir = self.crawler.settings.get("JOBDIR")
        if not jobdir:
            return
        jobdir = Path(jobdir)
        jobdir.mkdir(parents=True, exist_ok=True)
        marker = jobdir / RUNNING_FILE
        f = marker.open("a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            raise JobdirBusy(f"another crawl is running in {jobdir} (its {RUNNING_FILE} is locked)") from None
        f.seek(0)
        left = f.read().strip()
        if left:
            self.crashed = True
            dropped = []
            for name in SCRAPY_QUEUE_STATE:
                path = jobdir / name
                if path.is_dir():
                    shutil.rmtree(path)
                    dropped.append(name)
                elif path.exists():
                    path.unlink()
                    dropped.append(name)
            logger.warning(
                "the last crawl in %s (%s) ended without closing (killed?); its Scrapy queue state "
                "is torn, dropped (%s): starting again from the start URLs, with what the run "
                "archived answered from the archive",
                jobdir,
                left,
                ", ".join(dropped) or "nothing there",
            )
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}\n")
        f.flush()
        os.fsync(f.fileno())
        self._running = f

    def _release_jobdir(self) -> None:
        if self._running is None:
            return
        marker = Path(self._running.name)
        marker.unlink(missing_ok=True)  # closed cleanly: Scrapy has written its state
        fcntl.flock(self._running, fcntl.LOCK_UN)
        self._running.close()
        self._running = None

    def _run_id_file(self) -> Path | None:
        jobdir = self.crawler.settings.get("JOBDIR")
        return Path(jobdir) / RUN_ID_FILE if jobdir else None

    def spider_opened(self, spider: Any) -> None:
        self.archive = Archive(self.root)
        id_file = self._run_id_file()
        previous = id_file.read_text().strip() if id_file and id_file.exists() else None
        if previous:
            try:
                self.run_id = self.archive.resume_run(previous)
                self.resumed = True
                logger.info("resuming archive run %s", self.run_id)
            except ArchiveError as exc:
                logger.info("not resuming run %s (%s); starting a new one", previous, exc)
        if self.run_id is None:
            sources = [s.id for s in getattr(spider, "sources", [])]
            settings = {
                key: self.crawler.settings.get(key)
                for key in (
                    "USER_AGENT",
                    "ROBOTSTXT_OBEY",
                    "AUTOTHROTTLE_ENABLED",
                    "DOWNLOAD_DELAY",
                    "CONCURRENT_REQUESTS_PER_DOMAIN",
                    "DOWNLOAD_MAXSIZE",
                    "JOBDIR",
                    "NIANBAO_FAST",
                    "NIANBAO_SINCE",
                )
            }
            self.run_id = self.archive.start_run(spider.name, sources=sources, settings=_json_safe(settings))
            if id_file:
                id_file.parent.mkdir(parents=True, exist_ok=True)
                id_file.write_text(self.run_id)
        self.crawler.stats.set_value("nianbao/run_id", self.run_id)
        if self.crashed:
            self.crawler.stats.set_value("nianbao/resumed_after_crash", True)

    def spider_closed(self, spider: Any, reason: str) -> None:
        try:
            self._close_run(reason)
        finally:
            self._release_jobdir()

    def _close_run(self, reason: str) -> None:
        if not self.active:
            return
        assert self.archive is not None and self.run_id is not None
        stats = _json_safe(self.crawler.stats.get_stats())
        per_source = {k: dict(v) for k, v in self.per_source.items()}
        try:
            self.archive.finish_run(self.run_id, reason, stats, per_source)
        finally:
            self.archive.close()
            self.archive = None
        id_file = self._run_id_file()
        if id_file and id_file.exists() and reason == "finished":
            id_file.unlink()  # the run is over; the next crawl with this JOBDIR is a new run
