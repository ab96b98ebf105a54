"""A report as a scanned PDF: the typeset pages rendered to greyscale images and put
back into a PDF with no text layer — what the OCR path gets when an office prints,
stamps and scans its report."""

from __future__ import annotations

import io
import time

import pypdfium2 as pdfium
from nianbao.replicas.render.pdf import render_pdf

_THRESHOLD = 170  # grey level above which a scanner calls a pixel paper
_FIXED_DATE = time.struct_time((2000, 1, 1, 0, 0, 0, 5, 1, 0))  # invariant output


def render_scanned_pdf(
    record: dict, dpi: int = 150, *, mode: str = "gray", quality: int = 60, nulls: str = "slash"
) -> bytes:
    """Image-only PDF of the record's typeset pages at ``dpi``: ``mode="gray"`` pages are
    JPEG at ``quality`` (~120 kB a page at 150 dpi), ``"bilevel"`` pages are black and
    white, CCITT G4 (~20 kB a page), as document scanners send them. Nulls print as "/"
    by default: a blank cell is invisible to OCR."""
    return scan_pdf(render_pdf(record, nulls=nulls), dpi=dpi, mode=mode, quality=quality)


def scan_pdf(pdf: bytes, *, dpi: int = 150, mode: str = "gray", quality: int = 60) -> bytes:
    """Any PDF's pages as images in a new PDF without text."""
    if not 50 <= dpi <= 600:
        raise ValueError(f"dpi must lie in 50..600, got {dpi}")
    if mode not in ("gray", "bilevel"):
        raise ValueError(f"mode must be gray or bilevel, got {mode!r}")
    document = pdfium.PdfDocument(pdf)
    try:
        images = [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in document]
    finally:
        document.close()
    if mode == "bilevel":
        images = [im.point(lambda v: 255 if v > _THRESHOLD else 0).convert("1", dither=None) for im in images]
    out = io.BytesIO()
    first, rest = images[0], images[1:]
    jpeg = {"quality": quality} if mode == "gray" else {}  # G4 takes no quality
    first.save(
        out,
        "PDF",
        save_all=True,
        append_images=rest,
        resolution=float(dpi),
        **jpeg,
        creationDate=_FIXED_DATE,
        modDate=_FIXED_DATE,
        producer="scanner",
    )
    return out.getvalue()
