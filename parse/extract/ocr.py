"""Scanned PDFs (pages that are images, no text layer) through OCR.

Uses rapidocr-onnxruntime, whose models ship in its wheel (the optional extra
``pip install .[ocr]``). Text detection misses small isolated glyphs — exactly the
lone ``0`` that fills most cells of a report's tables — so ruled tables are read
cell by cell: the grid is found from the page's lines (OpenCV morphology), each
cell is recognised on its own, and a row is the cells that share a top edge.
Prose outside the tables goes through detection and recognition as usual.
"""

from __future__ import annotations

from functools import lru_cache

import pypdfium2 as pdfium
from nianbao.parse.extract import Extracted, ExtractionError
from nianbao.parse.text import is_page_number

MAX_OCR_PAGES = 40
SCALE = 2.0  # 144 dpi: enough for table digits
_INK = 250  # a cell whose darkest pixel is lighter than this is empty
_ZERO_LIKE = set("oO〇。D()")  # the usual misreadings of a lone 0
_BORDER = "l|I丨!"  # a cell's vertical rule caught at the edge of a crop
_INSET = 5  # pixels trimmed inside a cell's rules before recognition


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
            gray = numpy.asarray(page.render(scale=SCALE, grayscale=True).to_pil().convert("L"))
            lines.extend(line for line in _page_lines(engine, gray) if not is_page_number(line))
            page.close()
    finally:
        document.close()
    return Extracted(lines=lines, kind="scan", path="ocr")


def _page_lines(engine, gray) -> list[str]:  # noqa: ANN001
    import numpy

    cells, tables = _grid_cells(gray)
    prose = gray.copy()
    for x0, y0, x1, y1 in tables:
        prose[y0:y1, x0:x1] = 255
    placed: list[tuple[float, str]] = []
    result, _ = engine(numpy.stack([prose] * 3, axis=-1))
    for top, text in _group_boxes(result or []):
        placed.append((top, text))
    for top, text in _table_rows(engine, gray, cells):
        placed.append((top, text))
    placed.sort(key=lambda item: item[0])
    return [text for _, text in placed]


def _grid_cells(gray) -> tuple[list[tuple[int, int, int, int]], list[tuple[int, int, int, int]]]:  # noqa: ANN001
    """Cells of ruled tables (boxes enclosed by lines) and the tables' bounding boxes."""
    import cv2

    height, width = gray.shape
    ink = cv2.adaptiveThreshold(255 - gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2)
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, width // 25), 1))
    )
    vertical = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, height // 60)))
    )
    grid = cv2.dilate(horizontal | vertical, numpy_ones(3))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(255 - grid, connectivity=4)
    cells = []
    for i in range(1, count):
        x, y, w, h, area = stats[i]
        touches_edge = x == 0 or y == 0 or x + w >= width or y + h >= height
        if touches_edge or w < 8 or h < 8 or area < 0.5 * w * h:
            continue
        cells.append((int(x), int(y), int(x + w), int(y + h)))
    tables_count, _, table_stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    tables = [
        (int(x), int(y), int(x + w), int(y + h))
        for x, y, w, h, _area in table_stats[1:tables_count]
        if w > width // 4 and h > 20
    ]
    return cells, tables


def numpy_ones(size: int):  # noqa: ANN201
    import numpy

    return numpy.ones((size, size), numpy.uint8)


def _table_rows(engine, gray, cells: list[tuple[int, int, int, int]]) -> list[tuple[float, str]]:  # noqa: ANN001
    """Recognise every cell; group cells sharing a top edge into a row, left to right."""
    import numpy

    texts: dict[tuple[int, int, int, int], str] = {}
    single, tall = [], []
    for box in cells:
        x0, y0, x1, y1 = box
        crop = gray[y0 + _INSET : y1 - _INSET, x0 + _INSET : x1 - _INSET]
        if crop.size == 0 or crop.min() > _INK:
            texts[box] = ""
            continue
        # Recognise the ink, not the cell: a lone digit in a wide merged cell is
        # otherwise lost in white space.
        rows_of_ink = numpy.where(crop.min(axis=1) < 160)[0]
        cols_of_ink = numpy.where(crop.min(axis=0) < 160)[0]
        if not len(rows_of_ink):
            texts[box] = ""
            continue
        crop = crop[rows_of_ink[0] : rows_of_ink[-1] + 1, cols_of_ink[0] : cols_of_ink[-1] + 1]
        (tall if crop.shape[0] > 40 * SCALE / 2 else single).append((box, crop))
    if single:
        padded = [numpy.stack([numpy.pad(c, 8, constant_values=255)] * 3, axis=-1) for _, c in single]
        recognised, _ = engine.text_rec(padded)
        for (box, _), (text, _score) in zip(single, recognised, strict=True):
            texts[box] = cell_text(text)
    for box, crop in tall:  # a label wrapped inside its cell: detect its lines first
        result, _ = engine(numpy.stack([numpy.pad(crop, 8, constant_values=255)] * 3, axis=-1))
        texts[box] = "".join(text for _, text in _group_boxes(result or []))
    rows: list[list[tuple[int, int, int, int]]] = []
    for box in sorted(cells, key=lambda b: (b[1], b[0])):
        if rows and abs(rows[-1][0][1] - box[1]) <= 6:
            rows[-1].append(box)
        else:
            rows.append([box])
    out = []
    for row in rows:
        values = [texts[b] for b in sorted(row, key=lambda b: b[0])]
        if any(values):
            out.append((float(row[0][1]), "\t".join(values)))
    return out


def cell_text(text: str) -> str:
    """A recognised table cell, less the artefacts of its rules; a lone 0 misread as
    o, 。 or 〇 (with a stroke of the rule beside it) is 0."""
    text = text.strip().strip(_BORDER).strip()
    core = text.lstrip("一—-_").strip() if len(text) > 1 else text
    if core and all(c in _ZERO_LIKE for c in core) and len(core) <= 2:
        return "0"
    return text


def _group_boxes(boxes: list) -> list[tuple[float, str]]:
    """OCR boxes grouped into printed lines by vertical centre, left to right."""
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
    return [
        (min(i[0] - i[1] / 2 for i in row), "\t".join(i[3] for i in sorted(row, key=lambda i: i[2])))
        for row in rows
    ]
