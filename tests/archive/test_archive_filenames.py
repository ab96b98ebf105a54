from urllib.parse import quote

import pytest
from archive_helpers import html_fetch
from nianbao.archive import Fetch
from nianbao.archive.filenames import disposition_filename, document_filename

NAME = "新乡县2023年政府信息公开工作年度报告.pdf"


def wire(text: str, encoding: str) -> str:
    """A header value as the archive keeps it: the wire bytes read as Latin-1."""
    return text.encode(encoding).decode("latin-1")


@pytest.mark.parametrize(
    "value",
    [
        f"attachment; filename*=UTF-8''{quote(NAME)}",
        f'attachment; filename="{wire(NAME, "gbk")}"',
        f'attachment; filename="{wire(NAME, "utf-8")}"',
        f"attachment; filename={quote(NAME)}",
        f"attachment; filename=\"fallback.pdf\"; filename*=utf-8''{quote(NAME)}",
        f'inline;filename="C:\\\\Users\\\\x\\\\{wire(NAME, "gbk")}"',
    ],
)
def test_disposition_forms(value):
    assert disposition_filename(value) == NAME


def test_no_name():
    assert disposition_filename("attachment") is None
    assert disposition_filename(None) is None
    assert document_filename([], "http://gov.test/module/download/downfile.jsp?id=1") == "downfile.jsp"
    assert document_filename([], "http://gov.test/a/%E5%B9%B4%E6%8A%A5.pdf") == "年报.pdf"
    assert document_filename([], "http://gov.test/list/") is None


def test_documents_carry_the_filename(archive):
    run = archive.start_run("t")
    archive.record(
        run,
        Fetch(
            url="http://gov.test/down?id=7",
            status=200,
            body=b"%PDF-1.7",
            role="report",
            response_headers=[("Content-Disposition", f'attachment; filename="{wire(NAME, "gbk")}"')],
        ),
    )
    archive.record(run, html_fetch("http://gov.test/art/2024/nb.html", "<p>年报</p>", role="report"))
    archive.finish_run(run, "finished")
    assert [d["filename"] for d in archive.documents()] == [NAME, "nb.html"]
