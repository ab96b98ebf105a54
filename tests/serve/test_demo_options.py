"""`make demo PORT=…` reaches `nianbao demo --port`, and the README says how to call nianbao."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
NIANBAO = str(Path(sys.executable).with_name("nianbao"))


def test_nianbao_demo_help_shows_port_and_host():
    done = subprocess.run([NIANBAO, "demo", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--port" in done.stdout and "--host" in done.stdout
    assert "PORT=" in done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_demo_passes_port_and_host():
    done = subprocess.run(
        ["make", "-n", "demo", "PORT=8123", "HOST=127.0.0.2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (line,) = [line for line in done.stdout.splitlines() if " demo" in line and "nianbao" in line]
    assert "--port 8123" in line and "--host 127.0.0.2" in line
    default = subprocess.run(["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "--port 8001" in default.stdout


def test_a_taken_port_is_refused_before_the_crawl(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        done = subprocess.run(
            [NIANBAO, "--data", str(tmp_path / "data"), "demo", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert f"port {port}" in done.stderr
    assert not (tmp_path / "data" / "archive" / "provenance.db").exists()


def test_readme_says_how_to_call_nianbao():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/nianbao" in readme
    assert "source .venv/bin/activate" in readme
    assert "make demo PORT=" in readme
