"""Decode HTML as Chinese portals serve it: declared charset first, else UTF-8, else GB18030.

Scrapy's own guess for an undeclared page falls back to cp1252, which turns a GBK
page into mojibake that still "decodes"; GB18030 (a superset of GBK and GB2312)
is the right fallback on these sites.
"""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding


def declared_encoding(body: bytes, content_type: str | None) -> str | None:
    """The charset the header or the page's <meta> declares, normalised (gbk -> gb18030)."""
    enc = http_content_type_encoding(content_type or "") or html_body_declared_encoding(body[:4096])
    if not enc:
        return None
    enc = resolve_encoding(enc) or enc
    return "gb18030" if enc.lower() in ("gbk", "gb2312", "gb_2312-80", "cp936") else enc


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """The page as text; never raises (undecodable bytes become U+FFFD)."""
    enc = declared_encoding(body, content_type)
    if enc:
        try:
            return body.decode(enc)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace")


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    """HTML or XHTML by header, else by the first bytes (servers mislabel pages)."""
    ctype = (content_type or "").lower()
    if "html" in ctype or "xml" in ctype:
        return True
    if ctype and not ctype.startswith(("text/plain", "application/octet-stream")):
        return False
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<meta", b"<div"))
