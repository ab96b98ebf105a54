"""Datasette plugin for the annual-report database.

- ``/-/original/<sha256>``: the archived bytes of a report, with its content type;
- ``nianbao_match(q)``: SQL function turning a query into a bigram FTS5 expression
  (serve/search.py), and ``?_search=`` on the tables with such an index;
- links from a report to its original URL, its archived copy and its row page;
- 405 for every method but GET, HEAD and OPTIONS: the site is read-only.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import AsgiFileDownload, NotFound, Response
from markupsafe import Markup, escape

from serve.search import match_query

_SHA = re.compile(r"^[0-9a-f]{64}$")
# Tables searchable with ?_search=, and how a row of each finds its index entry.
_SEARCH = {
    "reports": "sha256 in (select t.report from report_texts t join report_texts_fts f on f.rowid = t.id"
    " where report_texts_fts match nianbao_match(:_nianbao_search))",
    "report_texts": "id in (select rowid from report_texts_fts where report_texts_fts match nianbao_match(:_nianbao_search))",
    "sections": "id in (select rowid from sections_fts where sections_fts match nianbao_match(:_nianbao_search))",
}
# When the archive did not record a content type.
_KIND_TYPES = {
    "pdf": "application/pdf",
    "scan": "application/pdf",
    "html": "text/html",
    "text": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
}


def _config(datasette) -> dict:
    return datasette.plugin_config("nianbao") or {}


@hookimpl
def prepare_connection(conn) -> None:
    conn.create_function("nianbao_match", 1, match_query, deterministic=True)


@hookimpl
def filters_from_request(request, database, table, datasette):
    query = request.args.get("_search")
    if table not in _SEARCH or not query:
        return None
    return FilterArguments(
        [_SEARCH[table]],
        params={"_nianbao_search": query},
        human_descriptions=[f'text contains "{query}"'],
    )


_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


@hookimpl
def asgi_wrapper(datasette):
    """The site is read-only: any other method is refused before Datasette sees it."""

    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope["method"] not in _READ_METHODS:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 405,
                        "headers": [
                            (b"allow", b"GET, HEAD, OPTIONS"),
                            (b"content-type", b"text/plain; charset=utf-8"),
                        ],
                    }
                )
                await send(
                    {"type": "http.response.body", "body": b"read-only: this site cannot be written to\n"}
                )
                return
            await app(scope, receive, send)

        return read_only

    return wrap


@hookimpl
def register_routes():
    return [(r"^/-/original/(?P<sha256>[^/]+)$", original)]


async def original(datasette, request):
    """The archived bytes of one report, as fetched."""
    sha = request.url_vars["sha256"]
    if not _SHA.match(sha):
        raise NotFound("not a SHA-256")
    database = _config(datasette).get("database", "nianbao")
    rows = await datasette.get_database(database).execute(
        "select content_type, kind, local_path, source_url from reports where sha256 = ?", [sha]
    )
    row = rows.first()
    if row is None:
        raise NotFound(f"no report {sha}")
    path = _stored_bytes(datasette, sha, row["local_path"])
    if path is None:
        raise NotFound(f"the archived copy of {sha} is not on this machine")
    content_type = _with_charset(
        row["content_type"] or _KIND_TYPES.get(row["kind"], "application/octet-stream"), path
    )
    headers = {
        "X-Content-Type-Options": "nosniff",
        # An archived page is somebody else's HTML: never run its scripts on our origin.
        "Content-Security-Policy": "sandbox",
        "Content-Disposition": f'inline; filename="{sha}{_suffix(row["source_url"])}"',
        "Cache-Control": "public, max-age=31536000, immutable",
    }
    if request.method == "HEAD":
        return Response("", content_type=content_type, headers=headers)
    return AsgiFileDownload(path, content_type=content_type, headers=headers)


def _with_charset(content_type: str, path: Path) -> str:
    """Text without a declared charset: say which one, or browsers guess Latin-1."""
    if not content_type.startswith(("text/plain", "text/html")) or "charset=" in content_type.lower():
        return content_type
    data = path.read_bytes()
    if content_type.startswith("text/html") and re.search(rb"<meta[^>]+charset", data[:4096], re.I):
        return content_type  # the page names its own charset
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return f"{content_type}; charset=gb18030"  # what Chinese pages without a charset are written in
    return f"{content_type}; charset=utf-8"


def _suffix(url: str | None) -> str:
    suffix = Path((url or "").split("?")[0]).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""


def _stored_bytes(datasette, sha: str, local_path: str | None) -> Path | None:
    """The archive's blob, else the file the report was built from if it still hashes the same."""
    archive = _config(datasette).get("archive")
    if archive:
        blob = Path(archive) / "blobs" / "sha256" / sha[:2] / sha[2:4] / sha
        if blob.is_file():
            return blob
    if local_path:
        path = Path(local_path)
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha:
            return path
    return None


@hookimpl
def render_cell(value, column, table, database, datasette):
    if not isinstance(value, str):
        return None
    if column == "archived_copy" and value.startswith("/-/original/"):
        return Markup(f'<a href="{escape(datasette.urls.path(value))}">存档原件 archived copy</a>')
    if column == "source_url" and value.startswith(("http://", "https://")):
        return Markup(f'<a href="{escape(value)}" rel="noreferrer nofollow">{escape(value)}</a>')
    if column in ("report", "sha256") and table != "reports" and _SHA.match(value):
        href = datasette.urls.row(database, "reports", value)
        return Markup(f'<a href="{escape(href)}">{escape(value[:12])}…</a>')
    return None
