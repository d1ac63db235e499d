from datetime import date

import pytest

from parsers import read_document
from parsers.read.article import is_attachment_stub, parse_article
from parsers.read.normalise import clean_lines
from tests.conftest import PORTALS, demo_file, seed_text


def test_gov_meta_tags_are_read_first() -> None:
    doc = read_document(demo_file("hujiertai").read_bytes(), "http://x.gov.cn/a.html", "text/html; charset=utf-8")
    assert doc.title == "胡吉尔台乡党委书记刘帅2024年度述法报告"
    assert doc.meta["published"] == "2025-01-20 10:30"
    assert doc.meta["publisher"] == "尼勒克县胡吉尔台乡"
    assert doc.meta["site_name"] == "尼勒克县人民政府"
    assert doc.meta["column"] == "法治政府建设年度报告"


def test_trs_body_is_the_report_without_navigation_share_bar_or_footer() -> None:
    doc = read_document(demo_file("hujiertai").read_bytes(), "http://x.gov.cn/a.html", "text/html; charset=utf-8")
    assert clean_lines(doc.text) == clean_lines(seed_text("hujiertai"))
    for noise in ("打印本页", "关闭窗口", "分享到", "当前位置", "网站标识码"):
        assert noise not in doc.text


def test_gbk_hanweb_page_with_disclosure_block_and_no_meta_tags() -> None:
    body = demo_file("chuanxi").read_bytes()
    doc = read_document(body, "http://x.gov.cn/art.html", "text/html")
    assert doc.meta["publisher"] == "辰溪县船溪乡人民政府"
    assert doc.meta["published"] == "2022-11-29"
    assert doc.meta["index_no"] == "431223-04-2022-001"
    assert doc.title == "船溪鄉2022年度法治政府建設工作情況"
    assert clean_lines(doc.text) == clean_lines(seed_text("chuanxi"))
    assert "【打印】" not in doc.text


def test_vsb_page_without_meta_tags_reads_title_and_body() -> None:
    doc = read_document(demo_file("xicang").read_bytes(), "http://x.gov.cn/info/1046/31805.htm", "text/html")
    assert doc.meta == {}
    assert doc.title == "西仓镇2025年法治政府建设工作情况报告"
    assert clean_lines(doc.text) == clean_lines(seed_text("xicang"))


def test_a_page_that_only_links_its_report_is_a_stub_with_its_attachment() -> None:
    doc = read_document((PORTALS / "region/info/1046/30167.htm").read_bytes(), "http://x.gov.cn/info/1046/30167.htm", "text/html")
    assert is_attachment_stub(doc)
    assert [(a.url, a.extension) for a in doc.attachments] == [("http://x.gov.cn/__local/A/3F/xihu_2024_fzjs.docx", "docx")]
    assert str(doc.meta["published"]).startswith("2025-01-15")


def test_a_full_report_page_is_not_a_stub() -> None:
    doc = read_document(demo_file("xicang").read_bytes(), "http://x.gov.cn/a.htm", "text/html")
    assert not is_attachment_stub(doc)


def test_unknown_layout_body_is_found_by_text_density() -> None:
    paragraphs = "".join(f"<p>{line}</p>" for line in seed_text("yongjia").split("\n") if line.strip())
    html = f"""<html><body><div class="top"><a href="/">首页</a><a href="/a">机构</a></div>
    <div class="left"><ul><li>通知公告</li><li>政策文件</li></ul></div>
    <div class="wrap"><div class="c1">{paragraphs}</div></div><div class="bottom">版权所有 某某县人民政府</div></body></html>"""
    doc = parse_article(html, "http://x.gov.cn/a.htm")
    assert "永加乡2024年法治政府建设工作报告" in doc.text
    assert "版权所有" not in doc.text and "通知公告" not in doc.text


def test_tables_become_text_rows() -> None:
    html = '<div class="TRS_Editor"><p>情况如下：</p><table><tr><td>项目</td><td>数量</td></tr><tr><td>调解纠纷</td><td>12起</td></tr></table></div>'
    assert parse_article(html, "http://x.gov.cn/a.htm").text.split("\n") == ["情况如下：", "项目 数量", "调解纠纷 12起"]


def test_a_boilerplate_page_yields_no_report_text() -> None:
    html = '<html><head><title>页面</title></head><body><div class="nav"><a href="/">首页</a></div><div class="footer">主办单位</div></body></html>'
    doc = parse_article(html, "http://x.gov.cn/a.htm")
    assert len(doc.text) < 20


def test_pubdate_meta_is_a_date() -> None:
    from parsers.identity.identify import identify_published

    assert identify_published({"published": "2022-11-29 16:11"}, "")[0] == date(2022, 11, 29)




@pytest.mark.parametrize("container", ['div class="TRS_Editor"', 'div id="zoom"', 'div class="article-content"', 'div id="vsb_content"', 'div class="bt-article"'])
def test_body_container_of_each_cms_family_is_found(container: str) -> None:
    tag = container.split()[0]
    html = f"""<html><body><div class="nav"><a href="/">首页</a> 当前位置：政务公开</div>
    <div class="side"><p>热点信息列表 热点信息列表 热点信息列表 热点信息列表 热点信息列表 热点信息列表</p></div>
    <{container}><p>2024年，我镇调解矛盾纠纷12起。</p></{tag}>
    <div class="print"><a href="#">打印本页</a></div></body></html>"""
    assert parse_article(html, "http://x.gov.cn/a.htm").text == "2024年，我镇调解矛盾纠纷12起。"
