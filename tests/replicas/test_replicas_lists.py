"""Each portal's column lists every item, in its CMS's own way; discovery by link text works."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode, urljoin

import lxml.html
import pytest
from nianbao.replicas.server import ReplicaServer

from nianbao import chromium
from tests.replicas.replica_http import fetch


def _portal(server: ReplicaServer, cms: str) -> dict:
    return next(p for p in server.manifest()["portals"] if p["cms"] == cms)


def _expected(server: ReplicaServer, portal: dict) -> set[str]:
    """Every URL the portal's column must link: reports (as linked), decoys, disallowed, dead links."""
    m = server.manifest()
    urls = {r["linked_url"] for r in m["reports"] if r["portal"] == portal["id"]}
    for kind in ("decoys", "disallowed", "missing"):
        urls |= {e["url"] for e in m[kind] if e["portal"] == portal["id"]}
    return urls


def _links(url: str, body: bytes) -> list[str]:
    doc = lxml.html.fromstring(body)
    return [urljoin(url, a.get("href")) for a in doc.xpath("//a[@href]")]


def _list_links(url: str, body: bytes, container: str) -> set[str]:
    doc = lxml.html.fromstring(body)
    return {urljoin(url, href) for href in doc.xpath(f"{container}//a/@href")}


def test_discovery_from_homepage_by_link_text(replica: ReplicaServer) -> None:
    for portal in replica.manifest()["portals"]:
        status, _, home = fetch(portal["homepage"])
        assert status == 200
        doc = lxml.html.fromstring(home)
        (open_gov,) = {urljoin(portal["homepage"], h) for h in doc.xpath("//a[text()='政府信息公开']/@href")}
        assert open_gov == portal["open_government"]
        doc = lxml.html.fromstring(fetch(open_gov)[2])
        label = portal["column_label"]
        assert re.search("政府信息公开年报|信息公开年报|年度报告", label)
        (column,) = {urljoin(open_gov, h) for h in doc.xpath("//a[text()=$t]/@href", t=label)}
        assert column == portal["column"]


def test_static_pages_pager_reaches_every_item(replica: ReplicaServer) -> None:
    portal = _portal(replica, "static_pages")
    seen, queue, found = set(), [portal["column"]], set()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        status, _, body = fetch(url)
        assert status == 200
        found |= _list_links(url, body, "//ul[@class='list_ul']")
        pager = _list_links(url, body, "//div[@class='pages']")
        queue += [u for u in pager if u not in seen]
    assert {u.rsplit("/", 1)[-1] for u in seen} == {"index.html", "index_1.html", "index_2.html"}
    assert found == _expected(replica, portal)


def test_js_pager_has_no_links_to_other_pages(replica: ReplicaServer) -> None:
    portal = _portal(replica, "js_pager")
    status, _, body = fetch(portal["column"])
    links = _links(portal["column"], body)
    assert not [u for u in links if re.search(r"index_\d+\.html$", u)]
    calls = re.findall(r'createPageHTML\((\d+), (\d+), "index", "html"\)', body.decode())
    assert calls == [("3", "0")]
    found = set()
    for n in range(int(calls[0][0])):
        url = urljoin(portal["column"], "index.html" if n == 0 else f"index_{n}.html")
        status, _, page = fetch(url)
        assert status == 200
        assert re.findall(r"createPageHTML\((\d+), (\d+),", page.decode()) == [("3", str(n))]
        found |= _list_links(url, page, "//div[@class='rules_tabs_01']")
        assert all(re.search(r"/\d{6}/t\d{8}_\d+(_old)?\.htm$", u) for u in _list_links(url, page, "//dd"))
    assert found == _expected(replica, portal)


def test_dataproxy_page_is_empty_and_the_proxy_lists_everything(replica: ReplicaServer) -> None:
    portal = _portal(replica, "dataproxy")
    _, _, body = fetch(portal["column"])
    text = body.decode()
    assert not (
        _links(portal["column"], body) and set(_links(portal["column"], body)) & _expected(replica, portal)
    )
    params = dict(
        re.findall(
            r"\b(col|appid|webid|path|columnid|sourceContentType|unitid|webname|permissiontype): \"?([^\",}]+)",
            text,
        )
    )
    total = int(re.search(r"totalRecord: (\d+)", text).group(1))
    assert total == len(_expected(replica, portal))
    proxy = replica.base_url + "/module/web/jpage/dataproxy.jsp"
    found: set[str] = set()
    for first in range(1, total + 1, 15):
        query = urlencode({"startrecord": first, "endrecord": first + 14, "perpage": 5, **params})
        status, headers, xml = fetch(f"{proxy}?{query}")
        assert status == 200 and headers["content-type"].startswith("text/xml")
        assert f"<totalrecord>{total}</totalrecord>" in xml.decode()
        for record in re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", xml.decode(), re.S):
            found |= _list_links(proxy, record.encode(), "")
    assert found == _expected(replica, portal)
    # POST with the parameters as a form, as jpage and the crawler send them.
    status, _, xml = fetch(
        f"{proxy}?startrecord=1&endrecord=3&perpage=3", method="POST", body=urlencode(params)
    )
    assert status == 200 and xml.decode().count("<record>") == 3
    # A column the proxy does not know is an empty datastore; nonsense is a clear 400.
    status, _, xml = fetch(f"{proxy}?startrecord=1&endrecord=9&perpage=3&columnid=1")
    assert status == 200 and "<record>" not in xml.decode()
    status, _, msg = fetch(f"{proxy}?startrecord=one&endrecord=9&perpage=3&columnid={params['columnid']}")
    assert status == 400 and b"integers" in msg


def test_browser_only_list_is_empty_without_javascript(replica: ReplicaServer) -> None:
    portal = _portal(replica, "browser")
    _, _, body = fetch(portal["column"])
    assert not set(_links(portal["column"], body)) & _expected(replica, portal)
    doc = lxml.html.fromstring(body)
    assert doc.xpath("//ul[@id='articleList']/*") == []
    api = re.search(r'"(/[^"]+/api/cms/articles)\?channelId=" \+ ch', body.decode()).group(1)
    channel = re.search(r"ch = (\d+)", body.decode()).group(1)
    for token in ("", "00000000"):
        status, _, answer = fetch(f"{replica.base_url}{api}?channelId={channel}&page=1&size=8&token={token}")
        assert status == 403 and json.loads(answer)["code"] == 403


@pytest.mark.browser
def test_browser_only_list_filled_in_chromium(replica: ReplicaServer) -> None:
    from playwright.sync_api import sync_playwright

    portal = _portal(replica, "browser")
    found: set[str] = set()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium.launch_options())
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)
            pages, url = set(), portal["column"]
            queue = [url]
            while queue:
                url = queue.pop()
                if url in pages:
                    continue
                pages.add(url)
                page.goto(url)
                page.wait_for_selector("#articleList li a")
                found |= {
                    urljoin(url, h)
                    for h in page.eval_on_selector_all(
                        "#articleList a", "as => as.map(a => a.getAttribute('href'))"
                    )
                }
                pager = page.eval_on_selector_all("#pagination a", "as => as.map(a => a.href)")
                queue += [u for u in pager if u not in pages]
        finally:
            browser.close()
    assert {u.rsplit("page=", 1)[-1] for u in pages if "page=" in u} == {"1", "2", "3"}
    assert found == _expected(replica, portal)


@pytest.mark.browser
def test_dataproxy_list_filled_by_jpage_in_chromium(replica: ReplicaServer) -> None:
    from playwright.sync_api import sync_playwright

    portal = _portal(replica, "dataproxy")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium.launch_options())
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)
            page.goto(portal["column"])
            page.wait_for_selector(".default_pgContainer li a")
            first = page.eval_on_selector_all(".default_pgContainer li a", "as => as.map(a => a.href)")
            page.click("a.default_pgBtn[data-page='2']")
            page.wait_for_selector(".default_pgCurrentPage:text('2')")
            second = page.eval_on_selector_all(".default_pgContainer li a", "as => as.map(a => a.href)")
        finally:
            browser.close()
    assert len(first) == 8 and len(second) == 8 and not set(first) & set(second)
    assert set(first) | set(second) <= _expected(replica, portal)
