"""Who wrote each seed report, about which year, published when: as text and as the demo publishes it."""

from datetime import date

import pytest

from parsers import extract_report, read_document
from parsers.article import with_attachment_text
from parsers.models import Report, Source
from tests.conftest import PORTALS, demo_file, seed_path

XJ, HN, JL = "新疆维吾尔自治区", "湖南省", "吉林省"
# name: township, county, province, adcode, year, kind, script
PLACES = {
    "hujiertai": ("胡吉尔台乡", "尼勒克县", XJ, "654028", 2024, "shufa", "simplified"),
    "chuanxi": ("船溪乡", "辰溪县", HN, "431223", 2022, "government_annual_report", "traditional"),
    "xihu": ("西湖镇", "乌苏市", XJ, "654202", 2024, "rule_of_law_work_report", "simplified"),
    "xicang": ("西仓镇", None, None, None, 2025, "government_annual_report", "simplified"),
    "yongjia": ("永加乡", "双辽市", JL, "220382", 2024, "government_annual_report", "simplified"),
}
# Publication date the text itself states (发布时间 line or the date under the signature).
STATED = {"hujiertai": None, "chuanxi": date(2022, 11, 29), "xihu": None, "xicang": date(2025, 12, 9), "yongjia": date(2025, 3, 14)}
# As the demo portals publish them: the page's metadata adds what the text lacks.
DEMO_PUBLISHED = {
    "hujiertai": date(2025, 1, 20),
    "chuanxi": date(2022, 11, 29),
    "xihu": date(2025, 1, 15),
    "xicang": date(2025, 12, 9),
    "yongjia": date(2025, 3, 14),
}
STUB_PAGES = {"xihu": "region/info/1046/30167.htm", "yongjia": "region/info/1046/30452.htm"}
SOURCES = {
    "hujiertai": Source(id="nilka", name="尼勒克县人民政府", county="尼勒克县", adcode="654028", listing=["http://x/"]),
    "chuanxi": Source(id="chenxi", name="辰溪县人民政府", county="辰溪县", adcode="431223", listing=["http://x/"]),
}
REGION = Source(id="region", name="demo region", listing=["http://x/"])


def assert_place(report: Report, name: str) -> None:
    township, county, province, adcode, year, kind, script = PLACES[name]
    assert (report.place.township, report.place.county, report.place.province, report.place.adcode) == (township, county, province, adcode)
    assert (report.year, report.kind, report.level, report.script) == (year, kind, "township", script)


@pytest.mark.parametrize("name", PLACES)
def test_seed_text_is_identified(name: str) -> None:
    extraction = extract_report(read_document(seed_path(name).read_bytes(), str(seed_path(name))))
    assert_place(extraction.report, name)
    assert extraction.report.published_on == STATED[name]


@pytest.mark.parametrize("name", PLACES)
def test_demo_publication_is_identified(name: str) -> None:
    url = f"http://demo.gov.cn/{name}"
    document = read_document(demo_file(name).read_bytes(), url)
    if name in STUB_PAGES:
        document = with_attachment_text(read_document((PORTALS / STUB_PAGES[name]).read_bytes(), url), document)
    report = extract_report(document, SOURCES.get(name, REGION)).report
    assert_place(report, name)
    assert report.published_on == DEMO_PUBLISHED[name]
    assert report.on_time is True


def test_a_township_whose_county_is_not_named_stays_unresolved_and_flagged() -> None:
    extraction = extract_report(read_document(seed_path("xicang").read_bytes(), "xicang.txt"))
    assert extraction.report.place.county is None
    codes = {f.code: f.detail for f in extraction.flags}
    assert "county_unresolved" in codes and "西仓镇" in codes["county_unresolved"]


def test_registry_entry_outranks_the_text() -> None:
    text = "某某镇2024年法治政府建设年度报告\n2024年，乌苏市某某镇调解矛盾纠纷12起。".encode()
    source = Source(id="s", name="辰溪县人民政府", adcode="431223", listing=["http://x/"])
    report = extract_report(read_document(text, "a.txt"), source).report
    assert report.place.county == "辰溪县"
    assert report.place.evidence[0].source == "registry"


def test_late_publication_is_not_on_time() -> None:
    text = "某某乡2023年法治政府建设年度报告\n2023年，我乡依法行政。\n某某乡人民政府\n2024年4月15日".encode()
    report = extract_report(read_document(text, "a.txt")).report
    assert (report.year, report.published_on, report.on_time) == (2023, date(2024, 4, 15), False)


def test_signature_date_in_chinese_numerals() -> None:
    text = "某某镇2024年法治政府建设年度报告\n2024年以来，我镇依法行政。\n某某镇人民政府\n二〇二五年三月十四日".encode()
    assert extract_report(read_document(text, "a.txt")).report.published_on == date(2025, 3, 14)


def test_shufa_report_records_the_office_of_the_official() -> None:
    for path in (seed_path("hujiertai"), demo_file("hujiertai")):
        report = extract_report(read_document(path.read_bytes(), str(path))).report
        assert (report.kind, report.official) == ("shufa", "党委书记")


@pytest.mark.parametrize(
    "title, level, county",
    [
        ("尼勒克县司法局2024年法治政府建设年度报告", "department", "尼勒克县"),
        ("尼勒克县2024年法治政府建设年度报告", "county", "尼勒克县"),
        ("尼勒克县胡吉尔台乡2024年法治政府建设年度报告", "township", "尼勒克县"),
    ],
)
def test_level_of_the_publisher(title: str, level: str, county: str) -> None:
    text = f"{title}\n2024年，我们坚持依法行政，各项工作取得成效。".encode()
    report = extract_report(read_document(text, "a.txt")).report
    assert (report.level, report.place.county) == (level, county)
