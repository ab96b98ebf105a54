"""Fixtures for the archive tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from nianbao.archive import Archive

# The tests run with --import-mode=importlib: make archive_helpers importable by name.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def archive(tmp_path: Path):
    a = Archive(tmp_path / "archive")
    yield a
    a.close()
