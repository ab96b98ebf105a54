"""Chromium, driven by Playwright, reads the report and body pages as a person would:
from the home page to one body's years, a report's numbers as its form prints them
(equal to `nianbao parse`), and why a check fails, in Chinese. Screenshots go to
tests/artifacts/pages/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path

import pytest
from nianbao.parse import parse_path
from nianbao.parse.form import TABLE3_COLUMNS, table3_rows

from nianbao import chromium
from tests.serve.test_served import site  # noqa: F401 - the running server fixture

ARTIFACTS = Path(__file__).parents[1] / "artifacts" / "pages"
CHROMIUM = Path(chromium.EXECUTABLE)


def _printed(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@pytest.mark.browser
def test_home_body_report_and_failed_check(site, built):  # noqa: F811
    if not CHROMIUM.exists():
        pytest.skip("no system Chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    base, _ = site
    records = {
        p.name: parse_path(p).record for p in built.documents.iterdir() if p.suffix in (".txt", ".html")
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium.launch_options())
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)
            page.goto(base + "/")
            page.screenshot(path=str(ARTIFACTS / "1-home.png"), full_page=True)

            # Click 1: a body from the home page; every year side by side.
            page.click("section.nianbao-home >> text=示例县交通运输局")
            page.wait_for_selector("table.nianbao-figures")
            assert page.locator("h1").inner_text() == "示例县交通运输局"
            years = page.locator("table.nianbao-reports td.year").all_inner_texts()
            assert years == ["2021", "2022", "2023"]
            received = page.locator("table.nianbao-figures tbody tr").first.locator("td").all_inner_texts()
            assert received == [
                _printed(records[f"jiaotong-{y}.txt"]["applications"]["new_received"]["total"]) for y in years
            ]
            assert page.locator("svg.nianbao-chart").is_visible()
            page.screenshot(path=str(ARTIFACTS / "2-body.png"), full_page=True)

            # Click 2: one report; table 3 as the form prints it, numbers equal to the parser's.
            page.click("table.nianbao-reports >> text=示例县交通运输局2022年政府信息公开工作年度报告")
            page.wait_for_selector("table.t3")
            record = records["jiaotong-2022.txt"]
            assert page.locator("h1").inner_text() == record["title"]
            labels = page.locator("table.t3 th.label").all_inner_texts()
            assert labels == [r.label for r in table3_rows("2021")]
            for key in ("new_received", "granted", "results_total", "carried_out"):
                cells = page.locator(f'table.t3 tr[data-key="{key}"] td.num').all_inner_texts()
                assert cells == [_printed(record["applications"][key][c.key]) for c in TABLE3_COLUMNS]
            assert page.locator("text=存档原件 archived copy").first.is_visible()
            page.screenshot(path=str(ARTIFACTS / "3-report.png"), full_page=True)

            # A report that fails a check: the verdict and its numbers, in Chinese.
            page.goto(base + "/-/body/" + "示例市自然资源局")
            page.click("table.nianbao-checks >> text=2022")
            page.wait_for_selector('tr[data-check="T3-BALANCE"]')
            row = page.locator('tr[data-check="T3-BALANCE"]')
            assert "未通过" in row.inner_text()
            failing = records["ziran-2022.txt"]["applications"]
            n = lambda v: 0 if v is None else v  # noqa: E731
            total = [
                n(failing[k]["total"]) for k in ("new_received", "carried_in", "results_total", "carried_out")
            ]
            a, b, c, d = total
            assert f"总计：{a}+{b}={a + b} ≠ {c}+{d}={c + d}" in row.inner_text()
            row.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "4-failed-check.png"), full_page=True)
        finally:
            browser.close()
