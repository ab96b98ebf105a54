"""Tables for people and exports, on a real Datasette over the serve corpus (conftest.py):
readable columns first, Chinese labels (the form's from nianbao.parse.form), facets, a search
box with highlighted snippets, CSV that streams every row (with a BOM when asked), JSON with
readable Chinese."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from pathlib import Path

import pytest
import sqlite_utils
from nianbao.parse.form import TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_RESULTS
from nianbao.serve.app import make_datasette

SEARCHABLE = ("reports", "sections", "report_texts")


@pytest.fixture(scope="module")
def get(built):
    datasette = make_datasette(built.data.database)

    def fetch(path: str):
        return asyncio.run(datasette.client.get(path))

    fetch.datasette = datasette  # type: ignore[attr-defined]
    return fetch


def page_config(html: str) -> dict:
    """The labels the page's script applies (serve/plugins/nianbao_datasette.py)."""
    found = re.search(r"var config = (\{.*?\});\n", html)
    assert found, "no nianbao script on the page"
    return json.loads(found.group(1).replace("<\\/", "</"))


def header_columns(html: str) -> list[str]:
    return re.findall(
        r'<th[^>]*\bdata-column="([^"]+)"', html.split('<table class="rows-and-columns">', 1)[1]
    )


def test_reports_show_title_body_year_first_and_the_hash_last(get):
    html = get("/nianbao/reports").text
    columns = header_columns(html)
    assert columns[0] == "id"  # Datasette prints the primary key first; the page's script moves it
    config = page_config(html)
    assert config["last"] == ["id", "sha256"]
    readable = [c for c in columns if c not in config["last"]]
    assert readable[:3] == ["title", "body", "year"]


def test_column_labels_are_chinese_with_the_name_beside_and_the_form_labels_come_from_the_form(get):
    reports = page_config(get("/nianbao/reports").text)["columns"]
    assert reports["title"].startswith("标题")
    assert reports["body"].startswith("发布机关")
    applications = page_config(get("/nianbao/applications").text)["columns"]
    for column in TABLE3_COLUMNS:
        assert applications[column.key] == f"{column.label} · {column.key}"
    review = page_config(get("/nianbao/review_litigation").text)["columns"]
    for result in TABLE4_RESULTS:
        assert review[result.key] == f"{result.label} · {result.key}"
    # The form's row keys carry their printed labels, for cells and facet values.
    values = page_config(get("/nianbao/applications").text)["values"]["row_key"]
    assert values["granted"] == next(r.label for r in TABLE3_ROWS if r.key == "granted")


def test_reports_have_facets_by_body_region_level_kind_year_form_and_status(get):
    html = get("/nianbao/reports").text
    facets = re.findall(r'<div class="facet-info [^"]*" id="facet-[^"]+" data-column="([^"]+)"', html)
    for facet in ("body", "province", "city", "level", "body_kind", "year", "form", "status"):
        assert facet in facets, facet


def test_coded_values_and_check_ids_are_shown_in_chinese(get):
    reports = get("/nianbao/reports?status=ok").text
    assert re.search(r'<td class="col-status[^"]*">完整 <span class="nianbao-code">ok</span>', reports)
    checks = get("/nianbao/checks?check_id=T3-BALANCE").text
    assert '表三收支平衡 <span class="nianbao-code">T3-BALANCE</span>' in checks
    assert re.search(r'<td class="col-ok[^"]*">(通过|未通过) <span class="nianbao-code">[01]</span>', checks)
    applications = get("/nianbao/applications?row_key=carried_in").text
    assert '二、上年结转政府信息公开申请数量 <span class="nianbao-code">carried_in</span>' in applications


@pytest.mark.parametrize("table", SEARCHABLE)
def test_every_searchable_table_has_a_search_box(get, table):
    html = get(f"/nianbao/{table}").text
    assert '<input id="_search" type="search" name="_search"' in html


@pytest.mark.parametrize("table", SEARCHABLE)
def test_a_search_shows_highlighted_snippets(get, table, built):
    response = get(f"/nianbao/{table}?_search=复议")
    assert response.status_code == 200
    html = response.text
    assert 'value="复议"' in html  # the box keeps the words
    assert "<mark>复议</mark>" in html
    db = sqlite_utils.Database(built.data.database)
    found = re.search(r"([\d,]+) rows? where", html)
    assert found
    expected = db.execute("select count(*) from report_texts where text like '%复议%'").fetchone()[0]
    if table == "reports":
        assert int(found.group(1).replace(",", "")) == expected


def test_the_search_query_gives_a_snippet_around_the_words(get):
    html = get("/nianbao/search?q=行政诉讼").text
    snippets = re.findall(r'<td class="col-snippet[^"]*">(.*?)</td>', html, re.S)
    assert snippets
    assert all("<mark>行政诉讼</mark>" in s for s in snippets)
    plain = get("/nianbao/search.json?q=行政诉讼&_shape=array").json()
    assert plain and all("行政诉讼" in row["snippet"] and "<mark>" not in row["snippet"] for row in plain)


def csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_link_streams_every_row_past_max_returned_rows(built):
    datasette = make_datasette(built.data.database)
    datasette._settings["max_returned_rows"] = 25  # well under the table's rows
    db = sqlite_utils.Database(built.data.database)
    total = db["cells"].count
    assert total > 25
    html = asyncio.run(datasette.client.get("/nianbao/cells")).text
    link = re.search(r'href="(/nianbao/cells\.csv[^"]*)"', html).group(1).replace("&amp;", "&")
    response = asyncio.run(datasette.client.get(link))
    assert response.status_code == 200
    rows = csv_rows(response.content)
    assert len(rows) == total
    assert not response.content.startswith(b"\xef\xbb\xbf")


def test_a_bom_for_excel_when_asked(get, built):
    db = sqlite_utils.Database(built.data.database)
    response = get("/nianbao/reports.csv?_bom=1&_dl=1")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbfid,sha256,title,")
    assert response.content.count(b"\xef\xbb\xbf") == 1
    rows = csv_rows(response.content)
    assert len(rows) == db["reports"].count
    titles = {r["title"] or "" for r in db.query("select title from reports")}
    assert {r["title"] for r in rows} == titles
    assert "attachment" in response.headers["content-disposition"]


def test_json_carries_chinese_as_characters(get, built):
    response = get("/nianbao/reports.json?_shape=array&_size=max")
    assert response.status_code == 200
    assert "\\u" not in response.text
    body = response.content.decode("utf-8")
    rows = json.loads(body)
    db = sqlite_utils.Database(built.data.database)
    assert len(rows) == db["reports"].count
    assert any("年度报告" in (r["title"] or "") for r in rows)
    assert "年度报告" in body
    assert int(response.headers["content-length"]) == len(response.content)
    lines = get("/nianbao/reports.json?_shape=array&_nl=on").text.splitlines()
    assert lines and "\\u" not in "".join(lines) and all(json.loads(line) for line in lines)


ARTIFACTS = Path(__file__).parents[1] / "artifacts" / "serve"


@pytest.mark.browser
def test_in_a_browser_the_table_reads_in_chinese_with_the_hash_last(site, built):  # noqa: F811
    from nianbao import chromium

    if not Path(chromium.EXECUTABLE).exists():
        pytest.skip("no system Chromium")
    from playwright.sync_api import sync_playwright

    base, _ = site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium.launch_options())
        try:
            page = browser.new_page()
            page.goto(base + "/nianbao/reports")
            headers = page.locator("table.rows-and-columns thead th")
            names = [headers.nth(i).get_attribute("data-column") for i in range(headers.count())]
            assert names[:3] == ["title", "body", "year"] and names[-1] == "sha256"
            first = headers.nth(0).inner_text()
            assert "标题" in first and "title" in first
            facets = page.locator("#facet-status").inner_text()
            assert "完整" in facets
            page.screenshot(path=str(ARTIFACTS / "tables-reports.png"), full_page=True)
            page.fill("#_search", "复议")
            page.press("#_search", "Enter")
            page.wait_for_selector("mark")
            assert page.locator("mark").first.inner_text() == "复议"
            page.screenshot(path=str(ARTIFACTS / "tables-search.png"), full_page=True)
        finally:
            browser.close()


from tests.serve.test_served import site  # noqa: E402, F401 - the running server fixture


def test_stored_facet_counts_equal_counted_ones(get):
    """The unfiltered page reads its facets from facet_counts (written by the build); a
    filter that keeps every row makes Datasette count them: the same numbers."""

    def facets(path: str) -> dict:
        data = get(path).json()
        return {
            name: [(v["value"], v["count"]) for v in facet["results"]]
            for name, facet in data["facet_results"].items()
        }

    stored = facets("/nianbao/reports.json?_size=0")
    counted = facets("/nianbao/reports.json?_size=0&id__gte=0")
    assert stored and stored == counted
    for table in ("reports", "report_summary"):  # one year: stored too
        stored = facets(f"/nianbao/{table}.json?_size=0&year=2023")
        counted = facets(f"/nianbao/{table}.json?_size=0&year=2023&year__gte=0")
        assert stored and stored == counted
        assert stored["year"] == [(2023, stored["year"][0][1])]


def test_a_facet_column_without_values_is_read_from_the_stored_counts_too(built_copy):
    """A column the build counted and found all NULL (here: no sources, so no level) has no
    row in facet_counts; the page shows its facet empty from what the build listed, not
    counting the table again (which would see the level set after the build)."""
    db = sqlite_utils.Database(built_copy.data.database)
    assert db.execute("select count(*) from reports where level is not null").fetchone()[0] == 0
    db.execute("update reports set level = 'county'")
    db.conn.commit()
    datasette = make_datasette(built_copy.data.database)
    data = asyncio.run(datasette.client.get("/nianbao/reports.json?_size=0")).json()
    assert data["facet_results"]["level"]["results"] == []
    recounted = asyncio.run(datasette.client.get("/nianbao/reports.json?_size=0&id__gte=0")).json()
    assert [v["value"] for v in recounted["facet_results"]["level"]["results"]] == ["county"]
