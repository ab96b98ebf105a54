"""The ruling lines a PDF page draws: table borders, read from its path objects.

Renderers draw the same border in different ways: LibreOffice and Word as stroked
lines, Chromium as thin filled rectangles, WPS often as a stroked rectangle per cell,
and some as one path of many thin rectangles. All of them come out here as axis-aligned
segments (``Rule``); whatever is not a border (a background, a bullet, a curve) is left out.
"""

from __future__ import annotations

import ctypes
from typing import NamedTuple

import pypdfium2.raw as pdfium_c

THIN = 3.0  # points: a filled rectangle thinner than this is a line, not a background
MIN_LENGTH = 3.0  # points: shorter pieces are ticks, glyph parts or dots, not borders
AXIS_SLACK = 0.5  # points a line may lean and still count as horizontal or vertical
MAX_SEGMENTS = 4000  # a path with more segments is a drawing, not a table's borders
MAX_OBJECTS = 20000  # page objects looked at per page; a page with more is no table


class Rule(NamedTuple):
    """An axis-aligned line: ``at`` is its y (horizontal) or x (vertical), from ``start``
    to ``end`` along it. PDF coordinates: y grows upwards."""

    horizontal: bool
    at: float
    start: float
    end: float


def page_rules(page: pdfium_c.FPDF_PAGE) -> list[Rule]:
    """The rules drawn by the page's path objects, form XObjects included."""
    rules: list[Rule] = []
    reader = _PathReader()
    get_object, get_type = pdfium_c.FPDFPage_GetObject, pdfium_c.FPDFPageObj_GetType
    get_bounds, bounds = pdfium_c.FPDFPageObj_GetBounds, reader.bounds
    left, bottom, right, top = reader.left, reader.bottom, reader.right, reader.top
    path_type, form_type = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
    for index in range(min(pdfium_c.FPDFPage_CountObjects(page), MAX_OBJECTS)):
        obj = get_object(page, index)
        kind = get_type(obj)  # most objects are text: two calls, no more
        if kind == path_type:
            get_bounds(obj, *bounds)
            box = (left.value, bottom.value, right.value, top.value)
            if box[2] - box[0] <= THIN or box[3] - box[1] <= THIN:
                # The common case, one line or one thin rectangle: its bounds say it all.
                _add_box(box, rules)
            else:
                reader.read_path(obj, None, rules)
        elif kind == form_type:
            reader.read_form(obj, None, rules)
    return rules


class _PathReader:
    """Reusable ctypes out-parameters, made once per page: a page has hundreds of paths."""

    def __init__(self) -> None:
        self.left, self.bottom, self.right, self.top = (ctypes.c_float() for _ in range(4))
        self.fill, self.stroke = ctypes.c_int(), ctypes.c_int()
        self.x, self.y = ctypes.c_float(), ctypes.c_float()
        self.matrix = pdfium_c.FS_MATRIX()
        self.bounds = tuple(ctypes.byref(v) for v in (self.left, self.bottom, self.right, self.top))
        self.mode = (ctypes.byref(self.fill), ctypes.byref(self.stroke))
        self.point = (ctypes.byref(self.x), ctypes.byref(self.y))

    def read(self, obj: pdfium_c.FPDF_PAGEOBJECT, outer: tuple | None, rules: list[Rule]) -> None:
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            self.read_path(obj, outer, rules)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            self.read_form(obj, outer, rules)

    def read_form(self, form: pdfium_c.FPDF_PAGEOBJECT, outer: tuple | None, rules: list[Rule]) -> None:
        # Objects inside a form XObject have the form's matrix still to apply.
        pdfium_c.FPDFPageObj_GetMatrix(form, self.matrix)
        m = self.matrix
        matrix = _compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
        for index in range(min(pdfium_c.FPDFFormObj_CountObjects(form), MAX_OBJECTS)):
            self.read(pdfium_c.FPDFFormObj_GetObject(form, index), matrix, rules)

    def read_path(self, path: pdfium_c.FPDF_PAGEOBJECT, outer: tuple | None, rules: list[Rule]) -> None:
        """A path that is not one thin line (or any path inside a form XObject)."""
        pdfium_c.FPDFPath_GetDrawMode(path, *self.mode)
        filled, stroked = self.fill.value != 0, bool(self.stroke.value)
        if not (filled or stroked):
            return  # an invisible path
        if outer is None and not stroked and pdfium_c.FPDFPath_CountSegments(path) <= 5:
            # One filled rectangle (or shape) that is not thin: a background. (Inside
            # a form its bounds were not looked at: its segments say whether it is thin.)
            return
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
        pieces: list[list[tuple[float, float]]] = []
        get_segment, get_type = pdfium_c.FPDFPath_GetPathSegment, pdfium_c.FPDFPathSegment_GetType
        for index in range(count):
            segment = get_segment(path, index)
            kind = get_type(segment)
            if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
                # A curve: a bullet, a glyph drawn as outlines, a rounded box. Borders
                # are straight, and leaving at the first curve keeps shapes cheap.
                return
            pdfium_c.FPDFPathSegment_GetPoint(segment, *self.point)
            point = _apply(matrix, self.x.value, self.y.value)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                subpath = [point]
                pieces.append(subpath)
            else:
                subpath.append(point)
            if pdfium_c.FPDFPathSegment_GetClose(segment) and subpath:
                subpath.append(subpath[0])
        for piece in pieces:
            if len(piece) >= 2:
                _add_subpath(piece, stroked, rules)


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
