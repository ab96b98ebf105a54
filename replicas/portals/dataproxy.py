"""Hanweb (大汉) JCMS style: an empty list container filled by ``jpage`` from a data proxy.

The column page ``/col/colCOLUMNID/index.html`` holds only::

    <div id="UNITID" class="default_pgContainer"></div>
    <script type="text/javascript" src="PREFIX/module/jslib/jpage/jpage.js"></script>
    <script type="text/javascript">
    jpage({unitid: UNITID, perPage: 8, totalRecord: 22,
           proxyUrl: "/module/web/jpage/dataproxy.jsp",
           params: {col: 1, appid: 1, webid: W, path: "PREFIX/", columnid: C, sourceContentType: 1,
                    unitid: UNITID, webname: "…", permissiontype: 0}});
    </script>

The records come from (GET, or POST with the params as a form)::

    /module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=24&perpage=8&col=1&appid=1
        &webid=W&path=PREFIX/&columnid=C&unitid=UNITID&webname=…&permissiontype=0

answering ``text/xml``::

    <datastore>
      <nextgroup><![CDATA[<a href="…dataproxy.jsp?page=1&…"></a>]]></nextgroup>
      <recordset>
        <record><![CDATA[<li><a href="PREFIX/art/2024/3/20/art_C_41234.html" target="_blank"
            title="TITLE">TITLE</a><span class="bt-data-time">2024-03-20</span></li>]]></record>
      </recordset>
      <totalrecord>22</totalrecord>
    </datastore>

``startrecord``/``endrecord`` are 1-based and inclusive; jpage asks for three pages
at a time, as the real one does. A wrong columnid or unitid gives an empty recordset.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from nianbao.replicas.portals.catalogue import Item
from nianbao.replicas.portals.site import Handler, Request, Resource, Site
from nianbao.replicas.portals.style import HTML, Style, latest

JPAGE_JS = r"""/* jpage: fills a list container from the Hanweb data proxy. */
function jpage(cfg) {
  var box = document.getElementById(String(cfg.unitid));
  var group = 3;
  function load(page) {
    var start = (page - 1) * cfg.perPage + 1;
    var first = Math.floor((page - 1) / group) * group * cfg.perPage + 1;
    var query = "startrecord=" + first + "&endrecord=" + (first + group * cfg.perPage - 1) + "&perpage=" + cfg.perPage;
    for (var k in cfg.params) { query += "&" + k + "=" + encodeURIComponent(cfg.params[k]); }
    var xhr = new XMLHttpRequest();
    xhr.open("GET", cfg.proxyUrl + "?" + query, true);
    xhr.onload = function () {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/xml");
      var records = doc.getElementsByTagName("record");
      var html = "<ul class=\"list\">";
      var offset = start - first;
      for (var i = offset; i < Math.min(records.length, offset + cfg.perPage); i++) {
        html += records[i].textContent;
      }
      html += "</ul>";
      var pages = Math.ceil(cfg.totalRecord / cfg.perPage);
      html += "<div class=\"default_pgPanel\">共" + cfg.totalRecord + "条 " + page + "/" + pages + "页 ";
      for (var p = 1; p <= pages; p++) {
        html += p == page ? "<span class=\"default_pgCurrentPage\">" + p + "</span> "
                          : "<a href=\"javascript:;\" data-page=\"" + p + "\" class=\"default_pgBtn\">" + p + "</a> ";
      }
      html += "</div>";
      box.innerHTML = html;
      var links = box.querySelectorAll("a[data-page]");
      for (var j = 0; j < links.length; j++) {
        links[j].onclick = function () { load(parseInt(this.getAttribute("data-page"), 10)); return false; };
      }
    };
    xhr.send();
  }
  load(1);
}
"""

XML = "text/xml; charset=utf-8"
# Hanweb serves its data proxy at the host's root, whatever the site's path.
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"


class ProxyRouter:
    """The root data proxy: answers for whichever Hanweb column ``columnid`` names."""

    def __init__(self) -> None:
        self.columns: dict[str, Handler] = {}

    def __call__(self, request: Request) -> Resource:
        handler = self.columns.get(request.query.get("columnid", ""))
        if handler is None:  # like Hanweb: an unknown column is an empty datastore
            empty = '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n</recordset>\n<totalrecord>0</totalrecord>\n</datastore>\n'
            return Resource(empty.encode("utf-8"), XML)
        return handler(request)


class DataProxy(Style):
    cms = "dataproxy"

    def __init__(self, portal, seed) -> None:
        super().__init__(portal, seed)
        self.webid = self.rng.randint(2, 60)
        self.open_gov_col = self.rng.randint(1000000, 1229000000)
        self.columnid = self.open_gov_col + self.rng.randint(5, 900)
        self.unitid = self.rng.randint(100000, 9999999)
        self.items: list[Item] = []

    @property
    def open_gov_path(self) -> str:
        return f"{self.p}/col/col{self.open_gov_col}/index.html"

    @property
    def guide_path(self) -> str:
        return f"{self.p}/col/col{self.open_gov_col + 1}/index.html"

    @property
    def column_path(self) -> str:
        return f"{self.p}/col/col{self.columnid}/index.html"

    @property
    def proxy_path(self) -> str:
        return PROXY_PATH

    def detail_path(self, item: Item) -> str:
        d = item.published
        return f"{self.p}/art/{d.year}/{d.month}/{d.day}/art_{self.columnid}_{item.doc_id}.html"

    def attachment_path(self, item: Item, ext: str) -> str:
        name = f"{item.published:%y%m%d}{item.doc_id % 10000:04d}{item.doc_id:06d}.{ext}"
        if ext == "doc":
            return f"{self.p}/attach/0/{name}"
        return f"{self.p}/module/download/downfile.jsp?classid=0&filename={name}"

    def old_path(self, item: Item) -> str:
        return f"{self.p}/art/{item.published.year}/art_{item.doc_id}.html"

    @property
    def params(self) -> dict[str, object]:
        return {
            "col": 1,
            "appid": 1,
            "webid": self.webid,
            "path": f"{self.p}/",
            "columnid": self.columnid,
            "sourceContentType": 1,
            "unitid": self.unitid,
            "webname": self.portal.name,
            "permissiontype": 0,
        }

    def build_lists(self, site: Site, items: list[Item]) -> None:
        self.items = list(items)
        params = ", ".join(
            f"{k}: {v!r}" if isinstance(v, str) else f"{k}: {v}" for k, v in self.params.items()
        )
        params = params.replace("'", '"')
        main = f"""  <div class="bt-box">
    <div class="bt-title"><span>{escape(self.portal.column_label)}</span></div>
    <div id="{self.unitid}" class="default_pgContainer"></div>
    <script type="text/javascript" src="{self.p}/module/jslib/jpage/jpage.js"></script>
    <script type="text/javascript">
    jpage({{unitid: {self.unitid}, perPage: {self.portal.per_page}, totalRecord: {len(items)},
           proxyUrl: "{self.proxy_path}",
           params: {{{params}}}}});
    </script>
  </div>"""
        html = self.page(self.portal.column_label, main, self.crumbs((self.portal.column_label, "")))
        site.add(self.column_path, Resource(html.encode("utf-8"), HTML, last_modified=latest(items)))
        site.add(
            f"{self.p}/module/jslib/jpage/jpage.js",
            Resource(
                JPAGE_JS.encode("utf-8"), "application/javascript; charset=utf-8", last_modified=latest(items)
            ),
        )
        router = site.handlers.get(PROXY_PATH)
        if router is None:
            router = site.handlers[site.handle(PROXY_PATH, ProxyRouter())]
        assert isinstance(router, ProxyRouter)
        router.columns[str(self.columnid)] = self.answer

    def record(self, item: Item) -> str:
        return (
            f'<li><a href="{escape(item.href)}" target="_blank" title="{escape(item.title)}">{escape(item.title)}</a>'
            f'<span class="bt-data-time">{item.published:%Y-%m-%d}</span></li>'
        )

    def answer(self, request: Request) -> Resource:
        """The data proxy: records startrecord..endrecord (1-based, inclusive) as XML."""
        q = request.query
        try:
            start = int(q.get("startrecord", "1"))
            end = int(q.get("endrecord", str(start + 3 * self.portal.per_page - 1)))
            perpage = int(q.get("perpage", str(self.portal.per_page)))
        except ValueError:
            return Resource(
                b"startrecord, endrecord and perpage must be integers\n",
                "text/plain; charset=utf-8",
                status=400,
            )
        if start < 1 or end < start or perpage < 1:
            return Resource(
                b"need 1 <= startrecord <= endrecord and perpage >= 1\n",
                "text/plain; charset=utf-8",
                status=400,
            )
        ours = q.get("columnid") == str(self.columnid) and q.get("unitid", str(self.unitid)) == str(
            self.unitid
        )
        chosen = self.items[start - 1 : end] if ours else []
        records = "\n".join(f"<record><![CDATA[{self.record(i)}]]></record>" for i in chosen)
        following = end // (3 * perpage) + 1
        nextgroup = (
            f'<a href="{self.proxy_path}?page={following}&webid={self.webid}&path={quote(self.p + "/")}'
            f'&columnid={self.columnid}&unitid={self.unitid}&permissiontype=0"></a>'
        )
        total = len(self.items) if ours else 0
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n"
            f"<recordset>\n{records}\n</recordset>\n"
            f"<totalrecord>{total}</totalrecord>\n</datastore>\n"
        )
        return Resource(xml.encode("utf-8"), XML, last_modified=latest(chosen) if chosen else None)
