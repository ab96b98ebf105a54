"""Real reports in the replicas: the seed reports of ../shared/corpus, when it is there.

A body of portals.yaml whose report for a year exists among the seeds publishes the
real one (its title, prose and numbers, as the parser reads them) instead of a
synthetic report. Nothing is copied into the repository: without ../shared the
replicas hold synthetic reports only.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "seeds"


@lru_cache(maxsize=1)
def real_reports(seeds: Path = SEEDS) -> dict[tuple[str, int], dict]:
    """(organization, year) -> record, for every seed that parses cleanly."""
    from nianbao.parse import parse_path  # the replicas use the real parser to read the seeds

    found: dict[tuple[str, int], dict] = {}
    for path in sorted(seeds.glob("*.txt")) if seeds.is_dir() else []:
        record = parse_path(path).record
        if record["status"] != "ok" or not record["organization"]:
            continue
        # Sections 2-4 are the tables: the renderers print them from the numbers.
        sections = {k: (v if k in "156" else None) for k, v in record["sections"].items()}
        found[(record["organization"], record["year"])] = {**record, "sections": sections, "source": None}
    return found


def real_report(organization: str, year: int) -> dict | None:
    """The seed published by this body for this year; a seed may name the body
    without its city (西工区应急管理局 for 洛阳市西工区应急管理局)."""
    for (name, seed_year), record in real_reports().items():
        if seed_year == year and organization.endswith(name):
            return dict(record)
    return None
