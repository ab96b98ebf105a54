"""Decode HTML as Chinese portals serve it: a byte-order mark first, then the declared
charset, else UTF-8, else GB18030.

Scrapy's own guess for an undeclared page falls back to cp1252, which turns a GBK
page into mojibake that still "decodes"; GB18030 (a superset of GBK and GB2312)
is the right fallback on these sites. A page in UTF-16 or UTF-32 shows it by its
byte-order mark, or (UTF-16 without one) by a zero byte beside every ASCII character
of its markup; a UTF-16 declaration that ASCII-readable bytes carry is a mislabel.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

from nianbao.byte_order import is_wide, unicode_encoding


def declared_encoding(body: bytes, content_type: str | None) -> str | None:
    """The charset the header or the page's <meta> declares, normalised (gbk -> gb18030).
    A UTF-16 or UTF-32 declaration is kept only when the bytes show it."""
    enc = http_content_type_encoding(content_type or "") or html_body_declared_encoding(body[:4096])
    if not enc:
        return None
    enc = resolve_encoding(enc) or enc
    if is_wide(enc) and unicode_encoding(body) is None:
        return None
    return "gb18030" if enc.lower() in ("gbk", "gb2312", "gb_2312-80", "cp936") else enc


def decode_html(body: bytes, content_type: str | None = None, limit: int | None = None) -> str:
    """The page as text; never raises (undecodable bytes become U+FFFD). With ``limit``,
    only the first ``limit`` bytes (a character cut at the end is dropped)."""
    final = limit is None or len(body) <= limit
    if not final:
        body = body[:limit]
    unicode = unicode_encoding(body)
    if unicode:
        encoding, bom = unicode
        return _decode(body[bom:], encoding, final, errors="replace")
    enc = declared_encoding(body, content_type)
    for encoding in ([enc] if enc else []) + ["utf-8"]:
        try:
            return _decode(body, encoding, final)
        except (UnicodeDecodeError, LookupError):
            pass
    return _decode(body, "gb18030", final, errors="replace")


def _decode(body: bytes, encoding: str, final: bool, errors: str = "strict") -> str:
    return codecs.getincrementaldecoder(encoding)(errors=errors).decode(body, final=final)


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    """HTML or XHTML by header, else by the first bytes (servers mislabel pages)."""
    ctype = (content_type or "").lower()
    if "html" in ctype or "xml" in ctype:
        return True
    if ctype and not ctype.startswith(("text/plain", "application/octet-stream")):
        return False
    head = body[:512]
    unicode = unicode_encoding(body)
    if unicode:
        encoding, bom = unicode
        head = _decode(body[bom : bom + 2048], encoding, False, errors="replace")[:512].encode("utf-8")
    head = head.lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<meta", b"<div"))
