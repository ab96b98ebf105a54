"""PDF: a fast path on pdfium's text, and a geometric path on pdfplumber's tables.

The fast path reads the text layer as pdfium orders it, which is right for most
reports and many times faster. The geometric path finds ruled tables and reads them
cell by cell, which keeps blank cells in their columns and labels in their rows; the
parser takes it when the fast path misses a table or a check fails.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from nianbao.parse.extract import Extracted, ExtractionError
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
    """Text outside tables as lines, each table row as its cells joined by tabs,
    merged in reading order (top to bottom) page by page."""
    import pdfplumber  # imported here: slow to import, and only this path needs it
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    lines: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise ExtractionError(
                    f"PDF has {len(pdf.pages)} pages; more than {MAX_PAGES} is not a report"
                )
            for page in pdf.pages:
                lines.extend(_geometric_page(page))
                page.close()
    except (PDFSyntaxError, PDFPasswordIncorrect) as error:
        raise ExtractionError(f"PDF cannot be read by pdfplumber: {error!r}") from error
    return Extracted(lines=lines, kind="pdf", path="pdf-geometric")


def _geometric_page(page) -> list[str]:  # noqa: ANN001 - pdfplumber.page.Page
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj: dict) -> bool:
        x, top = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and t0 <= top <= b1 for x0, t0, x1, b1 in boxes)

    placed: list[tuple[float, str]] = []
    text_page = page.filter(outside) if boxes else page
    for line in text_page.extract_text_lines(return_chars=False):
        if not is_page_number(line["text"]):
            placed.append((line["top"], line["text"]))
    for table in tables:
        for row, cells in zip(table.rows, table.extract(), strict=False):
            tops = [c[1] for c in row.cells if c is not None]
            # A merged cell is None in the cells after its first: left out, as HTML has it.
            texts = ["".join(c.split()) for c in cells if c is not None]
            if any(texts):
                placed.append((min(tops) if tops else row.bbox[1], "\t".join(texts)))
    placed.sort(key=lambda item: item[0])
    return [text for _, text in placed]
