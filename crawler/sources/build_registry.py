"""Turn the research notes on real portals into the registry's YAML files, one per province.

The notes (``registry/notes/portals.txt``) hold only what was seen: a stable id, the
government's name, its place, the portal's homepage, the URLs where a report or the
report column was seen, and the column URL when the evidence shows it. Everything
else is derived here, the same way every time: GB/T 2260 region code, province, city
and county from ``cpca``'s table; the level from the code and the name; the CMS family
from the evidence URLs' shape. A note that does not check out stops the build.

    python -m crawler.sources.build_registry          # write registry/*.yaml
    python -m crawler.sources.build_registry --check  # fail if the YAML is stale
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

REGISTRY_DIR = Path(__file__).parent / "registry"
NOTES_FILE = REGISTRY_DIR / "notes" / "portals.txt"
NOTE_FIELDS = ["id", "name", "place", "homepage", "evidence", "columns", "remark"]

# File name and id prefix per province (GB/T 2260 two-digit prefix -> slug).
PROVINCE_SLUGS: dict[str, str] = {
    "11": "beijing",
    "12": "tianjin",
    "13": "hebei",
    "14": "shanxi",
    "15": "neimenggu",
    "21": "liaoning",
    "22": "jilin",
    "23": "heilongjiang",
    "31": "shanghai",
    "32": "jiangsu",
    "33": "zhejiang",
    "34": "anhui",
    "35": "fujian",
    "36": "jiangxi",
    "37": "shandong",
    "41": "henan",
    "42": "hubei",
    "43": "hunan",
    "44": "guangdong",
    "45": "guangxi",
    "46": "hainan",
    "50": "chongqing",
    "51": "sichuan",
    "52": "guizhou",
    "53": "yunnan",
    "54": "xizang",
    "61": "shaanxi",
    "62": "gansu",
    "63": "qinghai",
    "64": "ningxia",
    "65": "xinjiang",
}

# URL shapes that give away a CMS family (profiles in crawler/profiles.yaml).
CMS_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("hanweb", re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html")),
    # Hanweb's column pages and its open-government module (annual-report view, data proxy).
    ("hanweb", re.compile(r"/col/col\d+/index\.html|/module/(xxgk|web/jpage)/")),
    ("trs", re.compile(r"/t\d{8}_\d+\.s?html?$")),
]

# In a note's remark: the current GB/T 2260 code of a county newer than cpca's table.
CODE_OVERRIDE_RE = re.compile(r"\bcode:(\d{6})\b")
ID_RE = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")


class NoteError(ValueError):
    """A note that cannot become a registry entry; the message says which and why."""


@dataclass(frozen=True)
class Region:
    code: str
    province: str
    city: str | None
    county: str | None


def registered_domain(host: str) -> str:
    """``xxgk.tongyu.gov.cn`` -> ``tongyu.gov.cn``; ``www.example.com`` -> ``example.com``."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and labels[-2] in {"gov", "com", "net", "org", "edu"} and labels[-1] == "cn":
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def lookup_region(place: str) -> Region:
    """The GB/T 2260 code and names for a place written province + city (+ county)."""
    import cpca  # imported here: loading its table takes a moment

    row = cpca.transform([place]).iloc[0]
    code = row["adcode"]
    if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
        raise NoteError(f"cpca has no region code for {place!r}")
    county = row["区"] if isinstance(row["区"], str) else None
    city = row["市"] if isinstance(row["市"], str) else None
    if city in {"市辖区", "县"}:
        # Municipalities (北京, 天津, 上海, 重庆): cpca's placeholder city is the municipality itself.
        city = row["省"]
    return Region(code=code, province=row["省"], city=city, county=county)


def _renamed_county(note_id: str, place: str, parent: Region, code: str) -> Region:
    """A county renamed or re-graded after cpca's table was made (县 -> 市 or 区).

    The note gives the current code (``code:450381``); cpca must still place the
    county's city, and the code must lie inside that city.
    """
    prefix = parent.province + (parent.city or "")
    if parent.county is not None or not place.startswith(prefix) or place == prefix:
        raise NoteError(f"{note_id}: code override only for a county cpca does not know, not {place!r}")
    if code[:4] != parent.code[:4]:
        raise NoteError(f"{note_id}: code {code} is not inside {parent.city} ({parent.code})")
    return Region(code=code, province=parent.province, city=parent.city, county=place[len(prefix) :])


def cms_from_urls(urls: list[str]) -> str:
    for family, pattern in CMS_PATTERNS:
        if any(pattern.search(urlsplit(u).path) for u in urls):
            return family
    return "unknown"


def level_of(region: Region) -> str:
    if region.code.endswith("0000"):
        return "province"
    if region.county is None:
        return "city"
    return "district" if region.county.endswith("区") else "county"


def _http_url(url: str, what: str, note_id: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise NoteError(f"{note_id}: {what} {url!r} is not an http(s) URL")
    return url


def entry_from_note(note: dict[str, str]) -> dict:
    """One registry entry (the contract's keys, in its order) from one row of notes."""
    note_id = note["id"]
    if not ID_RE.match(note_id):
        raise NoteError(f"{note_id!r}: ids are lower-case slugs like henan-xinxiang-county")
    region = lookup_region(note["place"])
    override = CODE_OVERRIDE_RE.search(note["remark"])
    if override:
        region = _renamed_county(note_id, note["place"], region, override.group(1))
    place_tail = region.county or region.city or region.province
    if not note["place"].endswith(place_tail):
        # cpca guessed a different place than the one written: never accept a silent guess.
        raise NoteError(f"{note_id}: cpca read {note['place']!r} as {region}, not as written")
    if place_tail not in note["name"]:
        raise NoteError(f"{note_id}: name {note['name']!r} does not name {place_tail}")
    slug = PROVINCE_SLUGS[region.code[:2]]
    if not note_id.startswith(slug + "-"):
        raise NoteError(f"{note_id}: id must start with {slug}- (province of {region.code})")

    homepage = _http_url(note["homepage"], "homepage", note_id)
    home = urlsplit(homepage)
    homepage = f"{home.scheme}://{home.hostname}/"
    evidence = [_http_url(u, "evidence", note_id) for u in note["evidence"].split()]
    if not evidence:
        raise NoteError(f"{note_id}: an entry without evidence is not an entry")
    columns = [_http_url(u, "column", note_id) for u in note["columns"].split()]
    home_domain = registered_domain(home.hostname)
    for url in evidence + columns:
        domain = registered_domain(urlsplit(url).hostname)
        if domain != home_domain and f"offsite:{domain}" not in note["remark"]:
            raise NoteError(f"{note_id}: {url} is off {home_domain}; explain it as offsite:{domain}")

    return {
        "id": note_id,
        "name": note["name"],
        "region_code": region.code,
        "province": region.province,
        "city": region.city,
        "county": region.county,
        "level": level_of(region),
        "homepage": homepage,
        "columns": columns,
        "cms": cms_from_urls(evidence + columns),
        "browser": "browser" in note["remark"].split(),
        "evidence": evidence,
        "verified": False,
        "local": False,
    }


def read_notes(path: Path = NOTES_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="|") if r and not r[0].startswith("#")]
    header, body = rows[0], rows[1:]
    if header != NOTE_FIELDS:
        raise NoteError(f"{path}: header must be {NOTE_FIELDS}, is {header}")
    notes = []
    for lineno, row in enumerate(body, start=2):
        if len(row) != len(NOTE_FIELDS):
            raise NoteError(f"{path}: row {lineno} has {len(row)} fields, wants {len(NOTE_FIELDS)}")
        notes.append(dict(zip(NOTE_FIELDS, (c.strip() for c in row), strict=True)))
    return notes


def build(notes: list[dict[str, str]]) -> dict[str, list[dict]]:
    """Entries grouped by province slug, each group sorted by region code then id."""
    by_province: dict[str, list[dict]] = {}
    seen_ids: set[str] = set()
    seen_homes: dict[str, str] = {}
    for note in notes:
        entry = entry_from_note(note)
        if entry["id"] in seen_ids:
            raise NoteError(f"{entry['id']}: duplicate id")
        if entry["homepage"] in seen_homes:
            raise NoteError(f"{entry['id']}: same homepage as {seen_homes[entry['homepage']]}")
        seen_ids.add(entry["id"])
        seen_homes[entry["homepage"]] = entry["id"]
        by_province.setdefault(PROVINCE_SLUGS[entry["region_code"][:2]], []).append(entry)
    for entries in by_province.values():
        entries.sort(key=lambda e: (e["region_code"], e["id"]))
    return by_province


def render(entries: list[dict]) -> str:
    head = (
        "# Real government portals, generated by crawler/sources/build_registry.py\n"
        "# from registry/notes/portals.txt: edit the notes, not this file.\n"
    )
    return head + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=200)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the YAML files differ from the notes")
    args = parser.parse_args(argv)
    try:
        groups = build(read_notes())
    except NoteError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    stale = []
    for slug, entries in sorted(groups.items()):
        path, text = REGISTRY_DIR / f"{slug}.yaml", render(entries)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    orphans = sorted(p.name for p in REGISTRY_DIR.glob("*.yaml") if p.stem not in groups)
    total = sum(len(e) for e in groups.values())
    if args.check:
        if stale or orphans:
            print(f"stale: {stale}; not from the notes: {orphans}", file=sys.stderr)
            return 1
        print(f"{total} entries in {len(groups)} files, up to date")
        return 0
    for name in orphans:
        print(f"warning: {name} is not generated from the notes", file=sys.stderr)
    print(f"{total} entries in {len(groups)} files; rewrote {len(stale)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
