"""Platform profiles (``crawler/profiles.yaml``) as typed data.

A profile is one family of portal software — a CMS (TRS WCM, Hanweb) or a provincial
consolidated platform (Guangdong's gkmlpt, Fujian's fjdzapp) — and says how its report
columns are read: the list's anchors, its pager, its JSON list API, and how a page
shows that it belongs to the family (``detect``). A source names one with ``cms:``;
without it (``unknown``) the family is recognised from the pages themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

PROFILES_FILE = Path(__file__).with_name("profiles.yaml")
PAGERS = ("static", "createPageHTML", "dataproxy", "json", "auto", "none")
_KEYS = {
    "description",
    "provinces",
    "evidence",
    "detect",
    "list_selectors",
    "pager",
    "browser",
    "wait_for",
    "dataproxy",
    "json",
    "notes",
    "aliases",
}
_JSON_KEYS = {
    "url",
    "method",
    "form",
    "page_start",
    "vars",
    "defaults",
    "count_keys",
    "records_key",
    "url_key",
    "title_key",
    "date_key",
}
_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class ApiRequest:
    """One page of a JSON list API: what to send."""

    url: str
    method: str
    formdata: dict[str, str]
    page: int


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@dataclass(frozen=True)
class JsonApi:
    """A platform's JSON list API: a request template and where its values come from.

    ``url`` and ``form`` are templates: ``{origin}`` (scheme://host of the list page),
    ``{page}`` and every name in ``vars``, whose regexes are tried in order over the list
    page's HTML (scripts included), then its URL; group 1 is the value. A pattern written
    ``url:…`` is tried on the URL only (a column id in the URL's ``#fragment``, say).
    """

    url: str
    method: str = "GET"
    form: dict[str, str] = field(default_factory=dict)
    page_start: int = 1
    vars: dict[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def fields(self) -> set[str]:
        names = set(_FIELD.findall(self.url))
        for value in self.form.values():
            names.update(_FIELD.findall(value))
        return names - {"origin", "page"}

    def values_from(self, html: str, url: str) -> dict[str, str] | None:
        """The template's values as the list page declares them; None when one is missing.

        Vars the template does not name are read too when the page has them:
        ``max_static`` (pages the page shows as static HTML: the API starts after them) and
        ``count`` (the record count the page declares: every page is known at once).
        """
        values: dict[str, str] = {}
        required = self.fields()
        for name in required | set(self.vars):
            found = None
            for pattern in self.vars.get(name, ()):
                texts = (url,) if pattern.startswith("url:") else (html, url)
                pattern = pattern.removeprefix("url:")
                found = next((m.group(1) for t in texts if (m := re.search(pattern, t)) and m.group(1)), None)
                if found is not None:
                    break
            if found is None and name in self.defaults:
                found = str(self.defaults[name])
            if found is None:
                if name in required:
                    return None
                continue
            values[name] = found
        parts = urlsplit(url)
        values["origin"] = f"{parts.scheme}://{parts.netloc}"
        return values

    def opening(self, values: dict[str, str], max_pages: int) -> tuple[list[ApiRequest], bool]:
        """The requests a list page starts with, and whether they are all the list has.

        The first request is for the first page the page does not show itself; when the
        page declares its record count and page size, every page is asked for at once
        (at most ``max_pages``), as the platform's own pager does.
        """
        first = self.page_start + _number(values.get("max_static"))
        count, size = values.get("count"), _number(values.get("size"))
        if count is not None and count.isdigit() and size:
            last = min(self.page_start + -(-int(count) // size) - 1, first + max_pages - 1)
            return [self.request(values, n) for n in range(first, last + 1)], True
        return [self.request(values, first)], False

    def request(self, values: dict[str, str], page: int) -> ApiRequest:
        """The request for one page (numbered from ``page_start``)."""
        fill = {**values, "page": str(page)}
        return ApiRequest(
            url=self.url.format(**fill),
            method=self.method,
            formdata={k: v.format(**fill) for k, v in self.form.items()},
            page=page,
        )

    @property
    def page_size_field(self) -> str | None:
        return "size" if "size" in self.fields() else None


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    provinces: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    detect_page: tuple[str, ...] = ()
    detect_url: tuple[str, ...] = ()
    list_selectors: tuple[str, ...] = ()
    pager: str = "auto"
    browser: bool = False
    wait_for: str | None = None
    dataproxy: dict[str, Any] = field(default_factory=dict)
    json: JsonApi | None = None
    notes: str = ""

    @property
    def dataproxy_path(self) -> str:
        return str(self.dataproxy.get("path", "/module/web/jpage/dataproxy.jsp"))

    @property
    def dataproxy_per_request(self) -> int:
        return int(self.dataproxy.get("per_request", 45))

    @property
    def dataproxy_perpage(self) -> int:
        return int(self.dataproxy.get("perpage", 15))

    def shows_in_page(self, html: str) -> bool:
        """True when the page's HTML carries one of this family's marks."""
        return any(re.search(p, html) for p in self.detect_page)

    def shows_in_url(self, url: str) -> bool:
        return any(re.search(p, url) for p in self.detect_url)


class ProfileError(ValueError):
    """profiles.yaml is malformed."""


def _strings(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ProfileError(f"{where}: must be a list of strings")
    return tuple(raw)


def _json_api(raw: Any, where: str) -> JsonApi | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "url" not in raw:
        raise ProfileError(f"{where}: json must be a mapping with a url template")
    unknown = set(raw) - _JSON_KEYS
    if unknown:
        raise ProfileError(f"{where}: json: unknown keys {sorted(unknown)}")
    variables = raw.get("vars") or {}
    api = JsonApi(
        url=str(raw["url"]),
        method=str(raw.get("method", "GET")).upper(),
        form={str(k): str(v) for k, v in (raw.get("form") or {}).items()},
        page_start=int(raw.get("page_start", 1)),
        vars={str(k): _strings(v, f"{where}: json.vars.{k}") for k, v in variables.items()},
        defaults={str(k): str(v) for k, v in (raw.get("defaults") or {}).items()},
    )
    for name, patterns in api.vars.items():
        for pattern in patterns:
            pattern = pattern.removeprefix("url:")
            try:
                if re.compile(pattern).groups < 1:
                    raise ProfileError(f"{where}: json.vars.{name}: {pattern!r} has no group")
            except re.error as exc:
                raise ProfileError(f"{where}: json.vars.{name}: {pattern!r}: {exc}") from None
    missing = api.fields() - set(api.vars) - set(api.defaults)
    if missing:
        raise ProfileError(f"{where}: json: no vars or defaults for {sorted(missing)}")
    return api


@cache
def load_profiles(path: Path = PROFILES_FILE) -> dict[str, Profile]:
    """Every profile by name; raises :class:`ProfileError` naming the bad profile."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: must map profile names to profiles")
    profiles: dict[str, Profile] = {}
    aliases: dict[str, str] = {}  # old names sources still use
    for name, raw in data.items():
        where = f"{path}: profile {name!r}"
        if not isinstance(raw, dict):
            raise ProfileError(f"{where} must be a mapping")
        pager = raw.get("pager", "auto")
        if pager not in PAGERS:
            raise ProfileError(f"{where}: pager {pager!r} is not one of {PAGERS}")
        unknown = set(raw) - _KEYS
        if unknown:
            raise ProfileError(f"{where}: unknown keys {sorted(unknown)}")
        detect = raw.get("detect") or {}
        for pattern in (*(detect.get("page") or ()), *(detect.get("url") or ())):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ProfileError(f"{where}: detect pattern {pattern!r}: {exc}") from None
        profiles[name] = Profile(
            name=name,
            description=raw.get("description", ""),
            provinces=_strings(raw.get("provinces"), f"{where}: provinces"),
            evidence=_strings(raw.get("evidence"), f"{where}: evidence"),
            detect_page=_strings(detect.get("page"), f"{where}: detect.page"),
            detect_url=_strings(detect.get("url"), f"{where}: detect.url"),
            list_selectors=_strings(raw.get("list_selectors"), f"{where}: list_selectors"),
            pager=pager,
            browser=bool(raw.get("browser", False)),
            wait_for=raw.get("wait_for"),
            dataproxy=dict(raw.get("dataproxy") or {}),
            json=_json_api(raw.get("json"), where),
            notes=str(raw.get("notes") or ""),
        )
        if pager == "json" and profiles[name].json is None:
            raise ProfileError(f"{where}: pager json needs a json: API")
        for alias in _strings(raw.get("aliases"), f"{where}: aliases"):
            if alias in data:
                raise ProfileError(f"{where}: alias {alias!r} is also a profile")
            aliases[alias] = name
    for alias, name in aliases.items():
        profiles.setdefault(alias, profiles[name])
    if "unknown" not in profiles:
        raise ProfileError(f"{path}: the fallback profile 'unknown' is missing")
    return profiles


def profile_for(cms: str) -> Profile:
    """The profile a source names (``unknown`` for the fallback)."""
    profiles = load_profiles()
    try:
        return profiles[cms]
    except KeyError:
        raise ProfileError(f"no CMS profile {cms!r} in {PROFILES_FILE}") from None


def detect_profile(html: str, url: str) -> Profile | None:
    """The platform family a page shows it belongs to, if any: the first profile (in
    profiles.yaml order) whose marks are in the page, else the first whose URL shapes
    the URL has (a URL shape is weaker evidence: platforms of one vendor share them)."""
    profiles = [p for name, p in load_profiles().items() if name == p.name]
    return next((p for p in profiles if p.shows_in_page(html)), None) or next(
        (p for p in profiles if p.shows_in_url(url)), None
    )
