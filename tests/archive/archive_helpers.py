"""Helpers for the archive tests (imported by name: tests/archive is on sys.path)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

from nianbao.archive import Fetch

WARCIO = Path(sys.executable).parent / "warcio"


def warcio_cli(*args: str | Path) -> subprocess.CompletedProcess:
    """Run the ``warcio`` command of this virtualenv."""
    return subprocess.run([str(WARCIO), *map(str, args)], capture_output=True, text=True, timeout=120)


def html_fetch(url: str, text: str, **kw) -> Fetch:
    body = text.encode("utf-8")
    kw.setdefault(
        "response_headers", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return Fetch(url=url, status=kw.pop("status", 200), body=body, **kw)


def gzip_fetch(url: str, body: bytes, *, raw: bool, **kw) -> Fetch:
    """A response that came gzip-encoded; ``raw`` gives the archive the wire bytes too."""
    wire = gzip.compress(body)
    headers = [
        ("Content-Type", "application/pdf"),
        ("Content-Encoding", "gzip"),
        ("Content-Length", str(len(wire))),
        ("Vary", "Accept-Encoding"),
    ]
    return Fetch(
        url=url,
        status=200,
        body=body,
        response_headers=headers,
        decoded_content_encoding="gzip",
        raw_body=wire if raw else None,
        **kw,
    )
