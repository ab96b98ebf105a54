"""A report as an A4 PDF with a text layer, typeset as offices print them: a title,
prose sections, ruled tables with merged cells and labels wrapped inside their
cells, "- N -" page numbers; table 3 breaks across pages with its header repeated.

The font is WenQuanYi Zen Hei (TrueType, embedded as a subset): reportlab cannot
embed the CFF-flavoured Noto CJK fonts, and pypdfium2 reads the text back from a
TrueType subset with its ToUnicode map.
"""

from __future__ import annotations

import io
import random
from functools import cache

from nianbao.replicas.render.layout import Block, Grid, is_numeric, layout, null_marks, null_text
from reportlab.lib import colors, pdfencrypt
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT = "WenQuanYiZenHei"
MARGIN = 25 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN

# Column widths (points) per table, summing to the text width.
_LABELS_T3 = (34.0, 44.0, 130.0)


@cache
def _font() -> str:
    pdfmetrics.registerFont(TTFont(FONT, FONT_PATH, subfontIndex=0))
    return FONT


@cache
def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "title": ParagraphStyle(
            "title", fontName=font, fontSize=18, leading=28, alignment=TA_CENTER, spaceAfter=14
        ),
        "heading": ParagraphStyle(
            "heading", fontName=font, fontSize=14, leading=24, spaceBefore=8, spaceAfter=4
        ),
        "paragraph": ParagraphStyle(
            "paragraph", fontName=font, fontSize=11.5, leading=20, firstLineIndent=23, wordWrap="CJK"
        ),
        "cell": ParagraphStyle(
            "cell", fontName=font, fontSize=8, leading=10, alignment=TA_CENTER, wordWrap="CJK"
        ),
        "label": ParagraphStyle("label", fontName=font, fontSize=8, leading=10, wordWrap="CJK"),
    }


def render_pdf(record: dict, *, nulls: str = "mixed", encrypt: str | None = None) -> bytes:
    """The PDF's bytes; the same record gives the same bytes (reportlab's invariant mode).
    ``encrypt`` is a user password: without it the document cannot be opened."""
    styles = _styles()
    marks = null_marks(record, nulls)
    story: list = []
    for block in layout(record):
        story += _flowables(block, styles, marks)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=record["title"],
        author=record["organization"] or "",
        invariant=1,
        encrypt=pdfencrypt.StandardEncryption(encrypt, canPrint=0) if encrypt else None,
    )
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return out.getvalue()


def _page_number(canvas, doc) -> None:  # noqa: ANN001 - reportlab's callback signature
    canvas.saveState()
    canvas.setFont(_font(), 10)
    canvas.drawCentredString(A4[0] / 2, 12 * mm, f"- {doc.page} -")
    canvas.restoreState()


def _flowables(block: Block, styles: dict[str, ParagraphStyle], marks: random.Random | str) -> list:
    if block.kind == "table":
        assert block.grid is not None
        return [Spacer(1, 4), _table(block.grid, styles, marks), Spacer(1, 8)]
    return [Paragraph(_escape(block.text), styles[block.kind])]


def _widths(grid: Grid) -> list[float]:
    if grid.name == "table3":
        rest = (TEXT_WIDTH - sum(_LABELS_T3)) / (grid.n_cols - len(_LABELS_T3))
        return [*_LABELS_T3, *([rest] * (grid.n_cols - len(_LABELS_T3)))]
    if grid.name == "table2":
        first = TEXT_WIDTH * 0.3
        return [first, *([(TEXT_WIDTH - first) / (grid.n_cols - 1)] * (grid.n_cols - 1))]
    return [TEXT_WIDTH / grid.n_cols] * grid.n_cols


def _table(grid: Grid, styles: dict[str, ParagraphStyle], marks: random.Random | str) -> Table:
    data: list[list[object]] = [[""] * grid.n_cols for _ in range(grid.n_rows)]
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for cell in grid.cells:
        text = null_text(marks) if cell.null else cell.text
        label = not cell.header and not cell.null and not is_numeric(cell.text) and cell.rowspan == 1
        data[cell.row][cell.col] = Paragraph(_escape(text), styles["label" if label else "cell"])
        if cell.rowspan > 1 or cell.colspan > 1:
            end = (cell.col + cell.colspan - 1, cell.row + cell.rowspan - 1)
            commands.append(("SPAN", (cell.col, cell.row), end))
    return Table(
        data,
        colWidths=_widths(grid),
        repeatRows=grid.header_rows if grid.name == "table3" else 0,
        style=TableStyle(commands),
        splitByRow=1,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
