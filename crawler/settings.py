"""Scrapy settings for nianbao: polite by default.

Government portals are public services run on small budgets; we fetch as a
considerate reader would: robots.txt obeyed, one request at a time per site,
at least a second apart (AutoThrottle slows further when the site is slow), an
honest User-Agent with a contact URL. ``FAST_SETTINGS`` turns that off and is
only accepted for local sources (the replica portals in tests and benchmarks).
"""

from __future__ import annotations

import os
from pathlib import Path

from nianbao import chromium

BOT_NAME = "nianbao"
SPIDER_MODULES = ["nianbao.crawler.spiders"]
NEWSPIDER_MODULE = "nianbao.crawler.spiders"

USER_AGENT = (
    "nianbao/0.1 (+https://github.com/nianbao/nianbao; "
    "archive of government information-disclosure annual reports)"
)
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}

# Politeness.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.5
DOWNLOAD_DELAY_JITTER = 0.5  # each delay 0.5x..1.5x, so requests do not tick like a clock
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Robustness: portals answer 500 under load and recover; slow ones still answer.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 5
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024  # per response; a source may lower it (limits.max_bytes)
DOWNLOAD_WARNSIZE = 30 * 1024 * 1024
# Error responses reach the archive middleware anyway; the spider needs only 2xx.
HTTPERROR_ALLOWED_CODES: list[int] = []
COOKIES_ENABLED = True
# No control endpoints: Scrapy's telnet console and its remote-control server (on by
# default since 2.19: a loopback port that runs Python, with token files in ~/.local/state).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = os.environ.get("NIANBAO_LOG_LEVEL", "INFO")

# Where things go: the archive, and JOBDIRs (resume) under data/jobs/.
NIANBAO_DATA = os.environ.get("NIANBAO_DATA", "data")
NIANBAO_ARCHIVE = str(Path(NIANBAO_DATA) / "archive")
NIANBAO_JOBS = str(Path(NIANBAO_DATA) / "jobs")
# Per-source limits (a source's `limits:` overrides them).
NIANBAO_MAX_PAGES = 2000
NIANBAO_MAX_DEPTH = 5
NIANBAO_MAX_SECONDS = 3600
NIANBAO_FAST = False
NIANBAO_SINCE = None

DOWNLOADER_MIDDLEWARES = {
    "nianbao.crawler.middlewares.SafetyMiddleware": 60,
    "nianbao.crawler.middlewares.RunReplayMiddleware": 930,
    "nianbao.crawler.middlewares.ConditionalRequestMiddleware": 940,
    "nianbao.crawler.middlewares.ArchiveMiddleware": 950,
}
ITEM_PIPELINES = {
    "nianbao.crawler.pipelines.DuplicateContentPipeline": 100,
    "nianbao.crawler.pipelines.SourceStatsPipeline": 200,
}
EXTENSIONS = {
    "nianbao.crawler.run_record.ArchiveRun": 10,
}

# Chromium only for requests marked `playwright` (sources with browser: true);
# every other request goes through Scrapy's own HTTP handler.
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = chromium.launch_options()
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 60_000
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
# Every request a rendered page makes passes the sources' host and address rules.
PLAYWRIGHT_ABORT_REQUEST = "nianbao.crawler.browser_guard.abort_request"

# Politeness off: only for local sources (enforced by the spider).
FAST_SETTINGS = {
    "NIANBAO_FAST": True,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_TIMEOUT": 15,
    "LOG_LEVEL": os.environ.get("NIANBAO_LOG_LEVEL", "WARNING"),
}
