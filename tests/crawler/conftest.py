"""Real crawls against the replica portals on 127.0.0.1, in subprocesses (Twisted's reactor
runs once per process), with politeness off (the sources are local)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from nianbao.replicas.server import ReplicaServer, start
from nianbao.replicas.sources import write_sources

REPO = Path(__file__).parents[2]
SHARED = REPO.parent / "shared"
NON_BROWSER = ("replica-xinxiang-county", "replica-luoyang-xigong", "replica-pingdingshan-city")
BROWSER = ("replica-xinxiang-city",)


@dataclass
class Replica:
    server: ReplicaServer
    sources: Path
    manifest: dict

    def reports(self, source_ids: tuple[str, ...]) -> list[dict]:
        portals = {s.removeprefix("replica-") for s in source_ids}
        return [r for r in self.manifest["reports"] if r["portal"] in portals]


@pytest.fixture(scope="session")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    server = start(port=0, slow_seconds=0.3)
    sources = write_sources(tmp_path_factory.mktemp("replica") / "sources.yaml", server.base_url)
    try:
        yield Replica(server, sources, server.manifest())
    finally:
        server.stop()


def run_cli(data: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """``nianbao --data DATA crawl ARGS`` in a fresh interpreter."""
    cmd = [sys.executable, "-c", "from nianbao.cli import main; main()", "--data", str(data), "crawl", *args]
    env = {**os.environ, "NIANBAO_LOG_LEVEL": "WARNING"}
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def crawl(data: Path, replica: Replica, ids: tuple[str, ...], *extra: str) -> subprocess.CompletedProcess:
    args = ["--sources", str(replica.sources), "--fast", *extra]
    for sid in ids:
        args += ["--source", sid]
    return run_cli(data, *args)


def scrapy_cmd(replica: Replica, jobdir: Path, *settings: str) -> list[str]:
    """``scrapy crawl portal`` of the static replicas with a JOBDIR (for the resume tests)."""
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "portal",
        "-a",
        f"sources={replica.sources}",
        "-a",
        "source=" + ",".join(NON_BROWSER),
        "-s",
        "NIANBAO_FAST=1",
        "-s",
        f"JOBDIR={jobdir}",
        "-s",
        "LOG_LEVEL=WARNING",
    ]
    for setting in settings:
        cmd += ["-s", setting]
    return cmd
