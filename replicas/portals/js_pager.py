"""TRS WCM style: the list is in the HTML, the pager is written by ``createPageHTML``.

List markup (as on real TRS portals: ``./YYYYMM/tYYYYMMDD_ID.htm`` relative links)::

    <div class="rules_tabs_01">
      <dl>
        <dd class="list_title"><a href="./202403/t20240320_41234.htm" target="_blank" title="TITLE">TITLE</a></dd>
        <dd class="list_date">2024-03-20</dd>
      </dl>
    </div>
    <div class="page_base"><script type="text/javascript">
    var currentPage = 1;//所在页从0开始
    var countPage = 3;//共多少页
    createPageHTML(3, 1, "index", "html");
    </script></div>

No ``<a>`` to other list pages is in the HTML: page ``k`` is ``index_k.html`` (page 0
is ``index.html``), which only the script (or a crawler that reads its arguments) knows.
Attachments are ``./P0YYYYMMDD…….pdf`` beside the detail page.
"""

from __future__ import annotations

from html import escape

from nianbao.replicas.portals.catalogue import Item
from nianbao.replicas.portals.site import Resource, Site
from nianbao.replicas.portals.style import HTML, Style, latest, pages_of

# The TRS pager function, defined in the page template as TRS sites do.
CREATE_PAGE_HTML = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var _nCurrIndex = _nCurrIndex || 0;
  var html = "";
  if(_nCurrIndex == 0){
    html += "<span>首页</span> <span>上一页</span> ";
  } else {
    html += "<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a> ";
    var prev = _nCurrIndex == 1 ? _sPageName + "." + _sPageExt : _sPageName + "_" + (_nCurrIndex - 1) + "." + _sPageExt;
    html += "<a href=\\"" + prev + "\\">上一页</a> ";
  }
  for(var i = 0; i < _nPageCount; i++){
    var name = i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    html += i == _nCurrIndex ? "<span class=\\"current\\">" + (i + 1) + "</span> " : "<a href=\\"" + name + "\\">" + (i + 1) + "</a> ";
  }
  if(_nCurrIndex + 1 < _nPageCount){
    html += "<a href=\\"" + _sPageName + "_" + (_nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a> ";
    html += "<a href=\\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\\">尾页</a>";
  } else {
    html += "<span>下一页</span> <span>尾页</span>";
  }
  document.write(html);
}
</script>
"""


class JsPager(Style):
    cms = "js_pager"

    @property
    def column_dir(self) -> str:
        return f"{self.p}/zwgk/xxgknb"

    @property
    def column_path(self) -> str:
        return f"{self.column_dir}/index.html"

    def detail_path(self, item: Item) -> str:
        return f"{self.column_dir}/{item.published:%Y%m}/t{item.published:%Y%m%d}_{item.doc_id}.htm"

    def attachment_path(self, item: Item, ext: str) -> str:
        stamp = f"{item.published:%Y%m%d}{item.doc_id % 1000:03d}{item.doc_id:07d}"
        return f"{self.column_dir}/{item.published:%Y%m}/P0{stamp}.{ext}"

    def list_href(self, item: Item, path: str) -> str:
        # TRS writes links relative to the page that holds them.
        if path.startswith(self.column_dir + "/"):
            return "./" + path[len(self.column_dir) + 1 :]
        return path

    def detail_html(self, item: Item, body: str, attachments: list[tuple[str, str]] = ()) -> str:
        # Attachments sit beside the detail page: "./P0….pdf".
        month_dir = f"{self.column_dir}/{item.published:%Y%m}/"
        local = [("./" + h[len(month_dir) :] if h.startswith(month_dir) else h, n) for h, n in attachments]
        return super().detail_html(item, body, local)

    def old_path(self, item: Item) -> str:
        return f"{self.column_dir}/{item.published:%Y%m}/t{item.published:%Y%m%d}_{item.doc_id}_old.htm"

    def build_lists(self, site: Site, items: list[Item]) -> None:
        pages = pages_of(items, self.portal.per_page)
        for n, chunk in enumerate(pages):
            rows = "\n".join(
                f"""        <dl>
          <dd class="list_title"><a href="{escape(i.href)}" target="_blank" title="{escape(i.title)}">{escape(i.title)}</a></dd>
          <dd class="list_date">{i.published:%Y-%m-%d}</dd>
        </dl>"""
                for i in chunk
            )
            main = f"""  <div class="tabs info_tabs">
    <div class="tabs_header"><ul><li class="on"><a class="cur_def" href="javascript:;">{escape(self.portal.column_label)}</a></li></ul></div>
    <div class="rules_tabs_01">
{rows}
    </div>
    <div class="page_base"><script type="text/javascript">
    var currentPage = {n};//所在页从0开始
    var prevPage = currentPage-1;//上一页
    var nextPage = currentPage+1;//下一页
    var countPage = {len(pages)};//共多少页
    createPageHTML({len(pages)}, {n}, "index", "html");
    </script></div>
  </div>"""
            html = self.page(
                self.portal.column_label,
                main,
                self.crumbs((self.portal.column_label, "")),
                head=f'<meta name="ColumnName" content="{escape(self.portal.column_label)}">\n'
                + CREATE_PAGE_HTML,
            )
            name = "index.html" if n == 0 else f"index_{n}.html"
            site.add(
                f"{self.column_dir}/{name}", Resource(html.encode("utf-8"), HTML, last_modified=latest(chunk))
            )
