"""The sources loader: the shipped registry validates; bad entries are named, all at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nianbao.crawler.sources import SourceError, load_registry, load_sources, select_sources
from nianbao.crawler.sources.loader import Source, columns, contract_keys, required_keys, yaml_fields

REPO = Path(__file__).resolve().parents[2]


def test_registry_loads_and_names_real_profiles() -> None:
    sources = load_registry()
    if not sources:
        pytest.skip("the registry is empty")
    assert len({s.id for s in sources}) == len(sources)
    assert all(s.homepage is None or s.homepage.startswith(("http://", "https://")) for s in sources)
    assert not any(s.local for s in sources)
    assert all(s.crawlable == bool(s.homepage or s.columns) for s in sources)


def test_every_problem_is_reported_with_file_and_entry(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        """
- id: good-one
  name: 好
  homepage: https://www.example.gov.cn/
- id: Bad_ID
  name: 坏
  homepage: ftp://x
  region_code: 410700
  level: village
  cms: wordpress
  colums: []
- id: good-one
  name: 重复
  homepage: https://www.example.gov.cn/
- name: 无编号
  homepage: https://b.gov.cn/
  limits: {max_pages: -1}
""",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as err:
        load_sources(bad)
    text = str(err.value)
    for expected in (
        "entry 1 (Bad_ID): id 'Bad_ID'",
        "homepage 'ftp://x' is not an http(s) URL",
        "region_code 410700 must be six digits",
        "level 'village'",
        "cms 'wordpress' is not a profile",
        "unknown field 'colums'",
        "entry 2 (good-one): duplicate id 'good-one'",
        "entry 3: missing required field 'id'",
        "limit max_pages must be a positive integer",
    ):
        assert expected in text, expected
    assert str(bad) in text


def test_unreadable_yaml_and_unknown_ids(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(SourceError, match="broken.yaml: not valid YAML"):
        load_sources(broken)
    with pytest.raises(SourceError, match="no such sources file"):
        load_sources(tmp_path / "absent.yaml")
    ok = tmp_path / "ok.yaml"
    ok.write_text("- {id: a-b, name: A, homepage: 'https://a.gov.cn/'}\n", encoding="utf-8")
    sources = load_sources(ok)
    assert sources[0].allowed_hosts == {"a.gov.cn"}
    with pytest.raises(SourceError, match="unknown source id"):
        select_sources(sources, ["nope"])


def test_a_source_without_homepage_loads_but_is_not_crawlable(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        """
- {id: fujian-350102, name: 福州市鼓楼区人民政府, region_code: '350102', platform: fjdzapp, homepage: null}
- {id: col-only, name: 栏目, columns: ['https://x.gov.cn/ndbg/']}
- {id: bad-platform, name: 坏, platform: Not A Family, body_kind: ministry}
""",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as err:
        load_sources(path)
    assert "entry 2 (bad-platform): platform 'Not A Family' must be a family name" in str(err.value)
    assert "body_kind 'ministry' is not one of government, department" in str(err.value)
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    bare, column_only = load_sources(path)
    assert (bare.crawlable, bare.allowed_hosts, bare.platform, bare.body_kind) == (
        False,
        frozenset(),
        "fjdzapp",
        "government",
    )
    assert column_only.crawlable and column_only.allowed_hosts == {"x.gov.cn"}


def test_the_dataclass_is_the_one_definition() -> None:
    assert required_keys() == ("id", "name")
    assert [f.name for f in yaml_fields()] == [*contract_keys(), "directories", "hosts", "limits", "notes"]
    # to_dict writes every contract key in order, the crawler's extras only when set
    source = Source(id="a-b", name="A", homepage="https://a.gov.cn/")
    assert list(source.to_dict()) == list(contract_keys())
    with_limits = Source(id="a-b", name="A", limits={"max_pages": 3}, hosts=("f.a.gov.cn",))
    assert with_limits.to_dict()["limits"] == {"max_pages": 3} and with_limits.to_dict()["hosts"] == [
        "f.a.gov.cn"
    ]
    # docs/contracts.md shows the same keys in the same order
    docs = (REPO / "docs" / "contracts.md").read_text(encoding="utf-8")
    section = docs[docs.index("## sources (crawler/sources/)") :]
    block = section[section.index("```yaml") : section.index("```", section.index("```yaml") + 7)]
    shown = [m.group(1) for m in re.finditer(r"^-? *([a-z_]+):", block, re.M)]
    assert shown == list(contract_keys())
    # serve's sources columns come from the same fields
    import sqlite_utils
    from nianbao.serve import schema
    from nianbao.serve.sources import COLUMNS, source_row

    assert set(columns()) <= set(COLUMNS)
    db = sqlite_utils.Database(memory=True)
    schema.create(db)
    table = list(db["sources"].columns_dict)
    assert table == list(COLUMNS)  # every column, platform and body_kind too
    assert {"body_kind", "platform", "registry"} <= set(table)
    row = source_row(Source(id="a-b", name="A", columns=("https://a.gov.cn/c/",), browser=True))
    assert list(row) == table
    assert row["platform"] == "unknown" and row["body_kind"] == "government"
    assert row["columns"] == '["https://a.gov.cn/c/"]' and row["browser"] == 1


def test_round_trip_through_yaml(tmp_path: Path) -> None:
    import yaml

    sources = [s for s in load_registry() if s.columns][:5] + [s for s in load_registry() if not s.crawlable][
        :5
    ]
    path = tmp_path / "again.yaml"
    path.write_text(yaml.safe_dump([s.to_dict() for s in sources], allow_unicode=True), encoding="utf-8")
    again = load_sources(path)
    assert [s.to_dict() for s in again] == [s.to_dict() for s in sources]
