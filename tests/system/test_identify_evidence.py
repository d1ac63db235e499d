"""Identification as one decision over all of a page's evidence (issue #25; #31 item 10).

Every test is a sentence or a page written here, in the phrasing of a class of real reports; none
is a dev-set text. Each asserts the decision and the evidence recorded for it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from parsers import extract_report
from parsers.identity.identify import identify_year
from parsers.identity.titles import kind_of, kind_of_text
from parsers.models import Document, Source

ROOT = Path(__file__).resolve().parents[2]


def read(text: str, url: str = "page.txt", source: Source | None = None, title: str | None = None, publisher: str = ""):
    meta = {"publisher": publisher} if publisher else {}
    return extract_report(Document(url=url, text=text, title=title, meta=meta, format="txt"), source)


def flag_codes(extraction) -> set[str]:
    return {f.code for f in extraction.flags}


# The subject of the opening sentence -------------------------------------------------------------

@pytest.mark.parametrize("opening", [
    "2023年，在区委区政府的坚强领导下，渝州路街道坚持以习近平法治思想为指导，依法治区委员会办公室的指导下扎实推进法治建设。",
    "2024年以来，在区委、区政府和依法治区委员会的正确领导下，渝州路街道党工委、办事处深入推进依法行政，取得了新成效。",
    "一年来，渝州路街道在区委依法治区办的指导下，始终坚持依法行政，全面推进法治政府建设，各项工作取得明显成效。",
])
def test_a_unique_township_as_the_opening_subject_is_not_refused_for_naming_the_district_s_bodies(opening: str) -> None:
    report = read(opening).report
    assert report.level == "township" and report.place.township == "渝州路街道" and report.place.county == "九龙坡区"
    assert report.level_evidence and report.level_evidence.startswith("opening subject")


@pytest.mark.parametrize("opening, level", [
    ("2023年，在市委市政府的坚强领导下，九龙坡区人民政府坚持依法行政，全区法治政府建设取得新的成效，现报告如下。", "county"),
    ("2023年，在县委、县政府的坚强领导下，街道按照县委依法治县办的要求，上下一心，全面推进法治建设，取得实效。", "township"),
    ("为进一步加强法治政府建设，2021年来，镇党委按照县委的部署，围绕法治工作的总目标，全力推进依法行政。", "township"),
    ("2023年，全县各乡镇扎实推进依法行政，渝州路街道、石桥铺街道开展了法治宣传活动，成效明显，现报告如下。", "county"),
])
def test_whose_report_by_the_subject_of_its_first_sentence(opening: str, level: str) -> None:
    assert read(opening).report.level == level


# Page furniture and the text, combined ----------------------------------------------------------

def test_a_county_stated_by_the_publisher_and_its_one_township_named_deep_in_the_body_combine() -> None:
    body = "2024年，我镇坚持依法行政，" + "全面推进法治建设，" * 80 + "金鸡镇司法所组织开展法治宣传活动12场。"
    extraction = read(body, publisher="忠县人民政府")
    place = extraction.report.place
    assert (place.township, place.county, place.township_code) == ("金鸡镇", "忠县", "500233113")
    assert any("only township of the known county" in e.source for e in place.evidence)


def test_a_two_character_county_is_read_where_it_names_the_county_and_not_inside_a_word() -> None:
    page = "献县人民政府\n2024年，临河乡坚持依法行政，全面推进法治政府建设，取得新成效，现将有关情况报告如下。"
    place = read(page).report.place
    assert (place.township, place.county) == ("临河乡", "献县")
    # 范县 inside 示范县, 高县 inside 提高县: words, not counties; 临河乡 stays open between its namesakes.
    prose = "2024年，临河乡创建法治政府建设示范县先进单位，不断提高县乡两级依法行政水平，现将有关情况报告如下。"
    open_place = read(prose).report.place
    assert open_place.township is None and open_place.county is None and len(open_place.candidates) >= 2


def test_a_two_character_township_after_its_county_is_itself_not_the_county_s_namesake_town() -> None:
    place = read("米林市派镇2024年法治政府建设年度报告\n2024年，我镇坚持依法行政，全面推进法治政府建设，取得新成效。").report.place
    assert (place.township, place.township_code, place.county) == ("派镇", "540481101", "米林市")


def test_a_two_character_township_inside_a_known_county() -> None:
    source = Source(id="pudong", name="浦东新区人民政府", adcode="310115", listing=["http://x/"])
    place = read("2024年，唐镇坚持依法行政，全面推进法治政府建设，现将有关情况报告如下。", source=source).report.place
    assert (place.township, place.county) == ("唐镇", "浦东新区")


def test_a_zone_prefixed_register_name_written_without_its_prefix() -> None:
    place = read("2024年，峨嵋大街街道坚持依法行政，全面推进法治政府建设，现将有关情况报告如下。").report.place
    assert place.township == "开发区峨嵋大街街道" and place.township_code == "410571563"


def test_a_street_written_with_jie_for_jiedao() -> None:
    assert read("2024年，渝州路街坚持依法行政，全面推进法治政府建设，现将有关情况报告如下。").report.place.township == "渝州路街道"


def test_a_township_the_register_does_not_hold_is_kept_with_the_name_the_text_gives() -> None:
    report = read("2025年，尼勒克县新源镇坚持依法行政，全面推进法治政府建设，现将有关情况报告如下。",
                  title="尼勒克县新源镇2025年法治政府建设年度报告").report
    assert report.place.township is None and report.place.township_code is None
    assert report.place.name_in_text == "新源镇" and report.place.county == "尼勒克县"


def test_a_shared_name_is_decided_by_the_url_host_or_the_source_and_stays_open_without() -> None:
    text = "2024年，大河乡坚持依法行政，全面推进法治政府建设，现将有关情况报告如下。"
    assert read(text).report.place.township_code is None
    by_host = read(text, url="http://www.cqwx.gov.cn/jz/dhx/a.html").report.place
    assert by_host.township_code == "500238207" and any(e.source == "county (host)" for e in by_host.evidence)
    source = Source(id="wuxi", name="巫溪县人民政府", adcode="500238", listing=["http://x/"])
    assert read(text, source=source).report.place.township_code == "500238207"


# A place contradicting the source's covers (#31 item 10) ------------------------------------------

def test_a_township_of_another_province_on_a_one_county_source_is_flagged_and_left_open() -> None:
    source = Source(id="wuxi", name="巫溪县人民政府", adcode="500238", listing=["http://x/"])
    extraction = read("2024年，乐寿镇坚持依法行政，全面推进法治政府建设，现将有关情况报告如下。", source=source)
    place = extraction.report.place
    assert place.township_code is None and place.county is None and place.province is None
    assert "place_contradicts_source" in flag_codes(extraction) and place.candidates == ["130929100"]


def test_a_second_piece_of_evidence_agreeing_with_the_text_credits_the_township_and_keeps_the_flag() -> None:
    source = Source(id="wuxi", name="巫溪县人民政府", adcode="500238", listing=["http://x/"])
    extraction = read("2024年，乐寿镇坚持依法行政，全面推进法治政府建设，现将有关情况报告如下。", source=source,
                      title="献县乐寿镇2024年法治政府建设年度报告")
    assert extraction.report.place.township_code == "130929100"
    assert "place_contradicts_source" in flag_codes(extraction)


# Look-alikes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("title", [
    "图解：某镇2024年法治政府建设年度报告",
    "一图读懂某街道2024年度法治政府建设工作报告",
    "政策解读：某县2024年法治政府建设情况报告",
    "2024年乡镇法治政府建设年度报告范文（通用5篇）",
    "镇法治政府建设工作总结精选",
    "某镇：推动法治政府建设走深走实",
])
def test_look_alike_titles_are_kind_other(title: str) -> None:
    assert kind_of(title) == "other"


@pytest.mark.parametrize("opening", [
    "时间：2024-05-10 来源：某镇人民政府\n某市政法网（通讯员 张三）5月8日，县司法局一行对某镇法治政府建设工作进行督导。",
    "本报讯 今年以来，某镇聚焦法治队伍建设，全力推进法治政府建设。",
    "今年以来，某镇聚焦法治政府建设，该镇充分发挥法律顾问作用，推动法治政府建设走深走实。",
    "为深入推进法治政府建设，结合我镇实际，特制定本方案。",
])
def test_look_alike_openings_are_kind_other(opening: str) -> None:
    assert kind_of_text(opening) == "other"


def test_a_report_speaking_of_itself_is_still_a_report() -> None:
    assert kind_of_text("2024年，我镇坚持依法行政，法治政府建设取得新成效。该镇的经验被推广。") == "government_annual_report"


def test_a_county_report_and_a_news_item_give_no_township_year_values() -> None:
    county = read("九龙坡区人民政府2024年法治政府建设年度报告\n2024年，九龙坡区人民政府坚持依法行政，全年开展法治宣传活动120场，调解矛盾纠纷3000件。")
    assert county.report.level == "county" and county.report.place.township is None
    assert county.values == [] and not any(o.canonical for o in county.observations)
    assert "not_township_figures" in flag_codes(county)
    news = read("某镇：推动法治政府建设走深走实\n今年以来，该镇组织开展法治宣传活动30场，调解矛盾纠纷43起。", title="某镇：推动法治政府建设走深走实")
    assert news.report.kind == "other" and news.values == []


# The year reported on -------------------------------------------------------------------------

@pytest.mark.parametrize("text, year", [
    ("? ? ? 2024年，在县委、县政府的领导下，某镇严格按照《法治政府建设实施纲要(2021-2025年)》要求推进工作。", 2024),
    ("严格按照《法治政府建设实施纲要(2021-2025年)》和《某省实施方案（2021—2025年）》，某镇推进依法行政，2024年共办理案件3件，2024年召开会议2次。", 2024),
    ("2018年，我镇在全市法治建设考核中位列第一。2023年，我镇坚持依法行政，现将有关情况报告如下。", 2023),
    ("2019年荣获“全国民主法治示范村”称号。在党委领导下，现将我镇2024年度法治政府建设情况报告如下：", 2024),
])
def test_the_year_is_read_from_the_right_mention(text: str, year: int) -> None:
    assert identify_year(None, text)[0] == year


def test_a_news_item_s_year_is_its_date_s() -> None:
    report = read("发布时间：2021-03-18\n（通讯员 张三）3月15日，县司法局对某镇法治政府建设工作进行督导检查。").report
    assert report.kind == "other" and report.year == 2021


# fazhi extract --url ---------------------------------------------------------------------------

def _fazhi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_extract_with_url_and_sources_uses_the_host_and_the_serving_source(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("2024年，在县委县政府的坚强领导下，龙溪镇坚持依法行政，调解矛盾纠纷12件。", encoding="utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - id: pengshui\n    name: 彭水县某乡\n    adcode: \"500243\"\n    listing: [\"http://psx.gov.cn/a/\"]\n",
                       encoding="utf-8")
    plain = json.loads(_fazhi("extract", str(page)).stdout)["report"]
    assert plain["place"]["township_code"] is None
    done = _fazhi("extract", str(page), "--url", "http://psx.gov.cn/x/t1.html", "--sources", str(sources))
    report = json.loads(done.stdout)["report"]
    assert report["place"]["township_code"] == "500243116" and report["source_id"] == "pengshui" and report["url"] == "http://psx.gov.cn/x/t1.html"
    assert report["level_evidence"] and report["place"]["evidence"]


def test_extract_refuses_a_url_that_is_not_a_page_address(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("2024年，某镇坚持依法行政。", encoding="utf-8")
    done = _fazhi("extract", str(page), "--url", "file:///etc/passwd")
    assert done.returncode == 2 and done.stderr.startswith("error: --url") and "Traceback" not in done.stderr


# The URL's path and the page's breadcrumbs -------------------------------------------------------

def test_the_url_path_spelling_a_township_of_the_known_county_decides_it() -> None:
    text = "2024年，街道按照县委依法治县办的要求，上下一心，全面推进法治政府建设，现将有关情况报告如下。"
    assert read(text, url="http://www.cqfj.gov.cn/zwgk/fzjsnd/t1.html").report.place.township is None
    place = read(text, url="http://www.cqfj.gov.cn/xz_168/yfjd/zwgk/fzjsnd/t1.html").report.place
    assert place.township == "鱼复街道" and place.county == "奉节县"
    assert any(e.source == "township (path)" and e.quote == "yfjd" for e in place.evidence)
    # The county's initials before the township's (zx + jjz: 忠县金鸡镇), the county named in the text.
    jinji = read("2024年，在忠县县委、县政府的领导下，我镇坚持依法行政，全面推进法治政府建设，现将有关情况报告如下。",
                 url="http://copy.example.com/jd/zxjjz/zwgk/t2.html").report.place
    assert jinji.township == "金鸡镇" and jinji.county == "忠县"


def test_a_breadcrumb_names_the_township_and_the_header_its_county() -> None:
    page = ("忠县人民政府\n当前位置：首页 > 乡镇（街道） > 新立镇 > 政府信息公开\n"
            "2024年，我镇坚持依法行政，全面推进法治政府建设，取得新成效，现将有关情况报告如下。")
    place = read(page).report.place
    assert (place.township, place.county, place.township_code) == ("新立镇", "忠县", "500233114")


def test_a_register_name_inside_a_longer_unknown_name_is_not_forced_onto_the_register() -> None:
    # 大西湖镇 is no register row; the register's 西湖镇 (several) is not it.
    report = read("2024年，我镇坚持依法行政，全面推进法治政府建设，现将有关情况报告如下。", title="乌苏市大西湖镇2024年法治政府建设年度报告").report
    assert report.place.township is None and report.place.name_in_text == "大西湖镇" and report.place.county == "乌苏市"
    known = read("2024年，我镇坚持依法行政，全面推进法治政府建设，现将有关情况报告如下。", title="乌苏市西湖镇2024年法治政府建设年度报告").report
    assert known.place.township == "西湖镇" and known.place.name_in_text is None


def test_a_host_beginning_with_the_prefecture_s_spelling_breaks_a_tie_between_namesakes() -> None:
    # 春江街道: one in 常州市新北区, one in 杭州市富阳区; both are 区, so 区委 decides nothing.
    text = "2025年，在区委、区政府的正确领导下，春江街道坚持依法行政，全面推进法治政府建设，现将有关情况报告如下。"
    assert read(text).report.place.township_code is None
    assert read(text, url="https://www.cznd.gov.cn/html/a.html").report.place.county == "新北区"
    assert read(text, url="https://www.hzfy.gov.cn/a.html").report.place.county == "富阳区"
    assert read(text, url="https://www.cznd.example.com/a.html").report.place.township_code is None  # not a government host
