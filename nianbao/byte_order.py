"""Which Unicode encoding bytes show by themselves: a byte-order mark (UTF-8, UTF-16,
UTF-32), or UTF-16 without one, when every other byte of the markup's ASCII is zero.

One definition for the crawler (decoding pages) and the parser (reading documents).
"""

from __future__ import annotations

import codecs

# Longest first: the UTF-32LE mark begins with the UTF-16LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


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
