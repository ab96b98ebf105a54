"""Body kinds (serve/body_kinds.yaml) and the ON-TIME deadline each kind gets.

Names are real issuing bodies: the corpus's and registry's, and report titles seen on
portals (道里区经纬街道办事处: hrbdl.gov.cn/hebdlq/c111239/202301/c01_868731.shtml;
济南市历下区人民政府大明湖街道办事处: lixia.gov.cn; 白云街: yuexiu.gov.cn/gzyxbyj/gkmlpt/…;
番禺经济技术开发区管委会: panyu.gov.cn/zwgk/zfxxgk/zfxxgknb/bm/2022/…; 宜良工业园区管委会:
kmyl.gov.cn/c/2023-01-18/6775635.shtml; 五华科技产业园管理委员会: kmwh.gov.cn;
两家满族乡: xxgk.cdx.gov.cn; 固东镇: dhap.com.cn)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils
from nianbao.replicas.render.html import render_html
from nianbao.replicas.synth import synthetic_report
from nianbao.serve import schema
from nianbao.serve.audits import deadline, rules
from nianbao.serve.body_kinds import body_kind, definitions, is_own_body, kinds, registry_kind
from nianbao.serve.build import build
from nianbao.serve.documents import Document

NAMES = [
    ("平潭综合实验区管理委员会", "government"),
    ("平潭综合实验区党工委管委会", "government"),
    ("平潭综合实验区", "government"),  # the body as the corpus's 平潭 titles print it
    ("新乡县人民政府", "government"),
    ("新乡县", "government"),
    ("淮安市人民政府", "government"),
    ("重庆市渝中区人民政府", "government"),
    ("张家川回族自治县人民政府", "government"),
    ("延边朝鲜族自治州人民政府", "government"),
    ("阿拉善盟行政公署", "government"),
    ("阿拉善盟", "government"),
    ("两江新区管委会", "government"),
    ("新乡县应急管理局", "department"),
    ("新乡市人民政府办公室", "department"),
    ("新乡县行政审批和政务信息管理局", "department"),
    ("西工区应急管理局", "department"),
    ("新乡县卫生健康委员会", "department"),
    ("新乡市住房公积金管理中心", "department"),
    ("番禺经济技术开发区管委会", "department"),
    ("宜良工业园区管委会", "department"),
    ("五华科技产业园管理委员会", "department"),
    ("固东镇人民政府", "township"),
    ("下管镇", "township"),
    ("两家满族乡人民政府", "township"),
    ("道里区经纬街道办事处", "township"),
    ("济南市历下区人民政府大明湖街道办事处", "township"),
    ("建章路街道", "township"),
    ("白云街", "township"),
    ("新乡县人民法院", "other"),
    ("新乡县人民检察院", "other"),
    ("新乡市人大常委会", "other"),
    ("中共新乡县委宣传部", "other"),
    ("新乡县人民医院", "other"),
]


@pytest.mark.parametrize(("name", "kind"), NAMES)
def test_name_gives_kind(name, kind):
    assert body_kind(name) == kind


def test_spaces_and_a_trailing_remark_do_not_change_the_kind():
    assert body_kind("新乡县 应急管理局（本级）") == "department"


def test_no_name_no_kind():
    assert body_kind(None) is None


def test_the_registry_wins_for_its_own_body():
    # A development zone's own portal, registered as a government's.
    assert body_kind("西宁经济技术开发区管理委员会", "government") == "government"


def test_an_unknown_registry_kind_is_refused():
    with pytest.raises(ValueError):
        body_kind("新乡县", "county")


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ({"level": "county"}, "government"),
        ({"level": "district", "body_kind": None}, "government"),
        ({"level": "city", "body_kind": "department"}, "department"),
        ({"level": None}, None),
        (None, None),
    ],
)
def test_registry_kind(source, kind):
    assert registry_kind(source) == kind


@pytest.mark.parametrize(
    ("body", "source_name", "own"),
    [
        ("新乡县人民政府", "新乡县人民政府", True),
        ("新乡县", "新乡县人民政府", True),
        ("渝中区", "重庆市渝中区人民政府", True),
        ("平潭综合实验区", "平潭综合实验区管理委员会", True),
        ("新乡县应急管理局", "新乡县人民政府", False),
        ("新乡市", "新乡县人民政府", False),
        ("重庆市", "重庆市渝中区人民政府", False),
        (None, "新乡县人民政府", False),
    ],
)
def test_own_body(body, source_name, own):
    assert is_own_body(body, source_name) is own


def test_every_kind_the_rules_use_is_defined():
    assert set(kinds()) == {"government", "department", "township", "other"}
    for regime in rules()["on_time"]["regimes"]:
        assert set(regime["deadlines"]) <= set(definitions()["kinds"])


@pytest.mark.parametrize(
    ("kind", "year", "due"),
    [
        ("government", 2023, date(2024, 3, 31)),
        ("department", 2023, date(2024, 1, 31)),
        ("township", 2023, date(2024, 3, 31)),
        ("department", 2019, date(2020, 1, 31)),
        # Reports on 2018 and before: the 2007 text, every 行政机关 by 31 March.
        ("department", 2018, date(2019, 3, 31)),
        ("government", 2016, date(2017, 3, 31)),
    ],
)
def test_deadline(kind, year, due):
    assert deadline(kind, year)[0] == due


def test_other_bodies_have_no_deadline():
    assert deadline("other", 2023) is None
    assert deadline(None, 2023) is None


# --- built: the column, and ON-TIME on it --------------------------------------

PUBLISHED = "2024-03-10 09:00"
BUILT = [
    # (file, body, source id or None)
    ("pingtan.html", "平潭综合实验区管理委员会", None),
    ("yingji.html", "新乡县应急管理局", None),
    ("jingwei.html", "道里区经纬街道办事处", None),
    ("fayuan.html", "新乡县人民法院", None),
    ("xining.html", "西宁经济技术开发区管理委员会", "qinghai-xining-etdz"),
]
SOURCES = {
    "qinghai-xining-etdz": {
        "id": "qinghai-xining-etdz",
        "name": "西宁经济技术开发区管理委员会",
        "level": "city",
        "body_kind": "government",
    }
}


@pytest.fixture(scope="module")
def kinds_db(tmp_path_factory: pytest.TempPathFactory) -> sqlite_utils.Database:
    root = tmp_path_factory.mktemp("body_kinds")
    documents = []
    for seed, (filename, body, source_id) in enumerate(BUILT, start=70):
        path = root / filename
        path.write_bytes(render_html(synthetic_report(body, 2023, seed=seed), published=PUBLISHED))
        documents.append(
            Document(
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                url=f"https://example.gov.cn/{filename}",
                content_type="text/html; charset=utf-8",
                source_id=source_id,
                local_path=path,
            )
        )
    database = root / "nianbao.db"
    build(database, documents, sources=SOURCES)
    return sqlite_utils.Database(database)


def _row(db: sqlite_utils.Database, body: str) -> dict:
    rows = list(
        db.query(
            "select r.body_kind, c.ok, c.detail from reports r "
            "left join checks c on c.report = r.id and c.check_id = 'ON-TIME' where r.body = ?",
            [body],
        )
    )
    assert len(rows) == 1, body
    return rows[0]


def test_built_reports_carry_their_kind(kinds_db):
    assert _row(kinds_db, "平潭综合实验区管理委员会")["body_kind"] == "government"
    assert _row(kinds_db, "新乡县应急管理局")["body_kind"] == "department"
    assert _row(kinds_db, "道里区经纬街道办事处")["body_kind"] == "township"
    assert _row(kinds_db, "新乡县人民法院")["body_kind"] == "other"


def test_a_guanweihui_report_of_10_march_is_on_time(kinds_db):
    row = _row(kinds_db, "平潭综合实验区管理委员会")
    assert row["ok"] == 1
    assert "due 2024-03-31 (government" in row["detail"]


def test_a_bureau_report_of_10_march_is_late(kinds_db):
    row = _row(kinds_db, "新乡县应急管理局")
    assert row["ok"] == 0
    assert "due 2024-01-31 (department" in row["detail"]


def test_a_subdistrict_is_held_to_the_government_date(kinds_db):
    row = _row(kinds_db, "道里区经纬街道办事处")
    assert row["ok"] == 1
    assert "due 2024-03-31 (township" in row["detail"]


def test_a_court_gets_no_on_time_check(kinds_db):
    assert _row(kinds_db, "新乡县人民法院")["ok"] is None


def test_the_registry_says_what_a_portals_own_body_is(kinds_db):
    row = _row(kinds_db, "西宁经济技术开发区管理委员会")
    assert row["body_kind"] == "government"
    assert row["ok"] == 1


def test_an_older_database_gets_the_column(tmp_path: Path):
    db = sqlite_utils.Database(tmp_path / "old.db")
    schema.create(db)
    db.execute("drop index if exists idx_reports_body_kind")
    db.execute("alter table reports drop column body_kind")
    assert "body_kind" not in db["reports"].columns_dict
    schema.create(db)
    assert "body_kind" in db["reports"].columns_dict
