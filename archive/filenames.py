"""A document's file name: from Content-Disposition (as Chinese servers really send it), else the URL."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from nianbao.archive.fetch import Header, header_value

_EXT = re.compile(r"filename\*\s*=\s*([^']*)'[^']*'([^;]+)", re.I)
_PLAIN = re.compile(r'filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))', re.I)


def _decode_bytes(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _clean(name: str) -> str | None:
    # Only the last path part: a file name, never a path.
    name = name.strip().strip('"').replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or None


def disposition_filename(value: str | None) -> str | None:
    """The file name a Content-Disposition value gives.

    Handles RFC 6266 ``filename*=UTF-8''…``, percent-encoded names, and raw UTF-8
    or GBK bytes (headers are kept as Latin-1 strings, so the bytes are intact).
    """
    if not value:
        return None
    ext = _EXT.search(value)
    if ext:
        charset = ext.group(1).strip() or "utf-8"
        raw = unquote_to_bytes(ext.group(2).strip())
        try:
            return _clean(raw.decode(charset))
        except (LookupError, UnicodeDecodeError):
            return _clean(_decode_bytes(raw))
    plain = _PLAIN.search(value)
    if not plain:
        return None
    name = plain.group(1) if plain.group(1) is not None else plain.group(2)
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        return _clean(name)  # already text beyond Latin-1
    if b"%" in raw:
        raw = unquote_to_bytes(raw)
    return _clean(_decode_bytes(raw))


def document_filename(headers: Sequence[Header], url: str | None) -> str | None:
    """Content-Disposition's file name, else the last part of the URL's path."""
    name = disposition_filename(header_value(headers, "Content-Disposition"))
    if name:
        return name
    if url:
        path = urlsplit(url).path
        return _clean(unquote(path)) if path and not path.endswith("/") else None
    return None
