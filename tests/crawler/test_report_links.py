"""Link recognition on real markup: the 平潭 TRS column (2016–2025 on its first page)."""

from __future__ import annotations

import codecs
import re
import time
import urllib.parse
import urllib.request

import pytest
from nianbao.crawler.discovery import discover
from nianbao.crawler.encoding import decode_html, looks_like_html
from nianbao.crawler.list_page import (
    create_page_html_urls,
    dataproxy_parameters,
    dataproxy_records,
    dataproxy_windows,
    read_list_page,
)
from nianbao.crawler.profiles import profile_for
from nianbao.crawler.report_links import (
    disposition_filename,
    document_role,
    is_attachment_response,
    is_report_title,
    page_holds_report,
    report_year,
)

from tests.crawler.conftest import SHARED

PINGTAN = SHARED / "corpus" / "portal" / "pingtan-list.html"
PINGTAN_URL = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/nlist.htm"


@pytest.fixture(scope="module")
def pingtan_html() -> str:
    if not PINGTAN.exists():
        pytest.skip(f"{PINGTAN} is absent")
    return PINGTAN.read_text(encoding="utf-8")


def test_pingtan_report_links_and_nothing_else(pingtan_html: str) -> None:
    for profile in ("trs", "unknown"):
        page = read_list_page(pingtan_html, PINGTAN_URL, profile_for(profile))
        reports = [link for link in page.links if link.is_report]
        # Every report link on the page, each once, with its year and list date; no chrome.
        assert sorted(link.year for link in reports) == list(range(2016, 2026))
        assert all(
            link.url.startswith("https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/20") for link in reports
        )
        assert len({link.url for link in reports}) == 10
        by_year = {link.year: link for link in reports}
        assert by_year[2018].url.endswith("/201901/t20190110_80529.htm")
        assert by_year[2018].published == "2019-01-10"
        assert by_year[2025].label == "平潭综合实验区2025年度政府信息公开工作年度报告"


def test_pingtan_column_found_by_discovery(pingtan_html: str) -> None:
    found = discover(pingtan_html, PINGTAN_URL)
    assert found.columns[0].url == PINGTAN_URL  # the sidebar's 政府信息公开年报
    assert "https://www.pingtan.gov.cn/zwgk/zfxxgk/" in {h.url for h in found.hubs}


@pytest.mark.parametrize(
    ("title", "ok"),
    [
        ("新乡县2023年政府信息公开工作年度报告", True),
        ("新乡县应急管理局关于2023年度政府信息公开工作的报告", True),
        ("洛阳市西工区应急管理局2021年政府信息公开年报", True),
        ("关于做好2023年政府信息公开工作年度报告编制工作的通知", False),
        ("新乡县2024年政务公开工作要点", False),
        ("2023年政府信息公开工作年度报告解读", False),
        ("政府信息公开年报", False),  # the column, not a report
        ("2023年统计年报", False),
    ],
)
def test_titles(title: str, ok: bool) -> None:
    assert is_report_title(title) is ok


def test_years_pagers_and_attachments() -> None:
    assert report_year("平潭综合实验区2018年度政府信息公开工作年度报告") == 2018
    assert report_year("第1号") is None
    base = "https://www.example.gov.cn/zwgk/nb/index.html"
    assert create_page_html_urls('<script>createPageHTML(3, 0, "index", "html");</script>', base) == [
        "https://www.example.gov.cn/zwgk/nb/index.html",
        "https://www.example.gov.cn/zwgk/nb/index_1.html",
        "https://www.example.gov.cn/zwgk/nb/index_2.html",
    ]
    assert create_page_html_urls("createPageHTML('page_div',2, 1,'index','shtml',25);", base)[-1].endswith(
        "/index_1.shtml"
    )
    cd = "attachment; filename*=UTF-8''%E6%96%B0%E4%B9%A1%E5%8E%BF2022.pdf"
    assert disposition_filename(cd) == "新乡县2022.pdf"
    assert is_attachment_response([("Content-Disposition", cd), ("Content-Type", "application/octet-stream")])
    assert not is_attachment_response([("Content-Type", "text/html; charset=utf-8")])


def test_replica_pages_read_over_http(replica) -> None:
    """The Hanweb data proxy's parameters from its column page, then its XML records."""
    portal = next(p for p in replica.manifest["portals"] if p["cms"] == "dataproxy")
    html = urllib.request.urlopen(portal["column"], timeout=10).read().decode("utf-8")
    endpoint, params, total = dataproxy_parameters(html, portal["column"], profile_for("hanweb"))
    assert endpoint.endswith("/module/web/jpage/dataproxy.jsp") and params["columnid"] and total
    window = dataproxy_windows(endpoint, params, total, profile_for("hanweb"))[0]
    form = urllib.parse.urlencode(window.formdata).encode()
    xml = urllib.request.urlopen(
        urllib.request.Request(window.url, data=form), timeout=10
    ).read()  # POST, as jpage
    links, declared = dataproxy_records(xml.decode("utf-8"), endpoint)
    assert declared == total and len(links) == min(total, 3 * window.perpage)
    detail = next(
        r for r in replica.manifest["reports"] if r["format"] == "html" and r["portal"] == portal["id"]
    )
    text = urllib.request.urlopen(detail["url"], timeout=10).read().decode("utf-8")
    assert page_holds_report(text)


def test_since_keeps_newer_reports_only(tmp_path) -> None:
    from nianbao.crawler.report_links import Link
    from nianbao.crawler.spiders.portal import PortalSpider

    path = tmp_path / "s.yaml"
    path.write_text("- {id: a-b, name: A, homepage: 'https://a.gov.cn/'}\n", encoding="utf-8")
    spider = PortalSpider(sources=str(path), since="2021")
    assert spider.wanted(Link("https://a.gov.cn/1.htm", "A县2021年政府信息公开工作年度报告"))
    assert not spider.wanted(Link("https://a.gov.cn/2.htm", "A县2020年政府信息公开工作年度报告"))
    assert not spider.wanted(
        Link("https://a.gov.cn/3.htm", "关于做好2023年政府信息公开工作年度报告编制工作的通知")
    )


PINGTAN_REPORT = SHARED / "corpus" / "portal" / "pingtan-report-2018.html"
HTML_TYPE = [("Content-Type", "text/html")]


@pytest.fixture(scope="module")
def pingtan_report() -> bytes:
    if not PINGTAN_REPORT.exists():
        pytest.skip(f"{PINGTAN_REPORT} is absent")
    return PINGTAN_REPORT.read_bytes()


def test_document_role_on_real_pages(pingtan_html: str, pingtan_report: bytes) -> None:
    url = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201901/t20190110_80529.htm"
    assert document_role("detail", url, HTML_TYPE, pingtan_report, 200) == "report"
    assert document_role("detail", url, [], pingtan_report, 200) == "report"
    assert document_role("detail", PINGTAN_URL, HTML_TYPE, pingtan_html.encode("utf-8"), 200) == "page"
    assert document_role("list", url, HTML_TYPE, pingtan_report, 200) == "page"


def test_document_role_is_cheap_on_a_hostile_page(pingtan_report: bytes) -> None:
    """The real report page in 200 nested <div>s after 10 MB of filler: the archive asks
    for its role in the reactor, so the answer comes without building a DOM of it."""
    body = re.search(rb"<body[^>]*>", pingtan_report)
    assert body
    end = pingtan_report.rfind(b"</body>")
    filler = "<p>填充文字 filler text</p>\n".encode() * (10 * 1024 * 1024 // 30)
    hostile = (
        pingtan_report[: body.end()]
        + b"<div>" * 200
        + filler
        + pingtan_report[body.end() : end]
        + b"</div>" * 200
        + pingtan_report[end:]
    )
    started = time.monotonic()
    document_role("detail", "https://www.pingtan.gov.cn/a.htm", HTML_TYPE, hostile, 200)
    assert time.monotonic() - started < 3
    # The report's headings within the bounded prefix are still read.
    short = pingtan_report[: body.end()] + b"<div>" * 200 + filler[:100_000] + pingtan_report[body.end() :]
    assert document_role("detail", "https://www.pingtan.gov.cn/a.htm", HTML_TYPE, short, 200) == "report"


UNICODE = {
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
    "utf-8": codecs.BOM_UTF8,
}


@pytest.mark.parametrize("encoding", sorted(UNICODE))
def test_unicode_pages_decoded_and_recognised(pingtan_report: bytes, encoding: str) -> None:
    text = pingtan_report.decode("utf-8")
    body = UNICODE[encoding] + text.encode(encoding)
    assert decode_html(body) == text
    assert decode_html(body, "text/html; charset=utf-8") == text  # the mark wins over a header
    assert looks_like_html(body, None)
    for headers in (HTML_TYPE, []):
        assert document_role("detail", "https://www.pingtan.gov.cn/a.htm", headers, body, 200) == "report"


def test_utf16_without_a_mark_and_mislabels(pingtan_report: bytes) -> None:
    text = pingtan_report.decode("utf-8").replace('charset="utf-8"', 'charset="utf-16"')
    assert 'charset="utf-16"' in text
    for order in ("le", "be"):
        assert decode_html(text.encode(f"utf-16-{order}")) == text  # the meta, in UTF-16, said so
    # A UTF-16 declaration carried by ASCII-readable bytes is wrong: they are UTF-8.
    assert decode_html(text.encode("utf-8")) == text
    assert decode_html(text.encode("utf-8"), "text/html; charset=utf-16") == text
    # A cut through a character at the limit drops it; it does not fall back to GB18030.
    assert decode_html("年报".encode(), limit=4) == "年"
