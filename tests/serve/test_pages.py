"""The pages a person reads (serve/plugins/pages.py, serve/templates/): a report as its
form prints it, one body over the years, the demo-data banner, the way in from the
home page. Real Datasette (make_datasette, over httpx's ASGI transport) on a database
built by the real parser from the serve fixtures, plus reports printed with blanks."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import lxml.html
import pytest
from nianbao.parse import parse_path
from nianbao.parse.form import TABLE2, TABLE3_COLUMNS, TABLE4_GROUPS, TABLE4_RESULTS, table3_rows
from nianbao.replicas.render.text import render_text
from nianbao.replicas.synth import synthetic_report
from nianbao.serve.app import make_datasette
from nianbao.serve.build import build
from nianbao.serve.documents import from_paths

from nianbao.paths import DataDir
from tests.serve.conftest import corpus_inputs, write_documents


class Client:
    """One Datasette, one event loop, plain GETs."""

    def __init__(self, database: Path):
        self.datasette = make_datasette(database)
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.datasette.invoke_startup())

    def get(self, path: str):
        return self.loop.run_until_complete(self.datasette.client.get(path))

    def page(self, path: str) -> lxml.html.HtmlElement:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return lxml.html.fromstring(response.text)

    def close(self) -> None:
        self.loop.close()


@dataclass
class Site:
    client: Client
    documents: Path
    database: Path

    def record(self, name: str) -> dict:
        return parse_path(self.documents / name).record


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("pages")
    documents = root / "documents"
    write_documents(documents)
    # Reports printed with blanks ("/"), both forms: a blank is null, shown blank, not 0.
    blanks = synthetic_report("示例县统计局", 2023, seed=51, blank_rate=0.6)
    (documents / "tongji-2023.txt").write_bytes(render_text(blanks))
    older = synthetic_report("示例县统计局", 2020, template="2019", seed=52, blank_rate=0.6)
    (documents / "tongji-2020.txt").write_bytes(render_text(older))
    data = DataDir(root / "data")
    build(data.database, from_paths([*sorted(documents.iterdir()), *corpus_inputs()]))
    with sqlite3.connect(data.database) as conn:
        _REPORT_IDS.update(dict(conn.execute("select sha256, id from reports")))
    client = Client(data.database)
    yield Site(client, documents, data.database)
    client.close()


def printed(value) -> str:
    """How a record's cell reads on the page: blank for null, 12 for 12.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def text(element) -> str:
    return " ".join(element.text_content().split())


# A report's integer id by its SHA-256, from the module's database (ids are the build's).
_REPORT_IDS: dict[str, int] = {}


def report_path(record: dict) -> str:
    return f"/nianbao/reports/{_REPORT_IDS[record['sha256']]}"


def body_path(name: str) -> str:
    return "/-/body/" + quote(name, safe="")


# --- The report page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["jiaotong-2022.txt", "tongji-2023.txt", "tongji-2020.txt", "shuili-2020.txt"]
)
def test_report_page_prints_the_form(pages, name):
    record = pages.record(name)
    form = record["template"]
    doc = pages.client.page(report_path(record))
    assert text(doc.cssselect("h1")[0]) == record["title"]
    assert text(doc.cssselect("dd.body")[0]) == record["organization"]
    assert text(doc.cssselect("dd.year")[0]) == str(record["year"])
    assert form in text(doc.cssselect("dd.form")[0])

    # Table 3: the form's rows, in the form's order, with the form's labels and the record's numbers.
    rows = doc.cssselect("table.t3 tbody tr")
    expected_rows = table3_rows(form)
    assert [tr.get("data-key") for tr in rows] == [r.key for r in expected_rows]
    for tr, row in zip(rows, expected_rows, strict=True):
        label = text(tr.cssselect("th.label")[0])
        if form == "2019" and row.key == "other_other":
            assert label == row.group.split("|")[-1]  # the 2019 form prints （六）其他处理 as the row
        else:
            assert label == row.label
        cells = [td.text_content() for td in tr.cssselect("td.num")]
        assert cells == [printed(record["applications"][row.key][c.key]) for c in TABLE3_COLUMNS]
    headers = [text(th) for th in doc.cssselect("table.t3 thead th")][1:]
    assert headers == [c.label for c in TABLE3_COLUMNS]
    groups = [text(th) for th in doc.cssselect("table.t3 th.group")]
    assert groups[0] == "三、本年度办理结果" and "（三）不予公开" in groups

    # Table 2: blocks by 第二十条 item, the form's row labels and field labels.
    t2 = doc.cssselect("table.t2")[0]
    rows2 = t2.cssselect("tr[data-key]")
    assert [tr.get("data-key") for tr in rows2] == [row.key for row in TABLE2[form]]
    for tr, row in zip(rows2, TABLE2[form], strict=True):
        assert text(tr.cssselect("th")[0]) == row.label
        values = record["active_disclosure"][row.key]
        assert [td.text_content() for td in tr.cssselect("td.num")] == [
            printed(values[f.key]) for f in row.fields
        ]
    t2_headers = {text(th) for th in t2.cssselect("tr.head th")}
    assert {f.label for row in TABLE2[form] for f in row.fields} <= t2_headers

    # Table 4: three groups of five results, one row of numbers.
    assert [text(th) for th in doc.cssselect("table.t4 thead tr")[0].cssselect("th")] == [
        g.label for g in TABLE4_GROUPS
    ]
    cells4 = [td.text_content() for td in doc.cssselect("table.t4 tbody td")]
    assert cells4 == [
        printed(record["review_litigation"][g.key][r.key]) for g in TABLE4_GROUPS for r in TABLE4_RESULTS
    ]


def test_blanks_are_blank_and_zeros_zero(pages):
    record = pages.record("tongji-2023.txt")
    t3 = record["applications"]
    blank = [(k, c) for k, row in t3.items() for c, v in row.items() if v is None]
    zero = [(k, c) for k, row in t3.items() for c, v in row.items() if v == 0]
    assert blank and zero  # the fixture prints both
    doc = pages.client.page(report_path(record))
    columns = [c.key for c in TABLE3_COLUMNS]

    def cell(key, column):
        return doc.cssselect(f'table.t3 tr[data-key="{key}"] td.num')[columns.index(column)].text_content()

    assert all(cell(k, c) == "" for k, c in blank)
    assert all(cell(k, c) == "0" for k, c in zero)


def test_checks_in_chinese_with_their_numbers(pages):
    record = pages.record("ziran-2022.txt")
    doc = pages.client.page(report_path(record))
    rows = {tr.get("data-check"): tr for tr in doc.cssselect("table.nianbao-checks tbody tr")}
    assert set(rows) >= {c["id"] for c in record["checks"]}
    balance = rows["T3-BALANCE"]
    assert "未通过" in text(balance)
    t3 = record["applications"]
    n = lambda v: 0 if v is None else v  # noqa: E731 - a printed blank counts as 0 in a sum
    failing = []
    for column in TABLE3_COLUMNS:
        a, b = n(t3["new_received"][column.key]), n(t3["carried_in"][column.key])
        c, d = n(t3["results_total"][column.key]), n(t3["carried_out"][column.key])
        if a + b != c + d:
            failing.append(f"{column.label}：{a}+{b}={a + b} ≠ {c}+{d}={c + d}")
    assert failing
    shown = text(balance.cssselect("td.check-text")[0])
    for line in failing:
        assert line in shown
    assert "表三收支平衡" in text(balance)
    summary = text(doc.cssselect("div.nianbao-failed-summary")[0])  # above the tables
    assert "表三收支平衡" in summary and all(line in summary for line in failing)
    assert not pages.client.page(report_path(pages.record("jiaotong-2022.txt"))).cssselect(
        "div.nianbao-failed-summary"
    )
    for check_id in ("T3-ROW-SUM", "T3-RESULTS-SUM", "T4-GROUP-SUM", "SECTIONS"):
        assert "通过 ✓" in text(rows[check_id])


def test_audits_in_chinese_with_their_numbers(pages):
    before, after = pages.record("weijian-2022.txt"), pages.record("weijian-2023.txt")
    doc = pages.client.page(report_path(after))
    rows = {tr.get("data-check"): tr for tr in doc.cssselect("table.nianbao-checks tbody tr")}
    carry = text(rows["YEAR-CARRY"])
    assert "未通过" in carry
    out, into = before["applications"]["carried_out"], after["applications"]["carried_in"]
    assert (
        f"自然人：2022年结转下年度 {out['natural_person']} ≠ 本年上年结转 {into['natural_person']}" in carry
    )
    stock = text(rows["T2-IN-FORCE"])
    assert "未通过" in stock
    labels = {row.key: row.label for row in TABLE2["2021"]}
    wrong = 0
    for key in ("regulations", "normative_documents"):
        prev = before["active_disclosure"][key]["in_force"]
        now = after["active_disclosure"][key]
        if None in (prev, now["made"], now["repealed"], now["in_force"]):
            continue
        expected = prev + now["made"] - now["repealed"]
        if expected != now["in_force"]:
            wrong += 1
            assert (
                f"{labels[key]}：上年现行有效件数 {prev} + 本年制发件数 {now['made']} − 本年废止件数 {now['repealed']}"
                f" = {expected}，报告为 {now['in_force']}"
            ) in stock
    assert wrong

    late = pages.client.page(report_path(pages.record("jiaoyu-2023.html")))
    on_time = text(late.cssselect('tr[data-check="ON-TIME"]')[0])
    assert "逾期" in on_time
    assert "发布于 2024-02-20，应于 2024-01-31 前公布" in on_time
    assert "县级以上人民政府部门, 第四十九条第一款" in on_time


def test_report_page_links(pages):
    record = pages.record("jiaotong-2022.txt")
    doc = pages.client.page(report_path(record))
    body = doc.cssselect("dd.body a")[0].get("href")
    assert unquote(body) == "/-/body/示例县交通运输局"
    assert pages.client.get(body).status_code == 200
    archived = doc.cssselect("a.archived")[0]
    assert text(archived) == "存档原件 archived copy"
    raw = pages.client.get(archived.get("href"))
    assert raw.status_code == 200 and hashlib.sha256(raw.content).hexdigest() == record["sha256"]
    # A report built from a local file has no original URL to link to.
    assert not doc.cssselect("a.original-url")
    years = doc.cssselect("p.nianbao-years a[title]")
    assert [text(a) for a in years] == ["2021", "2023"]
    assert text(doc.cssselect("p.nianbao-years strong")[0]) == "2022"
    for a in years:
        other = pages.client.page(a.get("href"))
        assert text(other.cssselect("dd.body")[0]) == "示例县交通运输局"
        assert text(other.cssselect("dd.year")[0]) == text(a)


def test_real_report_page_keeps_the_database_row(pages):
    """The seeds and the city PDF (../shared/corpus) when present; the row's fields stay below."""
    inputs = corpus_inputs()
    if not inputs:
        pytest.skip("no ../shared/corpus")
    record = parse_path(inputs[-1]).record
    doc = pages.client.page(report_path(record))
    assert text(doc.cssselect("h1")[0]) == record["title"]
    assert doc.cssselect("table.rows-and-columns td.col-sha256")
    received = doc.cssselect('table.t3 tr[data-key="new_received"] td.num')[-1].text_content()
    assert received == printed(record["applications"]["new_received"]["total"])


def test_free_form_report_says_so(pages):
    doc = pages.client.page(report_path(pages.record("shuili-2017.txt")))
    assert "没有统一格式的表格" in text(doc.cssselect("section.content")[0])
    assert not doc.cssselect("table.t3 tr[data-key]")


# --- The body page ----------------------------------------------------------------------


def test_body_page_lists_every_year_side_by_side(pages):
    records = [pages.record(f"jiaotong-{year}.txt") for year in (2021, 2022, 2023)]
    doc = pages.client.page(body_path("示例县交通运输局"))
    assert text(doc.cssselect("h1")[0]) == "示例县交通运输局"
    assert [tr.get("data-year") for tr in doc.cssselect("table.nianbao-reports tbody tr")] == [
        "2021",
        "2022",
        "2023",
    ]
    figures = doc.cssselect("table.nianbao-figures")[0]
    assert [text(th) for th in figures.cssselect("thead th")][1:] == ["2021", "2022", "2023"]
    first = figures.cssselect("tbody tr")[0]
    assert text(first.cssselect("th")[0]) == "一、本年新收政府信息公开申请数量"
    assert [td.text_content() for td in first.cssselect("td")] == [
        printed(r["applications"]["new_received"]["total"]) for r in records
    ]
    assert doc.cssselect("svg.nianbao-chart rect")
    for a, record in zip(doc.cssselect("table.nianbao-reports td.title a"), records, strict=True):
        assert a.get("href") == report_path(record)
        assert text(pages.client.page(a.get("href")).cssselect("h1")[0]) == record["title"]


def test_body_page_shows_failed_checks_and_audits(pages):
    doc = pages.client.page(body_path("示例区卫生健康委员会"))
    checks = {tr.get("data-check"): text(tr) for tr in doc.cssselect("table.nianbao-checks tbody tr")}
    assert "未通过" in checks["YEAR-CARRY"] and "未通过" in checks["T2-IN-FORCE"]
    late = pages.client.page(body_path("示例县教育局"))
    assert "逾期" in text(late.cssselect('tr[data-check="ON-TIME"]')[0])
    on_time = pages.client.page(body_path("示例县人民政府"))
    assert "通过 ✓" in text(on_time.cssselect('tr[data-check="ON-TIME"]')[0])


def test_unknown_body_is_not_found(pages):
    assert pages.client.get(body_path("没有这个机关")).status_code == 404


def test_body_page_under_datasettes_tilde_encoding(pages):
    from datasette.utils import tilde_encode

    doc = pages.client.page("/-/body/" + tilde_encode("示例县交通运输局"))
    assert text(doc.cssselect("h1")[0]) == "示例县交通运输局"


# --- The way in -------------------------------------------------------------------------


def test_two_clicks_from_home_to_a_body_and_its_reports(pages):
    home = pages.client.page("/")
    links = {text(a): a.get("href") for a in home.cssselect("section.nianbao-home ul a")}
    body = pages.client.page(links["示例县交通运输局"])  # click 1
    reports = body.cssselect("table.nianbao-reports td.title a")
    assert len(reports) == 3
    report = pages.client.page(reports[-1].get("href"))  # click 2
    assert text(report.cssselect("dd.year")[0]) == "2023"
    assert report.cssselect('table.t3 tr[data-key="new_received"]')


def test_bodies_list_filters(pages):
    doc = pages.client.page("/-/bodies?q=" + quote("交通"))
    assert [text(a) for a in doc.cssselect("section.content li a")] == ["示例县交通运输局"]
    everyone = pages.client.page("/-/bodies")
    assert len(everyone.cssselect("section.content li a")) >= 8


def test_body_cells_link_to_the_body_page(pages):
    doc = pages.client.page("/nianbao/reports?body=" + quote("示例县水利局"))
    hrefs = {unquote(a.get("href")) for a in doc.cssselect("td.col-body a")}
    assert hrefs == {"/-/body/示例县水利局"}


# --- The banner --------------------------------------------------------------------------


def _banner(client: Client, path: str) -> str | None:
    found = client.page(path).cssselect("p.nianbao-banner")
    return text(found[0]) if found else None


def test_no_banner_when_no_report_is_marked(pages):
    """Without reports.synthetic (or with it all NULL, as for local files) nothing is claimed."""
    for path in ("/", "/nianbao/reports", report_path(pages.record("jiaotong-2022.txt"))):
        assert _banner(pages.client, path) is None


def test_banner_says_synthetic_or_real(pages, tmp_path):
    database = tmp_path / "nianbao.db"
    shutil.copy2(pages.database, database)
    with sqlite3.connect(database) as conn:
        columns = {row[1] for row in conn.execute("pragma table_info(reports)")}
        if "synthetic" not in columns:
            conn.execute("alter table reports add column synthetic integer")
        conn.execute(
            "update reports set synthetic = case when body like '示例%' then 1 when body is null then null else 0 end"
        )
        synthetic, real = conn.execute(
            "select sum(synthetic = 1), sum(synthetic = 0) from reports"
        ).fetchone()
    client = Client(database)
    try:
        demo = _banner(client, report_path(pages.record("ziran-2022.txt")))
        assert demo == "演示数据：数字为合成，非真实 · Demo data: synthetic numbers"
        for path in ("/", "/nianbao", "/nianbao/reports", "/nianbao/failed_checks", "/-/bodies"):
            banner = _banner(client, path)
            assert banner and f"本库 {synthetic} 份报告的数字为合成，非真实；{real} 份为真实报告" in banner
        assert _banner(client, body_path("示例县交通运输局")).startswith("演示数据")
        marks = client.page(body_path("示例县交通运输局")).cssselect("table.nianbao-reports td.synthetic")
        assert [text(td) for td in marks] == ["合成 · synthetic"] * 3
        if real:
            inputs = corpus_inputs()
            seed = parse_path(inputs[0]).record
            assert _banner(client, report_path(seed)) == "真实报告 · Real report"
            assert _banner(client, body_path(seed["organization"])).startswith("真实报告")
    finally:
        client.close()


# --- Check wording, every pattern ----------------------------------------------------------


def test_check_wording():
    import importlib.util

    from nianbao.serve.app import PLUGINS_DIR

    spec = importlib.util.spec_from_file_location("nianbao_pages_wording", PLUGINS_DIR / "pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    zh = module.check_zh
    assert zh("T3-BALANCE", 0, "not checked: table 3 not read") == "未核对：表三未读出"
    assert module.verdict("T3-BALANCE", 0, "not checked: table 3 not read")[0] == "未核对"
    assert (
        zh("SECTIONS", 0, "missing section(s) 5, 6")
        == "缺少：五、存在的主要问题及改进情况；六、其他需要报告的事项"
    )
    assert (
        zh("T3-ROW-SUM", 0, "granted: applicants sum to 5, total says 6")
        == "（一）予以公开：六类申请人合计 5，总计栏为 6"
    )
    assert (
        zh("T3-RESULTS-SUM", 0, "total: results sum to 9, 总计 says 10")
        == "总计：各项办理结果合计 9，（七）总计为 10"
    )
    assert (
        zh("T4-GROUP-SUM", 0, "review: results sum to 3, total says 4")
        == "行政复议：各项结果合计 3，总计栏为 4"
    )
    assert zh(
        "T4-GROUP-SUM", 1, "every group adds up: review 3, litigation_direct 0, litigation_after_review 1"
    ) == ("各组均相符：行政复议 3，未经复议直接起诉 0，复议后起诉 1")
    assert zh(
        "ON-TIME", 1, "published 2018-03-01, due 2018-03-31 (township: 各级行政机关, 2007 text art. 31)"
    ) == ("发布于 2018-03-01，应于 2018-03-31 前公布（乡镇、街道：各级行政机关, 2007年条例第三十一条）")
    township = zh(
        "ON-TIME",
        0,
        "published 2024-04-02, due 2024-03-31 (township: 乡镇/街道: art. 49 sets no date below county level; the government date)",
    )
    assert township.endswith(
        "（乡镇、街道：乡镇/街道: 第四十九条未规定县级以下机关的期限，按人民政府的期限）"
    )
    assert zh("NEW-CHECK", 0, "something new") == "something new"  # kept as recorded
