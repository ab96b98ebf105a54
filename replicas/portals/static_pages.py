"""Static pagination: ``index.html``, ``index_1.html`` … with a plain HTML pager.

List markup (relative links, newest first)::

    <ul class="list_ul">
      <li><a href="content_41234.html" target="_blank" title="TITLE">TITLE</a><span class="date">2024-03-20</span></li>
    </ul>
    <div class="pages"><a href="index.html">首页</a> <a href="index.html">上一页</a>
      <span class="cur">2</span> <a href="index_2.html">3</a> <a href="index_2.html">下一页</a>
      <a href="index_2.html">尾页</a> <span class="total">共3页 22条</span></div>
"""

from __future__ import annotations

from html import escape

from nianbao.replicas.portals.catalogue import Item
from nianbao.replicas.portals.site import Resource, Site
from nianbao.replicas.portals.style import HTML, Style, latest, pages_of


def page_name(n: int) -> str:
    return "index.html" if n == 0 else f"index_{n}.html"


class StaticPages(Style):
    cms = "static_pages"

    @property
    def column_dir(self) -> str:
        return f"{self.p}/zwgk/zfxxgknb"

    @property
    def column_path(self) -> str:
        return f"{self.column_dir}/index.html"

    def detail_path(self, item: Item) -> str:
        return f"{self.column_dir}/content_{item.doc_id}.html"

    def attachment_path(self, item: Item, ext: str) -> str:
        return f"{self.p}/uploadfiles/{item.published:%Y%m}/{item.doc_id}{item.published:%d}.{ext}"

    def list_href(self, item: Item, path: str) -> str:
        prefix = self.column_dir + "/"
        return path[len(prefix) :] if path.startswith(prefix) and "/" not in path[len(prefix) :] else path

    def build_lists(self, site: Site, items: list[Item]) -> None:
        pages = pages_of(items, self.portal.per_page)
        for n, chunk in enumerate(pages):
            rows = "\n".join(
                f'      <li><a href="{escape(i.href)}" target="_blank" title="{escape(i.title)}">{escape(i.title)}</a>'
                f'<span class="date">{i.published:%Y-%m-%d}</span></li>'
                for i in chunk
            )
            main = f"""  <div class="list_box">
    <div class="list_tit"><h2>{escape(self.portal.column_label)}</h2></div>
    <ul class="list_ul">
{rows}
    </ul>
    {self.pager(n, len(pages), len(items))}
  </div>"""
            html = self.page(self.portal.column_label, main, self.crumbs((self.portal.column_label, "")))
            site.add(
                f"{self.column_dir}/{page_name(n)}",
                Resource(html.encode("utf-8"), HTML, last_modified=latest(chunk)),
            )

    @staticmethod
    def pager(n: int, count: int, total: int) -> str:
        parts = [f'<a href="{page_name(0)}">首页</a>']
        if n > 0:
            parts.append(f'<a href="{page_name(n - 1)}">上一页</a>')
        for k in range(count):
            parts.append(
                f'<span class="cur">{k + 1}</span>' if k == n else f'<a href="{page_name(k)}">{k + 1}</a>'
            )
        if n < count - 1:
            parts.append(f'<a href="{page_name(n + 1)}">下一页</a>')
        parts.append(f'<a href="{page_name(count - 1)}">尾页</a>')
        parts.append(f'<span class="total">共{count}页 {total}条</span>')
        return '<div class="pages">' + " ".join(parts) + "</div>"
