"""Originals served as what their bytes are (nianbao.parse.detect, never the URL's suffix),
named after the report, unchanged; archived HTML pages shown under a banner. On the serve
corpus (conftest.py) and on every original of the demo database (`nianbao demo --no-serve`)."""

from __future__ import annotations

import asyncio
import hashlib
import html
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
import sqlite_utils
from nianbao.parse.detect import detect_kind
from nianbao.serve.app import make_datasette

from nianbao.paths import DataDir

NIANBAO = str(Path(sys.executable).with_name("nianbao"))
EXPECTED = {
    "pdf": ("application/pdf", ".pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "doc": ("application/msword", ".doc"),
    "html": ("text/html", ".html"),
    "text": ("text/plain", ".txt"),
    "ofd": ("application/ofd", ".ofd"),
    "unknown": ("application/octet-stream", ".bin"),  # the corpus's garbage.bin
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> DataDir:
    data = DataDir(tmp_path_factory.mktemp("demo-originals") / "data")
    done = subprocess.run(
        [NIANBAO, "--data", str(data.root), "demo", "--no-serve"], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return data


def file_name(disposition: str) -> str:
    found = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    assert found, disposition
    return unquote(found.group(1))


def check_every_original(database: Path, archive: Path | None, read) -> dict[str, int]:
    """Every report's original: its bytes, the type and extension of what they are, its
    title as the file name. Returns how many of each kind."""
    datasette = make_datasette(database, archive)
    db = sqlite_utils.Database(database)
    kinds: dict[str, int] = {}

    async def run():
        for report in db.query("select sha256, title, source_url, fetched_at from reports"):
            sha = report["sha256"]
            data = read(sha)
            kind = detect_kind(data)
            response = await datasette.client.get(f"/-/original/{sha}")
            assert response.status_code == 200, sha
            assert response.content == data
            assert hashlib.sha256(response.content).hexdigest() == sha
            content_type, extension = EXPECTED[kind]
            assert response.headers["content-type"].split(";")[0] == content_type, (sha, kind)
            disposition = response.headers["content-disposition"]
            assert disposition.startswith("inline; ")
            assert re.search(rf'filename="{sha[:16]}{re.escape(extension)}"', disposition)
            name = file_name(disposition)
            assert name.endswith(extension), (name, kind)
            if report["title"]:
                assert (
                    name
                    == re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', "_", report["title"]).strip(" ._")[:120]
                    + extension
                )
            assert response.headers["content-security-policy"] == "sandbox"
            head = await datasette.client.request("HEAD", f"/-/original/{sha}")
            assert head.headers["content-type"] == response.headers["content-type"]
            assert head.headers["content-disposition"] == disposition
            kinds[kind] = kinds.get(kind, 0) + 1

            shown = await datasette.client.get(f"/-/archived/{sha}")
            if kind != "html":
                assert shown.status_code == 302
                assert shown.headers["location"] == f"/-/original/{sha}"
                continue
            assert shown.status_code == 200
            assert shown.headers["content-type"] == response.headers["content-type"]
            banner = re.search(rb'<div class="nianbao-archive-banner".*?</div>', shown.content, re.S)
            assert banner, sha
            # The page is the original with the banner inserted right after <body ...>.
            assert shown.content.replace(banner.group(0), b"", 1) == data
            before = shown.content[: banner.start()]
            assert re.search(rb"<body\b[^>]*>$", before, re.I) or not re.search(rb"<body\b", data, re.I)
            text = html.unescape(banner.group(0).decode("ascii"))
            assert "存档副本" in text and sha in text
            assert (report["source_url"] or "—") in text
            assert (report["fetched_at"] or "—") in text
            assert f'href="/-/original/{sha}"' in text

    asyncio.run(run())
    return kinds


def test_the_corpus_originals_are_served_as_what_they_are(built):
    paths = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in built.inputs}
    kinds = check_every_original(built.data.database, None, lambda sha: paths[sha].read_bytes())
    assert kinds.get("html") and kinds.get("text")


def test_an_ofd_original_is_served_as_ofd(tmp_path):
    from nianbao.serve.build import build
    from nianbao.serve.documents import from_paths

    ofd = Path(__file__).parents[1] / "fixtures" / "ofd" / "dept-2021.ofd"
    database = tmp_path / "nianbao.db"
    build(database, from_paths([ofd]))
    kinds = check_every_original(database, None, lambda sha: ofd.read_bytes())
    assert kinds == {"ofd": 1}


def test_every_original_of_the_demo_downloads_as_what_it_is(demo):
    def blob(sha: str) -> bytes:
        return (demo.archive / "blobs" / "sha256" / sha[:2] / sha[2:4] / sha).read_bytes()

    kinds = check_every_original(demo.database, demo.archive, blob)
    assert kinds.get("pdf") and kinds.get("docx") and kinds.get("html"), kinds


def test_a_report_row_links_to_the_banner_page_of_an_archived_html_page(built):
    datasette = make_datasette(built.data.database)
    db = sqlite_utils.Database(built.data.database)
    sha = next(db.query("select sha256 from reports where kind = 'html'"))["sha256"]
    page = asyncio.run(datasette.client.get(f"/nianbao/reports?sha256={sha}")).text
    assert f'href="/-/original/{sha}">存档原件 archived copy</a>' in page
    assert f'href="/-/archived/{sha}">带存档说明 with banner</a>' in page
