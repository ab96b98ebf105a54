"""Datasette plugin for the annual-report database.

- ``/-/original/<sha256>``: the archived bytes of a report, with its content type;
- ``nianbao_match(q)``: SQL function turning a query into a bigram FTS5 expression
  (serve/search.py), and ``?_search=`` on the tables with such an index;
- links from a report to its original URL, its archived copy and its row page;
- 405 for every method but GET, HEAD and OPTIONS: the site is read-only;
- bounds on anonymous SQL (README, "Serving in public"): no value longer than
  ``MAX_VALUE_BYTES``, no answer larger than ``MAX_ANSWER_CHARS``, SQLite's heap capped,
  and arbitrary SQL (``?sql=``, ``?_where=``) one query at a time in its own lane so it
  never holds the threads that serve the pages;
- a CSV export that does not finish ends without HTTP's closing chunk, so the client
  sees an incomplete transfer, not a 200 with an error line at the end.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import sqlite3
import sys
import threading
import weakref
from pathlib import Path
from urllib.parse import parse_qs

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import AsgiFileDownload, NotFound, Response
from markupsafe import Markup, escape
from nianbao.serve.search import match_query

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


# One value (a string or blob SQLite makes or reads): a report's whole text is well under 1 MB.
MAX_VALUE_BYTES = 16 * 1024 * 1024
# One answer, summed over its rows (characters of text and bytes of blobs): a page of
# 1,000 full report texts fits; a thousand 200 KB blobs do not.
MAX_ANSWER_CHARS = 64 * 1024 * 1024
# SQLite's own memory, for the whole process (page caches, sorters, values being built).
SQLITE_HEAP_BYTES = 512 * 1024 * 1024
# Arbitrary SQL: how many such queries run at once, how long one waits for its turn, how
# many may wait; past that the answer is 503 with Retry-After.
SQL_LANES = 1
SQL_WAIT_SECONDS = 10.0
SQL_MAX_WAITING = 16


class AnswerTooLarge(sqlite3.OperationalError):
    pass


_answers = threading.local()


def _bounded_rows(cursor, row):
    """sqlite3.Row, counting what one cursor's answer holds; past MAX_ANSWER_CHARS the query fails."""
    counted = getattr(_answers, "cursor", None)
    if counted is None or counted() is not cursor:
        _answers.cursor, _answers.size = weakref.ref(cursor), 0
    _answers.size += sum(len(v) if isinstance(v, (str, bytes)) else 8 for v in row)
    if _answers.size > MAX_ANSWER_CHARS:
        raise AnswerTooLarge(
            f"answer too large: more than {MAX_ANSWER_CHARS // (1024 * 1024)} MB; select fewer rows or columns"
        )
    return sqlite3.Row(cursor, row)


@hookimpl
def prepare_connection(conn) -> None:
    conn.create_function("nianbao_match", 1, match_query, deterministic=True)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute(f"pragma hard_heap_limit = {SQLITE_HEAP_BYTES}")
    conn.row_factory = _bounded_rows


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


async def _plain(send, status: int, text: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})


def _own_queries(datasette) -> set[str]:
    """The dashboards' SQL: our own queries, sent by the dashboard pages as ?sql=."""
    dashboards = datasette.plugin_config("datasette-dashboards") or {}
    return {
        chart["query"]
        for dashboard in dashboards.values()
        for chart in (dashboard.get("charts") or {}).values()
        if isinstance(chart, dict) and chart.get("query")
    }


class _Lane:
    """At most ``width`` requests at once; others wait up to ``wait`` seconds, at most ``queue`` of them."""

    def __init__(self, width: int, wait: float, queue: int):
        self.width, self.wait, self.queue = width, wait, queue
        self.semaphore: asyncio.Semaphore | None = None
        self.waiting = 0

    async def enter(self) -> bool:
        if self.semaphore is None:
            self.semaphore = asyncio.Semaphore(self.width)
        if self.semaphore.locked() and self.waiting >= self.queue:
            return False
        self.waiting += 1
        try:
            await asyncio.wait_for(self.semaphore.acquire(), timeout=self.wait)
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1
        return True

    def leave(self) -> None:
        assert self.semaphore is not None
        self.semaphore.release()


def _is_csv(scope, args: dict[str, list[str]]) -> bool:
    return (scope["path"].endswith(".csv") or args.get("_format") == ["csv"]) and "_trace" not in args


def _csv_checked(send):
    """Pass a CSV response through; if Datasette ended it early (it then writes the
    error as a last line without a line break), withhold the closing chunk so the
    transfer is incomplete for the client."""
    state = {"ok": False, "tail": b"", "cut": False}

    async def checked(message):
        if state["cut"]:
            return  # nothing more goes out: the server closes the connection mid-transfer
        if message["type"] == "http.response.start":
            state["ok"] = message["status"] == 200
        elif message["type"] == "http.response.body" and state["ok"]:
            body = message.get("body", b"")
            if body:
                state["tail"] = body[-1:]
            if not message.get("more_body", False) and state["tail"] not in (b"", b"\n"):
                sys.stderr.write("nianbao: a CSV export was cut; its response is left incomplete\n")
                sys.stderr.flush()
                state["cut"] = True
                return
        await send(message)

    return checked


@hookimpl
def asgi_wrapper(datasette):
    """The site is read-only: any other method is refused before Datasette sees it.
    Arbitrary SQL runs in its own lane; CSV exports that are cut end incomplete."""
    lane = _Lane(SQL_LANES, SQL_WAIT_SECONDS, SQL_MAX_WAITING)
    own: set[str] | None = None

    def wrap(app):
        async def guarded(scope, receive, send):
            nonlocal own
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            if scope["method"] not in _READ_METHODS:
                await _plain(
                    send,
                    405,
                    "read-only: this site cannot be written to\n",
                    [(b"allow", b"GET, HEAD, OPTIONS")],
                )
                return
            args = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            if _is_csv(scope, args):
                send = _csv_checked(send)
            if own is None:
                own = _own_queries(datasette)
            arbitrary = "_where" in args or any(sql not in own for sql in args.get("sql", []))
            if not arbitrary:
                await app(scope, receive, send)
                return
            if not await lane.enter():
                await _plain(
                    send,
                    503,
                    "busy: this site runs one arbitrary SQL query at a time; try again shortly, "
                    "or use a table page or a canned query\n",
                    [(b"retry-after", b"5")],
                )
                return
            try:
                await app(scope, receive, send)
            finally:
                lane.leave()

        return guarded

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
