"""Crawl speed with politeness off: the replica portals (static lists, browser-rendered
lists) and the recorded real columns (through the recorded-columns proxy), pages per
second and peak memory.

    python -m benchmarks crawl

Each crawl runs ``nianbao crawl --fast`` in a fresh interpreter (Twisted's reactor
runs once per process) into a fresh data folder; the replica server runs here, on
127.0.0.1. Peak memory is the crawler process's maximum RSS (``wait4``); Chromium's
own processes are not in it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nianbao.replicas.recorded import load_recordings
from nianbao.replicas.recorded import write_sources as write_recorded_sources
from nianbao.replicas.recorded.proxy import start as start_proxy
from nianbao.replicas.server import start
from nianbao.replicas.sources import write_sources

REPO = Path(__file__).resolve().parents[1]
STATIC = ("replica-xinxiang-county", "replica-luoyang-xigong", "replica-pingdingshan-city")
BROWSER = ("replica-xinxiang-city",)
SUMMARY = re.compile(r"finished; (\d+) responses in ([\d.]+) s")


def crawl_once(sources: Path, ids: tuple[str, ...], data: Path, proxy: str | None = None) -> dict[str, float]:
    cmd = [
        sys.executable,
        "-c",
        "from nianbao.cli import main; main()",
        "--data",
        str(data),
        "crawl",
        "--sources",
        str(sources),
        "--fast",
    ]
    for sid in ids:
        cmd += ["--source", sid]
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={
            **os.environ,
            "NIANBAO_LOG_LEVEL": "ERROR",
            **({"http_proxy": proxy, "https_proxy": proxy} if proxy else {}),
        },
    )
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    match = SUMMARY.search(out)
    if os.waitstatus_to_exitcode(status) != 0 or not match:
        raise RuntimeError(f"crawl failed:\n{out}")
    responses, crawl_seconds = int(match.group(1)), float(match.group(2))
    reports = int(next(line.split()[2] for line in out.splitlines() if line.startswith("total")))
    return {
        "responses": responses,
        "reports": reports,
        "crawl_s": crawl_seconds,
        "wall_s": wall,
        "pages_per_s": responses / crawl_seconds if crawl_seconds else float("nan"),
        "peak_mb": usage.ru_maxrss / 1024,  # KiB on Linux
    }


def main() -> None:
    server = start(port=0, slow_seconds=0.0)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
            root = Path(tmp)
            sources = write_sources(root / "sources.yaml", server.base_url)
            rows = [("static lists (3 portals)", crawl_once(sources, STATIC, root / "static"))]
            rows.append(("static, re-run (304s)", crawl_once(sources, STATIC, root / "static")))
            if Path("/usr/bin/chromium").exists():
                rows.append(("browser-rendered (1 portal)", crawl_once(sources, BROWSER, root / "browser")))
            else:
                print("(no /usr/bin/chromium: browser-rendered crawl skipped)")
            recordings = load_recordings()
            recorded = write_recorded_sources(root / "recorded.yaml", recordings)
            with start_proxy(recordings) as proxy:
                name = f"recorded columns ({len(recordings)})"
                rows.append((name, crawl_once(recorded, (), root / "recorded", proxy.url)))
    finally:
        server.stop()
    header = f"{'crawl':<28} {'responses':>9} {'reports':>7} {'crawl s':>8} {'pages/s':>8} {'wall s':>7} {'peak MB':>8}"
    print(header)
    print("-" * len(header))
    for name, r in rows:
        print(
            f"{name:<28} {r['responses']:>9} {r['reports']:>7} {r['crawl_s']:>8.2f} {r['pages_per_s']:>8.1f} "
            f"{r['wall_s']:>7.2f} {r['peak_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
