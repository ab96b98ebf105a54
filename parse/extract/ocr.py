"""Scanned PDFs (pages that are images, no text layer) through OCR.

Uses rapidocr-onnxruntime, whose models ship in its wheel (the optional extra
``pip install .[ocr]``). Each recognised box is a cell; boxes are grouped into
lines by their vertical centre, so table rows come out as tab-separated cells.
"""

from __future__ import annotations

from functools import lru_cache

import pypdfium2 as pdfium

from parse.extract import Extracted, ExtractionError
from parse.text import is_page_number

MAX_OCR_PAGES = 40
SCALE = 2.0  # 144 dpi: small table digits need it


@lru_cache(maxsize=1)
def _engine():  # noqa: ANN202 - rapidocr has no types
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as error:
        raise ExtractionError("scanned PDF: OCR needs rapidocr-onnxruntime (pip install '.[ocr]')") from error
    return RapidOCR()


def extract_ocr(data: bytes) -> Extracted:
    import numpy

    engine = _engine()
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise ExtractionError(f"PDF cannot be opened: {error}") from error
    if len(document) > MAX_OCR_PAGES:
        raise ExtractionError(f"scanned PDF has {len(document)} pages; OCR stops at {MAX_OCR_PAGES}")
    lines: list[str] = []
    try:
        for page in document:
            image = numpy.asarray(page.render(scale=SCALE).to_pil().convert("RGB"))
            result, _ = engine(image)
            lines.extend(line for line in _lines(result or []) if not is_page_number(line))
            page.close()
    finally:
        document.close()
    return Extracted(lines=lines, kind="scan", path="ocr")


def _lines(boxes: list) -> list[str]:
    """Group OCR boxes into printed lines by vertical centre; cells left to right."""
    items = []
    for points, text, _score in boxes:
        ys = [p[1] for p in points]
        xs = [p[0] for p in points]
        items.append(((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(xs), text))
    items.sort(key=lambda item: item[0])
    rows: list[list[tuple[float, float, float, str]]] = []
    for item in items:
        if rows:
            row = rows[-1]
            centre = sum(i[0] for i in row) / len(row)
            if abs(item[0] - centre) < max(item[1], row[0][1]) / 2:
                row.append(item)
                continue
        rows.append([item])
    return ["\t".join(i[3] for i in sorted(row, key=lambda i: i[2])) for row in rows]
