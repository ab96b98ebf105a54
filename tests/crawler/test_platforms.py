"""The platform families on committed pages (City Bureau style: a saved page, one assertion
per field): which family a page shows, the list API request built from the page's own
script, and the records read from real and shaped JSON answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from nianbao.crawler.json_list import as_date, loads, looks_like_json, pages_needed, read_json_list
from nianbao.crawler.list_page import json_next_pages, json_page_number, read_list_page
from nianbao.crawler.profiles import ProfileError, _json_api, detect_profile, load_profiles, profile_for
from nianbao.replicas.recorded import load_recordings

RECORDED = Path(__file__).parents[2] / "replicas" / "recorded"
PINGTAN = RECORDED / "fujian-pingtan-nianbao" / "files" / "www.pingtan.gov.cn"
PINGTAN_COLUMN = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"
SANMING_JSON = RECORDED / "fujian-sanming-nianbao" / "files" / "www.sm.gov.cn" / "fjdzapp" / "data"
GD = RECORDED / "guangdong-province-nianbao" / "files" / "www.gd.gov.cn" / "gkmlpt"
GD_COLUMN = "http://www.gd.gov.cn/gkmlpt/index#2836"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# -- the families as data ------------------------------------------------------


def test_every_profile_loads() -> None:
    assert {"gkmlpt", "fjdzapp", "hanweb-jpage", "trs-wcm", "trs-igs", "unknown"} <= set(load_profiles())


def test_old_names_are_aliases() -> None:
    assert profile_for("trs") is profile_for("trs-wcm")
    assert profile_for("hanweb") is profile_for("hanweb-jpage")


def test_families_cover_ten_provinces() -> None:
    provinces = {p for profile in load_profiles().values() for p in profile.provinces}
    assert len(provinces) >= 10


@pytest.mark.parametrize("name", [n for n, p in load_profiles().items() if p.provinces and n == p.name])
def test_every_family_cites_evidence(name: str) -> None:
    assert load_profiles()[name].evidence


def test_api_template_needs_its_values() -> None:
    with pytest.raises(ProfileError, match="no vars or defaults"):
        _json_api({"url": "{origin}/api/{column}?page={page}"}, "test")


def test_api_var_needs_a_group() -> None:
    with pytest.raises(ProfileError, match="has no group"):
        _json_api({"url": "{origin}/{x}", "vars": {"x": ["abc"]}}, "test")


# -- detection: the family a page shows -------------------------------------------


@pytest.mark.parametrize("recording", load_recordings(), ids=lambda r: r.name)
def test_recorded_column_shows_its_family(recording) -> None:  # noqa: ANN001
    first = recording.source["columns"][0]
    exchange = next((e for e in recording.exchanges if e.url.split("#")[0] == first.split("#")[0]), None)
    if exchange is None or looks_like_json(exchange.body(), exchange.content_type):
        pytest.skip("the column is a JSON URL: no page to recognise")
    profile = detect_profile(exchange.body().decode("utf-8", "replace"), first)
    assert profile is not None and profile.name == recording.family


def test_plain_page_shows_no_family() -> None:
    assert detect_profile("<html><body><a href='/a.html'>a</a></body></html>", "http://x.gov.cn/") is None


# -- Fujian: the static first page, then the fjdzapp/search API (real bytes) ---------


@pytest.fixture(scope="module")
def pingtan_page():  # noqa: ANN201
    html = _read(PINGTAN / "zwgk" / "zfxxgk" / "zfxxgknb" / "index.html")
    return read_list_page(html, PINGTAN_COLUMN, detect_profile(html, PINGTAN_COLUMN))


def test_pingtan_static_reports(pingtan_page) -> None:  # noqa: ANN001
    assert sum(link.is_report for link in pingtan_page.links) == 10


def test_pingtan_api_url(pingtan_page) -> None:  # noqa: ANN001
    assert pingtan_page.api_requests[0].url == "https://www.pingtan.gov.cn/fjdzapp/search"


def test_pingtan_api_method(pingtan_page) -> None:  # noqa: ANN001
    assert pingtan_page.api_requests[0].method == "POST"


def test_pingtan_api_channel(pingtan_page) -> None:  # noqa: ANN001
    assert pingtan_page.api_requests[0].formdata["channelid"] == "200210"


def test_pingtan_api_column(pingtan_page) -> None:  # noqa: ANN001
    assert pingtan_page.api_requests[0].formdata["classsql"] == "chnlid=1813"


def test_pingtan_api_page_size(pingtan_page) -> None:  # noqa: ANN001
    assert pingtan_page.api_requests[0].formdata["prepage"] == "10"


def test_pingtan_api_asks_only_beyond_the_static_page(pingtan_page) -> None:  # noqa: ANN001
    # 动静结合: maxStaticIndex 1, recordCount 20, prepage 10 -> page 1 static, page 2 from the API.
    assert [r.formdata["page"] for r in pingtan_page.api_requests] == ["2"]


def test_pingtan_api_pages_known_from_the_page(pingtan_page) -> None:  # noqa: ANN001
    assert pingtan_page.api_counted


def test_page_limit_bounds_declared_count() -> None:
    api = profile_for("fjdzapp").json
    values = {
        "origin": "https://x.gov.cn",
        "channelid": "1",
        "classsql": "chnlid=2",
        "sortfield": "-a",
        "size": "10",
        "count": "100000000",
        "max_static": "1",
    }
    requests, counted = api.opening(values, max_pages=5)
    assert [r.page for r in requests] == [2, 3, 4, 5, 6]


@pytest.fixture(scope="module")
def pingtan_json():  # noqa: ANN201
    path = next((PINGTAN / "fjdzapp" / "search").glob("*page2*.json"))
    return read_json_list(loads(path.read_bytes()), "https://www.pingtan.gov.cn/fjdzapp/search")


def test_pingtan_json_links(pingtan_json) -> None:  # noqa: ANN001
    assert len(pingtan_json.links) == 10


def test_pingtan_json_url(pingtan_json) -> None:  # noqa: ANN001
    assert (
        pingtan_json.links[0].url
        == "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201601/t20160112_80445.htm"
    )


def test_pingtan_json_title(pingtan_json) -> None:  # noqa: ANN001
    assert pingtan_json.links[0].label == "平潭综合实验区2015年度政府信息公开工作年度报告"


def test_pingtan_json_date(pingtan_json) -> None:  # noqa: ANN001
    assert pingtan_json.links[0].published == "2016-01-12"


def test_pingtan_json_record_count(pingtan_json) -> None:  # noqa: ANN001
    assert pingtan_json.records_total == 20


def test_pingtan_json_page_count(pingtan_json) -> None:  # noqa: ANN001
    assert pages_needed(pingtan_json, 10) == 2


def test_pingtan_json_decoy_is_no_report(pingtan_json) -> None:  # noqa: ANN001
    decoy = next(link for link in pingtan_json.links if "工作要点" in link.label)
    assert not decoy.is_report


@pytest.fixture(scope="module")
def sanming_json():  # noqa: ANN201
    path = next(SANMING_JSON.glob("*.json"))
    return read_json_list(loads(path.read_bytes()), "https://www.sm.gov.cn/")


def test_sanming_json_links(sanming_json) -> None:  # noqa: ANN001
    assert len(sanming_json.links) == 13


def test_sanming_json_title_not_body_text(sanming_json) -> None:  # noqa: ANN001
    assert sanming_json.links[0].label == "三明市2025年政府信息公开工作年度报告"


def test_sanming_json_date(sanming_json) -> None:  # noqa: ANN001
    assert sanming_json.links[0].published == "2026-03-05"


# -- Guangdong gkmlpt (shaped after public code) --------------------------------------


@pytest.fixture(scope="module")
def gd_page():  # noqa: ANN201
    html = _read(GD / "index.html")
    return read_list_page(html, GD_COLUMN, detect_profile(html, GD_COLUMN))


def test_gkmlpt_api_url(gd_page) -> None:  # noqa: ANN001
    assert gd_page.api_requests[0].url == "http://www.gd.gov.cn/gkmlpt/api/all/2836?page=1&sid=2"


def test_gkmlpt_api_method(gd_page) -> None:  # noqa: ANN001
    assert gd_page.api_requests[0].method == "GET"


@pytest.fixture(scope="module")
def gd_json():  # noqa: ANN201
    body = (GD / "api" / "all" / "2836.page1.json").read_bytes()
    return read_json_list(loads(body), "http://www.gd.gov.cn/gkmlpt/api/all/2836?page=1&sid=2")


def test_gkmlpt_json_links(gd_json) -> None:  # noqa: ANN001
    assert len(gd_json.links) == 15


def test_gkmlpt_json_title(gd_json) -> None:  # noqa: ANN001
    assert gd_json.links[0].label == "广东省人民政府2024年政府信息公开工作年度报告"


def test_gkmlpt_json_date(gd_json) -> None:  # noqa: ANN001
    assert gd_json.links[0].published == "2025-03-31"


def test_gkmlpt_json_total(gd_json) -> None:  # noqa: ANN001
    assert gd_json.records_total == 15


# -- the walker on shapes public code reads -----------------------------------------


def test_jsonp_is_read() -> None:
    assert loads(b'cb({"a": 1});') == {"a": 1}


def test_not_json_is_none() -> None:
    assert loads(b"<html></html>") is None


def test_html_fragment_records() -> None:
    data = {
        "success": True,
        "data": {
            "html": '<ul><li><a href="/art/1.html" title="某县2023年政府信息公开工作年度报告">x</a></li></ul>'
        },
    }
    assert read_json_list(data, "http://x.gov.cn/").links[0].url == "http://x.gov.cn/art/1.html"


def test_nested_records_upper_case_keys() -> None:
    data = {
        "page": {
            "content": [
                {
                    "DOCPUBURL": "http://x.gov.cn/t1.html",
                    "DOCTITLE": "某县2023年政府信息公开工作年度报告",
                    "PUBDATE": "2024-01-20",
                }
            ],
            "totalPages": 3,
        }
    }
    listed = read_json_list(data, "http://x.gov.cn/")
    assert (listed.links[0].url, listed.links[0].published, listed.pages_total) == (
        "http://x.gov.cn/t1.html",
        "2024-01-20",
        3,
    )


def test_epoch_seconds_date() -> None:
    assert as_date(1743411731) == "2025-03-31"


def test_epoch_milliseconds_date() -> None:
    assert as_date(1743411731000) == "2025-03-31"


def test_bare_json_url_pages() -> None:
    pages = json_next_pages(None, None, "http://x.gov.cn/api/list?pageNo=1&size=10", 1, 3)
    assert [p.url for p in pages] == [
        "http://x.gov.cn/api/list?pageNo=2&size=10",
        "http://x.gov.cn/api/list?pageNo=3&size=10",
    ]


def test_bare_json_url_page_number() -> None:
    assert json_page_number("http://x.gov.cn/api/list?page=4") == 4


def test_bare_json_url_without_page_parameter_is_one_page() -> None:
    assert json_next_pages(None, None, "http://x.gov.cn/api/list", 1, 5) == []


def test_page_limit_bounds_a_huge_dataproxy_total() -> None:
    # A Hanweb list that declares a hundred million records: the windows stop at the limit.
    from nianbao.crawler.list_page import dataproxy_windows

    windows = dataproxy_windows(
        "http://x.gov.cn/module/web/jpage/dataproxy.jsp",
        {"perpage": "15"},
        10**8,
        profile_for("hanweb-jpage"),
        max_requests=7,
    )
    assert len(windows) == 7


def test_inline_count_page_pager() -> None:
    # TRS's inline pager (鄂尔多斯's 信息公开年报): `var countPage = 2//共多少页`, links by concatenation.
    from nianbao.crawler.list_page import create_page_html_urls

    html = '<script>var countPage = 2//共多少页\ndocument.write("<a href=\\"index_" + 1 + ".shtml\\">2</a>");</script>'
    assert create_page_html_urls(html, "http://x.gov.cn/xxgknb/") == [
        "http://x.gov.cn/xxgknb/index.shtml",
        "http://x.gov.cn/xxgknb/index_1.shtml",
    ]
