"""Coverage: on time, late, undated or not found, per township of the covered counties and year."""

from datetime import date

from dataset.coverage import ReportFact, coverage, due_years
from parsers.register import townships_of


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
    assert rows[second].annual == {2023: "not_found", 2024: "undated"} and rows[second].shufa == {2023: "not_found", 2024: "on_time"}
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
