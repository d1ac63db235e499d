from parsers.identity.titles import decide_link
from parsers.models import Link
from parsers.read.decode import decode_body
from parsers.sites.listing import parse_listing
from tests.conftest import PORTALS

BASE = "http://www.example.gov.cn"


def listing(path: str, url: str) -> tuple[list[str], str | None]:
    body = (PORTALS / path).read_bytes()
    page = parse_listing(decode_body(body, "text/html"), url)
    return [link.title for link in page.links], page.next_url


def test_trs_listing_follows_create_page_html_pagination() -> None:
    url = f"{BASE}/zwgk/fzzfjsndbg/index.html"
    titles, next_url = listing("nilka/zwgk/fzzfjsndbg/index.html", url)
    assert next_url == f"{BASE}/zwgk/fzzfjsndbg/index_1.html"
    assert "尼勒克县2024年政府信息公开工作年度报告" in titles
    titles, next_url = listing("nilka/zwgk/fzzfjsndbg/index_1.html", f"{BASE}/zwgk/fzzfjsndbg/index_1.html")
    assert next_url is None
    assert "胡吉尔台乡党委书记刘帅2024年度述法报告" in titles


def test_trs_listing_keeps_listed_dates_and_resolves_relative_links() -> None:
    page = parse_listing(
        (PORTALS / "nilka/zwgk/fzzfjsndbg/index_1.html").read_text(encoding="utf-8"), f"{BASE}/zwgk/fzzfjsndbg/index_1.html"
    )
    report = next(link for link in page.links if "述法" in link.title)
    assert report.url == f"{BASE}/zwgk/fzzfjsndbg/202501/t20250120_1001.html"
    assert str(report.listed_on) == "2025-01-20"


def test_hanweb_listing_reads_records_inside_the_xml_script_in_gbk() -> None:
    titles, next_url = listing("chenxi/col/col4521/index.html", f"{BASE}/col/col4521/index.html")
    assert "船溪鄉2022年度法治政府建設工作情況" in titles
    assert next_url is None


def test_next_page_link_and_page_query_pagination() -> None:
    html = '<ul><li><a href="a.htm">x</a></li></ul><a href="list.htm?page=3">3</a><a href="list.htm?page=2">2</a>'
    assert parse_listing(html, f"{BASE}/list.htm?page=1").next_url == f"{BASE}/list.htm?page=2"
    html = '<a href="/info/1046/2.htm">下一页</a>'
    assert parse_listing(html, f"{BASE}/info/1046.htm").next_url == f"{BASE}/info/1046/2.htm"


def test_javascript_and_mailto_links_are_ignored() -> None:
    html = '<a href="javascript:alert(1)">2024年法治政府建设年度报告</a><a href="mailto:a@b.cn">联系我们</a>'
    assert parse_listing(html, BASE + "/").links == []


def decide(title: str) -> tuple[bool, str]:
    decision = decide_link(Link(url=BASE + "/a.html", title=title))
    return decision.take, decision.reason


def test_report_titles_are_taken() -> None:
    for title in (
        "胡吉尔台乡党委书记刘帅2024年度述法报告",
        "船溪鄉2022年度法治政府建設工作情況",
        "乌苏市西湖镇2024年度法治建设工作情况报告",
        "永加乡2024年法治政府建设工作报告",
        "某某街道2023年法治政府建设年度报告",
    ):
        assert decide(title)[0], title


def test_decoy_titles_are_skipped_with_a_reason() -> None:
    assert decide("尼勒克县2024年政府信息公开工作年度报告") == (False, "政府信息公开工作年度报告 (information disclosure, not rule of law)")
    assert decide("尼勒克县2025年法治政府建设工作要点") == (False, "a plan, notice or rule, not a report")
    assert decide("关于开展2025年“宪法进万家”活动的通知")[0] is False
    assert decide("尼勒克县召开2025年春耕生产工作推进会") == (False, "title does not look like a rule-of-law report")


def test_a_column_link_without_a_year_is_not_a_report() -> None:
    assert decide("法治政府建设年度报告") == (False, "no year in the title: a column or navigation link")
    assert decide("法治政府建设") == (False, "title does not look like a rule-of-law report")
    assert decide("述法报告")[0] is False


def test_a_title_without_a_year_that_names_its_publisher_is_taken() -> None:
    for title in (
        "大河乡人民政府关于法治政府建设的情况报告",
        "青山镇关于法治政府建设工作情况的报告",
        "城关街道办事处法治政府建设年度报告",
        "中共白沙镇委员会 白沙镇人民政府关于法治建设工作情况的报告",
    ):
        took, reason = decide(title)
        assert took, title
        assert "read from the text" in reason


def test_a_shortened_title_is_taken_when_what_is_left_names_a_report() -> None:
    assert decide("关于2024年度法治政府建设…")[0]
    assert decide("东坝街道2023年度法治建设工作情况...")[0]
    assert decide("关于2024年度法治政府建设…") == (True, "shortened title: decided by the article's own title and text")
    # what is left still says what it is not
    assert decide("关于2024年度政府信息公开工作年度报告…")[0] is False
    assert decide("2025年法治政府建设工作要点…")[0] is False
    assert decide("关于开展2025年度春季…")[0] is False


def test_hanweb_listing_pages_by_page_num_and_reads_its_cdata_records() -> None:
    from tests.conftest import FIXTURES

    html = (FIXTURES / "hanweb_listing_page1.html").read_text(encoding="utf-8")
    url = "http://www.xiangshan.gov.cn/col/col1229682928/index.html?uid=5071459&pageNum=1"
    page = parse_listing(html, url)
    assert page.next_url == "http://www.xiangshan.gov.cn/col/col1229682928/index.html?uid=5071459&pageNum=2"
    report = next(link for link in page.links if "贤庠镇" in link.title)
    assert (report.url, str(report.listed_on)) == ("http://www.xiangshan.gov.cn/art/2023/2/21/art_1229682928_4183931.html", "2023-02-21")
    last = parse_listing(html.replace("pageNum=2", "pageNum=0").replace("pageNum=3", "pageNum=0"), url.replace("pageNum=1", "pageNum=3"))
    assert last.next_url is None


def test_a_format_character_in_a_listed_title_hides_no_report() -> None:
    assert decide("西仓镇2025年法治\u200b政府建设工作情况报告")[0]
    assert decide("\u202e西仓镇2025年法治政府\u2060建设年度报告")[0]
    page = parse_listing('<ul><li><a href="/a.htm">西仓镇2025年法治\u200b政府\ufeff建设年度报告</a></li></ul>', "http://x.gov.cn/col/")
    assert page.links[0].title == "西仓镇2025年法治政府建设年度报告"
