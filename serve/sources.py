"""The portal registry as ``sources`` rows, read with the crawler's own loader.

The columns are the Source fields that carry a ``column`` type (crawler/sources/loader.py),
plus ``registry`` (the file an entry came from): ``COLUMNS`` is the ``sources`` table of
serve/schema.py, so a new Source field is a new column of the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nianbao.crawler.sources.loader import Source, load_registry
from nianbao.crawler.sources.loader import columns as source_columns
from nianbao.crawler.sources.loader import load_sources as load_source_files

REPO = Path(__file__).resolve().parents[1]

# Python type of a source field -> the column's type (lists are JSON text, booleans 0/1).
_COLUMN_TYPE = {str: str, list: str, bool: int, int: int}
COLUMNS: dict[str, type] = {
    **{name: _COLUMN_TYPE[kind] for name, kind in source_columns().items()},
    "registry": str,  # where the entry came from
}


def source_row(source: Source, only: set[str] | None = None) -> dict[str, Any]:
    """One registry entry as a ``sources`` row (lists as JSON, booleans as 0/1); ``only``
    keeps just the columns named."""
    origin = Path(source.origin) if source.origin else None
    if origin is not None and origin.resolve().is_relative_to(REPO):
        origin = origin.resolve().relative_to(REPO)
    kinds = source_columns()
    row: dict[str, Any] = {}
    for name, kind in kinds.items():
        value = getattr(source, name)
        if kind is list:
            value = json.dumps(list(value), ensure_ascii=False)
        elif kind is bool:
            value = int(value)
        row[name] = value
    row["registry"] = str(origin) if origin else None
    return row if only is None else {k: v for k, v in row.items() if k in only}


def load_sources(extra_files: Iterable[Path] = (), *, registry: bool = True) -> dict[str, dict[str, Any]]:
    """Every known source by id: the crawler's registry (unless ``registry`` is false), then
    the files given (which win).

    Raises ``crawler.sources.loader.SourceError`` (a ValueError) naming every bad entry."""
    extra = list(extra_files)
    sources = [*(load_registry() if registry else []), *(load_source_files(extra) if extra else [])]
    return {source.id: source_row(source) for source in sources}
