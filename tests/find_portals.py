"""Six county portals as their CMSs lay them out, served on 127.0.0.1, for `fazhi sources find`.

Written as a visitor meets the sites (home page, menus, the 信息公开 tree, columns, pagination,
articles), before and apart from the finder's rules: each portal says where its report column
is (``Portal.columns``) and the tests check the finder reaches it from the home page.

- trs: a Chongqing-style TRS county site: 政务公开 → 政府信息公开目录 (a nested tree) → 法定主动公开内容
  → 其他法定公开信息 → 法治政府建设年度报告; pages index.html, index_1.html (createPageHTML).
- hanweb: a Zhejiang Hanweb site whose main menu is built by JavaScript, with a <noscript> fallback;
  the column's records are CDATA inside <script type="text/xml">, pages ?uid=…&pageNum=2.
- vsb: a VSB (博达) site: xxgk.htm → 法定主动公开 → 法治政府建设年度报告 (xxgk/fzzfjsndbg.htm, pages
  counting down: fzzfjsndbg/1.htm, "下页").
- guangdong: a Guangdong template site whose home page shows the latest report in a box; its column
  is only reached through the article (content/post_N.html → the folder); pages index_2.html.
- hebei: a Hebei site with columns/<uuid>/ columns and ?page=2 pagination, the column under 专题专栏.
- township: a county portal whose reports are on township sub-sites (乡镇街道 → 长寿路街道), in a new
  column each year (2024年度, 2025年度).
- stub: an older site: a redirect stub for a home page, an image menu, a select of townships, the
  信息公开 platform in an iframe, a township's column behind an onclick.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEAD = '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>{meta}</head><body>'
FOOT = ('<div class="footer"><p>主办：{site}　承办：{site}办公室</p><p><a href="/wzdt.html">网站地图</a>　<a href="/lxwm.html">联系我们</a></p>'
        '<p>渝ICP备00000000号</p></div></body></html>')

REPORT_BODY = (
    "<p>{title}如下。</p><p>一、主要举措和成效。深入学习贯彻习近平法治思想，认真落实法治政府建设各项任务，党委会专题研究法治建设工作4次。</p>"
    "<p>全年排查化解矛盾纠纷120起，调解成功118起，开展普法宣传活动30场次，发放宣传资料5000份，培育“法律明白人”60名。</p>"
    "<p>二是严格规范公正文明执法。组织执法人员参加执法培训6次，聘请法律顾问审查合同45件，提供法律意见28次。</p>"
    "<p>三是深化法治宣传教育。组织领导干部集中学法12次，覆盖群众8000余人次。</p>"
    "<p>二、存在的不足和原因。法治宣传的针对性有待增强。</p><p>三、下一步工作安排。继续深入推进依法行政。</p>")


def page(site: str, title: str, body: str, meta: str = "") -> str:
    return HEAD.format(title=f"{title}_{site}" if title != site else site, meta=meta) + body + FOOT.format(site=site)


def article(site: str, title: str, date: str, crumbs: str = "") -> str:
    meta = (f'<meta name="SiteName" content="{site}"><meta name="ArticleTitle" content="{title}">'
            f'<meta name="PubDate" content="{date} 10:00">')
    return page(site, title, f'<div class="crumbs">{crumbs}</div><div class="article"><h1>{title}</h1>'
                             f'<div class="info">发布时间：{date}</div>{REPORT_BODY.format(title=title)}</div>', meta)


def rows(items: list[tuple[str, str, str]]) -> str:
    return "".join(f'<li><a href="{href}" target="_blank" title="{t}">{t}</a><span class="date">{d}</span></li>' for href, t, d in items)


@dataclass
class Portal:
    name: str
    pages: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # path?query → (status, content type, body)
    home: str = "/"
    columns: list[str] = field(default_factory=list)  # the report column(s) a finder must name (paths)
    family: str = ""
    report_paths: list[str] = field(default_factory=list)  # every report, on every page of the column
    base: str = ""
    requests: list[str] = field(default_factory=list)

    def add(self, path: str, body: str, status: int = 200, content_type: str = "text/html; charset=utf-8") -> None:
        self.pages[path] = (status, content_type, body)


def trs_portal() -> Portal:
    site = "重庆市某某县人民政府"
    p = Portal("trs", family="trs", columns=["/zwgk_123/zfxxgkml/fdzdgknr/qtfdgkxx/fzzfjsndbg/"])
    nav = ('<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwxx/">政务信息</a></li>'
           '<li><a href="/zwgk_123/">政务公开</a></li><li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li>'
           '<li><a href="/zjxx/">走进某某</a></li></ul></div>')
    p.add("/", page(site, site, nav + '<div class="news"><h3>要闻动态</h3><ul>'
                    + rows([("./zwxx/zwyw/202604/t20260401_1.html", "县政府召开第十次常务会议", "2026-04-01"),
                            ("./zwxx/zwyw/202603/t20260330_2.html", "我县开展春季植树活动", "2026-03-30")]) + "</ul></div>"))
    p.add("/zwxx/", page(site, "政务信息", nav + "<ul>" + rows([("./zwyw/202604/t20260401_1.html", "县政府召开第十次常务会议", "2026-04-01")]) + "</ul>"))
    p.add("/zwgk_123/", page(site, "政务公开", nav + '<div class="zwgk"><a href="./zfxxgkml/">政府信息公开目录</a>'
                             '<a href="./zfxxgkzn/">政府信息公开指南</a><a href="./zfxxgknb/">政府信息公开年度报告</a>'
                             '<a href="./ysqgk/">依申请公开</a></div>'))
    tree = ('<div class="tree"><ul><li><a href="/zwgk_123/zfxxgkml/jgzn/">机构职能</a></li>'
            '<li><a href="/zwgk_123/zfxxgkml/fdzdgknr/">法定主动公开内容</a><ul>'
            '<li><a href="/zwgk_123/zfxxgkml/fdzdgknr/xzgfxwj/">行政规范性文件</a></li>'
            '<li><a href="/zwgk_123/zfxxgkml/fdzdgknr/czzj/">财政资金</a></li>'
            '<li><a href="/zwgk_123/zfxxgkml/fdzdgknr/qtfdgkxx/">其他法定公开信息</a></li></ul></li>'
            '<li><a href="/zwgk_123/zfxxgkml/zdlyxxgk/">重点领域信息公开</a></li></ul></div>')
    p.add("/zwgk_123/zfxxgkml/", page(site, "政府信息公开目录", nav + tree + '<div class="right">请选择左侧栏目</div>'))
    p.add("/zwgk_123/zfxxgkml/fdzdgknr/", page(site, "法定主动公开内容", nav + tree + "<ul>"
                                                + rows([("./czzj/202603/t20260310_5.html", "2026年县级部门预算公开", "2026-03-10")]) + "</ul>"))
    p.add("/zwgk_123/zfxxgkml/fdzdgknr/qtfdgkxx/", page(site, "其他法定公开信息", nav + tree
                                                         + '<div class="sub"><a href="./fzzfjsndbg/">法治政府建设年度报告</a>'
                                                           '<a href="./jyta/">建议提案办理</a></div>'))
    column = "/zwgk_123/zfxxgkml/fdzdgknr/qtfdgkxx/fzzfjsndbg/"
    first = [(f"./20260{m}/t20260{m}2{m}_{n}.html", f"某某县{town}2025年度法治政府建设情况报告", f"2026-0{m}-2{m}")
             for n, (m, town) in enumerate([(3, "城关镇"), (3, "新华乡"), (2, "太平镇")], start=11)]
    second = [(f"./202503/t2025032{n}_{n}.html", f"某某县{town}2024年度法治政府建设情况报告", f"2025-03-2{n}")
              for n, town in [(1, "城关镇"), (2, "新华乡")]]
    p.add(column, page(site, "法治政府建设年度报告", nav + tree + "<ul>" + rows(first) + "</ul>"
                       + '<script>createPageHTML(2, 0, "index", "html");</script>'))
    p.add(column + "index_1.html", page(site, "法治政府建设年度报告", nav + tree + "<ul>" + rows(second) + "</ul>"
                                        + '<script>createPageHTML(2, 1, "index", "html");</script>'))
    for href, title, date in first + second:
        path = column + href[2:]
        p.add(path, article(site, title, date, '<a href="/">首页</a> > <a href="/zwgk_123/">政务公开</a> > 法治政府建设年度报告'))
        p.report_paths.append(path)
    return p


def hanweb_portal() -> Portal:
    site = "某某区人民政府"
    p = Portal("hanweb", family="hanweb", columns=["/col/col1229612345/index.html"])
    menu = ('<div id="menu"></div><script>var menus=[{name:"首页",url:"/"},{name:"新闻中心",url:"/col/col1229000001/index.html"},'
            '{name:"政府信息公开",url:"/col/col1229000002/index.html"},{name:"政务服务",url:"https://zwfw.example.gov.cn/"}];'
            'for(var i=0;i<menus.length;i++){document.getElementById("menu").innerHTML+="<a href=\'"+menus[i].url+"\'>"+menus[i].name+"</a>";}'
            '</script><noscript><a href="/">首页</a><a href="/col/col1229000001/index.html">新闻中心</a>'
            '<a href="/col/col1229000002/index.html">政府信息公开</a></noscript>')
    p.add("/", page(site, site, menu + '<div class="banner">欢迎访问</div>'))
    p.add("/col/col1229000001/index.html", page(site, "新闻中心", menu + "<ul>"
                                                 + rows([("/art/2026/4/1/art_1229000001_1.html", "区领导调研春耕生产", "2026-04-01")]) + "</ul>"))
    left = ('<div class="xxgk-left"><h3>信息公开目录</h3><ul><li><a href="/col/col1229000010/index.html">政府文件</a></li>'
            '<li><a href="/col/col1229000011/index.html">法定主动公开内容</a><ul>'
            '<li><a href="/col/col1229000012/index.html">规划计划</a></li>'
            '<li><a href="/col/col1229612345/index.html">法治政府建设</a></li></ul></li>'
            '<li><a href="/col/col1229000013/index.html">政府信息公开年报</a></li></ul></div>')
    p.add("/col/col1229000002/index.html", page(site, "政府信息公开", menu + left))
    p.add("/col/col1229000011/index.html", page(site, "法定主动公开内容", menu + left))
    p.add("/col/col1229000013/index.html", page(site, "政府信息公开年报", menu + left + "<ul>"
                                                 + rows([("/art/2026/1/20/art_1229000013_7.html", "某某区人民政府2025年政府信息公开工作年度报告", "2026-01-20")])
                                                 + "</ul>"))
    records = [(f"/art/202{y}/3/1{n}/art_1229612345_59{y}{n}.html", f"某某区{town}{2019 + y}年度法治政府建设工作报告", f"202{y}-03-1{n}")
               for y, n, town in [(6, 1, "四季青街道"), (6, 2, "人民政府"), (5, 3, "四季青街道"), (5, 4, "人民政府")]]

    def xml(items: list[tuple[str, str, str]]) -> str:
        return ('<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1">'
                '</a>]]></nextgroup><recordset>' + "".join(
                    f'<record><![CDATA[<li><a href="{h}" title="{t}" target="_blank">{t}</a><span>{d}</span></li>]]></record>'
                    for h, t, d in items) + "</recordset></datastore></script>")
    p.add("/col/col1229612345/index.html", page(site, "法治政府建设", menu + left + '<div id="34567">' + xml(records[:2])
                                                + '</div><a href="/col/col1229612345/index.html?uid=34567&pageNum=2">下一页</a>'))
    p.add("/col/col1229612345/index.html?uid=34567&pageNum=2", page(site, "法治政府建设", menu + left + xml(records[2:])))
    for h, t, d in records:
        p.add(h, article(site, t, d))
        p.report_paths.append(h)
    return p


def vsb_portal() -> Portal:
    site = "某某县人民政府"
    p = Portal("vsb", family="vsb", columns=["/xxgk/fzzfjsndbg.htm"])
    nav = ('<div class="nav"><a href="index.htm">网站首页</a><a href="xwzx.htm">新闻中心</a><a href="xxgk.htm">信息公开</a>'
           '<a href="zmhd.htm">政民互动</a></div>'
           '<script type="text/javascript" src="/system/resource/js/vsbscreen.min.js"></script>')
    p.add("/", page(site, site, nav.replace('href="', 'href="/') + '<div class="tzgg">通知公告</div>'))
    p.add("/index.htm", p.pages["/"][2])
    p.add("/xwzx.htm", page(site, "新闻中心", nav.replace('href="', 'href="/')))
    p.add("/xxgk.htm", page(site, "信息公开", nav.replace('href="', 'href="/') + '<div class="gkml">'
                            '<a href="xxgk/xxgkzn.htm">信息公开指南</a><a href="xxgk/fdzdgknr.htm">法定主动公开内容</a>'
                            '<a href="xxgk/xxgknb.htm">信息公开年报</a></div>'))
    p.add("/xxgk/fdzdgknr.htm", page(site, "法定主动公开内容", nav.replace('href="', 'href="/') + '<ul class="sub">'
                                     '<li><a href="fzzfjsndbg.htm">法治政府建设年度报告</a></li><li><a href="czyjs.htm">财政预决算</a></li></ul>'))
    first = [("../info/1046/2301.htm", "某某县2025年度法治政府建设情况报告", "2026-03-28"),
             ("../info/1046/2298.htm", "某某县新城镇2025年度法治政府建设情况报告", "2026-03-25")]
    older = [("../../info/1046/1901.htm", "某某县2024年度法治政府建设情况报告", "2025-03-27")]
    p.add("/xxgk/fzzfjsndbg.htm", page(site, "法治政府建设年度报告", nav.replace('href="', 'href="/') + "<ul>" + rows(first) + "</ul>"
                                        '<div class="pb_sys_common">共3条 1/2 <a href="fzzfjsndbg/1.htm">下页</a> '
                                        '<a href="fzzfjsndbg/1.htm">尾页</a></div>'))
    p.add("/xxgk/fzzfjsndbg/1.htm", page(site, "法治政府建设年度报告", nav.replace('href="', 'href="/') + "<ul>" + rows(older) + "</ul>"
                                          '<div class="pb_sys_common">共3条 2/2 <a href="../fzzfjsndbg.htm">上页</a></div>'))
    for h, t, d in first + older:
        path = "/info/1046/" + h.rsplit("/", 1)[1]
        p.add(path, article(site, t, d))
        p.report_paths.append(path)
    return p


def guangdong_portal() -> Portal:
    site = "某某市人民政府"
    p = Portal("guangdong", family="gd-post", columns=["/xxgk/fzzfjs/"])
    nav = '<div class="nav"><a href="/">首页</a><a href="/zwdt/">政务动态</a><a href="/hdjl/">互动交流</a></div>'
    latest = "/xxgk/fzzfjs/content/post_2135254.html"
    p.add("/", page(site, site, nav + '<div class="box"><h3>最新公开</h3><ul>'
                    + rows([(latest, "某某市人民政府关于2025年度法治政府建设情况的报告", "2026-03-30"),
                            ("/zwdt/content/post_2135001.html", "市领导检查安全生产工作", "2026-03-29")]) + "</ul></div>"))
    p.add("/zwdt/", page(site, "政务动态", nav))
    items = [(latest, "某某市人民政府关于2025年度法治政府建设情况的报告", "2026-03-30"),
             ("/xxgk/fzzfjs/content/post_2133001.html", "某某市某某镇2025年度法治政府建设工作报告", "2026-03-20")]
    older = [("/xxgk/fzzfjs/content/post_1998394.html", "某某市人民政府关于2024年度法治政府建设情况的报告", "2025-03-28")]
    p.add("/xxgk/fzzfjs/", page(site, "法治政府建设", nav + "<ul>" + rows(items) + '</ul><div class="page"><a href="index_2.html">下一页</a></div>'))
    p.add("/xxgk/fzzfjs/index_2.html", page(site, "法治政府建设", nav + "<ul>" + rows(older) + "</ul>"))
    for h, t, d in items + older:
        p.add(h, article(site, t, d, '<a href="/">首页</a> > 信息公开 > 法治政府建设'))
        p.report_paths.append(h)
    return p


def hebei_portal() -> Portal:
    site = "某某县人民政府"
    uuid = "4bc809b5-2280-4aca-bf79-3796a2d6f737"
    p = Portal("hebei", family="hebei-columns", columns=[f"/columns/{uuid}/"])
    nav = ('<div class="menu"><a href="/">首页</a><a href="/columns/0a8404f1-cab6-482c-b451-3c1b6496ffe6/">县情概况</a>'
           '<a href="/columns/11111111-2222-4333-8444-555555555555/">专题专栏</a></div>')
    p.add("/", page(site, site, nav))
    p.add("/columns/0a8404f1-cab6-482c-b451-3c1b6496ffe6/", page(site, "县情概况", nav + "<p>某某县位于河北省中南部。</p>"))
    p.add("/columns/11111111-2222-4333-8444-555555555555/", page(site, "专题专栏", nav + '<div class="zt">'
                                                                 '<a href="/columns/22222222-2222-4333-8444-555555555555/">创建文明城市</a>'
                                                                 f'<a href="/columns/{uuid}/">法治政府建设</a></div>'))
    p.add("/columns/22222222-2222-4333-8444-555555555555/", page(site, "创建文明城市", nav))
    first = [(f"/columns/{uuid}/202601/27/5141831a-497b-4b8e-aa5d-7d12d325d0d6.html", "某某县人民政府关于2025年度法治政府建设情况的报告", "2026-01-27")]
    older = [(f"/columns/{uuid}/202502/10/6141831a-497b-4b8e-aa5d-7d12d325d0d6.html", "某某县人民政府关于2024年度法治政府建设情况的报告", "2025-02-10")]
    p.add(f"/columns/{uuid}/", page(site, "法治政府建设", nav + "<ul>" + rows(first) + f'</ul><a href="/columns/{uuid}/?page=2">2</a>'))
    p.add(f"/columns/{uuid}/?page=2", page(site, "法治政府建设", nav + "<ul>" + rows(older) + "</ul>"))
    for h, t, d in first + older:
        p.add(h, article(site, t, d))
        p.report_paths.append(h)
    return p


def township_portal() -> Portal:
    site = "上海市某某区人民政府"
    p = Portal("township", family="shanghai", columns=["/zhengwu/2024nd-jdzfzzfjsqkbg/", "/zhengwu/2025nd-jdzfzzfjsqkbg/"])
    nav = '<div class="nav"><a href="/">首页</a><a href="/zhengwu/">政务公开</a><a href="/jdzc/">乡镇街道</a><a href="/hd/">互动</a></div>'
    p.add("/", page(site, site, nav))
    p.add("/zhengwu/", page(site, "政务公开", nav + '<a href="/zhengwu/zfxxgkzn/">政府信息公开指南</a>'))
    p.add("/jdzc/", page(site, "乡镇街道", nav + '<ul class="towns"><li><a href="/jd/csl/">长寿路街道</a></li>'
                           '<li><a href="/jd/cq/">曹杨新村街道</a></li><li><a href="/jd/tt/">桃浦镇</a></li></ul>'))
    for town in ("cq", "tt"):
        p.add(f"/jd/{town}/", page(site, "街道首页", nav + '<div class="jdnav"><a href="/jd/' + town + '/gzdt/">工作动态</a></div>'))
        p.add(f"/jd/{town}/gzdt/", page(site, "工作动态", nav))
    p.add("/jd/csl/", page("长寿路街道办事处", "长寿路街道办事处", nav + '<div class="jdnav"><a href="/jd/csl/gzdt/">工作动态</a>'
                           '<a href="/jd/csl/xxgk/">信息公开</a></div>'))
    p.add("/jd/csl/gzdt/", page("长寿路街道办事处", "工作动态", nav))
    p.add("/jd/csl/xxgk/", page("长寿路街道办事处", "信息公开", nav + '<div class="sub"><a href="/jd/csl/xxgk/fzzfjs/">法治政府建设</a>'
                                '<a href="/jd/csl/xxgk/czxx/">财政信息</a></div>'))
    p.add("/jd/csl/xxgk/fzzfjs/", page("长寿路街道办事处", "法治政府建设", nav + '<div class="years">'
                                       '<a href="/zhengwu/2025nd-jdzfzzfjsqkbg/">2025年度</a>'
                                       '<a href="/zhengwu/2024nd-jdzfzzfjsqkbg/">2024年度</a></div>'))
    for year, n in ((2024, 193613), (2025, 200698)):
        column = f"/zhengwu/{year}nd-jdzfzzfjsqkbg/"
        items = [(f"{column}{year + 1}/34{year - 2020}/{n}.html", f"长寿路街道{year}年度法治政府建设情况报告", f"{year + 1}-03-20"),
                 (f"{column}{year + 1}/34{year - 2020}/{n + 1}.html", f"曹杨新村街道{year}年度法治政府建设情况报告", f"{year + 1}-03-21")]
        p.add(column, page(site, f"{year}年度街道法治政府建设情况报告", nav + "<ul>" + rows(items) + "</ul>"))
        for h, t, d in items:
            p.add(h, article(site, t, d))
            p.report_paths.append(h)
    return p


def stub_portal() -> Portal:
    """A home page that is a redirect stub, an image menu (words only in alt), a select of townships,
    and a 信息公开 platform shown in an iframe: the ways older county sites hide their links."""
    site = "某某县人民政府"
    p = Portal("stub", family="trs", columns=["/xxgk/xzjd/hsz/fzzfjsbg/"])
    p.add("/", '<html><head><meta charset="utf-8"><script>window.location.href="/site/index.html";</script></head><body></body></html>')
    menu = ('<div class="menu"><a href="/site/xwzx.html"><img src="/img/m1.png" alt="新闻中心"></a>'
            '<a href="/site/zwgk.html"><img src="/img/m2.png" alt="政务公开"></a></div>')
    p.add("/site/index.html", page(site, site, menu + '<select onchange="window.open(this.value)"><option>乡镇网站</option>'
                                   '<option value="/site/xz/hsz.html">黄山镇</option><option value="/site/xz/lsz.html">龙山镇</option></select>'))
    p.add("/site/xwzx.html", page(site, "新闻中心", menu))
    p.add("/site/zwgk.html", page(site, "政务公开", menu + '<iframe src="/xxgk/index.html" title="政府信息公开平台" width="100%"></iframe>'))
    p.add("/xxgk/index.html", page(site, "政府信息公开平台", '<div class="tree"><a href="/xxgk/fdzdgk/">法定主动公开</a></div>'))
    p.add("/xxgk/fdzdgk/", page(site, "法定主动公开", "<p>请选择乡镇</p>"))
    p.add("/site/xz/lsz.html", page("龙山镇人民政府", "龙山镇人民政府", '<a href="/site/xz/lsz/gzdt.html">工作动态</a>'))
    p.add("/site/xz/hsz.html", page("黄山镇人民政府", "黄山镇人民政府",
                                    '<div class="nav"><span onclick="location.href=\'/xxgk/xzjd/hsz/fzzfjsbg/\'">法治政府建设</span></div>'))
    items = [("./202603/t20260320_301.html", "黄山镇2025年度法治政府建设情况报告", "2026-03-20"),
             ("./202503/t20250321_201.html", "黄山镇2024年度法治政府建设情况报告", "2025-03-21")]
    p.add("/xxgk/xzjd/hsz/fzzfjsbg/", page("黄山镇人民政府", "法治政府建设报告", "<ul>" + rows(items) + "</ul>"))
    for h, t, d in items:
        path = "/xxgk/xzjd/hsz/fzzfjsbg/" + h[2:]
        p.add(path, article(site, t, d))
        p.report_paths.append(path)
    return p


ALL = (trs_portal, hanweb_portal, vsb_portal, guangdong_portal, hebei_portal, township_portal, stub_portal)


class _Handler(BaseHTTPRequestHandler):
    portal: Portal

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.portal.requests.append(self.path)
        if self.path == "/robots.txt":
            found = (200, "text/plain", "User-agent: *\nDisallow: /admin/\n")
        else:
            found = self.portal.pages.get(self.path) or (404, "text/html", "<html><body><h1>404 页面不存在</h1></body></html>")
        status, content_type, body = found
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(portal: Portal) -> Iterator[Portal]:
    handler = type("Handler", (_Handler,), {"portal": portal})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    portal.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield portal
    finally:
        server.shutdown()
        server.server_close()
