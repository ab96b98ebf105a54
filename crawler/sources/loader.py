"""Load and validate the sources YAML (the schema is in docs/contracts.md).

Every problem is reported with the file and the entry it is in, all at once, so a
registry with ten mistakes is fixed in one pass rather than ten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.profiles import load_profiles

DEFAULT_REGISTRY = Path(__file__).parent / "registry"

LEVELS = ("province", "city", "county", "district")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
REGION_CODE = re.compile(r"^\d{6}$")
LIMIT_KEYS = ("max_pages", "max_depth", "max_bytes", "max_seconds")

REQUIRED = ("id", "name", "homepage")
OPTIONAL = (
    "region_code",
    "province",
    "city",
    "county",
    "level",
    "columns",
    "cms",
    "browser",
    "evidence",
    "verified",
    "local",
    # Beyond the contract, for the crawler only: extra hosts the source serves files
    # from, per-source limits, and free notes for the people keeping the registry.
    "hosts",
    "limits",
    "notes",
)


class SourceError(ValueError):
    """The sources YAML is unusable; the message names every bad file and entry."""


@dataclass(frozen=True)
class Source:
    """One portal: where its report column is and how to read it."""

    id: str
    name: str
    homepage: str
    region_code: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    level: str | None = None
    columns: tuple[str, ...] = ()
    cms: str = "unknown"
    browser: bool = False
    evidence: tuple[str, ...] = ()
    verified: bool = False
    local: bool = False
    hosts: tuple[str, ...] = ()
    limits: dict[str, int] = field(default_factory=dict)
    notes: str | None = None
    origin: str | None = None  # the file this entry came from

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """The hosts this source may be crawled on: homepage, columns and declared extras."""
        hosts = {urlsplit(u).hostname for u in (self.homepage, *self.columns)}
        hosts.update(h.lower() for h in self.hosts)
        return frozenset(h for h in hosts if h)

    def to_dict(self) -> dict[str, Any]:
        """The entry as YAML would hold it (for run records and Scrapyd arguments)."""
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "region_code": self.region_code,
            "province": self.province,
            "city": self.city,
            "county": self.county,
            "level": self.level,
            "homepage": self.homepage,
            "columns": list(self.columns),
            "cms": self.cms,
            "browser": self.browser,
            "evidence": list(self.evidence),
            "verified": self.verified,
            "local": self.local,
        }
        if self.hosts:
            out["hosts"] = list(self.hosts)
        if self.limits:
            out["limits"] = dict(self.limits)
        return out


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _validate(entry: Any, where: str, profiles: Iterable[str]) -> tuple[Source | None, list[str]]:
    if not isinstance(entry, dict):
        return None, [f"{where}: an entry must be a mapping, not {type(entry).__name__}"]
    errors: list[str] = []
    for key in REQUIRED:
        if entry.get(key) in (None, ""):
            errors.append(f"{where}: missing required field {key!r}")
    for key in entry:
        if key not in REQUIRED and key not in OPTIONAL:
            errors.append(f"{where}: unknown field {key!r}")
    sid = entry.get("id")
    if sid is not None and (not isinstance(sid, str) or not ID_PATTERN.match(sid)):
        errors.append(f"{where}: id {sid!r} must be lowercase letters, digits and dashes")
    if entry.get("homepage") is not None and not _is_http_url(entry["homepage"]):
        errors.append(f"{where}: homepage {entry['homepage']!r} is not an http(s) URL")
    code = entry.get("region_code")
    if code is not None and not (isinstance(code, str) and REGION_CODE.match(code)):
        errors.append(f"{where}: region_code {code!r} must be six digits, quoted (GB/T 2260)")
    level = entry.get("level")
    if level is not None and level not in LEVELS:
        errors.append(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
    for key in ("columns", "evidence"):
        value = entry.get(key) or []
        if not isinstance(value, list):
            errors.append(f"{where}: {key} must be a list of URLs")
            continue
        errors.extend(
            f"{where}: {key} entry {u!r} is not an http(s) URL" for u in value if not _is_http_url(u)
        )
    hosts = entry.get("hosts") or []
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        errors.append(f"{where}: hosts must be a list of host names")
    for key in ("browser", "verified", "local"):
        if key in entry and not isinstance(entry[key], bool):
            errors.append(f"{where}: {key} must be true or false, not {entry[key]!r}")
    cms = entry.get("cms") or "unknown"
    known = sorted(profiles)
    if cms not in known:
        errors.append(f"{where}: cms {cms!r} is not a profile in crawler/profiles.yaml ({', '.join(known)})")
    limits = entry.get("limits") or {}
    if not isinstance(limits, dict):
        errors.append(f"{where}: limits must be a mapping")
        limits = {}
    for key, value in limits.items():
        if key not in LIMIT_KEYS:
            errors.append(f"{where}: unknown limit {key!r} (known: {', '.join(LIMIT_KEYS)})")
        elif not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            errors.append(f"{where}: limit {key} must be a positive integer, not {value!r}")
    if errors:
        return None, errors
    source = Source(
        id=sid,
        name=str(entry["name"]),
        homepage=entry["homepage"],
        region_code=code,
        province=entry.get("province"),
        city=entry.get("city"),
        county=entry.get("county"),
        level=level,
        columns=tuple(entry.get("columns") or ()),
        cms=cms,
        browser=bool(entry.get("browser", False)),
        evidence=tuple(entry.get("evidence") or ()),
        verified=bool(entry.get("verified", False)),
        local=bool(entry.get("local", False)),
        hosts=tuple(h.lower() for h in hosts),
        limits=dict(limits),
        notes=entry.get("notes"),
    )
    return source, []


def _entries_of(path: Path) -> tuple[list[Any], list[str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return [], [f"{path}: cannot read: {exc.strerror or exc}"]
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return [], [f"{path}: not valid YAML: {exc}"]
    if data is None:
        return [], []
    if isinstance(data, dict) and isinstance(data.get("sources"), list):
        data = data["sources"]
    if not isinstance(data, list):
        return [], [f"{path}: must hold a list of sources, not {type(data).__name__}"]
    return data, []


def load_sources(paths: Path | str | Sequence[Path | str]) -> list[Source]:
    """Every source in the given YAML files (or folders of ``*.yaml``), validated.

    Raises :class:`SourceError` listing every problem (file, entry index and id).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]))
        elif p.exists():
            files.append(p)
        else:
            raise SourceError(f"{p}: no such sources file or folder")
    profiles = load_profiles().keys()
    sources: list[Source] = []
    errors: list[str] = []
    first_seen: dict[str, str] = {}
    for path in files:
        entries, file_errors = _entries_of(path)
        errors.extend(file_errors)
        for index, entry in enumerate(entries):
            label = entry.get("id") if isinstance(entry, dict) else None
            where = f"{path}: entry {index}" + (f" ({label})" if label else "")
            source, entry_errors = _validate(entry, where, profiles)
            errors.extend(entry_errors)
            if source is None:
                continue
            if source.id in first_seen:
                errors.append(f"{where}: duplicate id {source.id!r}, first in {first_seen[source.id]}")
                continue
            first_seen[source.id] = where
            sources.append(Source(**{**source.__dict__, "origin": str(path)}))
    if errors:
        raise SourceError("invalid sources:\n  " + "\n  ".join(errors))
    return sources


def load_registry() -> list[Source]:
    """The shipped registry of real portals (``crawler/sources/registry/*.yaml``)."""
    return load_sources(DEFAULT_REGISTRY) if DEFAULT_REGISTRY.is_dir() else []


def select_sources(sources: Sequence[Source], ids: Iterable[str] | None) -> list[Source]:
    """The sources with the given ids (all when none are given); unknown ids are an error."""
    wanted = [i for i in (ids or ()) if i]
    if not wanted:
        return list(sources)
    by_id = {s.id: s for s in sources}
    missing = [i for i in wanted if i not in by_id]
    if missing:
        raise SourceError(f"unknown source id(s): {', '.join(missing)}")
    return [by_id[i] for i in dict.fromkeys(wanted)]
