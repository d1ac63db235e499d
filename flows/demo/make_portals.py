"""Build the bundled demo government portals from the five seed reports.

Run from the repository root with ``../shared`` beside it:

    python -m flows.demo.make_portals

It writes ``flows/demo/portals/`` (committed, so a fresh clone needs neither ``../shared`` nor
this script's extra tools). The seed texts are public government documents and go in verbatim:
every page, .docx and .pdf carries the seed's text unchanged. What is invented for the demo is
only what surrounds them: portal layouts, URLs, page titles where the seed has none, publication
dates in page metadata, and the short decoy articles (marked 演示 in their text).

Needs python-docx and fpdf2 (``pip install fpdf2``) and a TrueType font with CJK glyphs
(Debian: fonts-droid-fallback, with fonts-dejavu-core for digits) for the PDF; for the formats
portal (issue 29) Pillow, fonts-noto-cjk and LibreOffice (the .doc).
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import docx
from fpdf import FPDF

HERE = Path(__file__).resolve().parent
PORTALS = HERE / "portals"
SEEDS = HERE.parents[1].parent / "shared" / "seeds"
CJK_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")  # Han glyphs only
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # digits, Latin, “”

SEED_FILES = {
    "hujiertai": "000_7010dd9c386ad858.txt",
    "chuanxi": "001_8983b31abeb2f5d4.txt",
    "xihu": "002_305d130960f209a2.txt",
    "xicang": "003_182556944e2e6830.txt",
    "yongjia": "004_7cb437c8e199826f.txt",
}


def seed(name: str) -> str:
    return (SEEDS / SEED_FILES[name]).read_text(encoding="utf-8")


def paragraphs(text: str) -> str:
    return "\n".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())


def gov_meta(title: str, pubdate: str, source: str, site: str, column: str) -> str:
    return (
        f'<meta name="SiteName" content="{site}">\n<meta name="ColumnName" content="{column}">\n'
        f'<meta name="ArticleTitle" content="{html.escape(title)}">\n<meta name="PubDate" content="{pubdate}">\n'
        f'<meta name="ContentSource" content="{source}">\n'
    )


def write(path: Path, content: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode(encoding))


# ---------------------------------------------------------------- 尼勒克县: TRS-style, UTF-8
NILKA_SITE, NILKA_COLUMN = "尼勒克县人民政府", "法治政府建设年度报告"


def trs_page(title: str, body: str, *, meta: str = "", charset: str = "utf-8") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
{meta}<title>{html.escape(title)}_{NILKA_SITE}</title></head>
<body>
<div class="header"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/zwgk/fzzfjsndbg/">法治政府建设年度报告</a></div>
<div class="position">当前位置：首页 &gt; 政务公开 &gt; 法治政府建设年度报告</div>
<div class="main">{body}</div>
<div class="footer">主办：{NILKA_SITE}办公室　网站标识码：6540280001　<a href="/">网站地图</a></div>
</body></html>
"""


def trs_article(title: str, pubdate: str, source: str, text: str, *, with_meta: bool = True) -> str:
    body = f"""<h1 class="article-title">{html.escape(title)}</h1>
<div class="info">发布时间：{pubdate}　来源：{html.escape(source)}</div>
<div class="TRS_Editor">{paragraphs(text)}</div>
<div class="share">分享到：微信 微博</div><div class="toolbar"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>"""
    meta = gov_meta(title, pubdate, source, NILKA_SITE, NILKA_COLUMN) if with_meta else ""
    return trs_page(title, body, meta=meta)


def trs_listing(items: list[tuple[str, str, str]], page: int, total: int) -> str:
    rows = "\n".join(f'<li><a href="{href}" title="{html.escape(t)}">{html.escape(t)}</a><span>{d}</span></li>' for href, t, d in items)
    nxt = f'<a href="index_{page + 1}.html">下一页</a>' if page + 1 < total else ""
    body = f"""<ul class="list">{rows}</ul>
<div class="page"><script>createPageHTML({total}, {page}, "index", "html");</script>{nxt}</div>"""
    return trs_page(NILKA_COLUMN, body)


def make_nilka() -> None:
    root = PORTALS / "nilka" / "zwgk" / "fzzfjsndbg"
    decoy = "（演示页面：本文不是法治建设报告，用于检验发现阶段不会误收。）"
    articles = {
        "202501/t20250120_1001.html": trs_article(
            "胡吉尔台乡党委书记刘帅2024年度述法报告", "2025-01-20 10:30", "尼勒克县胡吉尔台乡", seed("hujiertai")
        ),
        "202503/t20250310_1002.html": trs_article("尼勒克县2024年政府信息公开工作年度报告", "2025-03-10 09:00", "尼勒克县人民政府办公室", decoy),
        "202502/t20250228_1003.html": trs_article("尼勒克县2025年法治政府建设工作要点", "2025-02-28 16:00", "尼勒克县司法局", decoy),
        "202502/t20250212_1004.html": trs_article("尼勒克县召开2025年春耕生产工作推进会", "2025-02-12 11:00", "尼勒克县融媒体中心", decoy),
        "202501/t20250106_1005.html": trs_article("关于开展2025年“宪法进万家”活动的通知", "2025-01-06 08:40", "尼勒克县司法局", decoy),
    }
    for path, page in articles.items():
        write(root / path, page)
    write(
        root / "index.html",
        trs_listing(
            [
                ("./202503/t20250310_1002.html", "尼勒克县2024年政府信息公开工作年度报告", "2025-03-10"),
                ("./202502/t20250228_1003.html", "尼勒克县2025年法治政府建设工作要点", "2025-02-28"),
                ("./202502/t20250212_1004.html", "尼勒克县召开2025年春耕生产工作推进会", "2025-02-12"),
            ],
            0,
            2,
        ),
    )
    write(
        root / "index_1.html",
        trs_listing(
            [
                ("./202501/t20250120_1001.html", "胡吉尔台乡党委书记刘帅2024年度述法报告", "2025-01-20"),
                ("./202501/t20250106_1005.html", "关于开展2025年“宪法进万家”活动的通知", "2025-01-06"),
            ],
            1,
            2,
        ),
    )


# ---------------------------------------------------------------- 辰溪县: Hanweb-style, GBK, charset only in <meta>
def make_chenxi() -> None:
    root = PORTALS / "chenxi"
    text = seed("chuanxi")
    title = text.split("\n", 1)[0]
    article = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>{html.escape(title)}</title></head>
<body>
<div id="nav"><a href="/">網站首頁</a> | <a href="/col/col4521/index.html">法治政府建設</a></div>
<table class="xxgk-table">
<tr><td>索引號：</td><td>431223-04-2022-001</td><td>發布機構：</td><td>辰溪縣船溪鄉人民政府</td></tr>
<tr><td>發布日期：</td><td>2022-11-29</td><td>文號：</td><td>無</td></tr>
</table>
<div class="bt-article" id="zoom">{paragraphs(text)}</div>
<div class="dayin"><a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【關閉】</a></div>
<div id="footer">辰溪縣人民政府辦公室主辦</div>
</body></html>
"""
    write(root / "art" / "2022" / "11" / "29" / "art_4521_2088.html", article, "gbk")
    decoy = "（演示頁面：本文不是法治建設報告。）"
    write(
        root / "art" / "2022" / "3" / "1" / "art_4521_1900.html",
        f'<html><head><meta charset="gbk"><title>辰溪縣2022年普法依法治理工作要點</title></head><body><div id="zoom"><p>{decoy}</p></div></body></html>',
        "gbk",
    )
    records = "\n".join(
        f'<record><![CDATA[<li><a href="{href}" title="{t}" target="_blank">{t}</a><span>{d}</span></li>]]></record>'
        for href, t, d in [
            ("/art/2022/11/29/art_4521_2088.html", title, "2022-11-29"),
            ("/art/2022/3/1/art_4521_1900.html", "辰溪縣2022年普法依法治理工作要點", "2022-03-01"),
        ]
    )
    listing = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>法治政府建設_辰溪縣人民政府</title></head>
<body><div id="nav"><a href="/">網站首頁</a></div>
<div id="4521"><script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup><recordset>
{records}
</recordset></datastore></script></div>
</body></html>
"""
    write(root / "col" / "col4521" / "index.html", listing, "gbk")


# ---------------------------------------------------------------- a regional disclosure platform: VSB-style
def vsb_page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}-乡镇法治政府建设年度报告公开平台（演示）</title></head>
<body><div class="nav"><a href="/">首页</a></div>
<form name="_newscontent_fromname"><div class="content-title"><h1>{html.escape(title)}</h1></div>
{body}</form>
<div class="foot">版权所有（演示站点）</div></body></html>
"""


def make_docx(text: str, path: Path) -> None:
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


def make_pdf(text: str, path: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.add_font("cjk", fname=str(CJK_FONT))
    pdf.add_font("latin", fname=str(LATIN_FONT))
    pdf.set_font("cjk", size=12)
    pdf.set_fallback_fonts(["latin"])
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for line in text.split("\n"):
        if line.strip():
            pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(4)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))


def make_region() -> None:
    root = PORTALS / "region"
    make_docx(seed("xihu"), root / "__local" / "A" / "3F" / "xihu_2024_fzjs.docx")
    make_pdf(seed("yongjia"), root / "__local" / "B" / "7C" / "yongjia_2024_fzzf.pdf")
    stub = '<div class="v_news_content" id="vsb_content"><p>{lead}</p><p>附件：<a href="{href}">{name}</a></p></div>'
    pages = {
        "info/1046/30167.htm": (
            "乌苏市西湖镇2024年度法治建设工作情况报告",
            '<meta name="PubDate" content="2025-01-15 12:00">\n<meta name="ArticleTitle" content="乌苏市西湖镇2024年度法治建设工作情况报告">\n'
            '<meta name="ContentSource" content="乌苏市西湖镇人民政府">\n',
            stub.format(lead="现将我镇2024年度法治建设工作情况报告公开如下。", href="/__local/A/3F/xihu_2024_fzjs.docx", name="乌苏市西湖镇2024年度法治建设工作情况报告.docx"),
        ),
        "info/1046/30452.htm": (
            "永加乡2024年法治政府建设工作报告",
            '<meta name="PubDate" content="2025-03-14 15:20">\n<meta name="ArticleTitle" content="永加乡2024年法治政府建设工作报告">\n',
            stub.format(lead="永加乡2024年法治政府建设工作报告见附件。", href="/__local/B/7C/yongjia_2024_fzzf.pdf", name="永加乡2024年法治政府建设工作报告.pdf"),
        ),
        # No meta tags on this one: identification must come from the page and the text alone.
        "info/1046/31805.htm": (
            "西仓镇2025年法治政府建设工作情况报告",
            "",
            f'<div class="v_news_content" id="vsb_content">{paragraphs(seed("xicang"))}</div>',
        ),
        "info/1046/29990.htm": ("2024年度全区政府信息公开工作年度报告", "", '<div id="vsb_content"><p>（演示页面：本文不是法治建设报告。）</p></div>'),
    }
    for path, (title, meta, body) in pages.items():
        write(root / path, vsb_page(title, body).replace("<head>", "<head>\n" + meta, 1) if meta else vsb_page(title, body))
    items = [
        ("31805", "西仓镇2025年法治政府建设工作情况报告", "2025-12-12"),
        ("30452", "永加乡2024年法治政府建设工作报告", "2025-03-14"),
        ("30167", "乌苏市西湖镇2024年度法治建设工作情况报告", "2025-01-15"),
        ("29990", "2024年度全区政府信息公开工作年度报告", "2025-01-10"),
    ]
    rows = "\n".join(f'<li><a href="../info/1046/{n}.htm" title="{t}">{t}</a><span class="date">{d}</span></li>' for n, t, d in items)
    write(root / "fzzfjs" / "ndbg.htm", vsb_page("法治政府建设年度报告", f'<div class="list"><ul>{rows}</ul></div><div class="pb_sys_common">共4条 1/1</div>'))


# ---------------------------------------------------------------- formats: the files issue 29 is about
# A fourth portal, served from its own folder (formats_portal/) and read by its own registry
# (sources-formats.yaml), so that the three-portal demo night and its counts stay as they are.
FORMATS_PORTALS = HERE / "formats_portal"


def make_formats() -> None:
    """One scanned PDF (a stamped copy: no text layer), one old Word .doc, one .ofd and one .zip
    bundle with GBK names, each the seed's text as it is, each behind a stub page that links it."""
    from flows.demo import formats, scans

    root = FORMATS_PORTALS / "formats"
    hujiertai = seed("hujiertai")
    pages = scans.text_pages(hujiertai)
    scanned = scans.scanned_pdf([scans.degrade(page, seed=i, seal=i == len(pages) - 1, quality=45) for i, page in enumerate(pages)])
    xihu_lines = [line for line in seed("xihu").split("\n") if line.strip()]
    files = {
        "files/hujiertai_2024_scan.pdf": scanned,
        "files/chuanxi_2022.doc": formats.word97_doc(seed("chuanxi")),
        "files/xihu_2024.ofd": formats.ofd(pages=["\n".join(xihu_lines[i:i + 20]) for i in range(0, len(xihu_lines), 20)]),
        "files/xicang_2025.zip": formats.zip_bundle({"西仓镇2025年法治政府建设工作情况报告.txt": seed("xicang").encode("utf-8"),
                                                      "附件/说明.txt": "（演示附件：本文件不是报告。）".encode("utf-8")}),
    }
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    stub = '<div class="v_news_content" id="vsb_content"><p>{lead}</p><p>附件：<a href="{href}">{name}</a></p></div>'
    articles = [
        ("scan", "胡吉尔台乡党委书记2024年度述法报告（扫描件）", "2025-01-21", "/files/hujiertai_2024_scan.pdf", "述法报告（盖章扫描件）.pdf"),
        ("doc", "船溪乡2022年度法治政府建设工作情况报告", "2022-11-30", "/files/chuanxi_2022.doc", "船溪乡2022年度法治政府建设工作情况.doc"),
        ("ofd", "乌苏市西湖镇2024年度法治建设工作情况报告", "2025-01-16", "/files/xihu_2024.ofd", "西湖镇2024年度法治建设工作情况报告.ofd"),
        ("zip", "西仓镇2025年法治政府建设工作情况报告", "2025-12-13", "/files/xicang_2025.zip", "西仓镇2025年法治政府建设工作情况报告（压缩包）.zip"),
    ]
    for name, title, date, href, label in articles:
        meta = f'<meta name="PubDate" content="{date} 09:00">\n<meta name="ArticleTitle" content="{html.escape(title)}">\n'
        body = stub.format(lead="报告全文见附件。", href=href, name=html.escape(label))
        write(root / "art" / f"{name}.htm", vsb_page(title, body).replace("<head>", "<head>\n" + meta, 1))
    rows = "\n".join(f'<li><a href="../art/{n}.htm" title="{html.escape(t)}">{html.escape(t)}</a><span class="date">{d}</span></li>'
                     for n, t, d, _, _ in articles)
    write(root / "list" / "index.htm", vsb_page("法治政府建设年度报告", f'<div class="list"><ul>{rows}</ul></div><div class="pb_sys_common">共4条 1/1</div>'))


def main() -> None:
    if PORTALS.exists():
        shutil.rmtree(PORTALS)
    make_nilka()
    make_chenxi()
    make_region()
    print(f"wrote {sum(1 for p in PORTALS.rglob('*') if p.is_file())} files under {PORTALS}")
    if FORMATS_PORTALS.exists():
        shutil.rmtree(FORMATS_PORTALS)
    make_formats()
    print(f"wrote {sum(1 for p in FORMATS_PORTALS.rglob('*') if p.is_file())} files under {FORMATS_PORTALS}")


if __name__ == "__main__":
    main()
