"""An analyst's questions, asked of the demo release with duckdb and pandas, and checked against
what is known independently (the register's townships, the figures in the reports' own words)."""

import csv
from pathlib import Path

import pytest

from dataset.format import TOWNSHIPS, pandas_dtypes
from parsers.register import townships_of
from tests.conftest import DemoNight

duckdb = pytest.importorskip("duckdb")
pandas = pytest.importorskip("pandas")

CHENXI, NILKA = "431223", "654028"  # 辰溪县, 尼勒克县: the demo's portals cover every township of these
CHUANXI = "431223200"  # 船溪乡 (辰溪县): its 2022 report, on time, 157 disputes mediated


@pytest.fixture(scope="module")
def demo(demo_night: DemoNight) -> Path:
    """The shared demo night's release (read only)."""
    assert demo_night.summary.release is not None
    return Path(demo_night.summary.release.path)


def sql(folder: Path, query: str) -> list[tuple[object, ...]]:
    """A query over the release's Parquet files and texts, named as tables."""
    con = duckdb.connect()
    for name in ("reports", "values", "indicators", "townships", "sources"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{folder / name}.parquet')")
    con.execute(f"CREATE VIEW texts AS SELECT * FROM read_json('{folder}/texts/*.jsonl.gz', format = 'newline_delimited')")
    return con.execute(query).fetchall()


def test_which_townships_of_the_covered_counties_published_late_or_not_at_all(demo: Path) -> None:
    expected = {t.code for county in (CHENXI, NILKA) for t in townships_of(county)} - {CHUANXI}
    found = sql(demo, """
        WITH covered AS (SELECT DISTINCT unnest(string_split(covers, ' ')) AS county_code FROM sources WHERE covers IS NOT NULL)
        SELECT t.township_code FROM townships t JOIN covered USING (county_code) WHERE t."2022" IN ('late', 'not_found')""")
    assert {code for (code,) in found} == expected and len(expected) > 30
    # The same in pandas, from the CSV read with the declared types (codes stay strings).
    townships = pandas.read_csv(demo / "townships.csv", dtype=pandas_dtypes(TOWNSHIPS) | {"2022": "string"})
    missing = townships[townships["county_code"].isin([CHENXI, NILKA]) & townships["2022"].isin(["late", "not_found"])]
    assert set(missing["township_code"]) == expected
    # 2024: 胡吉尔台乡 published a 述法 report, not its annual one: every township is missing.
    assert len(sql(demo, "SELECT 1 FROM townships WHERE county_code IN ('431223', '654028') AND \"2024\" = 'not_found'")) == len(expected) + 1


def test_disputes_mediated_per_county_and_year_with_coverage(demo: Path) -> None:
    found = sql(demo, """
        SELECT t.county_code, i.year, sum(i.disputes_mediated) AS disputes, count(DISTINCT i.township_code) AS reporting,
               (SELECT count(*) FROM townships a WHERE a.county_code = t.county_code) AS townships
        FROM indicators i JOIN townships t USING (township_code)
        WHERE i.disputes_mediated IS NOT NULL GROUP BY ALL ORDER BY ALL""")
    by_county = {(county, year): (disputes, reporting, total) for county, year, disputes, reporting, total in found}
    assert by_county[(CHENXI, 2022)] == (157, 1, len(townships_of(CHENXI)))
    assert by_county[(NILKA, 2024)][1:] == (1, len(townships_of(NILKA)))
    # Each sum is the values.csv figures of the reports of that county and year (read without duckdb).
    with (demo / "values.csv").open(encoding="utf-8-sig", newline="") as handle:
        values = {r["report_id"]: float(r["value"]) for r in csv.DictReader(handle) if r["indicator"] == "disputes_mediated"}
    with (demo / "reports.csv").open(encoding="utf-8-sig", newline="") as handle:
        reports = list(csv.DictReader(handle))
    for (county, year), (disputes, _, _) in by_county.items():
        assert disputes == sum(values.get(r["report_id"], 0) for r in reports if r["adcode"] == county and r["year"] == str(year))
    # pandas, from the Parquet copies: the same table.
    indicators, townships = pandas.read_parquet(demo / "indicators.parquet"), pandas.read_parquet(demo / "townships.parquet")
    joined = indicators.merge(townships[["township_code", "county_code"]], on="township_code").dropna(subset=["disputes_mediated"])
    totals = joined.groupby(["county_code", "year"])["disputes_mediated"].sum()
    assert {key: value for key, value in totals.items()} == {key: float(v[0]) for key, v in by_county.items()}


def test_which_sentence_a_value_came_from(demo: Path) -> None:
    rows = sql(demo, """
        SELECT v.indicator, v.value, v.quote, substring(x.text, v.quote_start + 1, v.quote_end - v.quote_start) AS sentence, v.basis
        FROM "values" v JOIN texts x USING (report_id) JOIN reports r USING (report_id)
        WHERE r.township_code = '431223200' ORDER BY v.indicator""")
    assert rows
    disputes = next(r for r in rows if r[0] == "disputes_mediated")
    assert disputes[1] == 157 and "157" in disputes[3]
    assert all(quote == sentence for _, _, quote, sentence, basis in rows if basis != "sum_of_parts")
