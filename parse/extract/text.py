"""Plain text in UTF-8, GB18030/GBK or UTF-16."""

from __future__ import annotations

from parse.extract import Extracted, ExtractionError


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode with the declared charset if it works, else the BOM, UTF-8, then GB18030
    (a superset of GBK and GB2312, the usual undeclared encodings of Chinese pages)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    candidates = [declared] if declared else []
    candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(_canonical(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
    raise ExtractionError("text is in no known encoding (tried the declared charset, UTF-8, GB18030)")


def _canonical(encoding: str) -> str:
    # GB2312 and GBK pages routinely use characters only GB18030 has.
    return "gb18030" if encoding.lower().replace("-", "") in ("gb2312", "gbk", "gb18030") else encoding


def extract_text(data: bytes) -> Extracted:
    text = decode_text(data)
    return Extracted(lines=text.splitlines(), kind="text", path="text")
