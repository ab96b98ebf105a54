"""Finding the six sections by their headings.

A heading is a line that starts with its Chinese numeral (after any markdown
``#``) and carries the section's distinctive words near its start; a heading split
over two lines is read joined. Sections are searched in order, each after the
previous one, so a table row such as ``三、本年度办理结果`` is never taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.parse.form import CHINESE_NUMERALS, SECTIONS, Section
from nianbao.parse.text import compact

_NUMBERED = re.compile(rf"^[{CHINESE_NUMERALS}]{{1,2}}[、.,:：]?")
_HEADING_REACH = 30  # the words must stand within this many characters of the numeral


@dataclass(frozen=True)
class Span:
    number: int
    heading: str
    start: int  # first line of the body
    end: int  # one past the last line of the body
    heading_line: int


def find_sections(lines: list[str], start: int = 0) -> dict[int, Span]:
    found: list[tuple[Section, int, int, str]] = []  # section, heading line, body start, heading text
    cursor = start
    for section in SECTIONS:
        hit = _find_heading(lines, section, cursor)
        if hit is None:
            continue
        line, body, heading = hit
        found.append((section, line, body, heading))
        cursor = body
    spans: dict[int, Span] = {}
    for i, (section, line, body, heading) in enumerate(found):
        end = found[i + 1][1] if i + 1 < len(found) else len(lines)
        spans[section.number] = Span(section.number, heading, body, end, line)
    return spans


def _find_heading(lines: list[str], section: Section, cursor: int) -> tuple[int, int, str] | None:
    pattern = re.compile(section.match)
    for i in range(cursor, len(lines)):
        text = compact(lines[i])
        if not _NUMBERED.match(text):
            continue
        if pattern.search(text[:_HEADING_REACH]):
            return i, i + 1, lines[i].strip().lstrip("#").strip()
        # A heading wrapped onto the next line.
        if len(text) < 16 and i + 1 < len(lines):
            joined = text + compact(lines[i + 1])
            if pattern.search(joined[:_HEADING_REACH]):
                return i, i + 2, (lines[i].strip() + lines[i + 1].strip()).lstrip("#").strip()
    return None


def numbered_sections(lines: list[str]) -> dict[int, Span]:
    """Pre-2019 reports: any ``一、…`` to ``六、…`` headings, in order, by numeral."""
    spans: list[tuple[int, int, str]] = []
    expected = 0
    for i, line in enumerate(lines):
        text = compact(line)
        if expected < 6 and len(text) <= 40 and text.startswith(CHINESE_NUMERALS[expected] + "、"):
            spans.append((expected + 1, i, line.strip().lstrip("#").strip()))
            expected += 1
    out: dict[int, Span] = {}
    for k, (number, line, heading) in enumerate(spans):
        end = spans[k + 1][1] if k + 1 < len(spans) else len(lines)
        out[number] = Span(number, heading, line + 1, end, line)
    return out
