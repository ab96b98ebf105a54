"""How much of the registry is known: per province, the governments it lists, how many
have a portal (homepage) and a report column on evidence, and how many a crawl verified
(``verified: true``, or a report of theirs in the archive)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from nianbao.crawler.sources.loader import Source

COUNTS = ("governments", "portal", "column", "verified")
HEADINGS = {
    "governments": "governments",
    "portal": "with portal",
    "column": "with column",
    "verified": "verified",
}


@dataclass
class Coverage:
    province: str
    governments: int = 0
    portal: int = 0
    column: int = 0
    verified: int = 0

    def add(self, source: Source, archived: bool) -> None:
        self.governments += source.body_kind == "government"
        self.portal += bool(source.homepage)
        self.column += bool(source.columns)
        self.verified += source.verified or archived


def archived_sources(archive_root: Path) -> set[str] | None:
    """Ids of the sources with at least one report archived; None when there is no archive."""
    if not (archive_root / "provenance.db").exists():
        return None
    from nianbao.archive.archive import Archive

    with Archive(archive_root, readonly=True) as archive:
        return {d["source"] for d in archive.documents() if d.get("source")}


def coverage(sources: Iterable[Source], archived: set[str] | None = None) -> list[Coverage]:
    """One row per province (by region code; sources without one last), then the total."""
    archived = archived or set()
    rows: dict[str, Coverage] = {}
    order: dict[str, str] = {}
    total = Coverage("total")
    for source in sources:
        province = source.province or "(no province)"
        order.setdefault(province, (source.region_code or "99")[:2])
        row = rows.setdefault(province, Coverage(province))
        row.add(source, source.id in archived)
        total.add(source, source.id in archived)
    return [*sorted(rows.values(), key=lambda r: (order[r.province], r.province)), total]


def render(rows: Sequence[Coverage]) -> str:
    """A fixed-width table; province names are CJK, two columns wide each."""
    width = max(_width(r.province) for r in rows) + 2
    head = "province".ljust(width) + "".join(f"{HEADINGS[k]:>13}" for k in COUNTS)
    lines = [head]
    for r in rows:
        name = r.province + " " * (width - _width(r.province))
        lines.append(name + "".join(f"{getattr(r, k):>13,}" for k in COUNTS))
    return "\n".join(lines)


def as_dicts(rows: Sequence[Coverage]) -> list[dict]:
    return [asdict(r) for r in rows]


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)
