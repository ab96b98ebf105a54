"""What kind of document a body is, from its bytes (never from its name)."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

from nianbao.byte_order import is_wide, unicode_encoding

PDF, DOCX, DOC, HTML, TEXT, UNKNOWN = "pdf", "docx", "doc", "html", "text", "unknown"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 (and WPS) compound file
_HTML = re.compile(rb"<\s*(!doctype\s+html|html|head|body|meta|table|div|p)[\s>/]", re.I)


def detect_kind(data: bytes) -> str:
    head = data[:2048]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(data) else UNKNOWN
    if head.startswith(_OLE):
        return DOC
    unicode = unicode_encoding(data)
    if unicode and is_wide(unicode[0]):
        kind = _detect_wide(data, *unicode)
        if kind != UNKNOWN or unicode[1]:
            return kind
    if _HTML.search(head) or _HTML.search(data[:65536]):
        return HTML
    if _looks_like_text(data[:65536]):
        return TEXT
    return UNKNOWN


def _detect_wide(data: bytes, encoding: str, bom: int) -> str:
    """HTML or text in UTF-16 or UTF-32: the same tests over the decoded start."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    sample = decoder.decode(data[bom : bom + 4 * 65536]).encode("utf-8")
    if _HTML.search(sample[:2048]) or _HTML.search(sample[:65536]):
        return HTML
    if _looks_like_text(sample[:65536]):
        return TEXT
    return UNKNOWN


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def _looks_like_text(sample: bytes) -> bool:
    """Text in some Chinese or Unicode encoding, not binary: few control bytes, and
    it decodes as UTF-8 or GB18030."""
    if not sample or b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if controls > len(sample) // 100:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            # A sample cut mid-character is still text.
            if error.start >= len(sample) - 4:
                return True
    return False
