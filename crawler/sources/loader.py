"""Load and validate the sources YAML (the schema is in docs/contracts.md).

:class:`Source` is the one definition of a source: its fields, in order, with their
metadata (``kind``: how a YAML value is checked and converted; ``required``; ``column``:
the type of its column in the database's ``sources`` table, or none; ``contract``:
written into every entry, or only when set). The loader's known keys, the checks,
``to_dict``, the registry builder's key order and serve's columns are all read off
these fields, so a new field is one line here.

Every problem is reported with the file and the entry it is in, all at once, so a
registry with ten mistakes is fixed in one pass rather than ten.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from nianbao.crawler.profiles import load_profiles

DEFAULT_REGISTRY = Path(__file__).parent / "registry"

LEVELS = ("province", "city", "county", "district")
BODY_KINDS = ("government", "department")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
REGION_CODE = re.compile(r"^\d{6}$")
PLATFORM_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")
LIMIT_KEYS = ("max_pages", "max_depth", "max_bytes", "max_seconds")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml reads the 3,000-entry registry 4x faster


def _f(kind: str, default: Any = MISSING, *, required: bool = False, column: type | None = str,
       contract: bool = True, doc: str = "") -> Any:  # fmt: skip
    """A Source field: ``kind`` names its check in ``_CHECKS``; the rest is its metadata."""
    meta = {"kind": kind, "required": required, "column": column, "contract": contract, "doc": doc}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


class SourceError(ValueError):
    """The sources YAML is unusable; the message names every bad file and entry."""


@dataclass(frozen=True)
class Source:
    """One body that publishes reports (a government, for now): where its portal and report column are."""

    id: str = _f("id", required=True, doc="unique, stable")
    name: str = _f("text", required=True, doc="the body's name, e.g. 闽侯县人民政府")
    region_code: str | None = _f("region_code", None, doc="GB/T 2260, six digits, quoted")
    province: str | None = _f("text", None)
    city: str | None = _f("text", None, doc="the municipality itself for its districts")
    county: str | None = _f("text", None)
    level: str | None = _f("level", None, doc=" | ".join(LEVELS))
    body_kind: str = _f("body_kind", "government", doc=" | ".join(BODY_KINDS))
    platform: str = _f("platform", "unknown", doc="the province's platform family (notes/platforms.yaml)")
    homepage: str | None = _f("url", None, doc="the portal; null -> found at crawl time from the directory")
    columns: tuple[str, ...] = _f("urls", (), column=list, doc="report column URL(s); empty -> discovery")
    cms: str = _f("cms", "unknown", doc="override: a profile in crawler/profiles.yaml; unknown = detect")
    browser: bool = _f("bool", False, column=bool, doc="list pages need Chromium")
    evidence: tuple[str, ...] = _f(
        "urls", (), column=list, doc="where the portal, column or a report was seen"
    )
    verified: bool = _f("bool", False, column=bool, doc="true once a live crawl confirmed it")
    local: bool = _f("bool", False, column=bool, doc="only replicas: loopback allowed")
    # Beyond the contract, for the crawler only: site directories to find a missing
    # homepage from, extra hosts the source serves files from, per-source limits, and
    # free notes for the people keeping the registry.
    directories: tuple[str, ...] = _f(
        "urls", (), column=None, contract=False, doc="site directories (政府网站导航) linking to the portal"
    )
    hosts: tuple[str, ...] = _f("hosts", (), column=None, contract=False)
    limits: dict[str, int] = _f("limits", {}, column=None, contract=False)
    notes: str | None = _f("text", None, column=None, contract=False)
    origin: str | None = field(default=None, metadata={"kind": None})  # the file this entry came from

    @property
    def crawlable(self) -> bool:
        """Whether a crawl has somewhere to start: a homepage or a report column.

        Entries with neither wait for discovery from the province's or city's site
        directory; the spider skips them (with a log line) rather than guessing."""
        return bool(self.homepage or self.columns)

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """The hosts this source may be crawled on: homepage, columns and declared extras."""
        hosts = {urlsplit(u).hostname for u in (self.homepage, *self.columns) if u}
        hosts.update(h.lower() for h in self.hosts)
        return frozenset(h for h in hosts if h)

    def to_dict(self) -> dict[str, Any]:
        """The entry as YAML holds it (for the registry, run records and Scrapyd arguments):
        every contract field in order, the crawler's extras only when set."""
        out: dict[str, Any] = {}
        for f in yaml_fields():
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            if f.metadata["contract"] or value not in (None, [], {}):
                out[f.name] = value
        return out


def yaml_fields() -> tuple[Field, ...]:
    """The Source fields a YAML entry may hold, in the contract's order."""
    return tuple(f for f in fields(Source) if f.metadata.get("kind"))


def contract_keys() -> tuple[str, ...]:
    """The keys every entry carries (docs/contracts.md, "sources")."""
    return tuple(f.name for f in yaml_fields() if f.metadata["contract"])


def required_keys() -> tuple[str, ...]:
    return tuple(f.name for f in yaml_fields() if f.metadata["required"])


def columns() -> dict[str, type]:
    """The database columns a source fills: name -> Python type (``list`` is JSON text)."""
    return {f.name: f.metadata["column"] for f in yaml_fields() if f.metadata["column"] is not None}


# -- checks: one per field kind; each returns (value to store, errors) -------------


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _check_id(key: str, v: Any, ctx: dict) -> tuple[Any, list[str]]:
    ok = isinstance(v, str) and ID_PATTERN.match(v)
    return v, [] if ok else [f"id {v!r} must be lowercase letters, digits and dashes"]


def _check_text(key: str, v: Any, ctx: dict) -> tuple[Any, list[str]]:
    if isinstance(v, (str, int, float)) and not isinstance(v, bool):
        return str(v), []
    return v, [f"{key} must be text, not {type(v).__name__}"]


def _check_region_code(key: str, v: Any, ctx: dict) -> tuple[Any, list[str]]:
    ok = isinstance(v, str) and REGION_CODE.match(v)
    return v, [] if ok else [f"region_code {v!r} must be six digits, quoted (GB/T 2260)"]


def _one_of(choices: Sequence[str]) -> Callable[[str, Any, dict], tuple[Any, list[str]]]:
    def check(key: str, v: Any, ctx: dict) -> tuple[Any, list[str]]:
        return v, [] if v in choices else [f"{key} {v!r} is not one of {', '.join(choices)}"]

    return check


def _check_platform(key: str, v: Any, ctx: dict) -> tuple[Any, list[str]]:
    ok = isinstance(v, str) and PLATFORM_PATTERN.match(v)
    return v, [] if ok else [f"platform {v!r} must be a family name like gkmlpt or hanweb-jpage"]


def _check_url(key: str, v: Any, ctx: dict) -> tuple[Any, list[str]]:
    return v, [] if _is_http_url(v) else [f"{key} {v!r} is not an http(s) URL"]


def _check_urls(key: str, v: Any, ctx: dict) -> tuple[Any, list[str]]:
    if not isinstance(v, list):
        return (), [f"{key} must be a list of URLs"]
    return tuple(v), [f"{key} entry {u!r} is not an http(s) URL" for u in v if not _is_http_url(u)]


def _check_hosts(key: str, v: Any, ctx: dict) -> tuple[Any, list[str]]:
    if not isinstance(v, list) or not all(isinstance(h, str) and h for h in v):
        return (), ["hosts must be a list of host names"]
    return tuple(h.lower() for h in v), []


def _check_bool(key: str, v: Any, ctx: dict) -> tuple[Any, list[str]]:
    return v, [] if isinstance(v, bool) else [f"{key} must be true or false, not {v!r}"]


def _check_cms(key: str, v: Any, ctx: dict) -> tuple[Any, list[str]]:
    known = sorted(ctx["profiles"])
    if v in known:
        return v, []
    return v, [f"cms {v!r} is not a profile in crawler/profiles.yaml ({', '.join(known)})"]


def _check_limits(key: str, v: Any, ctx: dict) -> tuple[Any, list[str]]:
    if not isinstance(v, dict):
        return {}, ["limits must be a mapping"]
    errors = []
    for name, value in v.items():
        if name not in LIMIT_KEYS:
            errors.append(f"unknown limit {name!r} (known: {', '.join(LIMIT_KEYS)})")
        elif not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            errors.append(f"limit {name} must be a positive integer, not {value!r}")
    return dict(v), errors


_CHECKS: dict[str, Callable[[str, Any, dict], tuple[Any, list[str]]]] = {
    "id": _check_id,
    "text": _check_text,
    "region_code": _check_region_code,
    "level": _one_of(LEVELS),
    "body_kind": _one_of(BODY_KINDS),
    "platform": _check_platform,
    "url": _check_url,
    "urls": _check_urls,
    "hosts": _check_hosts,
    "bool": _check_bool,
    "cms": _check_cms,
    "limits": _check_limits,
}


def _validate(entry: Any, where: str, profiles: Iterable[str]) -> tuple[Source | None, list[str]]:
    if not isinstance(entry, dict):
        return None, [f"{where}: an entry must be a mapping, not {type(entry).__name__}"]
    ctx = {"profiles": profiles}
    known = {f.name: f for f in yaml_fields()}
    errors = [f"{where}: missing required field {k!r}" for k in required_keys() if entry.get(k) in (None, "")]
    errors += [f"{where}: unknown field {k!r}" for k in entry if k not in known]
    values: dict[str, Any] = {}
    for name, f in known.items():
        value = entry.get(name)
        if value is None or (value == "" and f.metadata["kind"] in ("cms", "platform")):
            continue  # absent (or null): the field's default
        value, problems = _CHECKS[f.metadata["kind"]](name, value, ctx)
        errors.extend(f"{where}: {p}" for p in problems)
        values[name] = value
    if errors:
        return None, errors
    return Source(**values), []


def _entries_of(path: Path) -> tuple[list[Any], list[str]]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
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
    """The shipped registry (``crawler/sources/registry/*.yaml``): every prefecture- and
    county-level government, most of them not yet crawlable (see :attr:`Source.crawlable`)."""
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
