"""PDF: a fast path on pdfium's text, and a geometric path on pdfium's characters and rules.

The fast path reads the text layer as pdfium orders it, which is right for most
reports. The geometric path finds ruled tables from the page's drawn borders
(pdf_rules, pdf_tables) and reads them cell by cell, which keeps blank cells in their
columns and labels in their rows; the parser takes it when the fast path misses a
table or a check fails. Both stay on pdfium, so the second reading costs about as
much as the first.
"""

from __future__ import annotations

import pypdfium2 as pdfium
from nianbao.parse.extract import Extracted, ExtractionError
from nianbao.parse.extract.pdf_layout import Line, Row, continues_row, join_rows, laid_out
from nianbao.parse.extract.pdf_rules import page_rules
from nianbao.parse.extract.pdf_tables import find_tables
from nianbao.parse.text import is_page_number

MAX_PAGES = 300  # an annual report runs to a few dozen pages at most
SCAN_CHARS_PER_PAGE = 20  # fewer text characters than this per page: a scan


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        message = str(error)
        if "password" in message.lower():
            raise ExtractionError("encrypted PDF: a password is needed to open it") from error
        raise ExtractionError(f"PDF cannot be opened: {message}") from error
    if len(document) == 0:
        raise ExtractionError("PDF has no pages")
    if len(document) > MAX_PAGES:
        raise ExtractionError(f"PDF has {len(document)} pages; more than {MAX_PAGES} is not a report")
    return document


def _page_lines(text: str) -> list[str]:
    return [
        line
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if not is_page_number(line)
    ]


def extract_pdf_fast(data: bytes) -> Extracted:
    document = _open(data)
    try:
        lines: list[str] = []
        characters = 0
        for page in document:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            characters += sum(1 for c in text if not c.isspace())
            lines.extend(_page_lines(text))
            textpage.close()
            page.close()
        pages = len(document)
    finally:
        document.close()
    kind = "scan" if characters < SCAN_CHARS_PER_PAGE * pages else "pdf"
    return Extracted(lines=lines, kind=kind, path="pdf-fast")


def extract_pdf_geometric(data: bytes) -> Extracted:
    """Text outside tables as lines, each table row as its cells joined by tabs (a
    blank cell an empty string, a merged cell once, where it begins), merged in
    reading order (top to bottom) page by page. A page without ruled tables reads as
    on the fast path."""
    document = _open(data)
    try:
        items: list[Line | Row] = []
        for page in document:
            textpage = page.get_textpage()
            try:
                tables = find_tables(page_rules(page.raw))
                if tables:
                    page_items = laid_out(textpage.raw, tables)
                    if items and page_items and continues_row(items[-1], page_items[0]):
                        # A row broken by the page break: its two parts are one row.
                        items[-1] = join_rows(items[-1], page_items.pop(0))
                    items.extend(page_items)
                else:
                    items.extend(Line(0.0, line) for line in _page_lines(textpage.get_text_range()))
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()
    return Extracted(lines=[item.text for item in items], kind="pdf", path="pdf-geometric")
