"""HTTP headers as stored in WARC records: they must describe the body that is stored."""

from __future__ import annotations

from collections.abc import Sequence

from nianbao.archive.fetch import Header
from warcio.statusandheaders import StatusAndHeaders

ORIG_PREFIX = "X-Archive-Orig-"


class WireHeaders(StatusAndHeaders):
    """Status line and headers serialised as on the wire (Latin-1), not percent-encoded.

    warcio percent-encodes non-ASCII header bytes; a GBK filename in
    Content-Disposition would then no longer be the bytes the server sent.
    """

    def compute_headers_buffer(self, header_filter=None) -> None:
        try:
            self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"
        except UnicodeEncodeError:
            # Characters beyond Latin-1 cannot have come off the wire as such; keep warcio's rule.
            super().compute_headers_buffer(header_filter)


def stored_response_headers(
    headers: Sequence[Header], body_length: int, decoded_content_encoding: str | None
) -> list[Header]:
    """The response headers to store with a body of ``body_length`` bytes.

    - If the crawler decoded a Content-Encoding, the body stored is the decoded one:
      Content-Encoding is renamed ``X-Archive-Orig-Content-Encoding`` so no reader
      tries to gunzip plain bytes.
    - Transfer-Encoding is a hop-by-hop framing the stored body no longer has.
    - Content-Length must be the stored body's length; a differing original is
      kept as ``X-Archive-Orig-Content-Length``.
    Order and duplicates of every other header are kept.
    """
    out: list[Header] = []
    length_seen = False
    for name, value in headers:
        lname = name.lower()
        if lname == "content-encoding" and decoded_content_encoding:
            out.append((ORIG_PREFIX + name, value))
        elif lname == "transfer-encoding":
            out.append((ORIG_PREFIX + name, value))
        elif lname == "content-length":
            if length_seen:
                out.append((ORIG_PREFIX + name, value))
                continue
            length_seen = True
            if value.strip() == str(body_length):
                out.append((name, value))
            else:
                out.append((ORIG_PREFIX + name, value))
                out.append(("Content-Length", str(body_length)))
        else:
            out.append((name, value))
    if decoded_content_encoding and not any(n.lower() == "x-archive-orig-content-encoding" for n, _ in out):
        out.append((ORIG_PREFIX + "Content-Encoding", decoded_content_encoding))
    if not length_seen and any(n.lower() == "x-archive-orig-transfer-encoding" for n, _ in out):
        # The framing was removed; say how long the stored body is.
        out.append(("Content-Length", str(body_length)))
    return out
