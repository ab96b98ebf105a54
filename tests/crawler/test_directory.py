"""A government known only by name and place: its portal found from a site directory
(政府网站导航), accepted only when the portal names the government, then its column.

The pages are small synthetic ones written here (not real bytes), served under real-looking
host names by the recorded-columns proxy; what is tested is the crawler's behaviour.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from nianbao.crawler.discovery import directory_links, names_government
from nianbao.crawler.sources import Source
from nianbao.replicas.recorded import load_recording
from nianbao.replicas.recorded.proxy import start

from tests.crawler.conftest import REPO

DIRECTORY = "http://www.fuzhou.gov.cn/zwgk/xqdh/"
PAGES = {
    DIRECTORY: "<html><head><meta charset=utf-8><title>县市区政府网站 福州市人民政府</title></head><body><ul>"
    '<li><a href="http://www.minhou.gov.cn/">闽侯县</a></li><li><a href="http://www.mq.gov.cn/">闽清县</a></li>'
    '<li><a href="http://www.lj-travel.example/">连江县</a></li><li><a href="http://jyj.minhou.gov.cn/">闽侯县教育局</a></li>'
    "</ul></body></html>",
    "http://www.minhou.gov.cn/": "<html><head><meta charset=utf-8><title>闽侯县人民政府门户网站</title></head>"
    '<body><a href="/zwgk/zfxxgknb/">政府信息公开年报</a></body></html>',
    "http://www.minhou.gov.cn/zwgk/zfxxgknb/": "<html><head><meta charset=utf-8><title>政府信息公开年报</title></head>"
    '<body><ul><li><a href="./202401/t20240110_1.htm">闽侯县2023年政府信息公开工作年度报告</a></li></ul></body></html>',
    "http://www.lj-travel.example/": "<html><head><meta charset=utf-8><title>连江旅游网</title></head>"
    '<body><a href="/nb/">政府信息公开年报</a></body></html>',
}


def _source(**fields: object) -> Source:
    base = {
        "id": "t",
        "name": "闽侯县人民政府",
        "province": "福建省",
        "city": "福州市",
        "county": "闽侯县",
        "level": "county",
    }
    return Source(**{**base, **fields})


def test_directory_link_named_exactly() -> None:
    links = directory_links(PAGES[DIRECTORY], DIRECTORY, _source())
    assert [link.url for link in links] == ["http://www.minhou.gov.cn/"]


def test_department_link_is_not_the_government() -> None:
    links = directory_links(PAGES[DIRECTORY], DIRECTORY, _source())
    assert "http://jyj.minhou.gov.cn/" not in [link.url for link in links]


def test_portal_names_the_government() -> None:
    assert names_government(PAGES["http://www.minhou.gov.cn/"], _source())


def test_other_site_does_not_name_the_government() -> None:
    assert not names_government(
        PAGES["http://www.lj-travel.example/"], _source(name="连江县人民政府", county="连江县")
    )


@pytest.fixture(scope="module")
def directory_crawl(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    root = tmp_path_factory.mktemp("directory")
    folder = root / "synthetic-directory"
    exchanges = []
    for i, (url, html) in enumerate(PAGES.items()):
        path = folder / "files" / f"{i}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        exchanges.append({"url": url, "file": f"files/{i}.html", "content_type": "text/html; charset=utf-8"})
    source = {"id": "t-minhou", "columns": [DIRECTORY]}
    (folder / "recording.yaml").write_text(
        yaml.safe_dump({"real": False, "source": source, "exchanges": exchanges}, allow_unicode=True),
        encoding="utf-8",
    )
    entries = [
        {"id": "t-minhou", "name": "闽侯县人民政府", "province": "福建省", "city": "福州市", "county": "闽侯县",
         "level": "county", "directories": [DIRECTORY], "local": True},
        {"id": "t-lianjiang", "name": "连江县人民政府", "province": "福建省", "city": "福州市", "county": "连江县",
         "level": "county", "directories": [DIRECTORY], "local": True},
    ]  # fmt: skip
    sources = root / "sources.yaml"
    sources.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    with start([load_recording(folder)]) as proxy:
        env = {
            **os.environ,
            "NIANBAO_LOG_LEVEL": "WARNING",
            "http_proxy": proxy.url,
            "https_proxy": proxy.url,
        }
        cmd = [sys.executable, "-c", "from nianbao.cli import main; main()", "--data", str(root / "data")]
        cmd += ["crawl", "--sources", str(sources), "--fast"]
        result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        yield proxy


def test_report_of_the_portal_found_is_requested(directory_crawl) -> None:  # noqa: ANN001
    assert "http://www.minhou.gov.cn/zwgk/zfxxgknb/202401/t20240110_1.htm" in directory_crawl.requested()


def test_other_governments_link_not_followed(directory_crawl) -> None:  # noqa: ANN001
    assert not [u for u in directory_crawl.requested() if "mq.gov.cn" in u]


def test_site_that_does_not_name_the_government_goes_no_further(directory_crawl) -> None:  # noqa: ANN001
    assert "http://www.lj-travel.example/nb/" not in directory_crawl.requested()
