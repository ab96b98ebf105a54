"""What all portal styles share: the page frame, the open-government page, detail pages,
and publishing a catalogue (documents, awkward cases, manifest entries) onto the site.

A CMS style (static_pages, js_pager, dataproxy, browser) subclasses ``Style`` and says
where things live (paths) and how the column lists and pages look.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime
from html import escape
from urllib.parse import quote

from nianbao.replicas.portals.catalogue import Item, PortalConfig
from nianbao.replicas.portals.documents import article_html, attachment
from nianbao.replicas.portals.site import SYNTHETIC_HEADER, Resource, Site

HTML = "text/html; charset=utf-8"
SLOW_SECONDS = 2.0

_DECOY_TEXT = {
    "通知": (
        "各乡镇人民政府、街道办事处，县政府各部门：\n"
        "根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室有关要求，"
        "现就做好政府信息公开工作年度报告编制和发布工作通知如下：\n"
        "一、严格执行年度报告格式。各单位须按照统一格式编制年度报告，不得随意增减栏目。\n"
        "二、按时发布。各部门应于1月31日前、各级人民政府应于3月31日前在门户网站政府信息公开专栏发布。\n"
        "三、确保数据准确。年度报告中的数据应与政府信息公开申请办理台账一致。"
    ),
    "要点": (
        "为深入贯彻落实党中央、国务院关于全面推进政务公开的决策部署，现制定本年度政务公开工作要点。\n"
        "一、围绕助力经济社会发展加强政务公开。二、围绕服务保障民生加强政务公开。"
        "三、围绕提升政务公开质量夯实工作基础。各单位要结合实际抓好贯彻落实。"
    ),
}


class Style:
    """Base of the CMS styles. Paths are absolute paths on the replica server."""

    cms = ""
    browser = False
    nav_class = "nav"

    def __init__(self, portal: PortalConfig, seed: int) -> None:
        self.portal = portal
        self.p = portal.prefix
        self.seed = seed
        self.rng = random.Random(f"{seed}|{portal.id}|paths")

    # --- where things live (overridden) -------------------------------------------

    @property
    def home_path(self) -> str:
        return f"{self.p}/index.html"

    @property
    def open_gov_path(self) -> str:
        return f"{self.p}/zwgk/index.html"

    @property
    def guide_path(self) -> str:
        return f"{self.p}/zwgk/zfxxgkzn/index.html"

    @property
    def column_path(self) -> str:
        raise NotImplementedError

    def detail_path(self, item: Item) -> str:
        raise NotImplementedError

    def attachment_path(self, item: Item, ext: str) -> str:
        raise NotImplementedError

    def list_href(self, item: Item, path: str) -> str:
        """How the column list writes a link to ``path`` (relative on some CMSs)."""
        return path

    def build_lists(self, site: Site, items: list[Item]) -> None:
        raise NotImplementedError

    # --- the page frame -------------------------------------------------------------

    def page(self, title: str, main: str, crumbs: list[tuple[str, str]], *, head: str = "") -> str:
        p = self.portal
        nav = "".join(
            f'<li><a href="{escape(href)}">{escape(text)}</a></li>'
            for text, href in (
                ("首页", self.home_path),
                ("政务公开", self.open_gov_path),
                ("政务服务", "https://www.hnzwfw.gov.cn/"),
                ("互动交流", "javascript:;"),
                ("走进" + p.name.removesuffix("人民政府"), "javascript:;"),
            )
        )
        crumb = " &gt; ".join(
            f'<a href="{escape(href)}">{escape(text)}</a>' if href else f"<span>{escape(text)}</span>"
            for text, href in crumbs
        )
        site_code = hashlib.sha256(p.id.encode()).hexdigest()[:10].upper()
        return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="SiteName" content="{escape(p.name)}">
<meta name="SiteIDCode" content="{site_code}">
<title>{escape(title)}_{escape(p.name)}</title>
<link rel="stylesheet" type="text/css" href="{self.p}/images/style.css">
{head}</head>
<body>
<div class="header">
  <div class="top_bar"><a href="https://www.gov.cn/" target="_blank">中国政府网</a> <a href="https://www.henan.gov.cn/" target="_blank">河南省人民政府</a> <span>网站支持IPV6</span></div>
  <div class="logo"><a href="{self.home_path}"><img src="{self.p}/images/logo.png" alt="{escape(p.name)}"></a><h1>{escape(p.name)}</h1></div>
  <div class="{self.nav_class}"><ul>{nav}</ul></div>
</div>
<div class="container">
  <div class="position">当前位置：{crumb}</div>
{main}
</div>
<div class="footer">
  <p><a href="javascript:;">网站地图</a> | <a href="javascript:;">联系我们</a></p>
  <p>主办单位：{escape(p.name)}办公室　网站标识码：{site_code}　豫ICP备0{self.rng.randint(1000000, 9999999)}号</p>
</div>
</body>
</html>
"""

    def crumbs(self, *more: tuple[str, str]) -> list[tuple[str, str]]:
        return [("首页", self.home_path), ("政务公开", self.open_gov_path), *more]

    # --- fixed pages ----------------------------------------------------------------

    def home_html(self) -> str:
        p = self.portal
        news = "".join(
            f'<li><a href="{self.p}/zwgk/index.html">{escape(t)}</a><span>{d}</span></li>'
            for t, d in (
                (f"{p.name}召开常务会议", "2024-03-18"),
                ("全面推进政务公开标准化规范化建设", "2024-03-12"),
                ("优化营商环境政策解读", "2024-03-05"),
            )
        )
        main = f"""  <div class="home_news"><h3>政务要闻</h3><ul>{news}</ul></div>
  <div class="home_zwgk">
    <h3><a href="{self.open_gov_path}">政府信息公开</a></h3>
    <ul>
      <li><a href="{self.guide_path}">政府信息公开指南</a></li>
      <li><a href="{self.open_gov_path}">法定主动公开内容</a></li>
    </ul>
  </div>"""
        return self.page(p.name, main, [("首页", "")])

    def open_gov_html(self) -> str:
        p = self.portal
        side = "".join(
            f'<li><a href="{escape(href)}">{escape(text)}</a></li>'
            for text, href in (
                ("政府信息公开指南", self.guide_path),
                ("政府信息公开制度", "javascript:;"),
                ("法定主动公开内容", "javascript:;"),
                (p.column_label, self.column_path),
                ("依申请公开", "javascript:;"),
            )
        )
        main = f"""  <div class="xxgk_left"><h2>政府信息公开</h2><ul class="xxgk_nav">{side}</ul></div>
  <div class="xxgk_right"><p>根据《中华人民共和国政府信息公开条例》，{escape(p.name)}在本平台集中发布政府信息。</p></div>"""
        return self.page("政府信息公开", main, [("首页", self.home_path), ("政务公开", "")])

    def guide_html(self) -> str:
        main = f"""  <div class="article"><h1>{escape(self.portal.name)}政府信息公开指南</h1>
  <p>为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。</p>
  <p>申请人可通过网上申请、信函申请、当面申请等方式提出政府信息公开申请。</p></div>"""
        return self.page("政府信息公开指南", main, self.crumbs(("政府信息公开指南", "")))

    def detail_html(self, item: Item, body: str, attachments: list[tuple[str, str]] = ()) -> str:
        """A detail page: title, publication line, the body, attachment links."""
        files = ""
        if attachments:
            links = "".join(
                f'<li><a href="{escape(href)}" target="_blank">{escape(name)}</a></li>'
                for href, name in attachments
            )
            files = f'\n  <div class="appendix"><span>附件：</span><ul>{links}</ul></div>'
        source = item.organization or self.portal.name
        main = f"""  <div class="article">
  <h1 class="article_title">{escape(item.title)}</h1>
  <div class="article_info"><span>发布时间：{item.published:%Y-%m-%d} 09:30</span><span>来源：{escape(source)}</span></div>
  <div class="article_con">
{body}
  </div>{files}
  </div>"""
        head = (
            f'<meta name="ArticleTitle" content="{escape(item.title)}">\n'
            f'<meta name="PubDate" content="{item.published:%Y-%m-%d} 09:30">\n'
        )
        return self.page(
            item.title, main, self.crumbs((self.portal.column_label, self.column_path)), head=head
        )

    # --- publishing -------------------------------------------------------------------

    def publish(self, site: Site, items: list[Item]) -> None:
        p = self.portal
        for path, html in (
            (self.home_path, self.home_html()),
            (self.open_gov_path, self.open_gov_html()),
            (self.guide_path, self.guide_html()),
        ):
            site.add(path, Resource(html.encode("utf-8"), HTML, last_modified=latest(items)))
        site.add(f"{self.p}/", Resource(self.home_html().encode("utf-8"), HTML, last_modified=latest(items)))

        for item in items:
            getattr(self, f"_publish_{item.kind}")(site, item)
        self.build_lists(site, items)
        site.portals.append(
            {
                "id": p.id,
                "name": p.name,
                "cms": self.cms,
                "browser": self.browser,
                "homepage": self.home_path,
                "open_government": self.open_gov_path,
                "column": self.column_path,
                "column_label": p.column_label,
                "reports": sum(1 for i in items if i.kind == "report"),
            }
        )

    def _publish_report(self, site: Site, item: Item) -> None:
        assert item.record is not None
        detail = self.detail_path(item)
        document_url, resource = detail, None
        fmt = item.fmt
        if fmt in ("html", "gbk"):
            page = self.detail_html(item, article_html(item.record))
            if fmt == "gbk":
                # No charset in the header and none in the page: the bytes alone must tell.
                page = page.replace('<meta charset="utf-8">\n', "")
                resource = Resource(page.encode("gbk"), "text/html", last_modified=item.modified)
            else:
                resource = Resource(page.encode("utf-8"), HTML, last_modified=item.modified)
            site.add(detail, resource)
            content_type = resource.content_type
        else:
            data, ext, content_type = attachment(item.record, fmt)
            filename = f"{item.title}.{ext}"
            if fmt == "download":
                document_url = f"{self.p}/download?id={item.doc_id}"
                headers = {"Content-Disposition": "attachment; filename*=UTF-8''" + quote(filename)}
            else:
                document_url = self.attachment_path(item, ext)
                headers = {}
            resource = Resource(data, content_type, headers=headers, last_modified=item.modified)
            site.add(document_url, resource)
            link_name = filename if fmt != "download" else f"{item.title}（下载）"
            intro = f'<p style="text-indent:2em">现将{escape(item.title)}予以公布，详见附件。</p>'
            page = self.detail_html(item, intro, [(document_url, link_name)])
            site.add(detail, Resource(page.encode("utf-8"), HTML, last_modified=item.modified))

        # The document says what its numbers are: synthetic (1) or a real report's (0).
        resource.headers[SYNTHETIC_HEADER] = "1" if item.synthetic else "0"
        if "slow" in item.tags:
            resource.delay = SLOW_SECONDS
        if "flaky" in item.tags:
            resource.fail_first = 1
        linked = detail
        if "moved" in item.tags:
            linked = self.old_path(item)
            site.add(linked, Resource(b"", HTML, status=301, headers={"Location": detail}))
        item.href = self.list_href(item, linked)
        site.reports.append(
            {
                "portal": self.portal.id,
                "cms": self.cms,
                "organization": item.organization,
                "level": item.level,
                "year": item.year,
                "template": item.record["template"],
                "title": item.title,
                "published": item.published.isoformat(),
                "format": fmt,
                "url": document_url,
                "detail_url": detail,
                "linked_url": linked,
                "content_type": content_type,
                "sha256": resource.sha256,
                "bytes": len(resource.body),
                "balanced": item.balanced,
                "synthetic": item.synthetic,
                "tags": list(item.tags),
            }
        )

    def old_path(self, item: Item) -> str:
        """Where a moved document used to be (the list still links it)."""
        return f"{self.p}/html/{item.doc_id}.html"

    def _publish_decoy(self, site: Site, item: Item) -> None:
        path = self.detail_path(item)
        text = _DECOY_TEXT["通知" if "通知" in item.title else "要点"]
        body = "\n".join(f'<p style="text-indent:2em">{escape(line)}</p>' for line in text.split("\n"))
        page = self.detail_html(item, body)
        site.add(path, Resource(page.encode("utf-8"), HTML, last_modified=item.modified))
        item.href = self.list_href(item, path)
        site.decoys.append({"portal": self.portal.id, "title": item.title, "url": path})

    def _publish_disallowed(self, site: Site, item: Item) -> None:
        # Served (so a fetch would succeed and be noticed) but robots.txt forbids it.
        path = f"{self.p}/private/draft_{item.doc_id}.html"
        page = self.detail_html(item, '<p style="text-indent:2em">内部征求意见稿，请勿外传。</p>')
        site.add(path, Resource(page.encode("utf-8"), HTML, last_modified=item.modified))
        item.href = path
        site.disallowed.append({"portal": self.portal.id, "title": item.title, "url": path})

    def _publish_missing(self, site: Site, item: Item) -> None:
        path = self.detail_path(item)  # never added: the server answers 404
        item.href = self.list_href(item, path)
        site.missing.append({"portal": self.portal.id, "title": item.title, "url": path})


def latest(items: list[Item]) -> datetime | None:
    return max((i.modified for i in items), default=None)


def pages_of(items: list[Item], per_page: int) -> list[list[Item]]:
    return [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]
