"""What kind of body issued a report: government, department, township or other.

The kinds, their name rules and the registry's word for a portal's own government
are data, in ``body_kinds.yaml``; the ON-TIME audit (serve/audits.py) picks its
deadline by kind.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

KINDS_FILE = Path(__file__).with_name("body_kinds.yaml")
_REMARK = re.compile(r"[(（][^()（）]*[)）]$")
_GOVERNMENT_SUFFIX = re.compile(r"(人民政府|政府|行政公署|(党工委)?(管委会|管理委员会))$")
_AREA_END = re.compile(r"(省|市|县|区|州|盟|旗|特区|林区|地区)$")


@cache
def definitions() -> dict[str, Any]:
    data = yaml.safe_load(KINDS_FILE.read_text(encoding="utf-8"))
    unknown = {r["kind"] for r in data["rules"]} - set(data["kinds"])
    unknown |= {data["default"], *data["registry_levels"].values()} - set(data["kinds"])
    if unknown:
        raise ValueError(f"{KINDS_FILE.name}: kinds used but not defined: {', '.join(sorted(unknown))}")
    return data


@cache
def _rules() -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    return tuple(
        (rule["kind"], tuple(re.compile(p) for p in rule["patterns"])) for rule in definitions()["rules"]
    )


def kinds() -> tuple[str, ...]:
    return tuple(definitions()["kinds"])


def compact_name(name: str | None) -> str:
    """The name as the rules see it: no whitespace, no trailing bracketed remark."""
    text = re.sub(r"\s+", "", name or "")
    while _REMARK.search(text):
        text = _REMARK.sub("", text)
    return text


def body_kind(name: str | None, registry_kind: str | None = None) -> str | None:
    """The kind of the body called ``name``; ``registry_kind`` (what the registry says of
    a portal's own government, when the report is that government's) wins. None when
    there is neither a name nor a registry kind."""
    if registry_kind:
        if registry_kind not in definitions()["kinds"]:
            raise ValueError(f"unknown body kind {registry_kind!r}")
        return registry_kind
    text = compact_name(name)
    if not text:
        return None
    for kind, patterns in _rules():
        if any(p.search(text) for p in patterns):
            return kind
    return definitions()["default"]


def registry_kind(source: dict[str, Any] | None) -> str | None:
    """What the registry says of a portal's own government: its ``body_kind`` if it
    states one, else what its ``level`` implies (a province, city, county or district
    portal is a government's)."""
    if not source:
        return None
    stated = source.get("body_kind")
    if stated:
        return stated
    return definitions()["registry_levels"].get(source.get("level") or "")


def _area(name: str | None) -> str:
    return _GOVERNMENT_SUFFIX.sub("", compact_name(name))


def is_own_body(body: str | None, source_name: str | None) -> bool:
    """Whether the report's body is the portal's own government: the same name, or the
    same area with or without 人民政府 (管委会, 行政公署) and the province or city before it
    (新乡县, 新乡县人民政府 and 河南省新乡县人民政府 are one body)."""
    mine, theirs = _area(body), _area(source_name)
    if not mine or not theirs:
        return False
    if mine == theirs:
        return True
    longer, shorter = (mine, theirs) if len(mine) > len(theirs) else (theirs, mine)
    return longer.endswith(shorter) and bool(_AREA_END.search(shorter))
