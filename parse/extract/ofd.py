"""OFD (GB/T 33190-2016): text with its positions from the package's XML, ruled tables by their rules.

An OFD is a ZIP: OFD.xml names each document's Document.xml, which lists its pages'
Content.xml (and template pages drawn under or over them). A page places text as
TextObjects: each TextCode gives the first character's baseline position and DeltaX /
DeltaY the steps to the next ones, in the object's own space, which its CTM maps into
its Boundary on the page (millimetres, y downwards). Table rules are PathObjects.

No PyPI library fits: easyofd unpacks every member to the working directory and needs
PyMuPDF (AGPL); ofdparser is unmaintained and needs Windows fonts at import. The XML
is simple, so it is read here with lxml, bounded: member count, inflated size per member
and in all, no member or reference outside the package, no DTD or entities.

Reconstruction is the PDF geometric path's, on the same code (pdf_tables, pdf_layout):
text outside tables as lines broken where pdfium breaks a PDF's (in drawing order, a line
going on while the next glyph is beside the last; a wide gap a tab), each table row as its
cells joined by tabs, a blank cell an empty string, a merged cell once where it begins, a
table cut off by the page's edge run on past it, a row broken by a page break joined. A package with too little text to read
(scanned pages, type drawn as glyph outlines) reads as a scan, for OCR (ofd_scan.py).
"""

from __future__ import annotations

import io
import math
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from lxml import etree
from nianbao.parse.detect import MAX_ZIP_MEMBERS, zip_member_count
from nianbao.parse.extract import Extracted, ExtractionError
from nianbao.parse.extract.pdf import SCAN_CHARS_PER_PAGE
from nianbao.parse.extract.pdf_layout import (
    SPACE_GAP,
    Char,
    Line,
    Row,
    continues_row,
    in_reading_order,
    join_rows,
    table_rows,
)
from nianbao.parse.extract.pdf_rules import AXIS_SLACK, MIN_LENGTH, THIN
from nianbao.parse.extract.pdf_rules import Rule as PdfRule
from nianbao.parse.extract.pdf_tables import MAX_RULES, Table, find_tables, open_cut_sides
from nianbao.parse.text import is_page_number

MAX_MEMBER_BYTES = 32 * 1024 * 1024  # one page's XML: a dense page is a few MB
MAX_READ_BYTES = 256 * 1024 * 1024  # all XML read from one package
MAX_PAGES = 300  # as for PDF: an annual report runs to a few dozen pages
MAX_BLOCK_DEPTH = 64  # PageBlocks nested deeper are not a layout, they are an attack
MAX_PAGE_GLYPHS = 200_000  # a dense page prints a few thousand characters
MAX_PAGE_OBJECTS = 500_000  # type as glyph outlines is one object a character
MAX_PATH_DATA = 1_000_000  # characters of one path's data: a glyph takes ~1,000, a chart ~100,000

MM_PER_POINT = 25.4 / 72
# As the PDF path reads rules (pdf_rules), in millimetres: a thinner filled rectangle is
# a drawn rule; a shorter piece a tick, not a border; a line leaning less is straight.
RULE_THICKNESS = THIN * MM_PER_POINT
RULE_LENGTH = MIN_LENGTH * MM_PER_POINT
RULE_SLACK = AXIS_SLACK * MM_PER_POINT
DESCENT = 0.15  # of the type's size: how far a character's box reaches below its baseline
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


class Glyph(NamedTuple):
    """A character where the page prints it: page millimetres, y downwards."""

    char: str  # " " for a space the producer wrote (zero width)
    x0: float
    x1: float
    baseline: float
    size: float


@dataclass(frozen=True)
class Rule:
    """A horizontal (at y, from x0 to x1) or vertical (at x, from y0 to y1) line, in
    page millimetres, y downwards."""

    horizontal: bool
    at: float
    start: float
    end: float


def extract_ofd(data: bytes) -> Extracted:
    package = Package(data)
    root = package.entry()
    items: list[Line | Row] = []
    pages = characters = pictures = 0
    for page in ofd_pages(package, root):
        pages += 1
        found = _PageObjects()
        for element in page_objects(page.contents):
            found.add(element)
        characters += sum(1 for glyph in found.glyphs if glyph.char != " ")
        pictures += found.pictures
        lines = page_items(found.glyphs, found.rules)
        if items and lines and continues_row(items[-1], lines[0]):
            # A row broken by the page break: its two parts are one row.
            items[-1] = join_rows(items[-1], lines.pop(0))
        items.extend(lines)
    if pages == 0:
        raise ExtractionError("OFD has no pages")
    title = _title(root)
    if characters < SCAN_CHARS_PER_PAGE * pages:
        if pictures:
            # Scanned pages, or type drawn as glyph outlines: OCR reads them (ofd_scan).
            return Extracted(lines=[], kind="scan", path="ofd", title_hint=title)
        if characters == 0:
            raise ExtractionError("OFD has no text and draws nothing to read")
    return Extracted(lines=[item.text for item in items], kind="ofd", path="ofd", title_hint=title)


def _title(root: etree._Element) -> str | None:
    """The title the package's metadata gives (DocInfo), as a DOCX's properties give one."""
    for body in _children(root, "DocBody"):
        info = _child(body, "DocInfo")
        title = (child_text(info, "Title") or "").strip() if info is not None else ""
        if title:
            return title
    return None


# --- the package ------------------------------------------------------------------------


class Package:
    """The ZIP, read member by member under the limits; never unpacked to disk."""

    def __init__(self, data: bytes) -> None:
        count = zip_member_count(data)
        if count is None:
            raise ExtractionError("OFD cannot be opened: not a ZIP package")
        if count > MAX_ZIP_MEMBERS:
            raise ExtractionError(f"OFD package has {count} members; more than {MAX_ZIP_MEMBERS} is refused")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError) as error:
            raise ExtractionError(f"OFD cannot be opened: {error}") from error
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in self.zip.infolist():
            name = info.filename
            if name.startswith(("/", "\\")) or "\\" in name or ".." in name.split("/") or ":" in name:
                raise ExtractionError(f"OFD package has an unsafe member name {name!r}; refused")
            self.members[name] = info
        self._folded = {name.lower(): name for name in self.members}
        self.read_bytes = 0

    def resolve(self, base: str, location: str) -> str:
        """A member path from a reference: absolute from the package root, or relative to
        the folder of the file that makes it."""
        location = location.replace("\\", "/")
        joined = location.lstrip("/") if location.startswith("/") else posixpath.join(base, location)
        path = posixpath.normpath(joined)
        if path == ".." or path.startswith("../") or path.startswith("/"):
            raise ExtractionError(f"OFD refers to {location!r}, outside the package; refused")
        if not self.has(path) and self.has(posixpath.normpath(location.lstrip("/"))):
            # Some producers write page locations from the package root, without the "/".
            return posixpath.normpath(location.lstrip("/"))
        return path

    def entry(self) -> etree._Element:
        root = self.xml("OFD.xml")
        if local(root.tag) != "OFD":
            raise ExtractionError("OFD.xml is not an OFD entry file")
        return root

    def read(self, path: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
        """A member's bytes, never more than ``limit`` inflated (the declared size may lie)."""
        name = path if path in self.members else self._folded.get(path.lower())
        if name is None:
            raise ExtractionError(f"OFD package has no member {path!r}")
        info = self.members[name]
        if info.file_size > limit:
            raise ExtractionError(f"OFD member {name} inflates to {info.file_size} bytes; refused")
        try:
            with self.zip.open(info) as member:
                content = member.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
            raise ExtractionError(f"OFD member {name} cannot be read: {error}") from error
        if len(content) > limit:
            raise ExtractionError(f"OFD member {name} inflates beyond {limit} bytes; refused")
        self.read_bytes += len(content)
        if self.read_bytes > MAX_READ_BYTES:
            raise ExtractionError(f"OFD package inflates beyond {MAX_READ_BYTES} bytes; refused")
        return content

    def has(self, path: str) -> bool:
        return path in self.members or path.lower() in self._folded

    def xml(self, path: str) -> etree._Element:
        content = self.read(path)
        if b"<!DOCTYPE" in content[:8192]:
            # OFD's schema has no DTD; one here only declares entities, the billion laughs.
            raise ExtractionError(f"OFD member {path} declares a DTD (entities); refused")
        try:
            root = etree.fromstring(content, _PARSER)
        except etree.XMLSyntaxError as error:
            raise ExtractionError(f"OFD member {path} is not well-formed XML: {error}") from error
        if root is None:
            raise ExtractionError(f"OFD member {path} is empty")
        if root.getroottree().docinfo.internalDTD is not None:
            raise ExtractionError(f"OFD member {path} declares a DTD (entities); refused")
        return root


@dataclass
class Page:
    """One page to draw: its box (mm) and what draws it, in order: the template pages
    under it, then its own content. ``media`` maps resource IDs to image members."""

    box: tuple[float, float, float, float]
    contents: list[etree._Element]
    media: dict[str, str]


def ofd_pages(package: Package, root: etree._Element) -> Iterator[Page]:
    """Every page of every document the entry file names, in order."""
    count = 0
    for body in _children(root, "DocBody"):
        doc_root = child_text(body, "DocRoot")
        if not doc_root:
            continue
        for page in _document_pages(package, package.resolve("", doc_root.strip())):
            count += 1
            if count > MAX_PAGES:
                raise ExtractionError(f"OFD has more than {MAX_PAGES} pages; not a report")
            yield page


def _document_pages(package: Package, path: str) -> Iterator[Page]:
    document = package.xml(path)
    folder = posixpath.dirname(path)
    common = _child(document, "CommonData")
    templates: dict[str, str] = {}
    box = (0.0, 0.0, 210.0, 297.0)  # A4, when the document does not say
    media: dict[str, str] = {}
    if common is not None:
        area = _child(common, "PageArea")
        box = (_box(child_text(area, "PhysicalBox")) if area is not None else None) or box
        for template in _children(common, "TemplatePage"):
            if template.get("ID") and template.get("BaseLoc"):
                templates[template.get("ID")] = package.resolve(folder, template.get("BaseLoc"))
        for name in ("PublicRes", "DocumentRes"):
            for res in _children(common, name):
                if res.text and res.text.strip():
                    media.update(_media(package, package.resolve(folder, res.text.strip())))
    pages = _child(document, "Pages")
    if pages is None:
        return
    drawn: dict[str, etree._Element | None] = {}
    for entry in _children(pages, "Page"):
        location = entry.get("BaseLoc")
        if not location:
            continue
        page_path = package.resolve(folder, location)
        page = package.xml(page_path)
        contents = []
        for used in _children(page, "Template"):
            template_path = templates.get(used.get("TemplateID", ""))
            if template_path:
                if template_path not in drawn:  # read once, however many pages use it
                    drawn[template_path] = _child(package.xml(template_path), "Content")
                if drawn[template_path] is not None:
                    contents.append(drawn[template_path])
        content = _child(page, "Content")
        if content is not None:
            contents.append(content)
        area = _child(page, "Area")
        page_box = (_box(child_text(area, "PhysicalBox")) if area is not None else None) or box
        yield Page(page_box, contents, media)


def _media(package: Package, path: str) -> dict[str, str]:
    """A resource file's images: ID to member path (under the file's BaseLoc folder)."""
    if not package.has(path):
        return {}
    res = package.xml(path)
    folder = package.resolve(posixpath.dirname(path), res.get("BaseLoc") or ".")
    found = {}
    for group in _children(res, "MultiMedias"):
        for item in _children(group, "MultiMedia"):
            file = child_text(item, "MediaFile")
            if item.get("ID") and file and file.strip():
                found[item.get("ID")] = package.resolve(folder, file.strip())
    return found


# --- objects on a page ------------------------------------------------------------------


def page_objects(contents: list[etree._Element]) -> Iterator[etree._Element]:
    """The graphic objects that draw a page, in drawing order, through layers and blocks."""
    stack = [(iter(content), 0) for content in reversed(contents)]
    objects = 0
    while stack:
        children, depth = stack[-1]
        element = next(children, None)
        if element is None:
            stack.pop()
            continue
        if not isinstance(element.tag, str):
            continue
        name = local(element.tag)
        if name in ("Layer", "PageBlock"):
            if depth >= MAX_BLOCK_DEPTH:
                raise ExtractionError(f"OFD page nests blocks deeper than {MAX_BLOCK_DEPTH}; refused")
            stack.append((iter(element), depth + 1))
        elif name in ("TextObject", "PathObject", "ImageObject"):
            objects += 1
            if objects > MAX_PAGE_OBJECTS:
                raise ExtractionError(f"OFD page draws more than {MAX_PAGE_OBJECTS} objects; refused")
            yield element


@dataclass
class _PageObjects:
    glyphs: list[Glyph] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    pictures: int = 0  # images and filled shapes: what a page without text is drawn with

    def add(self, element: etree._Element) -> None:
        name = local(element.tag)
        if name == "TextObject":
            # Invisible text too: an OCR'd scan's text layer is drawn so, and the PDF
            # path reads it as well.
            self.glyphs.extend(_text_glyphs(element))
            if len(self.glyphs) > MAX_PAGE_GLYPHS:
                raise ExtractionError(f"OFD page places more than {MAX_PAGE_GLYPHS} characters; refused")
        elif name == "ImageObject":
            self.pictures += 1
        elif element.get("Visible", "true") != "false":
            if len(self.rules) <= MAX_RULES:  # more is a drawing; the grid reads no table then
                self.rules.extend(_path_rules(element))
            self.pictures += element.get("Fill", "false") == "true"


def placement(element: etree._Element):  # noqa: ANN201 - a function of (x, y), and a scale
    """Object space to page: the CTM, then the Boundary's origin."""
    box = _box(element.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
    a, b, c, d, e, f = _numbers(element.get("CTM"), 6) or _IDENTITY
    bx, by = box[0], box[1]

    def place(x: float, y: float) -> tuple[float, float]:
        return bx + a * x + c * y + e, by + b * x + d * y + f

    return place, math.hypot(c, d)  # the vertical scale: what a font size becomes


def _text_glyphs(element: etree._Element) -> list[Glyph]:
    place, scale = placement(element)
    size = _number(element.get("Size"), 3.5)
    out: list[Glyph] = []
    x = y = 0.0
    for code in element:
        if not isinstance(code.tag, str) or local(code.tag) != "TextCode":
            continue
        text = code.text or ""
        x = _number(code.get("X"), x)
        y = _number(code.get("Y"), y)
        delta_x = _deltas(code.get("DeltaX"), len(text))
        delta_y = _deltas(code.get("DeltaY"), len(text))
        if len(out) + len(text) > MAX_PAGE_GLYPHS:
            raise ExtractionError(f"OFD page places more than {MAX_PAGE_GLYPHS} characters; refused")
        for index, char in enumerate(text):
            natural = size * (1.0 if _wide(char) else 0.5)  # the font's advance, near enough
            advance = _delta(delta_x, index, natural)
            left, baseline = place(x, y)
            if char.isspace():
                # A space the producer wrote: kept (as zero width), the text has it.
                out.append(Glyph(" ", left, left, baseline, size * scale))
            else:
                # A step wider than the glyph is a gap after it, not the glyph's width.
                width = min(advance, natural) if advance > 0 else natural
                right, _ = place(x + width, y)
                out.append(Glyph(char, min(left, right), max(left, right), baseline, size * scale))
            x += advance
            y += _delta(delta_y, index, 0.0)
    return out


def _path_rules(element: etree._Element) -> list[Rule]:
    """Straight horizontal and vertical strokes, and thin filled rectangles, as rules;
    a path with a curve in it (a rounded box, a bullet, type as outlines) draws none,
    as on the PDF path: borders are straight."""
    data = child_text(element, "AbbreviatedData")
    if not data or len(data) > MAX_PATH_DATA:
        return []  # nothing drawn, or a drawing far too big to be a table's rules
    place, _ = placement(element)
    stroked = element.get("Stroke", "true") != "false"
    filled = element.get("Fill", "false") == "true"
    out: list[Rule] = []
    for points, closed in subpaths(data):
        placed = [place(x, y) for x, y in points]
        if len(placed) < 2:
            continue
        xs = [p[0] for p in placed]
        ys = [p[1] for p in placed]
        width, height = max(xs) - min(xs), max(ys) - min(ys)
        if filled and min(width, height) <= RULE_THICKNESS and max(width, height) > RULE_THICKNESS:
            # A rule drawn as a thin filled rectangle (Chromium prints borders so).
            if width >= height:
                out.append(Rule(True, (min(ys) + max(ys)) / 2, min(xs), max(xs)))
            else:
                out.append(Rule(False, (min(xs) + max(xs)) / 2, min(ys), max(ys)))
            continue
        if not stroked:
            continue
        if closed:
            placed.append(placed[0])
        for (x0, y0), (x1, y1) in zip(placed, placed[1:], strict=False):
            if abs(y1 - y0) <= RULE_SLACK and abs(x1 - x0) >= RULE_LENGTH:
                out.append(Rule(True, (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
            elif abs(x1 - x0) <= RULE_SLACK and abs(y1 - y0) >= RULE_LENGTH:
                out.append(Rule(False, (x0 + x1) / 2, min(y0, y1), max(y0, y1)))
    return out


def path_commands(data: str) -> list[tuple[str, list[tuple[float, float]]]]:
    """AbbreviatedData as drawing commands in object space: "M" (start; OFD's S and M),
    "L" (line), "B" (cubic curve: two controls and the end), "C" (close). A quadratic
    curve (Q) is given as the cubic it is; an arc (A) as a line to its end."""
    tokens = data.split()
    arity = {"M": 2, "S": 2, "L": 2, "B": 6, "Q": 4, "A": 7, "C": 0}
    out: list[tuple[str, list[tuple[float, float]]]] = []
    pen = start = (0.0, 0.0)
    i = 0
    while i < len(tokens):
        op = tokens[i]
        count = arity.get(op)
        if count is None:  # a number continuing the last operator, or junk: skip it
            i += 1
            continue
        args = _floats(tokens[i + 1 : i + 1 + count])
        i += 1 + count
        if args is None or len(args) < count:
            continue
        points = list(zip(args[0::2], args[1::2], strict=False))
        if op in ("M", "S"):
            out.append(("M", points))
            pen = start = points[0]
        elif op == "L":
            out.append(("L", points))
            pen = points[0]
        elif op == "B":
            out.append(("B", points))
            pen = points[2]
        elif op == "Q":
            (cx, cy), end = points
            first = (pen[0] + 2 / 3 * (cx - pen[0]), pen[1] + 2 / 3 * (cy - pen[1]))
            second = (end[0] + 2 / 3 * (cx - end[0]), end[1] + 2 / 3 * (cy - end[1]))
            out.append(("B", [first, second, end]))
            pen = end
        elif op == "A":
            pen = (args[5], args[6])
            out.append(("L", [pen]))
        else:
            out.append(("C", []))
            pen = start
    return out


def subpaths(data: str) -> list[tuple[list[tuple[float, float]], bool]]:
    """A straight path's runs of lines, and whether each is closed; none for a path
    with a curve in it."""
    paths: list[tuple[list[tuple[float, float]], bool]] = []
    current: list[tuple[float, float]] = []
    for op, points in path_commands(data):
        if op == "L":
            current.append(points[0])
            continue
        if op == "B":
            return []
        if len(current) > 1:
            paths.append((current, op == "C"))
        current = [points[0]] if op == "M" else current[:1]
    if len(current) > 1:
        paths.append((current, False))
    return paths


# --- lines and tables -------------------------------------------------------------------
# The grid, its merged cells and rows broken by a page break are the PDF path's
# (pdf_tables, pdf_layout): the same rules make the same cells whatever the format. They
# work in PDF space (points, y upwards); a page here is in millimetres, y downwards.


def _pdf_rule(rule: Rule) -> PdfRule:
    if rule.horizontal:
        return PdfRule(True, -rule.at / MM_PER_POINT, rule.start / MM_PER_POINT, rule.end / MM_PER_POINT)
    return PdfRule(False, rule.at / MM_PER_POINT, -rule.end / MM_PER_POINT, -rule.start / MM_PER_POINT)


def _pdf_char(glyph: Glyph) -> Char:
    """A glyph as the PDF path's character: its box in points, y upwards, about as tall
    as pdfium's loose box (the font's descent below the baseline, its ascent above)."""
    return (
        glyph.x0 / MM_PER_POINT,
        glyph.x1 / MM_PER_POINT,
        -(glyph.baseline + DESCENT * glyph.size) / MM_PER_POINT,
        -(glyph.baseline - (1 - DESCENT) * glyph.size) / MM_PER_POINT,
        glyph.char,
    )


def page_items(glyphs: list[Glyph], rules: list[Rule]) -> list[Line | Row]:
    """A page's printed lines and table rows, top to bottom: free text as lines, each
    table row as the cells that begin in it (a blank cell empty, a merged one once)."""
    tables = find_tables([_pdf_rule(r) for r in rules])
    chars = [_pdf_char(glyph) for glyph in glyphs]
    while True:
        free, in_cells, beside = _placed(glyphs, chars, tables)
        # Text beside a table, in its rows: the table ran past the page there (as on the
        # PDF path), and its text is placed again against the opened sides.
        if not (beside and open_cut_sides(tables, beside)):
            break
    items: list[Line | Row] = []
    for line in _text_lines(free):
        text = _line_text(line)
        if text and not is_page_number(text):
            items.append(Line(-(line[0].baseline - line[0].size) / MM_PER_POINT, text))
    if not tables:
        # Lines as drawn, as the PDF path reads a page without tables (pdfium's text).
        return items
    for table, cells in zip(tables, in_cells, strict=True):
        items.extend(table_rows(table, cells))
    return in_reading_order(items)


def _placed(
    glyphs: list[Glyph], chars: list[Char], tables: list[Table]
) -> tuple[list[Glyph], list[list[list[Char]]], list[tuple[float, float]]]:
    """The glyphs outside every table, each table's cells' characters (in drawing
    order, spaces left out as the PDF path leaves them), and the free glyphs' middles."""
    free: list[Glyph] = []
    beside: list[tuple[float, float]] = []
    in_cells: list[list[list[Char]]] = [[[] for _ in table.cells] for table in tables]
    for glyph, char in zip(glyphs, chars, strict=True):
        x, y = (char[0] + char[1]) / 2, (char[2] + char[3]) / 2
        for number, table in enumerate(tables):
            if table.contains(x, y):
                if glyph.char != " ":
                    in_cells[number][table.cell_index(x, y)].append(char)
                break
        else:
            free.append(glyph)
            if glyph.char != " ":
                beside.append((x, y))
    return free, in_cells, beside


def _text_lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs in drawing order, a line going on while each next one is beside the last,
    as pdfium breaks a PDF's text into lines; each line left to right. Ordering the
    page's glyphs by position instead would part what pdfium keeps together (a label
    set between the two lines of a wrapped value), and the two readings would differ."""
    lines: list[list[Glyph]] = []
    for glyph in glyphs:
        if lines and _beside(lines[-1][-1], glyph):
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
    return [sorted(line, key=lambda g: g.x0) for line in lines]


def _beside(last: Glyph, glyph: Glyph) -> bool:
    """Whether ``glyph`` goes on the line ``last`` ends: on its baseline (within a third
    of the type), or reaching into its height and not back to its left."""
    size = max(glyph.size, last.size)
    if abs(glyph.baseline - last.baseline) <= size / 3:
        return True
    overlap = (
        min(glyph.baseline, last.baseline) + DESCENT * size - (max(glyph.baseline, last.baseline) - size)
    )
    return overlap > 0 and glyph.x0 >= last.x1 - size / 2


def _line_text(line: list[Glyph]) -> str:
    """A line's characters; a space where the producer wrote one or the gap is a quarter
    of the type, a tab where it is one and a half (a cell of an unruled table)."""
    parts: list[str] = []
    previous: Glyph | None = None
    spaced = False
    for glyph in line:
        if glyph.char == " ":
            spaced = previous is not None
            continue
        if previous is not None:
            gap = glyph.x0 - previous.x1
            size = max(glyph.size, previous.size)
            if gap > 1.5 * size:
                parts.append("\t")
            elif spaced or gap > SPACE_GAP * size:
                parts.append(" ")
        parts.append(glyph.char)
        previous, spaced = glyph, False
    return "".join(parts)


# --- XML values -------------------------------------------------------------------------


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and local(c.tag) == name]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def child_text(element: etree._Element, name: str) -> str | None:
    child = _child(element, name)
    return child.text if child is not None else None


def _floats(tokens: list[str]) -> list[float] | None:
    try:
        values = [float(t) for t in tokens]
    except ValueError:
        return None
    return values if all(math.isfinite(v) for v in values) else None


def _numbers(text: str | None, count: int) -> tuple[float, ...] | None:
    values = _floats(text.split()) if text else None
    return tuple(values) if values is not None and len(values) == count else None


def _number(text: str | None, default: float) -> float:
    values = _numbers(text, 1)
    return values[0] if values else default


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    return _numbers(text, 4)  # type: ignore[return-value]


def _deltas(text: str | None, limit: int) -> list[float]:
    """DeltaX/DeltaY: numbers, where "g N D" stands for N times D; never more than
    ``limit`` (the characters they space), whatever N says."""
    if not text:
        return []
    tokens = text.split()
    out: list[float] = []
    i = 0
    while i < len(tokens) and len(out) < limit:
        if tokens[i] == "g" and i + 2 < len(tokens):
            values = _floats(tokens[i + 1 : i + 3])
            if values is not None:
                out.extend([values[1]] * max(0, min(int(values[0]), limit - len(out))))
            i += 3
            continue
        value = _floats(tokens[i : i + 1])
        if value is not None:
            out.extend(value)
        i += 1
    return out


def _delta(deltas: list[float], index: int, default: float) -> float:
    """The step after character ``index``: its delta, else the last one given, else the default."""
    if index < len(deltas):
        return deltas[index]
    return deltas[-1] if deltas else default


def _wide(char: str) -> bool:
    return ord(char) >= 0x2E80
