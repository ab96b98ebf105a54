"""What the parse tests compare: the record's metadata and its three tables."""

from __future__ import annotations

COMPARED = (
    "title",
    "organization",
    "year",
    "template",
    "active_disclosure",
    "applications",
    "review_litigation",
)


def assert_same(record: dict, expected: dict) -> None:
    """Every compared field of the record equals the expected one, cell for cell."""
    for key in COMPARED:
        assert record[key] == expected[key], key
