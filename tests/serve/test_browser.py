"""Chromium, driven by Playwright, uses the served site as a person would."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nianbao import chromium
from tests.serve.test_served import site  # noqa: F401 - the running server fixture

ARTIFACTS = Path(__file__).parents[1] / "artifacts" / "serve"
CHROMIUM = Path(chromium.EXECUTABLE)


@pytest.mark.browser
def test_search_open_report_original_and_csv(site, built, tmp_path):  # noqa: F811
    if not CHROMIUM.exists():
        pytest.skip("no system Chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    base, _ = site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium.launch_options())
        try:
            page = browser.new_page(accept_downloads=True)
            page.set_default_timeout(20_000)
            page.goto(base + "/nianbao")
            page.screenshot(path=str(ARTIFACTS / "1-database.png"), full_page=True)

            # Search a Chinese word through the search form.
            page.click("text=全文检索 · Full-text search")
            page.fill("input[name=q]", "复议")
            page.click("input[type=submit]")
            page.wait_for_selector("table.rows-and-columns")
            page.screenshot(path=str(ARTIFACTS / "2-search.png"), full_page=True)
            bodies = page.locator("table.rows-and-columns td.col-body").all_inner_texts()
            assert "淮安市人民政府" in bodies or "示例县交通运输局" in bodies

            # Open a report from the results.
            page.locator("table.rows-and-columns td.col-report a").first.click()
            page.wait_for_selector("text=存档原件 archived copy")
            assert page.url.rstrip("/").rsplit("/", 1)[-1].isdigit()  # reports are numbered
            page.screenshot(path=str(ARTIFACTS / "3-report.png"), full_page=True)

            # Follow its archived-copy link: the report as stored, readable, byte for byte.
            page.click("text=存档原件 archived copy")
            page.wait_for_url("**/-/original/**")
            assert "年度报告" in page.content()
            page.screenshot(path=str(ARTIFACTS / "4-original.png"))
            raw = page.request.get(page.url).body()
            sha = page.url.rsplit("/", 1)[-1]  # the archived copy is named by its SHA-256
            assert hashlib.sha256(raw).hexdigest() == sha

            # Download a table as CSV (Datasette's advanced export, "download file").
            page.goto(base + "/nianbao/applications?row_key=new_received")
            page.check("input[name=_dl]")
            with page.expect_download() as download:
                page.click("input[value='Export CSV']")
            saved = tmp_path / "applications.csv"
            download.value.save_as(saved)
            lines = saved.read_text(encoding="utf-8").splitlines()
            assert lines[0].startswith("report,")
            assert len(lines) > 1
            page.screenshot(path=str(ARTIFACTS / "5-table.png"), full_page=True)
        finally:
            browser.close()
