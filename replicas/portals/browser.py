"""A list built only in the browser: the column page is an empty shell whose script
computes a token and fetches the list as JSON.

Column page (``PREFIX/zwgk/ndbg/index.html``, page N as ``index.html?page=N``)::

    <ul id="articleList" class="article-list"></ul>
    <div id="pagination" class="pagination"></div>
    <script>… fetch("PREFIX/api/cms/articles?channelId=C&page=N&size=8&token=T") …</script>

The token is FNV-1a (32 bit, hex) of ``"C|N|8|" + key``, the key assembled from
character codes inside the script, so only a client that runs the script gets a list;
anything else gets 403. After the script ran, the DOM holds::

    <li><a href="PREFIX/zwgk/ndbg/detail/41234.html" target="_blank" title="TITLE">TITLE</a>
        <span class="time">2024-03-20</span></li>
    … <div id="pagination"><a href="index.html?page=2">2</a> …</div>
"""

from __future__ import annotations

import json
from html import escape

from nianbao.replicas.portals.catalogue import Item
from nianbao.replicas.portals.site import Request, Resource, Site
from nianbao.replicas.portals.style import HTML, Style, latest

JSON = "application/json; charset=utf-8"
MAX_SIZE = 50


def fnv1a(text: str) -> str:
    value = 0x811C9DC5
    for ch in text:
        value ^= ord(ch)
        value = (value * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


class BrowserOnly(Style):
    cms = "browser"
    browser = True

    def __init__(self, portal, seed) -> None:
        super().__init__(portal, seed)
        self.channel = self.rng.randint(100, 999)
        self.key = "".join(self.rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(12))
        self.items: list[Item] = []

    @property
    def column_dir(self) -> str:
        return f"{self.p}/zwgk/ndbg"

    @property
    def column_path(self) -> str:
        return f"{self.column_dir}/index.html"

    @property
    def api_path(self) -> str:
        return f"{self.p}/api/cms/articles"

    def detail_path(self, item: Item) -> str:
        return f"{self.column_dir}/detail/{item.doc_id}.html"

    def attachment_path(self, item: Item, ext: str) -> str:
        stem = f"{item.doc_id:x}{item.published:%m%d}".rjust(12, "0")
        return f"{self.p}/uploads/{item.published:%Y}/{item.published:%m}/{stem}.{ext}"

    def token(self, page: int, size: int) -> str:
        return fnv1a(f"{self.channel}|{page}|{size}|{self.key}")

    def script(self) -> str:
        codes = ",".join(str(ord(c)) for c in self.key)
        return f"""<script type="text/javascript">
(function () {{
  var K = String.fromCharCode({codes});
  function sign(s) {{
    var x = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) {{ x ^= s.charCodeAt(i); x = Math.imul(x, 0x01000193) >>> 0; }}
    return ("0000000" + x.toString(16)).slice(-8);
  }}
  function esc(s) {{ return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;"); }}
  var m = /[?&]page=(\\d+)/.exec(location.search);
  var page = m ? parseInt(m[1], 10) : 1, size = {self.portal.per_page}, ch = {self.channel};
  var url = "{self.api_path}?channelId=" + ch + "&page=" + page + "&size=" + size +
            "&token=" + sign(ch + "|" + page + "|" + size + "|" + K);
  fetch(url, {{headers: {{"X-Requested-With": "XMLHttpRequest"}}}})
    .then(function (r) {{ return r.json(); }})
    .then(function (res) {{
      var data = res.data, html = "";
      data.list.forEach(function (a) {{
        html += '<li><a href="' + esc(a.url) + '" target="_blank" title="' + esc(a.title) + '">' + esc(a.title) +
                '</a><span class="time">' + esc(a.publishDate) + '</span></li>';
      }});
      document.getElementById("articleList").innerHTML = html;
      var pager = "";
      for (var p = 1; p <= data.pages; p++) {{
        pager += p == data.page ? '<span class="active">' + p + '</span> ' : '<a href="index.html?page=' + p + '">' + p + '</a> ';
      }}
      document.getElementById("pagination").innerHTML = pager + '<span class="total">共' + data.total + '条</span>';
    }});
}})();
</script>"""

    def build_lists(self, site: Site, items: list[Item]) -> None:
        self.items = list(items)
        main = f"""  <div class="list-box" id="app">
    <div class="list-title"><h2>{escape(self.portal.column_label)}</h2></div>
    <ul id="articleList" class="article-list"></ul>
    <div id="pagination" class="pagination"></div>
    <noscript>请启用浏览器的JavaScript功能以浏览本栏目。</noscript>
  </div>
  {self.script()}"""
        html = self.page(self.portal.column_label, main, self.crumbs((self.portal.column_label, "")))
        site.add(self.column_path, Resource(html.encode("utf-8"), HTML, last_modified=latest(items)))
        site.handle(self.api_path, self.answer)

    def answer(self, request: Request) -> Resource:
        q = request.query
        try:
            channel, page, size = int(q.get("channelId", "")), int(q.get("page", "1")), int(q.get("size", ""))
        except ValueError:
            return _json({"code": 400, "msg": "参数错误: channelId, page, size 须为整数"}, 400)
        if channel != self.channel or not (1 <= size <= MAX_SIZE) or page < 1:
            return _json({"code": 400, "msg": "参数错误"}, 400)
        if q.get("token") != self.token(page, size):
            return _json({"code": 403, "msg": "非法请求"}, 403)
        chosen = self.items[(page - 1) * size : page * size]
        data = {
            "total": len(self.items),
            "page": page,
            "size": size,
            "pages": -(-len(self.items) // size),
            "list": [
                {"title": i.title, "url": i.href, "publishDate": f"{i.published:%Y-%m-%d}"} for i in chosen
            ],
        }
        resource = _json({"code": 200, "msg": "success", "data": data}, 200)
        resource.last_modified = latest(chosen)
        return resource


def _json(payload: dict, status: int) -> Resource:
    return Resource(json.dumps(payload, ensure_ascii=False).encode("utf-8"), JSON, status=status)
