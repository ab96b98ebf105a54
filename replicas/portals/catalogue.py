"""Which documents a replica portal publishes: read portals.yaml, make the records.

The catalogue is pure data (organizations, years, formats, dates, titles, records);
the CMS styles turn it into pages. Everything is derived from the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import yaml
from nianbao.replicas.portals.real_reports import real_report
from nianbao.replicas.synth import report_series

CONFIG = Path(__file__).with_name("portals.yaml")
FORMATS = ("html", "gbk", "pdf", "docx", "doc", "download")
BEHAVIOURS = ("unbalanced", "slow", "flaky", "moved")
CMS_STYLES = ("static_pages", "js_pager", "dataproxy", "browser")
CHINA = timezone(timedelta(hours=8))


@dataclass
class Body:
    organization: str
    level: str
    reports: dict[int, list[str]]


@dataclass
class PortalConfig:
    id: str
    cms: str
    prefix: str
    name: str
    region_code: str
    province: str
    city: str | None
    county: str | None
    level: str
    per_page: int
    discover: bool
    column_label: str  # the link text that leads from the open-government page to the column
    bodies: list[Body]
    disallowed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    decoys: list[str] = field(default_factory=list)


@dataclass
class Item:
    """One entry of a report column: a report, or something that merely looks like one."""

    kind: str  # "report" | "decoy" | "disallowed" | "missing"
    title: str
    published: date
    doc_id: int = 0
    organization: str | None = None
    level: str | None = None
    year: int | None = None
    fmt: str = "html"
    tags: tuple[str, ...] = ()
    record: dict | None = None
    href: str = ""  # what the list links, set by the style
    synthetic: bool = True  # False: a real report (a seed of ../shared), its real numbers

    @property
    def balanced(self) -> bool:
        return "unbalanced" not in self.tags

    @property
    def modified(self) -> datetime:
        """Publication time as Last-Modified: 09:30 Beijing time on the day."""
        return datetime(self.published.year, self.published.month, self.published.day, 9, 30, tzinfo=CHINA)


def load_config(path: Path = CONFIG) -> list[PortalConfig]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    portals = []
    for entry in raw["portals"]:
        bodies = [
            Body(b["organization"], b["level"], {int(y): list(tags) for y, tags in b["reports"].items()})
            for b in entry.pop("bodies")
        ]
        portal = PortalConfig(bodies=bodies, **entry)
        _validate(portal)
        portals.append(portal)
    ids = [p.id for p in portals]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: portal ids must be unique: {ids}")
    return portals


def _validate(portal: PortalConfig) -> None:
    where = f"{CONFIG.name}: portal {portal.id}"
    if portal.cms not in CMS_STYLES:
        raise ValueError(f"{where}: unknown cms {portal.cms!r}, expected one of {CMS_STYLES}")
    if not portal.prefix.startswith("/") or portal.prefix.endswith("/"):
        raise ValueError(f"{where}: prefix must look like /name, got {portal.prefix!r}")
    for body in portal.bodies:
        for year, tags in body.reports.items():
            if not tags or tags[0] not in FORMATS:
                raise ValueError(f"{where}: {body.organization} {year}: first tag must be one of {FORMATS}")
            unknown = set(tags[1:]) - set(BEHAVIOURS)
            if unknown:
                raise ValueError(f"{where}: {body.organization} {year}: unknown tags {sorted(unknown)}")


def _published(rng: random.Random, year: int, level: str) -> date:
    """Departments publish by 31 January, governments by 31 March of the next year."""
    start = date(year + 1, 1, 8 if level == "department" else 15)
    last = date(year + 1, 1, 31) if level == "department" else date(year + 1, 3, 31)
    return start + timedelta(days=rng.randint(0, (last - start).days))


# Real titles vary around the official name; a crawler must recognise all of these.
_TITLE_FORMS = (
    "{org}{year}年政府信息公开工作年度报告",
    "{org}{year}年度政府信息公开工作年度报告",
    "{org}关于{year}年度政府信息公开工作的报告",
    "{org}{year}年政府信息公开年报",
)


def catalogue(portal: PortalConfig, seed: int) -> list[Item]:
    """Every item of the portal's report column, newest first, with document ids."""
    rng = random.Random(f"{seed}|{portal.id}|catalogue")
    items: list[Item] = []
    for body in portal.bodies:
        years = sorted(body.reports)
        unbalanced = [y for y in years if "unbalanced" in body.reports[y]]
        records = report_series(body.organization, years, seed=seed, level=body.level, unbalanced=unbalanced)
        for year, synthetic in zip(years, records, strict=True):
            tags = body.reports[year]
            form = _TITLE_FORMS[0] if year >= 2021 and rng.random() < 0.5 else rng.choice(_TITLE_FORMS)
            real = None if "unbalanced" in tags else real_report(body.organization, year)
            record = real or synthetic
            if real is None:
                record["title"] = form.format(org=body.organization, year=year)
            items.append(
                Item(
                    kind="report",
                    title=record["title"],
                    published=_published(rng, year, body.level),
                    organization=body.organization,
                    level=body.level,
                    year=year,
                    fmt=tags[0],
                    tags=tuple(tags[1:]),
                    record=record,
                    synthetic=real is None,
                )
            )
    for title in portal.decoys:
        items.append(Item("decoy", title, date(2023, 12, 1) + timedelta(days=rng.randint(0, 60))))
    for title in portal.disallowed:
        items.append(Item("disallowed", title, date(2024, 3, 1) + timedelta(days=rng.randint(0, 20))))
    for title in portal.missing:
        items.append(Item("missing", title, date(2018, 3, 1) + timedelta(days=rng.randint(0, 25))))

    # CMS document ids grow with publication; ties broken by title for determinism.
    items.sort(key=lambda i: (i.published, i.title))
    doc_id = rng.randint(40000, 90000)
    for item in items:
        doc_id += rng.randint(3, 400)
        item.doc_id = doc_id
    items.sort(key=lambda i: (i.published, i.doc_id), reverse=True)
    return items
