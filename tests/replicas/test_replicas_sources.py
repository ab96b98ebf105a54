"""The replicas as crawl sources, the command line, and determinism across processes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import yaml
from nianbao.crawler.sources.loader import load_sources
from nianbao.replicas.server import ReplicaServer, manifest
from nianbao.replicas.sources import replica_sources, write_sources

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_KEYS = {
    "id", "name", "region_code", "province", "city", "county", "level", "homepage",
    "columns", "cms", "browser", "evidence", "verified", "local",
}  # fmt: skip


def test_sources_shape_and_the_crawler_loads_them(replica: ReplicaServer, tmp_path: Path) -> None:
    sources = replica_sources(replica.base_url)
    assert len(sources) == 4
    assert all(set(s) == CONTRACT_KEYS and s["local"] is True for s in sources)
    assert {s["cms"] for s in sources} == {"static", "trs", "hanweb", "browser"}
    assert [s["browser"] for s in sources if s["cms"] == "browser"] == [True]
    assert sum(1 for s in sources if not s["columns"]) == 1  # discovery from the homepage
    assert all(s["homepage"].startswith(replica.base_url + "/") for s in sources)
    path = write_sources(tmp_path / "replicas.yaml", replica.base_url)
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == sources
    loaded = load_sources(path)  # the crawler's own loader validates ids, cms profiles, levels
    assert [s.id for s in loaded] == [s["id"] for s in sources]


def _digest(m: dict) -> str:
    return hashlib.sha256(json.dumps(m["reports"], sort_keys=True).encode()).hexdigest()


def test_command_line_serves_and_is_deterministic_across_processes(tmp_path: Path) -> None:
    out = tmp_path / "sources.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "nianbao.replicas", "--port", "0", "--sources-out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [proc.stdout.readline() for _ in range(7)]
        assert lines[0].startswith("replica portals at http://127.0.0.1:"), lines
        base_url = lines[0].split()[3]
        assert lines[5].strip() == f"manifest: {base_url}/manifest.json"
        assert lines[6].strip() == f"sources:  {out}"
        from tests.replicas.replica_http import fetch

        status, _, body = fetch(f"{base_url}/manifest.json")
        assert status == 200
        served = json.loads(body)
        # Same seed, another process: the same documents, byte for byte.
        assert _digest(served) == _digest(manifest(base_url))
        assert [s.homepage for s in load_sources(out)] == [p["homepage"] for p in served["portals"]]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode is not None


def test_bad_port_is_a_clear_error(replica: ReplicaServer) -> None:
    port = replica.base_url.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "nianbao.replicas", "--port", port],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
