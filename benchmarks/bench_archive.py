"""Archive throughput and memory: small pages per second, and a 50 MB body's peak extra memory.

Everything runs in a temporary folder; nothing touches data/.
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from nianbao.archive import Archive, Fetch
from nianbao.archive.verify import verify

PAGES = 300
LARGE = 50 * (1 << 20)


def _page(i: int, body: bytes) -> Fetch:
    return Fetch(
        url=f"http://gov.test/zfxxgk/{i}.html",
        status=200,
        body=body,
        role="page",
        response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
    )


def bench_pages(root: Path, durable: bool) -> float:
    page = ("<tr><td>本行政机关2023年度政府信息公开工作年度报告</td></tr>" * 300).encode()
    archive = Archive(root, durable=durable)
    run = archive.start_run("bench")
    started = time.perf_counter()
    for i in range(PAGES):
        archive.record(run, _page(i, page + str(i).encode()))
    elapsed = time.perf_counter() - started
    archive.finish_run(run, "finished")
    archive.close()
    return PAGES / elapsed


def bench_large(root: Path, *, from_file: bool) -> tuple[float, float]:
    """Seconds and peak Python memory (MiB) beyond the body itself, for one 50 MB record."""
    body = os.urandom(LARGE)  # PDFs are mostly compressed streams: incompressible
    archive = Archive(root)
    run = archive.start_run("bench-large")
    if from_file:
        path = root / "body.bin"
        path.write_bytes(body)
        del body
        fetch = Fetch(url="http://gov.test/big.pdf", status=200, body_path=path, role="report")
    else:
        fetch = Fetch(url="http://gov.test/big.pdf", status=200, body=body, role="report")
    tracemalloc.start()
    started = time.perf_counter()
    archive.record(run, fetch)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    archive.finish_run(run, "finished")
    archive.close()
    return elapsed, peak / (1 << 20)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        tmp = Path(tmp)
        for durable in (True, False):
            rate = bench_pages(tmp / f"pages-{durable}", durable)
            print(f"small pages (~22 KB HTML), durable={durable}: {rate:,.0f} records/s")
        for from_file in (False, True):
            elapsed, peak = bench_large(tmp / f"large-{from_file}", from_file=from_file)
            how = "body_path (streamed from a file)" if from_file else "body in memory"
            print(
                f"50 MB body, {how}: {elapsed:.1f} s ({LARGE / elapsed / (1 << 20):.0f} MB/s), "
                f"peak extra Python memory {peak:.1f} MiB (the body itself is {LARGE / (1 << 20):.0f} MiB)"
            )
        archive = Archive(tmp / "pages-True", readonly=True)
        started = time.perf_counter()
        problems = verify(archive, full=True)
        print(
            f"verify --full of {PAGES} records: {time.perf_counter() - started:.2f} s, {len(problems)} problems"
        )
        archive.close()


if __name__ == "__main__":
    main()
