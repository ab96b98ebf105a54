"""A report as a portal's article page (TRS/Hanweb style): header, navigation,
breadcrumbs, ``<meta name="ArticleTitle">`` / ``PubDate``, and the report in a
``div.TRS_Editor`` of ``<p>`` paragraphs and ``<table>`` markup with merged cells."""

from __future__ import annotations

import random
import re
from html import escape

from nianbao.replicas.render.layout import Block, Grid, layout, null_marks, null_text

_CELL = (
    "BORDER: windowtext 1pt solid; PADDING: 0pt 5.4pt; text-align:center; "
    "FONT-FAMILY: 仿宋_GB2312; FONT-SIZE: 10.5pt"
)
_PARA = "TEXT-INDENT: 2em; LINE-HEIGHT: 28pt; MARGIN: 0pt; FONT-FAMILY: 仿宋_GB2312; FONT-SIZE: 16pt"
_HEAD = "LINE-HEIGHT: 28pt; MARGIN: 0pt; TEXT-INDENT: 2em; FONT-FAMILY: 黑体; FONT-SIZE: 16pt"
_TITLE = "text-align:center; LINE-HEIGHT: 29.5pt; MARGIN: 0pt; FONT-FAMILY: 方正小标宋简体; FONT-SIZE: 22pt"


def render_html(
    record: dict,
    *,
    charset: str = "utf-8",
    declare_charset: bool = True,
    chrome: bool = True,
    published: str | None = None,
    site: str | None = None,
    nulls: str = "mixed",
) -> bytes:
    """The page's bytes in ``charset``; with ``declare_charset=False`` no charset is
    named anywhere (a real awkward case). ``chrome=False`` gives only the article.
    ``published`` is "YYYY-MM-DD HH:MM" (default: a date in January after the year)."""
    article = article_html(record, nulls=nulls)
    if not chrome:
        return article.encode(charset)
    published = published or default_published(record)
    site = site or site_name(record["organization"])
    head_charset = ""
    if declare_charset:
        head_charset = f'<meta http-equiv="Content-Type" content="text/html; charset={escape(charset)}" />\n'
    page = _PAGE.format(
        charset=head_charset,
        site=escape(site),
        title=escape(record["title"]),
        organization=escape(record["organization"] or ""),
        published=escape(published),
        article=article,
        docid=_docid(record),
    )
    return page.encode(charset)


def article_html(record: dict, *, nulls: str = "mixed") -> str:
    marks = null_marks(record, nulls)
    parts = ['<div class="TRS_Editor">']
    for block in layout(record):
        parts.append(_block(block, marks))
    parts.append("</div>")
    return "\n".join(parts)


def _block(block: Block, marks: random.Random | str) -> str:
    if block.kind == "title":
        return f'<p style="{_TITLE}"><span>{escape(block.text)}</span></p>'
    if block.kind == "heading":
        return f'<p style="{_HEAD}"><span style="FONT-FAMILY: 黑体">{escape(block.text)}</span></p>'
    if block.kind == "paragraph":
        return f'<p style="{_PARA}"><span>{escape(block.text)}</span></p>'
    assert block.grid is not None
    return _table(block.grid, marks)


def _table(grid: Grid, marks: random.Random | str) -> str:
    rows = []
    for r in range(grid.n_rows):
        tds = []
        for cell in grid.row(r):
            span = ""
            if cell.rowspan > 1:
                span += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                span += f' colspan="{cell.colspan}"'
            text = null_text(marks) if cell.null else cell.text
            inner = f"<p>{escape(text)}</p>" if text else "<p>&nbsp;</p>"
            tds.append(f'<td{span} style="{_CELL}" valign="center">{inner}</td>')
        first = ' class="firstRow"' if r == 0 else ""
        rows.append(f"<tr{first}>{''.join(tds)}</tr>")
    return (
        f'<table class="{grid.name}" border="1" cellspacing="0" cellpadding="0" '
        'style="WIDTH: 100%; BORDER-COLLAPSE: collapse"><tbody>' + "".join(rows) + "</tbody></table>"
    )


def default_published(record: dict) -> str:
    """A plausible publication time: late January of the following year."""
    rng = random.Random(f"published|{record['title']}")
    return (
        f"{record['year'] + 1}-01-{rng.randint(10, 30):02d} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
    )


def site_name(organization: str | None) -> str:
    """The portal a body publishes on: its government's (新乡县应急管理局 → 新乡县人民政府)."""
    if not organization:
        return "人民政府门户网站"
    if organization.endswith("人民政府"):
        return organization
    match = re.match(r"^(.+?(?:自治州|地区|盟|省|市|县|区|旗|镇|乡))", organization)
    return (match.group(1) if match else organization) + "人民政府"


def _docid(record: dict) -> int:
    return random.Random(f"docid|{record['title']}").randint(100000, 999999)


_PAGE = """<!DOCTYPE html>
<html>
<head>
{charset}<meta http-equiv="X-UA-Compatible" content="IE=Edge" />
<meta name="SiteName" content="{site}" />
<meta name="ColumnName" content="政府信息公开年报" />
<meta name="ColumnType" content="政府信息公开年报" />
<meta name="ArticleTitle" content="{title}" />
<meta name="PubDate" content="{published}" />
<meta name="ContentSource" content="{organization}" />
<meta name="Author" content="{organization}" />
<meta name="DocId" content="{docid}" />
<title>{title}_政府信息公开年报_{site}</title>
<link rel="stylesheet" type="text/css" href="/images/common.css" />
<script type="text/javascript" src="/images/jquery.min.js"></script>
</head>
<body>
<div class="warp info_public_bg">
  <div class="header">
    <div class="row">
      <div class="logo"><a href="/"><img src="/images/site_logo.png" alt="{site}" /></a></div>
      <div class="header_link">
        <a href="https://www.gov.cn/" target="_blank" title="国务院">国务院</a>
        <a href="javascript:;">无障碍</a>
        <a href="javascript:;">移动版</a>
      </div>
      <div class="search">
        <form method="get" action="/search/index.html" target="_blank">
          <input type="text" name="key" placeholder="请输入搜索内容" /><button>搜索</button>
        </form>
      </div>
    </div>
    <div class="menu">
      <ul role="navigation">
        <li><a href="/">首页</a></li>
        <li><a href="/zwgk/">政务公开</a></li>
        <li><a href="/jdhy/">解读回应</a></li>
        <li><a href="/bsfw/">办事服务</a></li>
        <li><a href="/hdjl/">互动交流</a></li>
      </ul>
    </div>
  </div>
  <div class="row content" role="viewlist">
    <div class="breadcrumb">
      <span>当前位置：</span>
      <ul><li><a href="../../../../">首页</a></li><li><a href="../../../">政务公开</a></li><li><a href="../../">政府信息公开</a></li><li><a href="../">政府信息公开年报</a></li></ul>
    </div>
    <div class="article_component">
      <div class="article_title_group"><div class="article_title">{title}</div></div>
      <div class="article_extend">
        <span class="article_source">来源：{organization}</span>
        <span class="article_time">时间：{published}</span>
        <span class="function_icon"><a href="javascript:window.print();">打印</a> <a href="javascript:window.close();">关闭</a></span>
      </div>
      <div class="article_area">
        <div class="article_content">
{article}
        </div>
      </div>
      <div class="article_attachment" id="file_xmb"><ul id="file_ul_fj"></ul></div>
    </div>
  </div>
  <div class="footer">
    <div class="row">
      <p>主办单位：{site}　　承办单位：{site}办公室</p>
      <p>网站标识码：4100000000　　ICP备案号：ICP备00000000号</p>
    </div>
  </div>
</div>
<script type="text/javascript">
  $(function () {{ if ($("#file_ul_fj").children("li").length <= 0) {{ $("#file_xmb").hide(); }} }});
</script>
</body>
</html>
"""
