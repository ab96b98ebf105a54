"""A report as a Word document: a centred title, headings, paragraphs and real tables
whose merged cells are merged in Word (``cell.merge``), not faked with blanks."""

from __future__ import annotations

import io
import random
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from nianbao.replicas.render.layout import Grid, layout, null_marks, null_text

EAST_ASIAN_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
_EPOCH = (2000, 1, 1, 0, 0, 0)  # fixed zip member times: the same record gives the same bytes


def render_docx(record: dict, *, nulls: str = "mixed") -> bytes:
    marks = null_marks(record, nulls)
    doc = Document()
    _east_asian(doc.styles["Normal"], EAST_ASIAN_FONT)
    doc.core_properties.title = record["title"]
    doc.core_properties.author = record["organization"] or ""
    for block in layout(record):
        if block.kind == "title":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(block.text)
            run.bold = True
            run.font.size = Pt(18)
        elif block.kind == "heading":
            heading = doc.add_heading(block.text, level=1)
            for run in heading.runs:
                _east_asian(run, HEADING_FONT)
        elif block.kind == "paragraph":
            p = doc.add_paragraph(block.text)
            p.paragraph_format.first_line_indent = Pt(24)
        else:
            assert block.grid is not None
            _table(doc, block.grid, marks)
    out = io.BytesIO()
    doc.save(out)
    return _fixed_times(out.getvalue())


def _table(doc: Document, grid: Grid, marks: random.Random | str) -> None:
    table = doc.add_table(rows=grid.n_rows, cols=grid.n_cols)
    table.style = "Table Grid"
    # One snapshot of the unmerged grid: table.cell() re-walks the whole table on every call.
    # Merged regions never overlap, so each snapshot cell stays valid until its own merge.
    grid_cells = table._cells
    width = grid.n_cols
    for cell in grid.cells:
        target = grid_cells[cell.row * width + cell.col]
        if cell.rowspan > 1 or cell.colspan > 1:
            corner = grid_cells[(cell.row + cell.rowspan - 1) * width + cell.col + cell.colspan - 1]
            target = target.merge(corner)
        target.text = null_text(marks) if cell.null else cell.text
        for p in target.paragraphs:
            for run in p.runs:
                run.font.size = Pt(9)
    doc.add_paragraph()


def _east_asian(styled, font: str) -> None:  # noqa: ANN001 - a style or a run
    """Word picks CJK glyphs from the eastAsia font slot, which python-docx does not set."""
    styled.font.name = font
    rpr = styled.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), font)


def _fixed_times(data: bytes) -> bytes:
    """python-docx stamps zip members with the current time; rewrite them with a fixed one."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
