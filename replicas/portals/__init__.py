"""The replica portals: four CMS styles, one catalogue of reports each (portals.yaml).

``build_site(seed)`` renders every page and document once and returns the ``Site``
the server answers from, with the manifest entries alongside.
"""

from __future__ import annotations

from nianbao.replicas.portals.browser import BrowserOnly
from nianbao.replicas.portals.catalogue import catalogue, load_config
from nianbao.replicas.portals.dataproxy import DataProxy
from nianbao.replicas.portals.js_pager import JsPager
from nianbao.replicas.portals.site import Resource, Site
from nianbao.replicas.portals.static_pages import StaticPages
from nianbao.replicas.portals.style import Style

STYLES: dict[str, type[Style]] = {
    "static_pages": StaticPages,
    "js_pager": JsPager,
    "dataproxy": DataProxy,
    "browser": BrowserOnly,
}

__all__ = ["STYLES", "build_site"]


def build_site(seed: int) -> Site:
    site = Site(seed=seed)
    private = []
    for portal in load_config():
        style = STYLES[portal.cms](portal, seed)
        style.publish(site, catalogue(portal, seed))
        if portal.disallowed:
            private.append(f"{portal.prefix}/private/")
    # One host serves all portals, so one robots.txt speaks for all of them.
    robots = "User-agent: *\n" + "".join(f"Disallow: {path}\n" for path in private) + "\n"
    site.add("/robots.txt", Resource(robots.encode("utf-8"), "text/plain; charset=utf-8"))
    site.add("/", Resource(_index(site).encode("utf-8"), "text/html; charset=utf-8"))
    return site


def _index(site: Site) -> str:
    """The server's root: a plain list of the portals (not part of any portal)."""
    links = "".join(f'<li><a href="{p["homepage"]}">{p["name"]}</a> ({p["cms"]})</li>' for p in site.portals)
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>replica portals</title></head><body><ul>{links}</ul></body></html>'
