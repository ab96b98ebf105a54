"""A record laid out as the printed report: title, headings, paragraphs and tables.

Every renderer prints this same layout, so HTML, text, PDF and DOCX say the same
thing. Tables are grids of cells with row and column spans placed as the State
Council's template places them: table 3's row groups 三、本年度办理结果 and
（三）不予公开 … span rows, 申请人情况 and 法人或其他组织 span columns, table 4's
行政复议 / 行政诉讼 / 未经复议直接起诉 / 复议后起诉 span columns. Row and column
labels come from ``parse.form``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from nianbao.parse.form import SECTIONS, TABLE2, TABLE3_COLUMNS, TABLE4_GROUPS, TABLE4_RESULTS, table3_rows
from nianbao.replicas.synth import PRE2019_HEADINGS

# Header words printed by the template that are not row or column labels of the record.
TABLE2_HEAD = "信息内容"
TABLE3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
TABLE3_APPLICANTS_HEAD = "申请人情况"
TABLE3_ORGS_HEAD = "法人或其他组织"
TABLE4_LITIGATION_HEAD = "行政诉讼"


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    null: bool = False  # the record holds null here: printed blank or "/"


@dataclass(frozen=True)
class Grid:
    name: str  # "table2" | "table3" | "table4"
    n_rows: int
    n_cols: int
    cells: tuple[Cell, ...]
    header_rows: int  # rows to repeat when the table breaks across pages

    def row(self, r: int) -> list[Cell]:
        """The cells that start in row ``r``, left to right."""
        return sorted((c for c in self.cells if c.row == r), key=lambda c: c.col)


@dataclass(frozen=True)
class Block:
    kind: str  # "title" | "heading" | "paragraph" | "table"
    text: str = ""
    grid: Grid | None = field(default=None, compare=False)


def format_number(value: int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def section_headings(template: str) -> tuple[str, ...]:
    if template == "pre2019":
        return PRE2019_HEADINGS
    return tuple(s.heading for s in SECTIONS)


def layout(record: dict) -> list[Block]:
    """The record as a sequence of printed blocks."""
    template = record["template"]
    if template not in ("2021", "2019", "pre2019"):
        raise ValueError(f"cannot render template {template!r}")
    tables = {}
    if template != "pre2019":
        tables = {
            "2": table2_grid(record["active_disclosure"], template),
            "3": table3_grid(record["applications"], template),
            "4": table4_grid(record["review_litigation"]),
        }
    blocks = [Block("title", record["title"])]
    for number, heading in enumerate(section_headings(template), 1):
        blocks.append(Block("heading", heading))
        text = (record.get("sections") or {}).get(str(number))  # a parser's expected record may omit prose
        for paragraph in (text or "").split("\n"):
            if paragraph.strip():
                blocks.append(Block("paragraph", paragraph))
        if str(number) in tables:
            blocks.append(Block("table", grid=tables[str(number)]))
    return blocks


def _value(r: int, c: int, value: int | float | None, **kw: int) -> Cell:
    return Cell(r, c, format_number(value), null=value is None, **kw)


def table2_grid(t2: dict, template: str) -> Grid:
    width = 1 + max(len(row.fields) for row in TABLE2[template])
    cells: list[Cell] = []
    r = 0
    article = None
    for row in TABLE2[template]:
        if row.article != article:
            article = row.article
            cells.append(Cell(r, 0, article, colspan=width, header=True))
            r += 1
            cells.append(Cell(r, 0, TABLE2_HEAD, header=True))
            for i, f in enumerate(row.fields):
                span = width - 1 - i if i == len(row.fields) - 1 else 1
                cells.append(Cell(r, 1 + i, f.label, colspan=span, header=True))
            r += 1
        cells.append(Cell(r, 0, row.label))
        for i, f in enumerate(row.fields):
            span = width - 1 - i if i == len(row.fields) - 1 else 1
            cells.append(_value(r, 1 + i, t2[row.key][f.key], colspan=span))
        r += 1
    return Grid("table2", r, width, tuple(cells), header_rows=0)


def table3_grid(t3: dict, template: str) -> Grid:
    labels = 3
    width = labels + len(TABLE3_COLUMNS)
    cells = [
        Cell(0, 0, TABLE3_NOTE, rowspan=3, colspan=labels, header=True),
        Cell(0, labels, TABLE3_APPLICANTS_HEAD, colspan=len(TABLE3_COLUMNS), header=True),
        Cell(1, labels, TABLE3_COLUMNS[0].label, rowspan=2, header=True),
        Cell(1, labels + 1, TABLE3_ORGS_HEAD, colspan=5, header=True),
        Cell(1, width - 1, TABLE3_COLUMNS[-1].label, rowspan=2, header=True),
    ]
    cells += [Cell(2, labels + i, c.label, header=True) for i, c in enumerate(TABLE3_COLUMNS[1:-1], 1)]
    rows = table3_rows(template)
    printed = []  # (key, groups, label)
    for row in rows:
        groups = row.group.split("|") if row.group else []
        label = row.label
        if template == "2019" and row.key == "other_other":
            label, groups = groups[1], groups[:1]  # （六）其他处理 is the row itself
        printed.append((row.key, groups, label))
    top = 3
    for i, (key, groups, label) in enumerate(printed):
        r = top + i
        for level, group in enumerate(groups):
            starts = i == 0 or printed[i - 1][1][: level + 1] != groups[: level + 1]
            if starts:
                run = 1
                while i + run < len(printed) and printed[i + run][1][: level + 1] == groups[: level + 1]:
                    run += 1
                cells.append(Cell(r, level, group, rowspan=run))
        cells.append(Cell(r, len(groups), label, colspan=labels - len(groups)))
        for j, col in enumerate(TABLE3_COLUMNS):
            cells.append(_value(r, labels + j, t3[key][col.key]))
    return Grid("table3", top + len(printed), width, tuple(cells), header_rows=3)


def table4_grid(t4: dict) -> Grid:
    n = len(TABLE4_RESULTS)
    review, direct, after = TABLE4_GROUPS
    cells = [
        Cell(0, 0, review.label, rowspan=2, colspan=n, header=True),
        Cell(0, n, TABLE4_LITIGATION_HEAD, colspan=2 * n, header=True),
        Cell(1, n, direct.label, colspan=n, header=True),
        Cell(1, 2 * n, after.label, colspan=n, header=True),
    ]
    for g, group in enumerate(TABLE4_GROUPS):
        for k, result in enumerate(TABLE4_RESULTS):
            cells.append(Cell(2, g * n + k, result.label, header=True))
            cells.append(_value(3, g * n + k, t4[group.key][result.key]))
    return Grid("table4", 4, 3 * n, tuple(cells), header_rows=3)


def null_marks(record: dict, style: str) -> random.Random | str:
    """How null cells print: "blank", "slash", or "mixed" (seeded per record, so a
    rendering is reproducible)."""
    if style not in ("blank", "slash", "mixed"):
        raise ValueError(f"null style must be blank, slash or mixed, got {style!r}")
    if style == "mixed":
        return random.Random(f"nulls|{record['title']}")
    return style


def null_text(marks: random.Random | str) -> str:
    if isinstance(marks, random.Random):
        return marks.choice(("", "/"))
    return "" if marks == "blank" else "/"


def is_numeric(text: str) -> bool:
    """A cell that prints a number (a value, not a label)."""
    try:
        float(text)
    except ValueError:
        return False
    return True
