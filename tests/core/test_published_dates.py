"""Where a publication date comes from when the page states none (issue 26): the listing's date
beside the link, else a date the URL's path states. Pure: no network, no clock."""

from __future__ import annotations

from datetime import date

import pytest

from parsers import Document, extract_report, with_listing_date
from parsers.identity.identify import date_in_url

REPORT = ("西湖镇2024年法治政府建设年度报告\n"
          "2024年，西湖镇坚持以习近平法治思想为指导，深入推进法治政府建设。全年调解矛盾纠纷32起，开展普法宣传活动15场，"
          "组织学法活动6次，行政执法案件办理12件。依法行政水平持续提升，法治政府建设取得新成效。")


@pytest.mark.parametrize(("url", "expected"), [
    ("http://www.x.gov.cn/art/2025/0315/art_1229_1.html", date(2025, 3, 15)),  # /YYYY/MMDD/
    ("http://www.x.gov.cn/zwgk/202503/t20250315_5512345.html", date(2025, 3, 15)),  # TRS: t + YYYYMMDD + _
    ("http://www.x.gov.cn/xxgk/20250315/1.html", date(2025, 3, 15)),  # a bare day folder
    ("http://www.x.gov.cn/2025/03/15/a.html", date(2025, 3, 15)),
    ("http://www.x.gov.cn/2025/0315/t20250315_1.html", date(2025, 3, 15)),  # two spellings of one day
])
def test_a_date_the_url_path_states(url: str, expected: date) -> None:
    found = date_in_url(url)
    assert found is not None and found[0] == expected


@pytest.mark.parametrize("url", [
    "http://www.x.gov.cn/a/P020250315512345678901.pdf",  # an attachment number: digits run on
    "http://www.x.gov.cn/a/art_20251345.html",  # eight digits, no such month
    "http://www.x.gov.cn/a/art_20250230.html",  # no 30 February
    "http://www.x.gov.cn/a/19990315.html",  # outside 2000–2099
    "http://www.x.gov.cn/a/120250315.html",  # nine digits
    "http://www.x.gov.cn/2025/0315/t20250316_1.html",  # two days disagree: neither is sure
    "http://20250315.gov.cn/a.html",  # the host is not the path
    "http://www.x.gov.cn/a.html?d=20250315",  # nor is the query
    "http://www.x.gov.cn/col/col4521/index.html",
])
def test_digits_that_are_not_a_sure_date_are_none(url: str) -> None:
    assert date_in_url(url) is None


def _report(url: str, text: str = REPORT, listed: date | None = None, meta: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    document = with_listing_date(Document(url=url, title="西湖镇2024年法治政府建设年度报告", text=text, meta=meta or {}), listed)
    return extract_report(document).report


def test_the_listing_date_is_the_publication_date_when_the_page_has_none() -> None:
    report = _report("http://www.x.gov.cn/zwgk/202503/t20250312_1.html", listed=date(2025, 3, 10))
    assert (report.published_on, report.published_on_source) == (date(2025, 3, 10), "listing")  # before the URL's
    assert report.on_time is True


def test_the_url_date_when_neither_page_nor_listing_has_one() -> None:
    report = _report("http://www.x.gov.cn/zwgk/202504/t20250402_1.html")
    assert (report.published_on, report.published_on_source, report.on_time) == (date(2025, 4, 2), "url", False)
    assert report.published_evidence == "URL: 20250402"


def test_the_page_s_own_date_comes_first() -> None:
    report = _report("http://www.x.gov.cn/zwgk/202504/t20250402_1.html", listed=date(2025, 3, 10), meta={"published": "2025-03-20 10:00"})
    assert (report.published_on, report.published_on_source) == (date(2025, 3, 20), "page_metadata")


def test_no_date_anywhere_is_undated() -> None:
    report = _report("http://www.x.gov.cn/art/5512345.html")
    assert (report.published_on, report.published_on_source, report.on_time) == (None, None, None)
