"""``nianbao sources stats``: coverage by province, from the registry and the archive."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from nianbao.archive import Archive, Fetch
from nianbao.crawler.sources import load_registry, load_sources
from nianbao.crawler.sources.stats import archived_sources, coverage, render

from nianbao.cli import main

SOURCES = """
- {id: fujian-minhou, name: 闽侯县人民政府, region_code: '350121', province: 福建省, homepage: 'http://minhou.gov.cn/',
   columns: ['http://minhou.gov.cn/ndbg/'], evidence: ['http://minhou.gov.cn/ndbg/'], verified: true}
- {id: fujian-350102, name: 福州市鼓楼区人民政府, region_code: '350102', province: 福建省}
- {id: fujian-anxi, name: 安溪县人民政府, region_code: '350524', province: 福建省, homepage: 'http://fjax.gov.cn/'}
- {id: henan-xinxiang-city, name: 新乡市人民政府, region_code: '410700', province: 河南省,
   homepage: 'http://www.xinxiang.gov.cn/'}
- {id: beijing-110105, name: 北京市朝阳区人民政府, region_code: '110105', province: 北京市}
"""


def _sources(tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES, encoding="utf-8")
    return path


def test_coverage_counts_by_province_then_total(tmp_path: Path) -> None:
    rows = coverage(load_sources(_sources(tmp_path)))
    table = {r.province: (r.governments, r.portal, r.column, r.verified) for r in rows}
    assert [r.province for r in rows] == ["北京市", "福建省", "河南省", "total"]  # by region code
    assert table == {
        "北京市": (1, 0, 0, 0),
        "福建省": (3, 2, 1, 1),
        "河南省": (1, 1, 0, 0),
        "total": (5, 3, 1, 1),
    }
    # A report in the archive verifies a source too.
    rows = coverage(load_sources(_sources(tmp_path)), archived={"henan-xinxiang-city", "fujian-minhou"})
    assert (rows[-1].verified, rows[2].verified) == (2, 1)
    text = render(rows)
    assert text.splitlines()[0].split() == [
        "province",
        "governments",
        "with",
        "portal",
        "with",
        "column",
        "verified",
    ]
    assert text.splitlines()[-1].split() == ["total", "5", "3", "1", "2"]


def test_the_registry_totals() -> None:
    total = coverage(load_registry())[-1]
    assert total.governments >= 3100
    assert total.portal >= 3100 and total.column >= 50
    assert len(coverage(load_registry())) == 32  # 31 provinces and the total


def _archive_with_a_report(root: Path, source: str) -> None:
    with Archive(root, durable=False) as archive:
        run = archive.start_run("test", sources=[source])
        body = "<p>新乡市2023年政府信息公开工作年度报告</p>".encode()
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        for role, url in (
            ("page", "http://www.xinxiang.gov.cn/nb/"),
            ("report", "http://www.xinxiang.gov.cn/nb/1.html"),
        ):
            archive.record(run, Fetch(url=url, status=200, body=body + role.encode(), response_headers=headers,
                                      source=source, role=role))  # fmt: skip
        archive.finish_run(run, "finished")


def test_cli_table_and_json(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    data = tmp_path / "data"
    runner = CliRunner()
    result = runner.invoke(main, ["--data", str(data), "sources", "stats", "--sources", str(sources)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-2].split() == ["total", "5", "3", "1", "1"]
    assert "no archive" in lines[-1]

    assert archived_sources(data / "archive") is None
    _archive_with_a_report(data / "archive", "henan-xinxiang-city")
    assert archived_sources(data / "archive") == {"henan-xinxiang-city"}
    result = runner.invoke(
        main, ["--data", str(data), "sources", "stats", "--sources", str(sources), "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["archive"] is True
    assert out["provinces"][-1] == {
        "province": "total",
        "governments": 5,
        "portal": 3,
        "column": 1,
        "verified": 2,
    }


def test_cli_names_a_bad_sources_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: x-y, name: X, homepage: 'ftp://x'}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "sources", "stats", "--sources", str(bad)])
    assert result.exit_code != 0
    assert "homepage 'ftp://x' is not an http(s) URL" in result.output


def test_cli_default_is_the_registry(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "sources", "stats"])
    assert result.exit_code == 0, result.output
    assert "福建省" in result.output and "新疆维吾尔自治区" in result.output
