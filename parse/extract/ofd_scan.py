"""OFD pages with no text to read (scanned pages, or type drawn as glyph outlines) for OCR.

The OCR path reads PDFs, which pdfium renders. So the pages are redrawn as a PDF: each
ImageObject as an image placed where its CTM and Boundary put it, each PathObject as
a path (curves kept, fill rule and colours as given), text left out (there is too
little of it to read: that is why this page is here). Then OCR reads that PDF as it
reads a scanned one.
"""

from __future__ import annotations

import io
import math

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from lxml import etree
from nianbao.parse.extract import Extracted, ExtractionError
from nianbao.parse.extract.ofd import (
    MAX_PATH_DATA,
    MM_PER_POINT,
    Package,
    Page,
    child_text,
    local,
    ofd_pages,
    page_objects,
    path_commands,
    placement,
)

MAX_IMAGE_PIXELS = 60_000_000  # a page scanned at 600 dpi is 35 million
MAX_IMAGE_BYTES = 32 * 1024 * 1024


def extract_ofd_ocr(data: bytes) -> Extracted:
    from nianbao.parse.extract.ocr import extract_ocr

    extracted = extract_ocr(ofd_as_pdf(data))
    return Extracted(lines=extracted.lines, kind="scan", path="ocr")


def ofd_as_pdf(data: bytes) -> bytes:
    package = Package(data)
    pdf = pdfium.PdfDocument.new()
    try:
        for page in ofd_pages(package, package.entry()):
            _draw_page(package, pdf, page)
        buffer = io.BytesIO()
        pdf.save(buffer)
    finally:
        pdf.close()
    return buffer.getvalue()


def _draw_page(package: Package, pdf: pdfium.PdfDocument, page: Page) -> None:
    left, top, width, height = page.box
    target = pdf.new_page(width / MM_PER_POINT, height / MM_PER_POINT)

    def to_pdf(x: float, y: float) -> tuple[float, float]:
        return (x - left) / MM_PER_POINT, (top + height - y) / MM_PER_POINT

    try:
        for element in page_objects(page.contents):
            name = local(element.tag)
            if name == "ImageObject":
                _draw_image(package, pdf, target, page, element, to_pdf)
            elif name == "PathObject" and element.get("Visible", "true") != "false":
                _draw_path(target, element, to_pdf)
        target.gen_content()
    finally:
        target.close()


def _draw_image(package, pdf, target, page: Page, element: etree._Element, to_pdf) -> None:  # noqa: ANN001
    member = page.media.get(element.get("ResourceID", ""))
    if member is None or not package.has(member):
        return  # an image the package does not hold draws nothing
    data = package.read(member, MAX_IMAGE_BYTES)
    place, _ = placement(element)
    # The image fills its unit square, (0, 0) at its top left; PDF's unit square has
    # (0, 0) at the image's bottom left.
    origin = to_pdf(*place(0.0, 1.0))
    right = to_pdf(*place(1.0, 1.0))
    up = to_pdf(*place(0.0, 0.0))
    matrix = pdfium.PdfMatrix(
        right[0] - origin[0], right[1] - origin[1], up[0] - origin[0], up[1] - origin[1], *origin
    )
    image = pdfium.PdfImage.new(pdf)
    if data[:3] == b"\xff\xd8\xff":
        image.load_jpeg(io.BytesIO(data), inline=True)
    else:
        image.set_bitmap(pdfium.PdfBitmap.from_pil(_decoded(data, member)))
    image.set_matrix(matrix)
    target.insert_obj(image)


def _decoded(data: bytes, member: str):  # noqa: ANN202 - a PIL image
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                raise ExtractionError(f"OFD image {member} is {opened.width}×{opened.height} pixels; refused")
            return opened.convert("L" if opened.mode in ("1", "L", "P", "LA") else "RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ExtractionError(f"OFD image {member} cannot be decoded: {error}") from error


def _draw_path(target, element: etree._Element, to_pdf) -> None:  # noqa: ANN001
    data = child_text(element, "AbbreviatedData")
    if not data or len(data) > MAX_PATH_DATA:
        return  # nothing to draw, or more than any page of a report draws
    place, scale = placement(element)
    filled = element.get("Fill", "false") == "true"
    stroked = element.get("Stroke", "true") != "false"
    if not (filled or stroked):
        return
    path = None
    for op, points in path_commands(data):
        placed = [to_pdf(*place(x, y)) for x, y in points]
        if op == "M":
            if path is None:
                path = pdfium_c.FPDFPageObj_CreateNewPath(*placed[0])
            else:
                pdfium_c.FPDFPath_MoveTo(path, *placed[0])
        elif path is None:
            continue  # drawing before any start point: nothing to draw from
        elif op == "L":
            pdfium_c.FPDFPath_LineTo(path, *placed[0])
        elif op == "B":
            pdfium_c.FPDFPath_BezierTo(path, *placed[0], *placed[1], *placed[2])
        elif op == "C":
            pdfium_c.FPDFPath_Close(path)
    if path is None:
        return
    even_odd = element.get("Rule", "NonZero") == "Even-Odd"
    fill_mode = (
        (pdfium_c.FPDF_FILLMODE_ALTERNATE if even_odd else pdfium_c.FPDF_FILLMODE_WINDING) if filled else 0
    )
    pdfium_c.FPDFPath_SetDrawMode(path, fill_mode, stroked)
    pdfium_c.FPDFPageObj_SetFillColor(path, *_colour(element, "FillColor"), 255)
    pdfium_c.FPDFPageObj_SetStrokeColor(path, *_colour(element, "StrokeColor"), 255)
    width = float(element.get("LineWidth", "0.353") or 0.353)
    pdfium_c.FPDFPageObj_SetStrokeWidth(path, max(width * scale, 0.0) / MM_PER_POINT)
    pdfium_c.FPDFPage_InsertObject(target.raw, path)


def _colour(element: etree._Element, name: str) -> tuple[int, int, int]:
    """An RGB colour ("R G B", 0-255); black when absent or in another colour space."""
    for child in element:
        if isinstance(child.tag, str) and local(child.tag) == name:
            parts = (child.get("Value") or "").split()
            try:
                values = [min(max(int(float(p)), 0), 255) for p in parts[:3] if math.isfinite(float(p))]
            except ValueError:
                return (0, 0, 0)
            return tuple(values) if len(values) == 3 else (0, 0, 0)  # type: ignore[return-value]
    return (0, 0, 0)
