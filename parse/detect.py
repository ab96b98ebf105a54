"""What kind of document a body is, from its bytes (never from its name)."""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile

from nianbao.byte_order import is_wide, unicode_encoding

PDF, DOCX, DOC, OFD, HTML, TEXT, UNKNOWN = "pdf", "docx", "doc", "ofd", "html", "text", "unknown"
# A ZIP's directory is read only up to this many members (a report package holds dozens);
# more is a hostile package, and zipfile would build an object for every one.
MAX_ZIP_MEMBERS = 10_000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 (and WPS) compound file
_HTML = re.compile(rb"<\s*(!doctype\s+html|html|head|body|meta|table|div|p)[\s>/]", re.I)


def detect_kind(data: bytes) -> str:
    head = data[:2048]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
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


def _zip_kind(data: bytes) -> str:
    """DOCX holds word/document.xml; OFD (GB/T 33190) has OFD.xml at its root."""
    count = zip_member_count(data)
    if count is None:
        return UNKNOWN
    if count > MAX_ZIP_MEMBERS:
        # Too many to list: the first member names an OFD (its producers write OFD.xml
        # first), for the extractor to refuse with the reason.
        return OFD if _first_member(data) == "OFD.xml" else UNKNOWN
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError):
        return UNKNOWN
    if "word/document.xml" in names:
        return DOCX
    if "OFD.xml" in names:
        return OFD
    return UNKNOWN


def zip_member_count(data: bytes) -> int | None:
    """How many members a ZIP's end record says it has (ZIP64's too); None if it has none."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data):
        return None
    (count,) = struct.unpack_from("<H", data, end + 10)
    if count == 0xFFFF:
        locator = end - 20
        if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
            (offset,) = struct.unpack_from("<Q", data, locator + 8)
            if data[offset : offset + 4] == b"PK\x06\x06" and offset + 40 <= len(data):
                (count,) = struct.unpack_from("<Q", data, offset + 32)
    return count


def _first_member(data: bytes) -> str:
    (length,) = struct.unpack_from("<H", data, 26) if len(data) >= 30 else (0,)
    return data[30 : 30 + length].decode("utf-8", "replace")


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
