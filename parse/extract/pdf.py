"""PDF: a fast path on pdfium's text, and a geometric path on pdfium's characters and rules.

The fast path reads the text layer as pdfium orders it, which is right for most
reports. The geometric path finds ruled tables from the page's drawn borders
(pdf_rules, pdf_tables) and reads them cell by cell, which keeps blank cells in their
columns and labels in their rows; the parser takes it when the fast path misses a
table or a check fails. Both stay on pdfium, and the second reuses the pages the
first loaded: it adds about one and a half times the cost of pdfium's plain text
(``make bench`` prints the whole parse against that text, per file).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2 as pdfium
from nianbao.parse.extract import Extracted, ExtractionError
from nianbao.parse.extract.pdf_layout import Line, Row, continues_row, join_rows, laid_out
from nianbao.parse.extract.pdf_rules import page_rules
from nianbao.parse.extract.pdf_tables import find_tables
from nianbao.parse.text import is_page_number

MAX_PAGES = 300  # an annual report runs to a few dozen pages at most
SCAN_CHARS_PER_PAGE = 20  # fewer text characters than this per page: a scan
KEEP_PAGES = 60  # a document this short stays loaded after the fast reading (see _kept)


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


@dataclass
class _Loaded:
    """A document read by the fast path with its pages and text pages still open."""

    data: bytes
    document: pdfium.PdfDocument
    pages: list[tuple[pdfium.PdfPage, pdfium.PdfTextPage, str]] = field(default_factory=list)

    def close(self) -> None:
        for page, textpage, _ in self.pages:
            textpage.close()
            page.close()
        self.document.close()


# The parser asks for the geometric reading only when the fast one is not sound, of
# the same bytes, next, in the same worker process: the fast path leaves a short
# document loaded for it, which saves it loading every page and its text again.
_kept: _Loaded | None = None


def _release() -> None:
    global _kept
    if _kept is not None:
        _kept.close()
        _kept = None


def extract_pdf_fast(data: bytes) -> Extracted:
    global _kept
    _release()
    loaded = _Loaded(data, _open(data))
    try:
        lines: list[str] = []
        characters = 0
        for page in loaded.document:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            loaded.pages.append((page, textpage, text))
            characters += len(text) - sum(map(str.isspace, text))
            lines.extend(_page_lines(text))
        pages = len(loaded.pages)
    except BaseException:
        loaded.close()
        raise
    kind = "scan" if characters < SCAN_CHARS_PER_PAGE * pages else "pdf"
    if kind == "pdf" and pages <= KEEP_PAGES:
        _kept = loaded
    else:
        loaded.close()
    return Extracted(lines=lines, kind=kind, path="pdf-fast")


def _loaded_pages(data: bytes) -> Iterator[tuple[pdfium.PdfPage, pdfium.PdfTextPage, str | None]]:
    """Each page with its text page (and its text, when the fast path read it), closed
    after use: the ones the fast path kept, or else loaded one at a time."""
    global _kept
    kept, _kept = _kept, None
    if kept is not None and kept.data == data:
        try:
            yield from kept.pages
        finally:
            kept.close()
        return
    if kept is not None:
        kept.close()
    document = _open(data)
    try:
        for page in document:
            textpage = page.get_textpage()
            try:
                yield page, textpage, None
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()


def extract_pdf_geometric(data: bytes) -> Extracted:
    """Text outside tables as lines, each table row as its cells joined by tabs (a
    blank cell an empty string, a merged cell once, where it begins), merged in
    reading order (top to bottom) page by page. A page without ruled tables reads as
    on the fast path."""
    items: list[Line | Row] = []
    for page, textpage, text in _loaded_pages(data):
        tables = find_tables(page_rules(page.raw))
        if tables:
            page_items = laid_out(textpage.raw, tables)
            if items and page_items and continues_row(items[-1], page_items[0]):
                # A row broken by the page break: its two parts are one row.
                items[-1] = join_rows(items[-1], page_items.pop(0))
            items.extend(page_items)
        else:
            text = textpage.get_text_range() if text is None else text
            items.extend(Line(0.0, line) for line in _page_lines(text))
    return Extracted(lines=[item.text for item in items], kind="pdf", path="pdf-geometric")
