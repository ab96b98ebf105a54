"""Plain text in UTF-8, GB18030/GBK, UTF-16 or UTF-32."""

from __future__ import annotations

from nianbao.parse.extract import Extracted, ExtractionError

from nianbao.byte_order import is_wide, unicode_encoding


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode by the byte-order mark (UTF-8, UTF-16, UTF-32) or UTF-16's zero bytes,
    else with the declared charset if it works, else UTF-8, then GB18030 (a superset of
    GBK and GB2312, the usual undeclared encodings of Chinese pages). A declared UTF-16
    or UTF-32 that the bytes do not show is a mislabel (the declaration itself was read
    as ASCII), so it is not tried."""
    unicode = unicode_encoding(data)
    if unicode:
        encoding, bom = unicode
        return data[bom:].decode(encoding, errors="replace")
    candidates = [declared] if declared and not is_wide(declared) else []
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
