"""kill -9 a writer mid-run, again and again: the archive must stay whole."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from archive_helpers import warcio_cli
from nianbao.archive import Archive
from nianbao.archive.verify import verify

WRITER = textwrap.dedent("""
    import os, random, sys
    from nianbao.archive import Archive, Fetch
    a = Archive(sys.argv[1])
    run = a.start_run("crash-" + sys.argv[2])
    rng = random.Random(int(sys.argv[2]))
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        size = rng.choice([200, 5_000, 300_000, 2_000_000])
        # a few URLs come back with the same body, so revisits are written too
        url = f"http://gov.test/{rng.randrange(40)}.pdf"
        body = os.urandom(size) if rng.random() < 0.7 else b"same body %d" % (i % 3)
        a.record(run, Fetch(url=url, status=200, body=body, role="report",
                            response_headers=[("Content-Type", "application/pdf")]))
""")


def test_kill_minus_nine_mid_write(tmp_path):
    root = tmp_path / "archive"
    rng = random.Random(7)
    recovered = cut = 0
    for iteration in range(4):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), str(iteration)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert child.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.3, 1.2))
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        leftovers = list((root / "warc").glob("*.open"))
        assert leftovers, "a killed writer leaves its file open"
        sizes = sum(p.stat().st_size for p in leftovers)
        # the next writer closes off what the dead one left
        a = Archive(root)
        run = a.start_run("after-crash")
        recovered += len(a.recovered_warc_files)
        assert not any(p.exists() for p in leftovers)
        cut += sizes - sum(p.stat().st_size for p in a.recovered_warc_files if p.exists())
        a.finish_run(run, "finished")
        a.close()

    a = Archive(root, readonly=True)
    rows = list(a.provenance.fetches())
    assert len(rows) > 10, "the writers got some work done before being killed"
    assert recovered >= 4
    print(f"{len(rows)} rows; {cut} bytes of torn records cut off in {recovered} recovered files")
    # no row points at a missing or different blob or WARC record
    problems = verify(a, full=True)
    assert [p for p in problems if p.what != "orphan"] == []
    # A kill between an exchange's WARC records and its row leaves records without a row:
    # verify reports them; at most one exchange per killed writer, the last in its file.
    assert len(problems) <= 4
    for orphan in problems:
        name, offset = orphan.where.rsplit("@", 1)
        assert all(r["warc_offset"] < int(offset) for r in rows if r["warc_file"] == name), (
            "an orphan before a row: not the crash window"
        )
    # no torn blob: everything in the store hashes to its name, no temp file is left
    for sha in a.blobs:
        assert a.blobs.hash_of(sha) == sha
    assert not any((root / "blobs" / "tmp").glob("*"))
    files = a.warc_files()
    assert files and all(p.name.endswith(".warc.gz") for p in files)
    check = warcio_cli("check", *files)
    assert check.returncode == 0, check.stdout
    index = warcio_cli("index", "-f", "warc-record-id", *files)
    assert index.returncode == 0
    assert all(r["warc_record_id"] in index.stdout for r in rows)
    crashed = [r for r in a.runs() if r["name"].startswith("crash-")]
    assert len(crashed) == 4 and all(r["ended_at"] is None for r in crashed)
    a.close()
