"""The sources loader: the shipped registry validates; bad entries are named, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sources import SourceError, load_registry, load_sources, select_sources


def test_registry_loads_and_names_real_profiles() -> None:
    sources = load_registry()
    if not sources:
        pytest.skip("the registry is empty")
    assert len({s.id for s in sources}) == len(sources)
    assert all(s.homepage.startswith(("http://", "https://")) and not s.local for s in sources)


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
