"""The replica portals as crawl sources, in the shape of docs/contracts.md (sources).

``cms`` names the crawler's profile (crawler/profiles.yaml) for each replica style:
static_pages -> ``static``, js_pager -> ``trs``, dataproxy -> ``hanweb``,
browser -> ``browser``. A portal marked ``discover`` in portals.yaml has no column
URL, so the crawler must find the column from the homepage by link text.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from nianbao.replicas.portals.catalogue import load_config
from nianbao.replicas.server import DEFAULT_SEED, manifest

# Replica style -> crawler CMS profile.
CRAWLER_PROFILE = {"static_pages": "static", "js_pager": "trs", "dataproxy": "hanweb", "browser": "browser"}


def replica_sources(base_url: str, seed: int = DEFAULT_SEED) -> list[dict]:
    """One source per replica portal served at ``base_url`` (``http://127.0.0.1:PORT``)."""
    base = base_url.rstrip("/")
    portals = {p["id"]: p for p in manifest(base, seed)["portals"]}
    sources = []
    for config in load_config():
        portal = portals[config.id]
        sources.append(
            {
                "id": f"replica-{config.id}",
                "name": config.name,
                "region_code": config.region_code,
                "province": config.province,
                "city": config.city,
                "county": config.county,
                "level": config.level,
                "homepage": portal["homepage"],
                "columns": [] if config.discover else [portal["column"]],
                "cms": CRAWLER_PROFILE[config.cms],
                "browser": portal["browser"],
                "evidence": [portal["column"]],
                "verified": True,  # the replica is what it says it is
                "local": True,
            }
        )
    return sources


def write_sources(path: Path, base_url: str, seed: int = DEFAULT_SEED) -> Path:
    """Write the replica sources as YAML (the crawler's ``--sources FILE``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# Replica portals served at " + base_url + " (written by python -m nianbao.replicas)\n"
    text += yaml.safe_dump(replica_sources(base_url, seed), allow_unicode=True, sort_keys=False)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
