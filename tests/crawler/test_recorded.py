"""Real crawls of recorded real columns (replicas/recorded/): real portals' bytes, served on
loopback under their real host names through the recorded-columns proxy.

The crawler is given each column as a person would give it — homepage and column URL, no
``cms:`` — and must recognise the platform, page through its lists (static pages, JSON
list APIs) and ask for every report the saved list holds, and for no decoy. The expected
reports are written in each recording.yaml, counted by reading the saved lists.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from nianbao.archive import Archive
from nianbao.replicas.recorded import load_recordings, write_sources
from nianbao.replicas.recorded.proxy import RecordedProxy, start
from w3lib.url import canonicalize_url

from tests.crawler.conftest import REPO

RECORDINGS = load_recordings()


def _key(url: str) -> str:
    return canonicalize_url(url, keep_fragments=False)


@pytest.fixture(scope="module")
def recorded_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RecordedProxy, Path]]:
    """One crawl of every recorded column through the proxy."""
    data = tmp_path_factory.mktemp("recorded")
    sources = write_sources(data / "sources.yaml", RECORDINGS)
    with start(RECORDINGS) as proxy:
        env = {
            **os.environ,
            "NIANBAO_LOG_LEVEL": "WARNING",
            "http_proxy": proxy.url,
            "https_proxy": proxy.url,
            "no_proxy": "",
        }
        cmd = [sys.executable, "-c", "from nianbao.cli import main; main()", "--data", str(data)]
        cmd += ["crawl", "--sources", str(sources), "--fast"]
        result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=240, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        yield proxy, data


def _archived_reports(data: Path) -> set[str]:
    archive = Archive(data / "archive", readonly=True)
    try:
        return {_key(d["url"]) for d in archive.documents()}
    finally:
        archive.close()


def test_there_are_recordings() -> None:
    assert len(RECORDINGS) >= 1
    assert {r.family for r in RECORDINGS}


@pytest.mark.parametrize("recording", RECORDINGS, ids=[r.name for r in RECORDINGS])
def test_every_listed_report_requested(recording, recorded_crawl) -> None:  # noqa: ANN001
    proxy, _ = recorded_crawl
    asked = set(proxy.requested())
    missing = [f"{r['title']} {r['url']}" for r in recording.expected_reports if _key(r["url"]) not in asked]
    assert not missing, f"{len(missing)} of {len(recording.expected_reports)} not requested:\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("recording", RECORDINGS, ids=[r.name for r in RECORDINGS])
def test_no_decoy_requested(recording, recorded_crawl) -> None:  # noqa: ANN001
    proxy, _ = recorded_crawl
    asked = set(proxy.requested())
    requested = [f"{d['title']} {d['url']}" for d in recording.decoys if _key(d["url"]) in asked]
    assert not requested, "decoys requested:\n" + "\n".join(requested)


@pytest.mark.parametrize("recording", RECORDINGS, ids=[r.name for r in RECORDINGS])
def test_every_recorded_report_archived(recording, recorded_crawl) -> None:  # noqa: ANN001
    """A listed report whose page the mirror saved is archived as a report."""
    _, data = recorded_crawl
    recorded = {_key(e.url) for e in recording.exchanges}
    archived = _archived_reports(data)
    expected = [r for r in recording.expected_reports if _key(r["url"]) in recorded]
    missing = [f"{r['title']} {r['url']}" for r in expected if _key(r["url"]) not in archived]
    assert not missing, "not archived:\n" + "\n".join(missing)
