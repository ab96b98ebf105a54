"""The portal registry (``crawler/sources/*.yaml``, and any sources file given) as rows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
REGISTRY = REPO / "crawler" / "sources"


def registry_files() -> list[Path]:
    """The crawler's own registry files, if the crawler stage is installed."""
    if not REGISTRY.is_dir():
        return []
    return sorted(p for p in REGISTRY.rglob("*") if p.suffix in (".yaml", ".yml"))


def read_sources(path: Path) -> list[dict[str, Any]]:
    """The entries of one sources file (a YAML list, or a mapping with ``sources:``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if data is None:
        return []
    if isinstance(data, dict):
        data = data.get("sources", [])
    if not isinstance(data, list) or not all(isinstance(e, dict) and e.get("id") for e in data):
        raise ValueError(f"{path}: expected a list of sources, each with an id")
    return data


def source_row(entry: dict[str, Any], registry: str) -> dict[str, Any]:
    """One registry entry as a ``sources`` row (lists kept as JSON)."""

    def flag(key: str) -> int | None:
        return None if entry.get(key) is None else int(bool(entry[key]))

    region = entry.get("region_code")
    return {
        "id": str(entry["id"]),
        "name": entry.get("name"),
        "region_code": None if region is None else str(region),
        "province": entry.get("province"),
        "city": entry.get("city"),
        "county": entry.get("county"),
        "level": entry.get("level"),
        "homepage": entry.get("homepage"),
        "columns": json.dumps(entry.get("columns") or [], ensure_ascii=False),
        "cms": entry.get("cms"),
        "browser": flag("browser"),
        "evidence": json.dumps(entry.get("evidence") or [], ensure_ascii=False),
        "verified": flag("verified"),
        "local": flag("local"),
        "registry": registry,
    }


def load_sources(extra_files: Iterable[Path] = ()) -> dict[str, dict[str, Any]]:
    """Every known source by id: the crawler's registry, then the files given (which win)."""
    sources: dict[str, dict[str, Any]] = {}
    for path in [*registry_files(), *extra_files]:
        try:
            label = str(path.resolve().relative_to(REPO))
        except ValueError:
            label = str(path)
        for entry in read_sources(path):
            sources[str(entry["id"])] = source_row(entry, label)
    return sources
