"""Coverage: on time, late, undated, found, not due, not found or not searched, per township and year."""

from datetime import date

from dataset.coverage import CountySearch, ReportFact, coverage, due_years
from parsers.identity.register import townships_of


def test_years_due_start_in_2019_and_end_with_the_last_deadline_passed() -> None:
    assert due_years(date(2026, 3, 31)) == list(range(2019, 2025))  # 2025's reports are due on 1 April 2026
    assert due_years(date(2026, 4, 1)) == list(range(2019, 2026))
    assert due_years(date(2026, 3, 1), [2026]) == [*range(2019, 2025), 2026]  # a report already out on a later year


def test_statuses_per_township_and_year() -> None:
    nilka = [t.code for t in townships_of("654028")]
    first, second = nilka[0], nilka[1]
    facts = [
        ReportFact(first, 2023, date(2024, 3, 31), "government_annual_report"),  # the last day in time
        ReportFact(first, 2024, date(2025, 4, 1), "government_annual_report"),  # the deadline itself is late
        ReportFact(second, 2024, None, "rule_of_law_work_report"),
        ReportFact(second, 2024, date(2025, 1, 20), "shufa"),
        ReportFact(second, 2023, date(2024, 1, 10), "other"),  # a 信息公开 report is not the rule-of-law report
        ReportFact(None, 2024, date(2025, 1, 1), "government_annual_report"),  # unresolved: no township to credit
    ]
    rows = {r.code: r for r in coverage(["654028"], facts, [2023, 2024])}
    assert set(rows) == set(nilka)
    assert rows[first].annual == {2023: "on_time", 2024: "late"}
    assert rows[second].annual == {2023: "not_found", 2024: "undated"} and rows[second].shufa == {2023: "not_found", 2024: "found"}
    assert rows[first].county == "尼勒克县" and rows[first].prefecture == "伊犁哈萨克自治州"
    assert all(r.annual == {2023: "not_found", 2024: "not_found"} for code, r in rows.items() if code not in (first, second))


def test_a_township_outside_the_covered_counties_that_published_is_listed_too() -> None:
    rows = coverage(["654028"], [ReportFact("220382201", 2024, date(2025, 3, 14), "government_annual_report")], [2024])
    outside = [r for r in rows if r.code == "220382201"]
    assert outside and outside[0].annual[2024] == "on_time"


def test_a_source_covering_an_unknown_county_is_refused_with_its_entry_and_field() -> None:
    import pytest

    from flows.harvest.registry import SourcesError, parse_sources

    text = "sources:\n  - id: a\n    name: 某县\n    adcode: \"654028\"\n    covers: [\"654028\", \"999999\"]\n    listing: [\"http://a.gov.cn/\"]\n"
    with pytest.raises(SourcesError, match=r"x.yaml: entry 1 \(a\): covers: 999999"):
        parse_sources(text, "x.yaml")
    assert parse_sources(text.replace("999999", "431223"), "x.yaml")[0].covers == ["654028", "431223"]


def test_a_county_nobody_searched_is_not_searched_never_not_found() -> None:
    """Covered and read (尼勒克县), named by a report but covered by no source (双辽市): its other
    townships are not_searched, the reporting one keeps its status."""
    shuangliao = "220382201"
    facts = [ReportFact(shuangliao, 2023, date(2024, 3, 14), "government_annual_report", report_id="a" * 16)]
    searched = {"654028": CountySearch(date(2024, 1, 1), reached_end=True)}
    rows = {r.code: r for r in coverage(["654028"], facts, [2023], also=[shuangliao], searched=searched, today=date(2026, 5, 1))}
    assert rows[shuangliao].annual[2023] == "on_time" and rows[shuangliao].cells["annual", 2023].report_id == "a" * 16
    nilka = [t.code for t in townships_of("654028")]
    assert {rows[c].annual[2023] for c in nilka} == {"not_found"}
    # the same county covered but never read: nothing can be said missing
    unread = {r.code: r for r in coverage(["654028"], facts, [2023], also=[shuangliao], searched={}, today=date(2026, 5, 1))}
    assert {unread[c].annual[2023] for c in nilka} == {"not_searched"}


def test_not_found_needs_a_listing_read_back_to_the_years_publication_window() -> None:
    nilka = townships_of("654028")[0].code
    today = date(2026, 6, 1)

    def status(search: CountySearch, year: int) -> str:
        return coverage(["654028"], [], [year], searched={"654028": search}, today=today)[0].annual[year]

    assert nilka  # the register lists the county
    # first read in 2026, five pages back to March 2025, not to the end: 2023's window (from January 2024) unseen
    shallow = CountySearch(date(2026, 5, 1), reached_end=False, oldest_listed=date(2025, 3, 1))
    assert status(shallow, 2023) == "not_searched"
    assert status(CountySearch(date(2026, 5, 1), reached_end=False, oldest_listed=date(2023, 12, 30)), 2023) == "not_found"
    assert status(CountySearch(date(2026, 5, 1), reached_end=True), 2019) == "not_found"  # the whole listing read
    assert status(CountySearch(date(2023, 11, 1)), 2023) == "not_found"  # watched since before the window opened


def test_a_year_whose_deadline_has_not_passed_is_not_due_for_the_others() -> None:
    """A 2025 report found in March 2026 does not make every other township's 2025 not_found."""
    nilka = [t.code for t in townships_of("654028")]
    facts = [ReportFact(nilka[0], 2025, date(2026, 3, 2), "government_annual_report")]
    years = due_years(date(2026, 3, 10), [2025])
    assert 2025 in years
    searched = {"654028": CountySearch(date(2020, 1, 1), reached_end=True)}
    rows = {r.code: r for r in coverage(["654028"], facts, years, searched=searched, today=date(2026, 3, 10))}
    assert rows[nilka[0]].annual[2025] == "on_time"
    assert {rows[c].annual[2025] for c in nilka[1:]} == {"not_due"}
    assert {rows[c].annual[2024] for c in nilka[1:]} == {"not_found"}
    assert rows[nilka[1]].shufa[2025] == "not_found"  # no deadline for 述法 reports: never not_due


def test_withdrawn_is_a_fact_beside_the_status() -> None:
    nilka = [t.code for t in townships_of("654028")]
    facts = [ReportFact(nilka[0], 2023, date(2024, 2, 1), "government_annual_report", withdrawn=True, report_id="b" * 16),
             ReportFact(nilka[1], 2023, date(2024, 2, 1), "government_annual_report", withdrawn=True, report_id="c" * 16),
             ReportFact(nilka[1], 2023, date(2024, 5, 1), "government_annual_report", withdrawn=False, report_id="d" * 16)]
    rows = {r.code: r for r in coverage(["654028"], facts, [2023])}
    assert rows[nilka[0]].cells["annual", 2023] == ("on_time", True, "b" * 16)
    assert rows[nilka[1]].cells["annual", 2023] == ("on_time", False, "c" * 16)  # another report of it is still online


def test_a_township_whose_only_report_could_not_be_read_is_unreadable_never_not_found() -> None:
    """Issue 29: a report found but not read (its file needs a tool) says something was published:
    ``unreadable``, with no report to cite; a readable report of the same year wins."""
    first, second, third = [t.code for t in townships_of("654028")][:3]
    facts = [ReportFact(first, 2023, None, "unknown", unreadable=True),
             ReportFact(second, 2023, None, "government_annual_report", unreadable=True),
             ReportFact(second, 2023, date(2024, 2, 1), "government_annual_report", report_id="a" * 16),
             ReportFact(third, 2023, None, "shufa", unreadable=True)]
    rows = {r.code: r for r in coverage(["654028"], facts, [2023], today=date(2026, 12, 7))}
    assert rows[first].annual[2023] == "unreadable" and rows[first].cells["annual", 2023].report_id == ""
    assert rows[second].annual[2023] == "on_time" and rows[second].cells["annual", 2023].report_id == "a" * 16
    assert rows[third].shufa[2023] == "unreadable" and rows[third].annual[2023] == "not_found"
