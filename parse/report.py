"""Printed lines -> the canonical record: metadata, template, sections, tables, checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.parse.checks import run_checks
from nianbao.parse.extract import Extracted
from nianbao.parse.form import TABLE_STARTS, TEMPLATE_MARKERS
from nianbao.parse.metadata import find_organization, find_title, find_year
from nianbao.parse.sections import Span, find_sections, is_page_field, numbered_sections
from nianbao.parse.tables import read_table2, read_table3, read_table4
from nianbao.parse.text import clean_line, compact, tokens

RECORD_KEYS = (
    "source", "sha256", "title", "organization", "year", "template", "sections",
    "active_disclosure", "applications", "review_litigation", "checks", "status", "errors",
)  # fmt: skip
SECTION_KEYS = ("1", "2", "3", "4", "5", "6")


@dataclass
class Reading:
    record: dict
    cells_read: int
    checks_passed: int
    # How ambiguous text was read, where it was not read as plainly printed
    # ("table 3 row granted: joined 1|62→162"); for the database's ``extraction``.
    readings: list[str] = field(default_factory=list)

    @property
    def rank(self) -> tuple[int, int, int]:
        """How good a reading is, to choose between extraction paths."""
        return ({"ok": 2, "partial": 1}.get(self.record["status"], 0), self.checks_passed, self.cells_read)

    @property
    def sound(self) -> bool:
        """Everything read and every arithmetic check passed: no other path can do better."""
        return self.record["status"] == "ok" and all(c["ok"] for c in self.record["checks"])


def empty_record(source: str, sha256: str) -> dict:
    record = dict.fromkeys(RECORD_KEYS)
    record.update(
        source=source,
        sha256=sha256,
        template="unknown",
        sections=dict.fromkeys(SECTION_KEYS),
        checks=[],
        errors=[],
    )
    return record


def failed_record(source: str, sha256: str, error: str) -> dict:
    record = empty_record(source, sha256)
    record.update(status="failed", errors=[error])
    return record


def detect_template(lines: list[str], year: int | None) -> str:
    """The form by its table headers; reports for years before 2019 had no fixed form."""
    if year is not None and year < 2019:
        return "pre2019"
    text = compact("\n".join(lines))
    hits = {t: sum(marker in text for marker in markers) for t, markers in TEMPLATE_MARKERS.items()}
    best = max(hits, key=lambda t: hits[t])
    if hits[best]:
        return best
    if year is None:
        return "unknown"
    return "2019" if year <= 2020 else "2021"


def read_report(extracted: Extracted, source: str, sha256: str, filename: str | None = None) -> Reading:
    """Read the record from printed lines; ``filename`` (an attachment's name) is the
    title of last resort."""
    lines = extracted.lines
    record = empty_record(source, sha256)
    errors: list[str] = []
    stem = filename.rsplit(".", 1)[0] if filename else None
    title = find_title(lines, extracted.title_hint, fallback=stem)
    year = find_year(title, lines)
    record.update(title=title, organization=find_organization(title, lines), year=year)
    spans = find_sections(lines)
    template = detect_template(lines, year)
    if template == "pre2019" or (template == "unknown" and not spans):
        spans = numbered_sections(lines)
    record["template"] = template
    record["sections"] = {key: _section_text(lines, spans.get(int(key))) for key in SECTION_KEYS}

    cells = 0
    readings: list[str] = []
    decided: dict[str, list[str]] = {}
    t3_read = t4_read = False
    free_form = template == "pre2019" and title and year and sum(len(x) for x in lines) > 300
    if not spans and not free_form:
        record.update(
            title=None, organization=None, year=None, template="unknown", sections=dict.fromkeys(SECTION_KEYS)
        )
        record["status"] = "failed"
        record["errors"] = errors + [
            "no annual report found in the document (no section headings of a report)"
        ]
        return Reading(record, 0, 0)
    if template in ("2021", "2019"):
        missing = [k for k in SECTION_KEYS if record["sections"][k] is None]
        if missing:
            errors.append(f"section(s) {', '.join(missing)} not found")
        t2, read2 = read_table2(tokens(_region(lines, spans, 2, start_words=TABLE_STARTS[2])), template)
        t3, read3, choice3 = read_table3(
            tokens(_region(lines, spans, 3, start_words=TABLE_STARTS[3])), template
        )
        t4, read4, choice4 = read_table4(tokens(_region(lines, spans, 4, header_words=("总计", "审结"))))
        record.update(active_disclosure=t2, applications=t3, review_litigation=t4)
        for read in (read2, read3, read4):
            errors.extend(read.errors)
            readings.extend(read.notes)
            cells += read.cells_read
        decided = {**choice3.by_check, **choice4.by_check}  # their check ids differ
        t3_read, t4_read = read3.complete, read4.complete
        complete = not missing and read2.complete and t3_read and t4_read
        record["status"] = "ok" if complete else "partial"
    elif template == "pre2019":
        record["status"] = "ok" if title and year and any(lines) else "partial"
        if not (title and year):
            errors.append("title or year not found")
    else:
        record["status"] = "partial"
        errors.append("the report form was not recognised (no table headers, no year)")
    record["checks"] = run_checks(record, t3_read=t3_read, t4_read=t4_read, readings=decided)
    record["errors"] = errors
    passed = sum(1 for c in record["checks"] if c["ok"])
    return Reading(record, cells, passed, readings)


def prose_lines(lines: list[str]) -> list[str]:
    """Printed lines as the record's prose holds them: tidied, empty ones and the portal's
    page fields left out. The document's text is made of the same lines, so each section
    is a slice of it (and the database stores a section as its span)."""
    tidied = (clean_line(x) for x in lines if not is_page_field(x))
    return [x for x in tidied if x]


def _section_text(lines: list[str], span: Span | None) -> str | None:
    if span is None:
        return None
    return "\n".join(prose_lines(lines[span.start : span.end]))


def _region(
    lines: list[str],
    spans: dict[int, Span],
    number: int,
    header_words: tuple[str, ...] = (),
    start_words: tuple[str, ...] = (),
) -> list[str]:
    """The lines of a table's section; for a missing heading, the lines between its
    neighbours. With start_words, the region starts at the first line that carries
    one (the table's header, after any prose); with header_words, after the last
    header line that carries one (table 4's values follow its column headers)."""
    if number in spans:
        start, end = spans[number].start, spans[number].end
    else:
        # Without its heading, the table stands somewhere inside the previous section.
        start = max((s.start for n, s in spans.items() if n < number), default=0)
        end = min((s.heading_line for n, s in spans.items() if n > number), default=len(lines))
    region = lines[start:end]
    if start_words:
        first = next((i for i, line in enumerate(region) if any(w in compact(line) for w in start_words)), 0)
        region = region[first:]
    if header_words:
        last = -1
        for i, line in enumerate(region):
            text = compact(line)
            if any(w in text for w in header_words) and not any(ch.isdigit() for ch in text):
                last = i
        region = region[last + 1 :]
    return region
