"""Ruled tables from a page's rules: the grid, its merged cells, and which cell a point is in.

Horizontal and vertical rules that touch form one table. The table's rows lie between
its distinct horizontal rule positions and its columns between the vertical ones; two
neighbouring grid cells with no rule between them are one merged cell, as a spanning
cell prints. Pure geometry, in PDF coordinates (y grows upwards).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from nianbao.parse.extract.pdf_rules import Rule

COLUMN_GAP = 6.0  # points: a wider gap no text crosses, past a cut table side, parts columns
SNAP = 2.5  # points: rules closer than this are the same line (borders drawn twice, or offset)
TOUCH = 3.0  # points: a rule ending this close to another still meets it
COVERED = 0.6  # a boundary is ruled when rules cover this share of it
MIN_CELL = 4.0  # points: grid lines closer than this are one line drawn twice, not a cell
MAX_RULES = 3000  # per page; more is a drawing (a chart, a hatch), not a table
MAX_GRID = 20000  # grid positions (rows x columns) of one table; more is a drawing


@dataclass
class Cell:
    """A cell of the grid: rows ``top``..``bottom`` and columns ``left``..``right``,
    inclusive, counted from the table's top left."""

    top: int
    left: int
    bottom: int
    right: int


@dataclass
class Table:
    xs: list[float]  # column edges, left to right
    ys: list[float]  # row edges, top to bottom (descending y)
    cells: list[Cell]
    cell_of: list[int]  # per grid position (row * columns + column): its index in cells

    def __post_init__(self) -> None:
        self._down = [-y for y in self.ys]  # ascending, for bisect
        self._columns = len(self.xs) - 1

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[-1], self.xs[-1], self.ys[0])

    def contains(self, x: float, y: float) -> bool:
        return self.xs[0] <= x <= self.xs[-1] and self.ys[-1] <= y <= self.ys[0]

    def cell_index(self, x: float, y: float) -> int:
        """The index in ``cells`` of the cell holding the point (which must be inside)."""
        column = bisect_right(self.xs, x) - 1
        column = 0 if column < 0 else min(column, self._columns - 1)
        row = bisect_right(self._down, -y) - 1
        row = 0 if row < 0 else min(row, len(self.ys) - 2)
        return self.cell_of[row * self._columns + column]

    def row_top(self, row: int) -> float:
        return self.ys[row]


def find_tables(rules: list[Rule]) -> list[Table]:
    """The ruled tables among the rules, top to bottom. A frame around a paragraph
    (one cell) is no table."""
    if len(rules) > MAX_RULES:
        return []
    horizontal = _merge([r for r in rules if r.horizontal])
    vertical = _merge([r for r in rules if not r.horizontal])
    tables = []
    for group_h, group_v in _touching_groups(horizontal, vertical):
        table = _grid(group_h, group_v)
        if table is not None and len(table.cells) >= 2:
            tables.append(table)
    tables.sort(key=lambda t: -t.ys[0])
    return tables


def open_cut_sides(tables: list[Table], outside: Iterable[tuple[float, float]]) -> bool:
    """Text (points outside every table) in a table's rows but past its side: the
    table was printed wider than its page or printable area, its borders cut there and
    its text not. Such a table runs on past that side, so that text stays in its first
    or last column. Whether any table was opened (its text is then to be placed again)."""
    opened = False
    for x, y in outside:
        for table in tables:
            if table.ys[-1] < y < table.ys[0]:
                if x > table.xs[-1]:
                    table.xs[-1], opened = math.inf, True
                elif x < table.xs[0]:
                    table.xs[0], opened = -math.inf, True
    return opened


def splits_past_the_cut(spans: list[tuple[float, float]]) -> list[float]:
    """Where a column running past a cut side divides, from the left and right ends of
    the text in its cells: the gaps wider than a column's padding that no text crosses."""
    splits: list[float] = []
    reach = None
    for left, right in sorted(spans):
        if reach is not None and left - reach > COLUMN_GAP:
            splits.append((left + reach) / 2)
        reach = right if reach is None else max(reach, right)
    return splits


def _merge(rules: list[Rule]) -> list[Rule]:
    """Collinear rules that overlap or meet, as one: a border drawn cell by cell."""
    merged: list[Rule] = []
    lines: list[list[Rule]] = []
    for rule in sorted(rules, key=lambda r: r.at):
        if lines and rule.at - lines[-1][-1].at <= SNAP:
            lines[-1].append(rule)
        else:
            lines.append([rule])
    for line in lines:
        at = sum(r.at for r in line) / len(line)
        run: Rule | None = None
        for rule in sorted(line, key=lambda r: r.start):
            if run is not None and rule.start <= run.end + TOUCH:
                run = Rule(run.horizontal, at, run.start, max(run.end, rule.end))
            else:
                if run is not None:
                    merged.append(run)
                run = Rule(rule.horizontal, at, rule.start, rule.end)
        if run is not None:
            merged.append(run)
    return merged


def _touching_groups(horizontal: list[Rule], vertical: list[Rule]) -> list[tuple[list[Rule], list[Rule]]]:
    parent = list(range(len(horizontal) + len(vertical)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    offset = len(horizontal)
    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if h.start - TOUCH <= v.at <= h.end + TOUCH and v.start - TOUCH <= h.at <= v.end + TOUCH:
                parent[root(i)] = root(offset + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(root(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(root(offset + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _edges(positions: list[float]) -> list[float]:
    """Distinct positions, close ones (one line drawn twice) as their mean."""
    edges: list[list[float]] = []
    for p in sorted(positions):
        if edges and p - edges[-1][-1] < MIN_CELL:
            edges[-1].append(p)
        else:
            edges.append([p])
    return [sum(e) / len(e) for e in edges]


def _near(rules: list[Rule], edges: list[float]) -> list[list[tuple[float, float]]]:
    """For each edge, the spans of the rules drawn along it."""
    spans: list[list[tuple[float, float]]] = [[] for _ in edges]
    for rule in rules:
        for index, edge in enumerate(edges):
            if abs(rule.at - edge) < MIN_CELL:
                spans[index].append((rule.start, rule.end))
                break
    return spans


def _covered(spans: list[tuple[float, float]], start: float, end: float) -> bool:
    """Whether the spans cover most of start..end."""
    length = end - start
    if length <= 0:
        return True
    covered = 0.0
    for a, b in spans:
        if b > start and a < end:
            covered += (b if b < end else end) - (a if a > start else start)
    return covered >= COVERED * length


def _grid(horizontal: list[Rule], vertical: list[Rule]) -> Table | None:
    xs = _edges([v.at for v in vertical])
    ys = sorted(_edges([h.at for h in horizontal]), reverse=True)
    if len(xs) < 2 or len(ys) < 2:
        return None
    # Rules running on past the outermost ones across them: a side left open. Chromium
    # draws a row's top border on the page before when the table breaks there, and
    # some tables have no outer left and right borders. The open side is an edge too.
    top, bottom = max(v.end for v in vertical), min(v.start for v in vertical)
    left, right = min(h.start for h in horizontal), max(h.end for h in horizontal)
    if top - ys[0] >= MIN_CELL:
        ys.insert(0, top)
    if ys[-1] - bottom >= MIN_CELL:
        ys.append(bottom)
    if xs[0] - left >= MIN_CELL:
        xs.insert(0, left)
    if right - xs[-1] >= MIN_CELL:
        xs.append(right)
    rows, columns = len(ys) - 1, len(xs) - 1
    if rows * columns > MAX_GRID:
        return None
    along_x, along_y = _near(vertical, xs), _near(horizontal, ys)
    parent = list(range(rows * columns))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for row in range(rows):
        for column in range(columns):
            here = row * columns + column
            # No rule on the right edge: the cell runs on into its neighbour.
            if column + 1 < columns and not _covered(along_x[column + 1], ys[row + 1], ys[row]):
                parent[root(here)] = root(here + 1)
            if row + 1 < rows and not _covered(along_y[row + 1], xs[column], xs[column + 1]):
                parent[root(here)] = root(here + columns)
    spans: dict[int, Cell] = {}
    for row in range(rows):
        for column in range(columns):
            key = root(row * columns + column)
            cell = spans.get(key)
            if cell is None:
                spans[key] = Cell(row, column, row, column)
            else:
                cell.bottom, cell.right = max(cell.bottom, row), max(cell.right, column)
                cell.left = min(cell.left, column)
    cells = sorted(spans.values(), key=lambda c: (c.top, c.left))
    index = {id(c): i for i, c in enumerate(cells)}
    cell_of = [index[id(spans[root(position)])] for position in range(rows * columns)]
    return Table(xs=xs, ys=ys, cells=cells, cell_of=cell_of)
