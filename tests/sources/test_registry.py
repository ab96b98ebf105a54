"""The shipped registry of real portals: schema, region codes, domains, evidence, and the builder."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import cpca
import pytest
import yaml

from crawler.sources import build_registry as br

REPO = Path(__file__).parents[2]
REGISTRY = REPO / "crawler" / "sources" / "registry"
CONTRACT_KEYS = {
    "id": str,
    "name": str,
    "region_code": str,
    "province": str,
    "city": (str, type(None)),
    "county": (str, type(None)),
    "level": str,
    "homepage": str,
    "columns": list,
    "cms": str,
    "browser": bool,
    "evidence": list,
    "verified": bool,
    "local": bool,
}
# The seeds' bodies (see ../shared/corpus/seeds): 新乡市, 新乡县, 平顶山市, 洛阳市西工区.
SEED_CODES = {"410700", "410721", "410400", "410303"}


def _files() -> list[Path]:
    return sorted(REGISTRY.glob("*.yaml"))


def _entries() -> list[tuple[Path, dict]]:
    return [(path, entry) for path in _files() for entry in yaml.safe_load(path.read_text(encoding="utf-8"))]


def _cpca_code(address: str) -> str | None:
    code = cpca.transform([address]).iloc[0]["adcode"]
    return code if isinstance(code, str) else None


def _remarks() -> dict[str, str]:
    """id -> the notes' remark, where "offsite:DOMAIN" explains a URL off the portal's domain."""
    return {n["id"]: n["remark"] for n in br.read_notes()}


def test_every_file_is_a_yaml_list_of_mappings():
    assert _files(), "no registry files"
    for path in _files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, list) and data, path
        assert all(isinstance(e, dict) for e in data), path


def test_entries_have_exactly_the_contract_keys_and_types():
    for path, entry in _entries():
        assert set(entry) == set(CONTRACT_KEYS), (path.name, entry.get("id"))
        for key, kind in CONTRACT_KEYS.items():
            assert isinstance(entry[key], kind), (entry["id"], key, entry[key])
        assert entry["level"] in {"province", "city", "county", "district"}
        assert entry["verified"] is False and entry["local"] is False, entry["id"]
        assert entry["evidence"], f"{entry['id']}: an entry without evidence is not an entry"


def test_ids_are_unique_stable_slugs_named_after_the_file():
    ids = [e["id"] for _, e in _entries()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for path, entry in _entries():
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", entry["id"]), entry["id"]
        assert entry["id"].startswith(path.stem + "-"), (path.name, entry["id"])


def test_region_codes_agree_with_cpca_table():
    for path, entry in _entries():
        code = entry["region_code"]
        assert re.fullmatch(r"\d{6}", code), entry["id"]
        assert br.PROVINCE_SLUGS[code[:2]] == path.stem, (entry["id"], code)
        assert _cpca_code(entry["province"]) == code[:2] + "0000", (entry["id"], entry["province"])
        if entry["city"] == entry["province"]:  # a municipality: no city level between
            city_code = code[:4] + "00"
        else:
            city_code = _cpca_code(entry["province"] + entry["city"])
            assert city_code is not None and city_code[:4] == code[:4], (entry["id"], entry["city"], code)
        if entry["county"] is None:
            assert entry["level"] == "city" and code.endswith("00"), entry["id"]
        else:
            assert entry["level"] == ("district" if entry["county"].endswith("区") else "county"), entry["id"]
            assert entry["county"] in entry["name"], entry["id"]
            full = _cpca_code(entry["province"] + entry["city"] + entry["county"])
            # Either cpca knows the county by this code, or (renamed since its table) it
            # stops at the city and the notes give the current code.
            assert full == code or full == city_code, (entry["id"], full, code)


def test_files_are_sorted_by_region_code():
    for path in _files():
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        keys = [(e["region_code"], e["id"]) for e in entries]
        assert keys == sorted(keys), path.name


def test_homepages_are_government_portals():
    homepages = [e["homepage"] for _, e in _entries()]
    assert len(homepages) == len(set(homepages)), "two entries for one portal"
    for _, entry in _entries():
        parts = urlsplit(entry["homepage"])
        assert parts.scheme in {"http", "https"}, entry["id"]
        assert parts.hostname.endswith(".gov.cn"), f"{entry['id']}: {parts.hostname} is not under .gov.cn"
        assert parts.path == "/" and not parts.query, entry["id"]


def test_evidence_and_columns_stay_on_the_portal_domain_or_are_explained():
    remarks = _remarks()
    for _, entry in _entries():
        home = br.registered_domain(urlsplit(entry["homepage"]).hostname)
        for url in entry["evidence"] + entry["columns"]:
            parts = urlsplit(url)
            assert parts.scheme in {"http", "https"} and parts.hostname, (entry["id"], url)
            domain = br.registered_domain(parts.hostname)
            assert domain == home or f"offsite:{domain}" in remarks[entry["id"]], (entry["id"], url)


def test_cms_is_a_known_profile_and_matches_the_urls():
    profiles = yaml.safe_load((REPO / "crawler" / "profiles.yaml").read_text(encoding="utf-8"))
    for _, entry in _entries():
        assert entry["cms"] in profiles, entry["id"]
        urls = entry["evidence"] + entry["columns"]
        if any(re.search(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html", u) for u in urls):
            assert entry["cms"] == "hanweb", entry["id"]
        elif any(re.search(r"/t\d{8}_\d+\.s?html?$", urlsplit(u).path) for u in urls):
            assert entry["cms"] == "trs", entry["id"]


def test_registry_size_and_seed_bodies():
    entries = [e for _, e in _entries()]
    assert len(entries) >= 105, len(entries)
    assert SEED_CODES <= {e["region_code"] for e in entries}
    assert len({e["province"] for e in entries}) >= 15


def test_yaml_is_what_the_notes_build():
    # The YAML is generated: a hand edit (or a note without its rebuild) fails here.
    assert br.main(["--check"]) == 0


def test_registry_loads_through_the_crawler_loader():
    loader = pytest.importorskip("crawler.sources.loader")
    sources = loader.load_registry()
    assert len(sources) == len(_entries())
    assert all(not s.local and not s.verified for s in sources)


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
        _note(evidence="http://www.xinxiangxian.gov.cn/zfxxgknb/202401/t20240115_123.html")
    )
    assert (entry["region_code"], entry["city"], entry["county"], entry["level"]) == (
        "410721",
        "新乡市",
        "新乡县",
        "county",
    )
    assert entry["cms"] == "trs"
    assert list(entry) == list(CONTRACT_KEYS)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"evidence": ""}, "without evidence"),
        ({"evidence": "http://www.example.com/report.html"}, "offsite:example.com"),
        ({"place": "河南省新乡市新乡"}, "cpca"),
        ({"name": "获嘉县人民政府"}, "does not name"),
        ({"id": "hebei-xinxiang-county"}, "must start with henan-"),
        ({"homepage": "ftp://www.xinxiangxian.gov.cn/"}, "not an http(s) URL"),
        ({"remark": "code:420101"}, "code override"),
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
            remark="code:450381",
        )
    )
    assert (lipu["region_code"], lipu["county"], lipu["level"]) == ("450381", "荔浦市", "county")
