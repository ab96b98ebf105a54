"""The portals to crawl, as data: ``registry/*.yaml`` validated by :mod:`crawler.sources.loader`."""

from nianbao.crawler.sources.loader import (
    DEFAULT_REGISTRY,
    Source,
    SourceError,
    load_registry,
    load_sources,
    select_sources,
)

__all__ = ["DEFAULT_REGISTRY", "Source", "SourceError", "load_registry", "load_sources", "select_sources"]
