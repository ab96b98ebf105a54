"""The per-source crawl limits, defined once: the safety middleware enforces them on every
request, the spider applies them before it builds a pager's requests."""

from __future__ import annotations

from typing import Any

DEFAULT_LIMITS = {"max_pages": 2000, "max_depth": 5, "max_bytes": 100 * 1024 * 1024, "max_seconds": 3600}


def limits_for(source: Any, settings: Any) -> dict[str, int]:
    """The source's limits: its own ``limits:`` over the settings over the defaults."""
    defaults = {
        "max_pages": settings.getint("NIANBAO_MAX_PAGES", DEFAULT_LIMITS["max_pages"]),
        "max_depth": settings.getint("NIANBAO_MAX_DEPTH", DEFAULT_LIMITS["max_depth"]),
        "max_bytes": settings.getint("DOWNLOAD_MAXSIZE", DEFAULT_LIMITS["max_bytes"])
        or DEFAULT_LIMITS["max_bytes"],
        "max_seconds": settings.getint("NIANBAO_MAX_SECONDS", DEFAULT_LIMITS["max_seconds"]),
    }
    return {**defaults, **(getattr(source, "limits", None) or {})}
