"""Plain HTTP for the replica tests: one request, redirects not followed."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None, body: str | None = None):
    """One request, no redirects followed: (status, headers with lower-case names, body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        hdrs = dict(headers or {})
        if body is not None:
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn.request(method, path, body=body.encode() if body is not None else None, headers=hdrs)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()
