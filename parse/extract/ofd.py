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

Reconstruction is the PDF geometric path's, on the same grid code: text outside tables
as lines (glyphs grouped by baseline, ordered by x, a wide gap a tab), each table row as
its cells joined by tabs, a blank cell an empty string, a merged cell once where it
begins, a row broken by a page break joined.
"""

from __future__ import annotations

import io
import math
import posixpath
import zipfile
from dataclasses import dataclass

from lxml import etree
from nianbao.parse.detect import MAX_ZIP_MEMBERS, zip_member_count
from nianbao.parse.extract import Extracted, ExtractionError
from nianbao.parse.extract.pdf_layout import SPACE_GAP, Line, Row, continues_row, join_rows
from nianbao.parse.extract.pdf_rules import THIN
from nianbao.parse.extract.pdf_rules import Rule as PdfRule
from nianbao.parse.extract.pdf_tables import find_tables
from nianbao.parse.text import clean_line, is_page_number

MAX_MEMBER_BYTES = 32 * 1024 * 1024  # one page's XML: a dense page is a few MB
MAX_READ_BYTES = 256 * 1024 * 1024  # all XML read from one package
MAX_PAGES = 300  # as for PDF: an annual report runs to a few dozen pages
MAX_BLOCK_DEPTH = 64  # PageBlocks nested deeper are not a layout, they are an attack
MAX_PAGE_GLYPHS = 200_000  # a dense page prints a few thousand characters

MM_PER_POINT = 25.4 / 72
RULE_THICKNESS = THIN * MM_PER_POINT  # a filled rectangle thinner than this is a drawn rule
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


@dataclass(frozen=True)
class Glyph:
    char: str
    x0: float
    x1: float
    baseline: float
    size: float

    @property
    def middle(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, self.baseline - self.size * 0.35


@dataclass(frozen=True)
class Rule:
    """A horizontal (at y, from x0 to x1) or vertical (at x, from y0 to y1) line."""

    horizontal: bool
    at: float
    start: float
    end: float


def extract_ofd(data: bytes) -> Extracted:
    package = _Package(data)
    root = package.xml("OFD.xml")
    if _local(root.tag) != "OFD":
        raise ExtractionError("OFD.xml is not an OFD entry file")
    items: list[Line | Row] = []
    title: str | None = None
    pages = 0
    characters = 0
    for body in _children(root, "DocBody"):
        info = _child(body, "DocInfo")
        if title is None and info is not None:
            title = (_child_text(info, "Title") or "").strip() or None
        doc_root = _child_text(body, "DocRoot")
        if not doc_root:
            continue
        for glyphs, rules in _document_pages(package, package.resolve("", doc_root.strip())):
            pages += 1
            if pages > MAX_PAGES:
                raise ExtractionError(f"OFD has more than {MAX_PAGES} pages; not a report")
            characters += len(glyphs)
            page = page_items(glyphs, rules)
            if items and page and continues_row(items[-1], page[0]):
                # A row broken by the page break: its two parts are one row.
                items[-1] = join_rows(items[-1], page.pop(0))
            items.extend(page)
    if pages == 0:
        raise ExtractionError("OFD has no pages")
    if characters == 0:
        # Pages as images or glyph outlines only: nothing here reads them (OCR reads PDFs).
        raise ExtractionError("OFD has no text (pages are images or glyph outlines); not read")
    return Extracted(lines=[item.text for item in items], kind="ofd", path="ofd", title_hint=title)


# --- the package ------------------------------------------------------------------------


class _Package:
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

    def has(self, path: str) -> bool:
        return path in self.members or path.lower() in self._folded

    def xml(self, path: str) -> etree._Element:
        name = path if path in self.members else self._folded.get(path.lower())
        if name is None:
            raise ExtractionError(f"OFD package has no member {path!r}")
        info = self.members[name]
        if info.file_size > MAX_MEMBER_BYTES:
            raise ExtractionError(f"OFD member {name} inflates to {info.file_size} bytes; refused")
        try:
            with self.zip.open(info) as member:
                # The declared size may lie: never inflate more than the limit.
                content = member.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
            raise ExtractionError(f"OFD member {name} cannot be read: {error}") from error
        if len(content) > MAX_MEMBER_BYTES:
            raise ExtractionError(f"OFD member {name} inflates beyond {MAX_MEMBER_BYTES} bytes; refused")
        if b"<!DOCTYPE" in content[:8192]:
            # OFD's schema has no DTD; one here only declares entities, the billion laughs.
            raise ExtractionError(f"OFD member {name} declares a DTD (entities); refused")
        self.read_bytes += len(content)
        if self.read_bytes > MAX_READ_BYTES:
            raise ExtractionError(f"OFD package inflates beyond {MAX_READ_BYTES} bytes of XML; refused")
        try:
            root = etree.fromstring(content, _PARSER)
        except etree.XMLSyntaxError as error:
            raise ExtractionError(f"OFD member {name} is not well-formed XML: {error}") from error
        if root is None:
            raise ExtractionError(f"OFD member {name} is empty")
        if root.getroottree().docinfo.internalDTD is not None:
            raise ExtractionError(f"OFD member {name} declares a DTD (entities); refused")
        return root


def _document_pages(package: _Package, path: str):  # noqa: ANN202 - a generator of (glyphs, rules)
    document = package.xml(path)
    folder = posixpath.dirname(path)
    common = _child(document, "CommonData")
    templates: dict[str, str] = {}
    default_box = None
    if common is not None:
        area = _child(common, "PageArea")
        default_box = _box(_child_text(area, "PhysicalBox")) if area is not None else None
        for template in _children(common, "TemplatePage"):
            if template.get("ID") and template.get("BaseLoc"):
                templates[template.get("ID")] = package.resolve(folder, template.get("BaseLoc"))
    pages = _child(document, "Pages")
    if pages is None:
        return
    del default_box  # positions are read as placed; the page box does not move them
    for entry in _children(pages, "Page"):
        location = entry.get("BaseLoc")
        if not location:
            continue
        page_path = package.resolve(folder, location)
        page = package.xml(page_path)
        glyphs: list[Glyph] = []
        rules: list[Rule] = []
        for used in _children(page, "Template"):
            template_path = templates.get(used.get("TemplateID", ""))
            if template_path:
                content = _child(package.xml(template_path), "Content")
                if content is not None:
                    _read_objects(content, glyphs, rules, 0)
        content = _child(page, "Content")
        if content is not None:
            _read_objects(content, glyphs, rules, 0)
        yield glyphs, rules


# --- objects on a page ------------------------------------------------------------------


def _read_objects(parent: etree._Element, glyphs: list[Glyph], rules: list[Rule], depth: int) -> None:
    if depth > MAX_BLOCK_DEPTH:
        raise ExtractionError(f"OFD page nests blocks deeper than {MAX_BLOCK_DEPTH}; refused")
    for element in parent:
        if not isinstance(element.tag, str):
            continue
        name = _local(element.tag)
        if name in ("Layer", "PageBlock"):
            _read_objects(element, glyphs, rules, depth + 1)
        elif name == "TextObject":
            # Invisible text too: an OCR'd scan's text layer is drawn so, and the PDF
            # path reads it as well.
            glyphs.extend(_text_glyphs(element))
            if len(glyphs) > MAX_PAGE_GLYPHS:
                raise ExtractionError(f"OFD page places more than {MAX_PAGE_GLYPHS} characters; refused")
        elif name == "PathObject" and element.get("Visible", "true") != "false":
            rules.extend(_path_rules(element))


def _placement(element: etree._Element):  # noqa: ANN202 - a function of (x, y)
    """Object space to page: the CTM, then the Boundary's origin."""
    box = _box(element.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
    a, b, c, d, e, f = _numbers(element.get("CTM"), 6) or _IDENTITY
    bx, by = box[0], box[1]

    def place(x: float, y: float) -> tuple[float, float]:
        return bx + a * x + c * y + e, by + b * x + d * y + f

    return place, math.hypot(c, d)  # the vertical scale: what a font size becomes


def _text_glyphs(element: etree._Element) -> list[Glyph]:
    place, scale = _placement(element)
    size = _number(element.get("Size"), 3.5)
    out: list[Glyph] = []
    x = y = 0.0
    for code in element:
        if not isinstance(code.tag, str) or _local(code.tag) != "TextCode":
            continue
        text = code.text or ""
        x = _number(code.get("X"), x)
        y = _number(code.get("Y"), y)
        delta_x = _deltas(code.get("DeltaX"), len(text))
        delta_y = _deltas(code.get("DeltaY"), len(text))
        for index, char in enumerate(text):
            natural = size * (1.0 if _wide(char) else 0.5)  # the font's advance, near enough
            advance = _delta(delta_x, index, natural)
            if not char.isspace():
                # A step wider than the glyph is a gap after it, not the glyph's width.
                width = min(advance, natural) if advance > 0 else natural
                left, baseline = place(x, y)
                right, _ = place(x + width, y)
                out.append(Glyph(char, min(left, right), max(left, right), baseline, size * scale))
            x += advance
            y += _delta(delta_y, index, 0.0)
    return out


def _path_rules(element: etree._Element) -> list[Rule]:
    """Straight horizontal and vertical strokes, and thin filled rectangles, as rules."""
    data = _child_text(element, "AbbreviatedData")
    if not data:
        return []
    place, _ = _placement(element)
    stroked = element.get("Stroke", "true") != "false"
    filled = element.get("Fill", "false") == "true"
    out: list[Rule] = []
    for points, closed in _subpaths(data):
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
            if abs(y1 - y0) < 0.1 and abs(x1 - x0) > 0.1:
                out.append(Rule(True, (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
            elif abs(x1 - x0) < 0.1 and abs(y1 - y0) > 0.1:
                out.append(Rule(False, (x0 + x1) / 2, min(y0, y1), max(y0, y1)))
    return out


def _subpaths(data: str) -> list[tuple[list[tuple[float, float]], bool]]:
    """The straight-line skeleton of AbbreviatedData: M/S start, L line, C close;
    a curve (B, Q, A) moves the pen to its end point and breaks the line."""
    tokens = data.split()
    arity = {"M": 2, "S": 2, "L": 2, "B": 6, "Q": 4, "A": 7, "C": 0}
    paths: list[tuple[list[tuple[float, float]], bool]] = []
    current: list[tuple[float, float]] = []
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
        if op in ("M", "S"):
            if len(current) > 1:
                paths.append((current, False))
            current = [(args[0], args[1])]
        elif op == "L":
            current.append((args[0], args[1]))
        elif op == "C":
            if len(current) > 1:
                paths.append((current, True))
            current = current[:1]
        else:
            if len(current) > 1:
                paths.append((current, False))
            current = [(args[-2], args[-1])]
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


def page_items(glyphs: list[Glyph], rules: list[Rule]) -> list[Line | Row]:
    """A page's printed lines and table rows, top to bottom: free text as lines, each
    table row as the cells that begin in it (a blank cell empty, a merged one once)."""
    tables = find_tables([_pdf_rule(r) for r in rules])
    free: list[Glyph] = []
    in_cells: list[dict[int, list[Glyph]]] = [{} for _ in tables]
    for glyph in glyphs:
        x, y = glyph.middle
        x, y = x / MM_PER_POINT, -y / MM_PER_POINT
        for number, table in enumerate(tables):
            if table.contains(x, y):
                in_cells[number].setdefault(table.cell_index(x, y), []).append(glyph)
                break
        else:
            free.append(glyph)
    items: list[Line | Row] = []
    for line in _text_lines(free):
        text = _line_text(line)
        if not is_page_number(text):
            items.append(Line(-(line[0].baseline - line[0].size) / MM_PER_POINT, text))
    for table, cells in zip(tables, in_cells, strict=True):
        rows: dict[int, list[tuple[float, float, str]]] = {}
        for index, cell in enumerate(table.cells):
            text = "".join(_line_text(line, tabs=False) for line in _text_lines(cells.get(index, [])))
            rows.setdefault(cell.top, []).append(
                (table.xs[cell.left], table.xs[cell.right + 1], clean_line(text))
            )
        items.extend(
            Row(table.row_top(row), texts) for row, texts in sorted(rows.items()) if any(t for *_, t in texts)
        )
    items.sort(key=lambda item: -item.top)
    if items and isinstance(items[0], Row):
        items[0].at_top = True
    if items and isinstance(items[-1], Row):
        items[-1].at_bottom = True
    return items


def _text_lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped by baseline (within a third of their size), each line left to right."""
    lines: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: (g.baseline, g.x0)):
        if lines and abs(glyph.baseline - lines[-1][0].baseline) <= max(glyph.size, lines[-1][0].size) / 3:
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
    return [sorted(line, key=lambda g: g.x0) for line in lines]


def _line_text(line: list[Glyph], tabs: bool = True) -> str:
    """A line's characters; a gap of a quarter of the type a space, of one and a half
    (a cell of an unruled table) a tab."""
    parts = [line[0].char]
    for previous, glyph in zip(line, line[1:], strict=False):
        gap = glyph.x0 - previous.x1
        size = max(glyph.size, previous.size)
        if tabs and gap > 1.5 * size:
            parts.append("\t")
        elif gap > SPACE_GAP * size:
            parts.append(" ")
        parts.append(glyph.char)
    return "".join(parts)


# --- XML values -------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and _local(c.tag) == name]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _child_text(element: etree._Element, name: str) -> str | None:
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
