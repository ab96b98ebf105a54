"""Documents in, records out: choose the extractor by the bytes, read, pick the best path."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from nianbao.parse import detect
from nianbao.parse.extract import Extracted, ExtractionError
from nianbao.parse.guard import isolated
from nianbao.parse.report import Reading, failed_record, prose_lines, read_report

PARSER_VERSION = "2"  # raised whenever a change can alter a record or the text: the build re-parses
# Read in the guarded worker: the binary formats' C libraries and large parsers, and
# HTML, whose tree a hostile page (deep nesting, megabytes of filler) makes expensive.
_UNTRUSTED = (detect.PDF, detect.DOCX, detect.DOC, detect.OFD, detect.HTML)
OCR_MEMORY_LIMIT = 6 * 1024**3  # onnxruntime reserves ~2.3 GiB of address space by itself
MAX_BYTES = 64 * 1024 * 1024  # no real report is larger; a larger file is refused, not read


@dataclass
class ParseResult:
    record: dict
    text: str
    kind: str
    published: str | None = None
    extraction: str | None = None


def parse_path(path: str | Path, source: str | None = None) -> ParseResult:
    path = Path(path)
    label = source or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return _failed(label, "", f"file is {size} bytes; larger than the {MAX_BYTES} a report may be")
        data = path.read_bytes()
    except OSError as error:
        return _failed(label, "", f"cannot read file: {error.strerror or error}")
    return parse_bytes(data, label, filename=path.name)


def parse_bytes(
    data: bytes,
    source: str,
    *,
    content_type: str | None = None,
    filename: str | None = None,
) -> ParseResult:
    """Parse one document. Never raises on bad input: the record says what went wrong.
    The kind comes from the bytes; ``filename`` only stands in for a missing title."""
    sha256 = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return _failed(source, sha256, "empty file")
    if len(data) > MAX_BYTES:
        return _failed(
            source, sha256, f"file is {len(data)} bytes; larger than the {MAX_BYTES} a report may be"
        )
    kind = detect.detect_kind(data)
    if kind == detect.UNKNOWN:
        return _failed(source, sha256, "not a document nianbao reads (not PDF, DOCX, DOC, OFD, HTML or text)")
    best: tuple[Reading, Extracted] | None = None
    errors: list[str] = []
    for extracted in _extractions(kind, data, content_type, errors):
        reading = read_report(extracted, source, sha256, filename)
        if best is None or reading.rank > best[0].rank:
            best = (reading, extracted)
        if best[0].sound:
            break
    if best is None:
        return _failed(source, sha256, "; ".join(errors) or "unreadable", kind)
    reading, extracted = best
    return ParseResult(
        record=reading.record,
        text="\n".join(prose_lines(extracted.lines)),
        kind=extracted.kind,
        published=extracted.published,
        extraction="; ".join([extracted.path, *reading.readings]),  # how ambiguous text was read
    )


def _extractions(kind: str, data: bytes, content_type: str | None, errors: list[str]) -> Iterator[Extracted]:
    """The readings of a document, cheapest first; the caller stops when one is sound.
    An extractor that fails adds its reason to ``errors``."""
    for extract in _extractors(kind, content_type):
        try:
            # Binary formats and HTML are read under limits, in the worker.
            extracted = isolated(extract, data) if kind in _UNTRUSTED else extract(data)
        except ExtractionError as error:
            # Later paths read a readable document better; they cannot open an unreadable one.
            errors.append(str(error))
            return
        if extracted.kind == "scan" and extracted.path != "ocr":
            # No text layer: only OCR can read it.
            from nianbao.parse.extract.ocr import extract_ocr
            from nianbao.parse.extract.ofd_scan import extract_ofd_ocr

            ocr = extract_ofd_ocr if kind == detect.OFD else extract_ocr
            try:
                yield isolated(ocr, data, memory=OCR_MEMORY_LIMIT)
            except ExtractionError as error:
                errors.append(str(error))
            return
        yield extracted


def _extractors(kind: str, content_type: str | None) -> list[Callable[[bytes], Extracted]]:
    if kind == detect.PDF:
        from nianbao.parse.extract.pdf import extract_pdf_fast, extract_pdf_geometric

        return [extract_pdf_fast, extract_pdf_geometric]
    if kind == detect.HTML:
        from nianbao.parse.extract.html import extract_html

        return [partial(extract_html, content_type=content_type)]  # a partial pickles; a lambda does not
    if kind == detect.DOCX:
        from nianbao.parse.extract.docx import extract_docx

        return [extract_docx]
    if kind == detect.DOC:
        from nianbao.parse.extract.doc import extract_doc

        return [extract_doc]
    if kind == detect.OFD:
        from nianbao.parse.extract.ofd import extract_ofd

        return [extract_ofd]
    from nianbao.parse.extract.text import extract_text

    return [extract_text]


def _failed(source: str, sha256: str, error: str, kind: str = "unknown") -> ParseResult:
    return ParseResult(record=failed_record(source, sha256, error), text="", kind=kind)
