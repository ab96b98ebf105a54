"""Replica servers for the tests: one shared, and fresh ones where a test needs state
(the 500 that recovers answers 500 only once per server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from nianbao.replicas.server import ReplicaServer, start


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaServer]:
    with start(port=0) as server:
        yield server


@pytest.fixture()
def fresh_replica() -> Iterator[ReplicaServer]:
    with start(port=0, slow_seconds=0.0) as server:
        yield server
