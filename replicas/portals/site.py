"""What a replica serves: resources by path, dynamic endpoints, and the manifest entries.

Everything here is built once at startup and then only read by the HTTP handler, so
serving needs no locks except for the few counters that make a page misbehave once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

# Sent with every report document the replicas serve: "1" when its numbers are
# synthetic (a real body's name, invented figures), "0" when it is a real report (a
# seed of ../shared). The archive keeps it with the fetch; the build reads it into
# ``reports.synthetic``. Real portals never send it.
SYNTHETIC_HEADER = "X-Nianbao-Synthetic"


@dataclass
class Resource:
    """One HTTP answer, held in memory."""

    body: bytes
    content_type: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None  # aware, UTC
    fail_first: int = 0  # answer 500 to this many requests before serving (a flaky backend)
    delay: float = 0.0  # seconds to wait before answering (a slow page)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def etag(self) -> str:
        return '"' + self.sha256[:32] + '"'

    @property
    def http_date(self) -> str | None:
        if self.last_modified is None:
            return None
        return format_datetime(self.last_modified.astimezone(UTC), usegmt=True)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]  # first value of each parameter; form fields of a POST merged in
    headers: dict[str, str]  # lower-case names


Handler = Callable[[Request], Resource]


@dataclass
class Site:
    """All portals of one replica server: static resources and dynamic endpoints by path."""

    seed: int
    resources: dict[str, Resource] = field(default_factory=dict)
    handlers: dict[str, Handler] = field(default_factory=dict)
    reports: list[dict] = field(default_factory=list)  # manifest entries, URLs as paths
    disallowed: list[dict] = field(default_factory=list)
    decoys: list[dict] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    portals: list[dict] = field(default_factory=list)

    def add(self, path: str, resource: Resource) -> str:
        if path in self.resources or path in self.handlers:
            raise ValueError(f"replica path defined twice: {path}")
        self.resources[path] = resource
        return path

    def handle(self, path: str, handler: Handler) -> str:
        if path in self.resources or path in self.handlers:
            raise ValueError(f"replica path defined twice: {path}")
        self.handlers[path] = handler
        return path
