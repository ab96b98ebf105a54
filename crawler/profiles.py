"""CMS profiles (``crawler/profiles.yaml``) as typed data."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROFILES_FILE = Path(__file__).with_name("profiles.yaml")
PAGERS = ("static", "createPageHTML", "dataproxy", "auto", "none")


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    list_selectors: tuple[str, ...] = ()
    pager: str = "auto"
    browser: bool = False
    wait_for: str | None = None
    dataproxy: dict[str, Any] = field(default_factory=dict)

    @property
    def dataproxy_path(self) -> str:
        return str(self.dataproxy.get("path", "/module/web/jpage/dataproxy.jsp"))

    @property
    def dataproxy_per_request(self) -> int:
        return int(self.dataproxy.get("per_request", 45))

    @property
    def dataproxy_perpage(self) -> int:
        return int(self.dataproxy.get("perpage", 15))


class ProfileError(ValueError):
    """profiles.yaml is malformed."""


@cache
def load_profiles(path: Path = PROFILES_FILE) -> dict[str, Profile]:
    """Every profile by name; raises :class:`ProfileError` naming the bad profile."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: must map profile names to profiles")
    profiles: dict[str, Profile] = {}
    for name, raw in data.items():
        if not isinstance(raw, dict):
            raise ProfileError(f"{path}: profile {name!r} must be a mapping")
        pager = raw.get("pager", "auto")
        if pager not in PAGERS:
            raise ProfileError(f"{path}: profile {name!r}: pager {pager!r} is not one of {PAGERS}")
        unknown = set(raw) - {"description", "list_selectors", "pager", "browser", "wait_for", "dataproxy"}
        if unknown:
            raise ProfileError(f"{path}: profile {name!r}: unknown keys {sorted(unknown)}")
        profiles[name] = Profile(
            name=name,
            description=raw.get("description", ""),
            list_selectors=tuple(raw.get("list_selectors") or ()),
            pager=pager,
            browser=bool(raw.get("browser", False)),
            wait_for=raw.get("wait_for"),
            dataproxy=dict(raw.get("dataproxy") or {}),
        )
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
