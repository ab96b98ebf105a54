"""The portal registry as ``sources`` rows, read with the crawler's own loader."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crawler.sources.loader import Source, load_registry
from crawler.sources.loader import load_sources as load_source_files

REPO = Path(__file__).resolve().parents[1]


def source_row(source: Source) -> dict[str, Any]:
    """One registry entry as a ``sources`` row (lists kept as JSON)."""
    entry = source.to_dict()
    origin = Path(source.origin) if source.origin else None
    if origin is not None and origin.resolve().is_relative_to(REPO):
        origin = origin.resolve().relative_to(REPO)
    return {
        **{
            k: entry[k]
            for k in ("id", "name", "region_code", "province", "city", "county", "level", "homepage")
        },
        "columns": json.dumps(entry["columns"], ensure_ascii=False),
        "cms": entry["cms"],
        "browser": int(entry["browser"]),
        "evidence": json.dumps(entry["evidence"], ensure_ascii=False),
        "verified": int(entry["verified"]),
        "local": int(entry["local"]),
        "registry": str(origin) if origin else None,
    }


def load_sources(extra_files: Iterable[Path] = ()) -> dict[str, dict[str, Any]]:
    """Every known source by id: the crawler's registry, then the files given (which win).

    Raises ``crawler.sources.loader.SourceError`` (a ValueError) naming every bad entry."""
    extra = list(extra_files)
    sources = [*load_registry(), *(load_source_files(extra) if extra else [])]
    return {source.id: source_row(source) for source in sources}
