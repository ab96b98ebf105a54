"""DOCX: paragraphs and tables in document order; a merged cell stands once."""

from __future__ import annotations

import io
import zipfile

from nianbao.parse.extract import Extracted, ExtractionError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_XML_BYTES = 64 * 1024 * 1024  # document.xml inflated beyond this is a zip bomb, not a report


def extract_docx(data: bytes) -> Extracted:
    import docx  # python-docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            size = z.getinfo("word/document.xml").file_size
    except (zipfile.BadZipFile, KeyError) as error:
        raise ExtractionError(f"DOCX cannot be opened: {error}") from error
    if size > MAX_XML_BYTES:
        raise ExtractionError(f"DOCX body inflates to {size} bytes; refused")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds on a damaged package
        raise ExtractionError(f"DOCX cannot be read: {error}") from error
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag == f"{_W}p":
            lines.append(_text(block))
        elif block.tag == f"{_W}tbl":
            lines.extend(_table_rows(block))
    title = (document.core_properties.title or "").strip() or None
    return Extracted(lines=lines, kind="docx", path="docx", title_hint=title)


def _text(element) -> str:  # noqa: ANN001 - an lxml element of the package
    return "".join(t.text or "" for t in element.iter(f"{_W}t"))


def _table_rows(table) -> list[str]:  # noqa: ANN001
    rows = []
    for tr in table.iter(f"{_W}tr"):
        cells = []
        for tc in tr.iterchildren(f"{_W}tc"):
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(f"{_W}val") in (None, "continue"):
                continue  # the lower part of a vertically merged cell
            cells.append("".join(_text(p) for p in tc.iter(f"{_W}p")))
        if any(cells):
            rows.append("\t".join(cells))
    return rows
