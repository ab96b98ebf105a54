"""PDF, DOCX, scanned PDF and text renderings: each is what it claims to be, and the
record's labels and numbers can be read back from it with the real libraries."""

from __future__ import annotations

import io
import re
import time

import docx
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from nianbao.parse.form import SECTIONS, TABLE3_COLUMNS, TABLE4_GROUPS, TABLE4_RESULTS, table3_rows
from nianbao.replicas.render import render_docx, render_pdf, render_scanned_pdf, render_text
from nianbao.replicas.render.layout import format_number
from nianbao.replicas.synth import synthetic_report

from .tables import table3_from_grid


def _record(template: str = "2021", **kw: object) -> dict:
    return synthetic_report("测试县应急管理局", 2023 if template == "2021" else 2020, template, seed=31, **kw)


def _pdf_pages(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]
    finally:
        document.close()


def _row_line(label: str, values: dict) -> str:
    return " ".join([label, *(format_number(v) or "/" for v in values.values())])


# --- PDF -------------------------------------------------------------------------------


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_pdf_text_layer_reads_back_chinese_labels_and_numbers(template: str) -> None:
    r = _record(template)
    text = "\n".join(_pdf_pages(render_pdf(r, nulls="slash")))
    assert r["title"] in text
    for section in SECTIONS:
        assert section.heading in text
    lines = set(text.split("\n"))
    for row in table3_rows(template):
        if len(row.label) <= 14:  # longer labels wrap inside their cell
            label = "（六）其他处理" if template == "2019" and row.key == "other_other" else row.label
            assert _row_line(label, r["applications"][row.key]) in lines
    t4 = " ".join(
        format_number(r["review_litigation"][g.key][x.key]) for g in TABLE4_GROUPS for x in TABLE4_RESULTS
    )
    assert t4 in lines
    compact = re.sub(r"\s+", "", text)
    for label in ("申请人情况", "法人或其他组织", "行政诉讼", "未经复议直接起诉", "复议后起诉"):
        assert label in compact


def test_pdf_pages_are_numbered_and_a4() -> None:
    data = render_pdf(_record())
    document = pdfium.PdfDocument(data)
    assert all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in (p.get_size() for p in document))
    pages = _pdf_pages(data)
    for n, page in enumerate(pages, 1):
        assert f"- {n} -" in page


def test_long_report_breaks_table3_across_pages_with_its_header_repeated() -> None:
    r = _record(long_prose=True)
    pages = _pdf_pages(render_pdf(r))
    holding = [
        i for i, p in enumerate(pages) if "本年新收" in p or "结转下年度继续办理" in p or "予以公开" in p
    ]
    first = next(i for i, p in enumerate(pages) if "本年新收政府信息公开申请数量" in p)
    last = next(i for i, p in enumerate(pages) if "四、结转下年度继续办理" in p)
    assert last > first, f"table 3 fits on page {first + 1}: the long fixture must break it"
    assert all("申请人情况" in pages[i] for i in range(first, last + 1)), holding


def test_pdf_is_deterministic_and_fast() -> None:
    r = _record()
    render_pdf(r)  # font loaded once per process
    start = time.perf_counter()
    data = render_pdf(r)
    elapsed = time.perf_counter() - start
    assert data == render_pdf(r)
    assert elapsed < 1.0, f"{elapsed:.2f} s for one PDF"


def test_encrypted_pdf_cannot_be_opened_without_its_password() -> None:
    data = render_pdf(_record(), encrypt="secret")
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(data)
    assert "总体情况" in pdfium.PdfDocument(data, password="secret")[0].get_textpage().get_text_range()


# --- DOCX ------------------------------------------------------------------------------


def _docx_grid(table) -> list[list[str]]:  # noqa: ANN001 - python-docx table
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_docx_has_headings_paragraphs_and_merged_tables(template: str) -> None:
    r = _record(template, blank_rate=0.3)
    document = docx.Document(io.BytesIO(render_docx(r)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [s.heading for s in SECTIONS]
    assert r["title"] in [p.text for p in document.paragraphs]
    assert r["sections"]["5"].split("\n")[0] in [p.text for p in document.paragraphs]
    t2, t3, t4 = document.tables
    xml = t3._tbl.xml
    assert 'w:gridSpan w:val="7"' in xml and 'w:gridSpan w:val="5"' in xml and "w:vMerge" in xml
    assert table3_from_grid(_docx_grid(t3), template) == r["applications"]
    group = [row[0] for row in _docx_grid(t3)[5:]]
    assert group.count("三、本年度办理结果") == len([x for x in table3_rows(template) if x.result]) + 1
    assert 'w:gridSpan w:val="10"' in t4._tbl.xml
    assert {c.label for c in TABLE3_COLUMNS} <= {c for row in _docx_grid(t3)[:3] for c in row}


def test_docx_is_deterministic() -> None:
    r = _record()
    assert render_docx(r) == render_docx(r)


# --- scanned PDF -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["gray", "bilevel"])
def test_scan_has_pages_as_images_and_no_text(mode: str) -> None:
    r = _record()
    typeset = pdfium.PdfDocument(render_pdf(r))
    scan = pdfium.PdfDocument(render_scanned_pdf(r, dpi=100, mode=mode))
    assert len(scan) == len(typeset)
    for page in scan:
        assert page.get_textpage().get_text_range().strip() == ""
        kinds = {obj.type for obj in page.get_objects()}
        assert kinds == {pdfium_c.FPDF_PAGEOBJ_IMAGE}
        w, h = page.get_size()
        assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2
        bitmap = page.render(scale=0.5).to_pil().convert("L")
        dark = sum(bitmap.histogram()[:128])
        assert dark > 500  # there is print on the page


def test_scan_rejects_silly_resolution() -> None:
    with pytest.raises(ValueError, match="dpi"):
        render_scanned_pdf(_record(), dpi=5000)


# --- text ------------------------------------------------------------------------------


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_text_prints_rows_on_one_line_and_table4_as_fifteen_numbers(template: str) -> None:
    r = _record(template, blank_rate=0.3)
    lines = render_text(r).decode("utf-8").split("\n")
    for row in table3_rows(template):
        label = "（六）其他处理" if template == "2019" and row.key == "other_other" else row.label
        assert _row_line(label, r["applications"][row.key]) in lines
    t4 = [
        format_number(r["review_litigation"][g.key][x.key]) or "/"
        for g in TABLE4_GROUPS
        for x in TABLE4_RESULTS
    ]
    assert " ".join(t4) in lines
    assert "三、本年度办理结果" in lines and "（三）不予公开" in lines
    paragraph = r["sections"]["1"].split("\n")[0]  # wrapped as a page would: rejoined, it is whole
    start = next(i for i, line in enumerate(lines) if line and paragraph.startswith(line))
    wrapped = lines[start : lines.index("", start)]
    assert "".join(wrapped) == paragraph and len(wrapped) > 1 and all(len(x) <= 40 for x in wrapped)
