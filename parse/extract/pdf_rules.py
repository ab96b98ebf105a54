"""The ruling lines a PDF page draws: table borders, read from its path objects.

Renderers draw the same border in different ways: LibreOffice and Word as stroked
lines, Chromium as thin filled rectangles, WPS often as a stroked rectangle per cell,
and some as one path of many thin rectangles. All of them come out here as axis-aligned
segments (``Rule``); whatever is not a border (a background, a bullet, a curve) is left out.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2.raw as pdfium_c

THIN = 3.0  # points: a filled rectangle thinner than this is a line, not a background
MIN_LENGTH = 3.0  # points: shorter pieces are ticks, glyph parts or dots, not borders
AXIS_SLACK = 0.5  # points a line may lean and still count as horizontal or vertical
MAX_SEGMENTS = 4000  # a path with more segments is a drawing, not a table's borders
MAX_OBJECTS = 20000  # page objects looked at per page; a page with more is no table


@dataclass(frozen=True)
class Rule:
    """An axis-aligned line: ``at`` is its y (horizontal) or x (vertical), from ``start``
    to ``end`` along it. PDF coordinates: y grows upwards."""

    horizontal: bool
    at: float
    start: float
    end: float


def page_rules(page: pdfium_c.FPDF_PAGE) -> list[Rule]:
    """The rules drawn by the page's path objects, form XObjects included."""
    rules: list[Rule] = []
    count = min(pdfium_c.FPDFPage_CountObjects(page), MAX_OBJECTS)
    reader = _PathReader()
    for index in range(count):
        reader.read(pdfium_c.FPDFPage_GetObject(page, index), None, rules)
    return rules


class _PathReader:
    """Reusable ctypes out-parameters: one set for every object of a page."""

    def __init__(self) -> None:
        self.left, self.bottom, self.right, self.top = (ctypes.c_float() for _ in range(4))
        self.fill, self.stroke = ctypes.c_int(), ctypes.c_int()
        self.x, self.y = ctypes.c_float(), ctypes.c_float()
        self.matrix = pdfium_c.FS_MATRIX()

    def read(self, obj: pdfium_c.FPDF_PAGEOBJECT, outer: tuple | None, rules: list[Rule]) -> None:
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            self._read_form(obj, outer, rules)
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            self._read_path(obj, outer, rules)

    def _read_form(self, form: pdfium_c.FPDF_PAGEOBJECT, outer: tuple | None, rules: list[Rule]) -> None:
        # Objects inside a form XObject have the form's matrix still to apply.
        pdfium_c.FPDFPageObj_GetMatrix(form, self.matrix)
        m = self.matrix
        matrix = _compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
        for index in range(min(pdfium_c.FPDFFormObj_CountObjects(form), MAX_OBJECTS)):
            self.read(pdfium_c.FPDFFormObj_GetObject(form, index), matrix, rules)

    def _read_path(self, path: pdfium_c.FPDF_PAGEOBJECT, outer: tuple | None, rules: list[Rule]) -> None:
        pdfium_c.FPDFPath_GetDrawMode(path, self.fill, self.stroke)
        filled, stroked = self.fill.value != 0, bool(self.stroke.value)
        if not (filled or stroked):
            return  # a clipping path or an invisible one
        if outer is None:
            pdfium_c.FPDFPageObj_GetBounds(path, self.left, self.bottom, self.right, self.top)
            box = (self.left.value, self.bottom.value, self.right.value, self.top.value)
            if min(box[2] - box[0], box[3] - box[1]) <= THIN:
                # The common case, one line or one thin rectangle: its bounds say it all.
                _add_box(box, rules)
                return
            if not stroked and pdfium_c.FPDFPath_CountSegments(path) <= 5:
                return  # one filled rectangle (or shape) that is not thin: a background
        self._read_segments(path, outer, stroked, rules)

    def _read_segments(
        self, path: pdfium_c.FPDF_PAGEOBJECT, outer: tuple | None, stroked: bool, rules: list[Rule]
    ) -> None:
        """A path of several pieces: each thin rectangle in it is a rule, and when it is
        stroked, so is each straight axis-aligned piece of it."""
        count = pdfium_c.FPDFPath_CountSegments(path)
        if count > MAX_SEGMENTS:
            return
        pdfium_c.FPDFPageObj_GetMatrix(path, self.matrix)
        m = self.matrix
        matrix = _compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
        subpath: list[tuple[float, float]] = []
        curved = False

        def finish() -> None:
            if len(subpath) >= 2 and not curved:
                _add_subpath(subpath, stroked, rules)

        for index in range(count):
            segment = pdfium_c.FPDFPath_GetPathSegment(path, index)
            pdfium_c.FPDFPathSegment_GetPoint(segment, self.x, self.y)
            point = _apply(matrix, self.x.value, self.y.value)
            kind = pdfium_c.FPDFPathSegment_GetType(segment)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                finish()
                subpath, curved = [point], False
            else:
                curved = curved or kind == pdfium_c.FPDF_SEGMENT_BEZIERTO
                subpath.append(point)
            if pdfium_c.FPDFPathSegment_GetClose(segment) and subpath:
                subpath.append(subpath[0])
        finish()


def _add_subpath(points: list[tuple[float, float]], stroked: bool, rules: list[Rule]) -> None:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    box = (min(xs), min(ys), max(xs), max(ys))
    axis_aligned = all(
        abs(a[0] - b[0]) <= AXIS_SLACK or abs(a[1] - b[1]) <= AXIS_SLACK
        for a, b in zip(points, points[1:], strict=False)
    )
    if axis_aligned and min(box[2] - box[0], box[3] - box[1]) <= THIN:
        _add_box(box, rules)  # a thin rectangle, filled or stroked: one line
        return
    if not stroked:
        return  # a filled area: a background or a glyph-like shape
    for a, b in zip(points, points[1:], strict=False):
        if abs(a[1] - b[1]) <= AXIS_SLACK and abs(a[0] - b[0]) >= MIN_LENGTH:
            rules.append(Rule(True, (a[1] + b[1]) / 2, min(a[0], b[0]), max(a[0], b[0])))
        elif abs(a[0] - b[0]) <= AXIS_SLACK and abs(a[1] - b[1]) >= MIN_LENGTH:
            rules.append(Rule(False, (a[0] + b[0]) / 2, min(a[1], b[1]), max(a[1], b[1])))


def _add_box(box: tuple[float, float, float, float], rules: list[Rule]) -> None:
    left, bottom, right, top = box
    width, height = right - left, top - bottom
    if width >= height and width >= MIN_LENGTH:
        rules.append(Rule(True, (bottom + top) / 2, left, right))
    elif height > width and height >= MIN_LENGTH:
        rules.append(Rule(False, (left + right) / 2, bottom, top))


def _compose(inner: tuple, outer: tuple | None) -> tuple:
    """The matrix applying ``inner`` first, then ``outer`` (PDF's row-vector convention)."""
    if outer is None:
        return inner
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(matrix: tuple, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return (a * x + c * y + e, b * x + d * y + f)
