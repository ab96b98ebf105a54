"""Parsing speed and memory per input kind, and PDF parse time against plain pdfium text.

Inputs: the real corpus (../shared/corpus, when present) and the committed fixtures
(tests/fixtures/reports). Each kind runs in its own process so its peak memory
(the process and its forked readers) is its own.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = ROOT / "tests" / "fixtures" / "reports"
REPEAT_SECONDS = 2.0  # per file: repeat until this much time has passed


def inputs() -> dict[str, list[Path]]:
    from nianbao.parse.detect import detect_kind

    files = []
    if CORPUS.is_dir():
        files += (
            sorted(CORPUS.glob("seeds/*.txt"))
            + sorted(CORPUS.glob("*.pdf"))
            + sorted(CORPUS.glob("portal/*report*.html"))
        )
    if FIXTURES.is_dir():
        files += sorted(p for p in FIXTURES.iterdir() if p.is_file() and not p.name.endswith(".json"))
    kinds: dict[str, list[Path]] = {}
    for path in files:
        kind = detect_kind(path.read_bytes())
        if kind == "pdf" and ("scan" in path.name):
            kind = "scan"
        kinds.setdefault(kind, []).append(path)
    return kinds


def _timed(fn, data: bytes) -> float:  # noqa: ANN001
    """Median seconds per call of fn(data): after a warm-up (imports, the OCR model),
    repeated for REPEAT_SECONDS, at least once."""
    start = time.perf_counter()
    fn(data)
    warm_up = time.perf_counter() - start
    times = []
    deadline = time.perf_counter() + REPEAT_SECONDS
    while not times or (time.perf_counter() < deadline and warm_up < REPEAT_SECONDS):
        start = time.perf_counter()
        fn(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _pdfium_text(data: bytes) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    for page in document:
        page.get_textpage().get_text_range()
    document.close()


def run_kind(paths: list[str]) -> dict:
    """In a child process: parse each file repeatedly; report rate, ratios, memory."""
    from nianbao.parse import parse_bytes

    per_file, ratios = [], []
    for name in paths:
        data = Path(name).read_bytes()
        seconds = _timed(lambda d, source=name: parse_bytes(d, source), data)
        per_file.append(seconds)
        if data.startswith(b"%PDF") and "scan" not in name:
            ratios.append(seconds / _timed(_pdfium_text, data))
    from nianbao.parse import guard

    guard._stop_workers()  # reader workers count once they have ended
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "files": len(paths),
        "reports_per_s": 1 / statistics.median(per_file),
        "median_ms": statistics.median(per_file) * 1000,
        "pdf_ratio": statistics.median(ratios) if ratios else None,
        "ratios": ratios,
        "peak_mib": max(own, children) / 1024,
    }


def main() -> None:
    kinds = inputs()
    if not kinds:
        print("no inputs: neither ../shared/corpus nor tests/fixtures/reports is here")
        return
    print(
        f"{'kind':6} {'files':>5} {'reports/s':>10} {'median ms':>10} {'peak MiB':>9} {'PDF / pdfium text':>18}"
    )
    for kind, paths in sorted(kinds.items()):
        done = subprocess.run(
            [sys.executable, "-c", "import json,sys; from benchmarks.bench_parse import run_kind; "
             "print(json.dumps(run_kind(sys.argv[1:])))", *map(str, paths)],
            capture_output=True, text=True, cwd=ROOT, check=True,
        )  # fmt: skip
        r = json.loads(done.stdout.strip().splitlines()[-1])
        ratio = f"{r['pdf_ratio']:.2f}× (median)" if r["pdf_ratio"] else ""
        print(
            f"{kind:6} {r['files']:>5} {r['reports_per_s']:>10.1f} {r['median_ms']:>10.1f} {r['peak_mib']:>9.0f} {ratio:>18}"
        )
        if r["ratios"]:
            print(
                f"       PDF ratios per file: {', '.join(f'{x:.2f}' for x in r['ratios'])} (target: median ≤ 3)"
            )


if __name__ == "__main__":
    main()
