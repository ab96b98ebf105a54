"""Datasette plugin for the annual-report database.

- ``/-/original/<sha256>``: the archived bytes of a report, with its content type;
- ``nianbao_match(q)`` and ``nianbao_contains(text, q)``: SQL functions for the bigram
  full-text index (serve/search.py), and ``?_search=`` on the tables it covers;
- links from a report to its original URL, its archived copy and its row page
  (``/nianbao/reports/<id>``: reports are keyed by an integer, the SHA-256 a column);
- 405 for every method but GET, HEAD and OPTIONS: the site is read-only;
- bounds on anonymous SQL (README, "Serving in public"): no value longer than
  ``MAX_VALUE_BYTES``, no answer larger than ``MAX_ANSWER_CHARS``, SQLite's heap capped,
  and arbitrary SQL (``?sql=``, ``?_where=``) one query at a time in its own lane so it
  never holds the threads that serve the pages;
- a CSV export that does not finish ends without HTTP's closing chunk, so the client
  sees an incomplete transfer, not a 200 with an error line at the end;
- tables for people: a search box on every searchable table, matches highlighted in
  snippets (``nianbao_snippet(text, q)`` in SQL), coded values and the form's keys shown
  in Chinese (cells server-side, facet values and column headers by a small script),
  hashes after the readable columns;
- exports: a table's CSV streams every row (``_stream=on`` unless asked otherwise),
  ``?_bom=1`` prefixes the UTF-8 byte-order mark (for Excel), JSON carries Chinese as
  UTF-8 characters, not ``\\u`` escapes;
- originals served as what the bytes are (nianbao.parse.detect), named after the
  report's title; ``/-/archived/<sha256>`` shows an archived HTML page under a banner.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import mimetypes
import re
import sqlite3
import sys
import threading
import weakref
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, quote, urlencode

import datasette.facets
from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import path_with_added_args, path_with_removed_args
from datasette.utils.asgi import AsgiFileDownload, NotFound, Response
from markupsafe import Markup, escape
from nianbao.parse.detect import detect_kind
from nianbao.serve.schema import FACET_FILTERS, FACET_VALUES_KEPT
from nianbao.serve.search import contains, match_query, matches, snippet

_SHA = re.compile(r"^[0-9a-f]{64}$")
# Tables searchable with ?_search=, and how a row of each is found: the reports whose
# index terms hold the query's (report_texts_fts, rowid = reports.id), then the exact
# test on the stored text (serve/search.py).
_CANDIDATES = (
    "select rowid from report_texts_fts where report_texts_fts match nianbao_match(:_nianbao_search)"
)
_SEARCH = {
    "reports": f"id in (select t.report from report_texts t where t.report in ({_CANDIDATES})"
    " and nianbao_contains(t.text, :_nianbao_search))",
    "report_texts": f"report in ({_CANDIDATES}) and nianbao_contains(text, :_nianbao_search)",
    "sections": f"report in ({_CANDIDATES}) and nianbao_contains(text, :_nianbao_search)",
}
# Views and queries whose ``report`` column is a report's id (tables link it themselves,
# by their foreign key).
_REPORT_ID_VIEWS = {"cells", "failed_checks", "sections"}
# What the bytes are (nianbao.parse.detect) -> content type and file name extension.
_KIND_TYPES = {
    "pdf": ("application/pdf", ".pdf"),
    "html": ("text/html", ".html"),
    "text": ("text/plain", ".txt"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "doc": ("application/msword", ".doc"),
    "ofd": ("application/ofd", ".ofd"),
}
# The words of the request's search (?_search= on a table, ?q= on the search query),
# for render_cell, which Datasette 0.65 does not give the request.
_SEARCHED: contextvars.ContextVar[str | None] = contextvars.ContextVar("nianbao_searched", default=None)
# Columns whose text is shown as a snippet around the match when a search is on.
_SNIPPET_COLUMNS = {("sections", "text"), ("report_texts", "text")}


_configs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _config(datasette) -> dict:
    # Datasette rebuilds the plugin's configuration from the metadata on every call (a
    # deep copy): too slow for a hook that runs on each cell. The metadata never changes.
    if datasette not in _configs:
        _configs[datasette] = datasette.plugin_config("nianbao") or {}
    return _configs[datasette]


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
    conn.create_function("nianbao_contains", 2, contains, deterministic=True)
    conn.create_function("nianbao_snippet", 2, snippet, deterministic=True)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute(f"pragma hard_heap_limit = {SQLITE_HEAP_BYTES}")
    conn.row_factory = _bounded_rows


@hookimpl(trylast=True)  # last, so its extra_context wins over Datasette's own search filter
def filters_from_request(request, database, table, datasette):
    if table not in _SEARCH:
        return None
    query = request.args.get("_search")
    if not query:
        # Datasette shows the search box when the context says the table supports search.
        return FilterArguments([], extra_context={"supports_search": True})
    return FilterArguments(
        [_SEARCH[table]],
        params={"_nianbao_search": query},
        human_descriptions=[f'正文包含 text contains "{query}"'],
        extra_context={"supports_search": True, "search": query},
    )


class StoredColumnFacet(datasette.facets.ColumnFacet):
    """Column facets of a whole table, or of one year of it (``?year=N`` alone), read from
    ``facet_counts``, which the build writes: counting a million rows per facet on every
    page view is too slow. Other filters, and facets or sizes the table lacks, are counted
    as Datasette does."""

    def _stored_filter(self) -> tuple[str, str] | None:
        """('', '') for the unfiltered page, ('year', '2022') for ?year=2022 alone, else None."""
        if not self.table:
            return None
        if not self.params and " where " not in self.sql.lower():
            return "", ""
        filters = [(k, v) for k, v in self.get_querystring_pairs() if not k.startswith("_")]
        if len(filters) == 1 and filters[0][0] in FACET_FILTERS and len(self.params) == 1:
            return filters[0]
        return None

    async def facet_results(self):
        stored_filter = self._stored_filter()
        if stored_filter is None:
            return await super().facet_results()
        facet_size = self.get_facet_size()
        configs = [
            (c["config"].get("column") or c["config"]["simple"], c["source"]) for c in self.get_configs()
        ]
        if not configs:
            return [], []
        try:
            found = await self.ds.get_database(self.database).execute(
                "select [column], value, count from facet_counts where table_name = ? "
                "and filter_column = ? and filter_value = ? order by [column], count desc, value",
                [self.table, *stored_filter],
            )
            listed = await self.ds.get_database(self.database).execute(
                "select value from build_info where key = 'facet_columns'"
            )
        except sqlite3.Error:  # a database without the table
            return await super().facet_results()
        # Columns the build counted: one with no stored row has no value (an empty facet).
        counted = json.loads(listed.first()["value"]).get(self.table, []) if listed.first() else []
        stored: dict[str, list] = {column: [] for column in counted}
        for row in found.rows:
            stored.setdefault(row["column"], []).append(row)
        if any(column not in stored for column, _ in configs) or facet_size >= FACET_VALUES_KEPT:
            return await super().facet_results()
        pairs = self.get_querystring_pairs()
        results = []
        for column, source in configs:
            rows = stored[column][:facet_size]
            labels = await self.ds.expand_foreign_keys(
                self.database, self.table, column, [r["value"] for r in rows]
            )
            values = []
            for row in rows:
                key = f"{column}__exact" if column.startswith("_") else column
                selected = (key, str(row["value"])) in pairs
                toggle = (
                    path_with_removed_args(self.request, {key: str(row["value"])})
                    if selected
                    else path_with_added_args(self.request, {key: row["value"]})
                )
                values.append(
                    {
                        "value": row["value"],
                        "label": labels.get((column, row["value"]), row["value"]),
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "hideable": source != "metadata",
                    "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet": column})),
                    "results": values,
                    "truncated": len(stored[column]) > facet_size,
                }
            )
        return results, []


# Datasette's own facet hook lists the module's ColumnFacet when called: this one, then.
datasette.facets.ColumnFacet = StoredColumnFacet

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


_BOM = b"\xef\xbb\xbf"
_YES = {"1", "on", "true", "yes"}


def _with_bom(send):
    """Prefix the UTF-8 byte-order mark to a successful response (Excel then reads UTF-8)."""
    state = {"ok": False, "first": True}

    async def prefixed(message):
        if message["type"] == "http.response.start":
            state["ok"] = message["status"] == 200
            if state["ok"]:
                headers = []
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-length":
                        value = str(int(value) + len(_BOM)).encode()
                    headers.append((name, value))
                message = {**message, "headers": headers}
        elif message["type"] == "http.response.body" and state["ok"] and state["first"]:
            state["first"] = False
            message = {**message, "body": _BOM + message.get("body", b"")}
        await send(message)

    return prefixed


def _readable_json(body: bytes) -> bytes:
    """The same JSON with non-ASCII characters as UTF-8, not \\u escapes (one document, or one per line)."""
    try:
        return json.dumps(json.loads(body), ensure_ascii=False).encode("utf-8")
    except ValueError:
        pass
    try:
        lines = [
            json.dumps(json.loads(line), ensure_ascii=False) if line.strip() else ""
            for line in body.decode().split("\n")
        ]
    except ValueError:
        return body
    return "\n".join(lines).encode("utf-8")


def _json_readable(send):
    """Hold a JSON response until its end, then send it with readable Chinese (newline-delimited
    JSON, ``_nl=on``, comes as text/plain)."""
    state: dict = {"start": None, "chunks": []}

    async def readable(message):
        if message["type"] == "http.response.start":
            content_type = dict((k.lower(), v) for k, v in message.get("headers", [])).get(
                b"content-type", b""
            )
            if not content_type.startswith((b"application/json", b"text/plain")):
                state["start"] = False
                await send(message)
                return
            state["start"] = message
            return
        if message["type"] != "http.response.body" or state["start"] is False or state["start"] is None:
            await send(message)
            return
        state["chunks"].append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = _readable_json(b"".join(state["chunks"]))
        start = state["start"]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return readable


def _is_json(scope, args: dict[str, list[str]]) -> bool:
    return scope["path"].endswith(".json") or args.get("_format") == ["json"]


def _csv_query_string(query_string: bytes, args: dict[str, list[str]]) -> bytes:
    """A table's CSV streams every row (unless the link asks otherwise); ``_bom`` is ours."""
    pairs = [
        (k, v) for k, v in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True) if k != "_bom"
    ]
    if not any(k in args for k in ("_stream", "_next", "sql")):
        pairs.append(("_stream", "on"))
    return urlencode(pairs).encode("latin-1")


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
                if args.get("_bom", [""])[0].lower() in _YES:
                    send = _with_bom(send)
                scope = {**scope, "query_string": _csv_query_string(scope.get("query_string", b""), args)}
            elif _is_json(scope, args):
                send = _json_readable(send)
            searched = (args.get("_search") or args.get("q") or [None])[0]
            _SEARCHED.set(searched or None)  # this request's task only
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
    return [
        (r"^/-/original/(?P<sha256>[^/]+)$", original),
        (r"^/-/archived/(?P<sha256>[^/]+)$", archived),
    ]


async def _report(datasette, sha: str):
    if not _SHA.match(sha):
        raise NotFound("not a SHA-256")
    database = _config(datasette).get("database", "nianbao")
    rows = await datasette.get_database(database).execute(
        "select title, body, year, content_type, kind, local_path, source_url, fetched_at from reports"
        " where sha256 = ?",
        [sha],
    )
    row = rows.first()
    if row is None:
        raise NotFound(f"no report {sha}")
    path = _stored_bytes(datasette, sha, row["local_path"])
    if path is None:
        raise NotFound(f"the archived copy of {sha} is not on this machine")
    return row, path


@lru_cache(maxsize=4096)
def _kind_of(path: Path, sha: str) -> str:
    """What the bytes are, as the parser tells (the blob of ``sha`` never changes)."""
    return detect_kind(path.read_bytes())


def _served_as(row, path: Path, sha: str) -> tuple[str, str]:
    """Content type and file name extension of what the bytes are: the parser's kind
    first; the recorded content type only for bytes it cannot tell (never the URL's)."""
    kind = _kind_of(path, sha)
    recorded = (row["content_type"] or "").split(";")[0].strip().lower()
    if kind in _KIND_TYPES:
        content_type, extension = _KIND_TYPES[kind]
        if recorded == content_type and "charset=" in (row["content_type"] or "").lower():
            return row["content_type"], extension  # the server said which charset
        return _with_charset(content_type, path), extension
    if recorded and recorded not in ("application/octet-stream", "text/html", "text/plain"):
        return recorded, mimetypes.guess_extension(recorded) or ".bin"
    return "application/octet-stream", ".bin"


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _file_name(row, sha: str, extension: str) -> str:
    """The report's title, else the archive's file name (the URL's or the file's), else the hash."""
    stem = (row["title"] or "").strip()
    if not stem:
        source = (row["source_url"] or row["local_path"] or "").split("?")[0].rstrip("/")
        stem = Path(source).stem if source else ""
    stem = _UNSAFE_NAME.sub("_", stem).strip(" ._")[:120] or sha
    return stem + extension


def _disposition(name: str, sha: str, extension: str) -> str:
    """inline, with an ASCII name for old clients and the UTF-8 name (RFC 6266, 5987)."""
    return f"inline; filename=\"{sha[:16]}{extension}\"; filename*=UTF-8''{quote(name, safe='')}"


async def original(datasette, request):
    """The archived bytes of one report, unchanged, served as what they are."""
    sha = request.url_vars["sha256"]
    row, path = await _report(datasette, sha)
    content_type, extension = _served_as(row, path, sha)
    headers = {
        "X-Content-Type-Options": "nosniff",
        # An archived page is somebody else's HTML: never run its scripts on our origin.
        "Content-Security-Policy": "sandbox",
        "Content-Disposition": _disposition(_file_name(row, sha, extension), sha, extension),
        "Cache-Control": "public, max-age=31536000, immutable",
    }
    if request.method == "HEAD":
        return Response("", content_type=content_type, headers=headers)
    return AsgiFileDownload(path, content_type=content_type, headers=headers)


_BODY_TAG = re.compile(rb"<body\b[^>]*>", re.I)
_HTML_TAG = re.compile(rb"<html\b[^>]*>", re.I)


def _ascii_html(text: str) -> str:
    """Escaped HTML in ASCII only (other characters as references): right in any page's charset."""
    return str(escape(text)).encode("ascii", "xmlcharrefreplace").decode("ascii")


def _banner(datasette, row, sha: str) -> bytes:
    original_href = _ascii_html(datasette.urls.path(f"/-/original/{sha}"))
    source = row["source_url"] or ""
    where = (
        f'<a href="{_ascii_html(source)}" rel="noreferrer nofollow">{_ascii_html(source)}</a>'
        if source.startswith(("http://", "https://"))
        else _ascii_html(source or "—")
    )
    return (
        '<div class="nianbao-archive-banner" style="all:initial;display:block;font:14px/1.5 sans-serif;'
        'background:#fff8dc;color:#222;border-bottom:2px solid #c90;padding:8px 12px;margin:0">'
        f"<strong>{_ascii_html('存档副本 · Archived copy')}</strong> &mdash; {_ascii_html('原始网址 archived from')} {where}"
        f" &middot; {_ascii_html('抓取时间 fetched at')} {_ascii_html(row['fetched_at'] or '—')} (UTC)"
        f" &middot; SHA-256 <code>{sha}</code>"
        f' &middot; <a href="{original_href}">{_ascii_html("原样字节 the bytes as fetched")}</a></div>'
    ).encode("ascii")


def _under_banner(data: bytes, banner: bytes) -> bytes | None:
    """The page with the banner right after <body> (or <html>, or first); None for UTF-16/32 pages."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:512]:
        return None
    for tag in (_BODY_TAG, _HTML_TAG):
        found = tag.search(data)
        if found:
            return data[: found.end()] + banner + data[found.end() :]
    return banner + data


async def archived(datasette, request):
    """An archived HTML page under a banner saying where and when it was archived, and its
    SHA-256; other kinds of original go to /-/original/."""
    sha = request.url_vars["sha256"]
    row, path = await _report(datasette, sha)
    content_type, extension = _served_as(row, path, sha)
    original_path = datasette.urls.path(f"/-/original/{sha}")
    if not content_type.startswith("text/html"):
        return Response.redirect(original_path)
    page = _under_banner(path.read_bytes(), _banner(datasette, row, sha))
    if page is None:
        return Response.redirect(original_path)
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Content-Disposition": _disposition(_file_name(row, sha, extension), sha, extension),
        "Cache-Control": "public, max-age=31536000, immutable",
    }
    return Response(page, content_type=content_type, headers=headers)


def _with_charset(content_type: str, path: Path) -> str:
    """Text without a declared charset: say which one, or browsers guess Latin-1."""
    if not content_type.startswith(("text/plain", "text/html")) or "charset=" in content_type.lower():
        return content_type
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return f"{content_type}; charset=utf-16"
    if content_type.startswith("text/html") and re.search(rb"<meta[^>]+charset", data[:4096], re.I):
        return content_type  # the page names its own charset
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return f"{content_type}; charset=gb18030"  # what Chinese pages without a charset are written in
    return f"{content_type}; charset=utf-8"


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


def _highlighted(text: str, query: str | None) -> Markup:
    """``text`` escaped, the places ``query`` occurs in <mark>."""
    out, at = [], 0
    for start, end in matches(text, query):
        out += [str(escape(text[at:start])), f"<mark>{escape(text[start:end])}</mark>"]
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


def _value_label(datasette, column: str, value) -> str | None:
    values = _config(datasette).get("values") or {}
    if column not in values or value is None or isinstance(value, bytes):
        return None
    return values[column].get(str(value))


async def _title_with_snippet(datasette, database: str, title: str, report_id: int, query: str) -> Markup:
    rows = await datasette.get_database(database).execute(
        "select text from report_texts where report = ?", [report_id]
    )
    row = rows.first()
    found = snippet(row["text"], query) if row and row["text"] else ""
    if not found:
        return Markup(escape(title))
    return Markup(f'{escape(title)}<br><small class="nianbao-snippet">{_highlighted(found, query)}</small>')


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != _config(datasette).get("database", "nianbao"):
        return None
    searched = _SEARCHED.get()
    label = _value_label(datasette, column, value)
    if label is not None and label != str(value):
        return Markup(f'{escape(label)} <span class="nianbao-code">{escape(value)}</span>')
    if column == "report" and isinstance(value, int) and (table is None or table in _REPORT_ID_VIEWS):
        href = datasette.urls.row(database, "reports", value)
        return Markup(f'<a href="{escape(href)}">{value}</a>')
    if not isinstance(value, str):
        return None
    if column == "snippet":
        return _highlighted(value, searched)
    if searched and (table, column) in _SNIPPET_COLUMNS:
        return _highlighted(snippet(value, searched, 80), searched)
    if searched and table == "reports" and column == "title":
        try:
            report_id = row["id"]
        except (IndexError, KeyError):
            return None
        return _title_with_snippet(datasette, database, value, report_id, searched)
    if column == "archived_copy" and value.startswith("/-/original/"):
        links = f'<a href="{escape(datasette.urls.path(value))}">存档原件 archived copy</a>'
        try:
            kind = row["kind"]
        except (IndexError, KeyError):
            kind = None
        if kind == "html":
            banner = datasette.urls.path(value.replace("/-/original/", "/-/archived/", 1))
            links += f' · <a href="{escape(banner)}">带存档说明 with banner</a>'
        return Markup(links)
    if column == "source_url" and value.startswith(("http://", "https://")):
        return Markup(f'<a href="{escape(value)}" rel="noreferrer nofollow">{escape(value)}</a>')
    return None


# Column headers in Chinese with the column's name beside, facet values in Chinese, hash
# columns after the readable ones: done in the page, as Datasette 0.65's table template
# prints raw column names and puts the primary key first.
_SCRIPT = """
(function () {
  var config = %s;
  var style = document.createElement("style");
  style.textContent = "th .nianbao-zh{display:block;font-weight:bold}th .nianbao-en,.nianbao-code{color:#666;font-size:0.8em;font-weight:normal}"
    + " mark{background:#ffe066;padding:0 1px} .nianbao-snippet{color:#333}"
    + " td.col-sha256,td.col-report{max-width:9em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}"
    + " td.col-title{min-width:18em} td.col-body,td.col-heading{min-width:8em} td.col-snippet,td.col-text{min-width:24em}";
  document.head.appendChild(style);
  var zh = function (text) { return (text || "").split(" · ")[0]; };
  // The column descriptions are on the headers now (label and tooltip): fold the list away.
  document.querySelectorAll("dl.column-descriptions").forEach(function (dl) {
    var details = document.createElement("details"), summary = document.createElement("summary");
    summary.textContent = "列说明 · Column descriptions";
    details.className = "nianbao-column-descriptions";
    dl.parentNode.insertBefore(details, dl);
    details.appendChild(summary);
    details.appendChild(dl);
  });
  document.querySelectorAll("table.rows-and-columns").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th) {
      var column = th.getAttribute("data-column"), label = config.columns[column];
      if (!label || th.querySelector(".nianbao-zh")) return;
      th.title = label;
      var zhLabel = document.createElement("span");
      zhLabel.className = "nianbao-zh"; zhLabel.lang = "zh"; zhLabel.textContent = zh(label);
      th.insertBefore(zhLabel, th.firstChild);
      th.querySelectorAll("a, span:not(.nianbao-zh)").forEach(function (e) { e.classList.add("nianbao-en"); });
    });
    (config.last || []).forEach(function (column) {
      table.querySelectorAll("tr").forEach(function (tr) {
        var cell = tr.querySelector("th.col-" + column + ", td.col-" + column);
        if (cell) tr.appendChild(cell);
      });
    });
  });
  document.querySelectorAll(".facet-info").forEach(function (facet) {
    var column = facet.getAttribute("data-column"), values = config.values[column] || {};
    var name = facet.querySelector(".facet-info-name strong");
    if (name && config.columns[column] && name.firstChild && name.firstChild.nodeType === 3) {
      name.firstChild.textContent = zh(config.columns[column]) + " " + name.firstChild.textContent;
    }
    facet.querySelectorAll("li").forEach(function (li) {
      var node = li.firstChild, target = li.querySelector("a:not(.cross)") || null;
      if (target) node = target.firstChild;
      if (!node || node.nodeType !== 3) return;
      var raw = node.textContent.replace(/ · .*$/, "").trim(), label = values[raw];
      if (label && label !== raw) node.textContent = node.textContent.replace(raw, label + " " + raw);
    });
  });
})();
"""


@hookimpl
def extra_body_script(template, database, table, columns, view_name, request, datasette):
    config = _config(datasette)
    if database != config.get("database", "nianbao") or view_name not in (
        "table",
        "row",
        "database",
        "query",
    ):
        return None
    if view_name in ("table", "row") and table:
        described = datasette.table_metadata(database, table).get("columns") or {}
    else:  # a query's columns are mostly the reports' (body, year, title…)
        described = {
            **datasette.table_metadata(database, "checks").get("columns", {}),
            **datasette.table_metadata(database, "reports").get("columns", {}),
        }
        described["snippet"] = "匹配片段 · Where the words occur"
    page = {
        "columns": described,
        "values": config.get("values") or {},
        "last": (config.get("last_columns") or {}).get(table, []),
    }
    return _SCRIPT % json.dumps(page, ensure_ascii=False).replace("</", "<\\/")
