"""What kind of document a body is, from its bytes (never from its name)."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

PDF, DOCX, DOC, HTML, TEXT, UNKNOWN = "pdf", "docx", "doc", "html", "text", "unknown"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 (and WPS) compound file
_HTML = re.compile(rb"<\s*(!doctype\s+html|html|head|body|meta|table|div|p)[\s>/]", re.I)
# Longest first: the UTF-32LE mark begins with the UTF-16LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def unicode_encoding(data: bytes) -> tuple[str, int] | None:
    """The Unicode encoding the bytes show, and the length of its byte-order mark:
    by the mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE), else UTF-16 without a mark when
    the markup's ASCII shows as every other byte zero (a page whose meta says UTF-16)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding.startswith("utf-32") and not _decodes(data[4:4096], encoding):
                continue  # FF FE 00 00 that is UTF-16LE with a NUL after its mark
            return encoding, len(bom)
    encoding = _unmarked_utf16(data[:4096])
    return (encoding, 0) if encoding else None


def is_wide(encoding: str | None) -> bool:
    """A UTF-16 or UTF-32 name (whose declaration ASCII-compatible bytes cannot carry)."""
    name = (encoding or "").lower().replace("_", "-")
    return name.startswith(("utf-16", "utf-32", "utf16", "utf32", "ucs-2", "ucs-4"))


def _unmarked_utf16(sample: bytes) -> str | None:
    sample = sample[: len(sample) // 2 * 2]
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    for zeros, others, encoding in ((odd_zero, even_zero, "utf-16-le"), (even_zero, odd_zero, "utf-16-be")):
        # Markup is mostly ASCII; UTF-8 and GB18030 text has no zero bytes at all.
        if zeros >= pairs * 0.3 and others <= pairs * 0.02 and _decodes(sample, encoding):
            return encoding
    return None


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        return True
    except UnicodeDecodeError:
        return False


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
    if unicode and unicode[0] in _WIDE:
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
