"""An analyst's questions, asked of the demo release with duckdb and pandas, and checked against
what is known independently (the register's townships, the figures in the reports' own words)."""

import csv
from pathlib import Path

import pytest

from dataset.format import TOWNSHIPS, pandas_dtypes
from parsers.identity.register import townships_of
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


# --- issue 26: the sampling frame and the codebook's research questions --------------------------

UNCOVERED = {"220382": "双辽市", "623026": "碌曲县", "654202": "乌苏市"}  # named by the demo's reports, covered by no source


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def codebook_queries(folder: Path) -> list[str]:
    """The duckdb queries of the release's own CODEBOOK.md, in order."""
    text = (folder / "CODEBOOK.md").read_text(encoding="utf-8")
    section = text.split("## Research questions in duckdb", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0].strip() for block in section.split("```sql")[1:]]


def test_counties_no_source_covers_are_not_searched_never_not_found(demo: Path) -> None:
    frame = {r["county_code"]: r for r in rows_of(demo / "frame.csv")}
    for county in UNCOVERED:
        assert frame[county]["covered"] == "false" and frame[county]["sources"] == "[]" and frame[county]["monitored_since"] == ""
    for county in (CHENXI, NILKA):
        assert frame[county]["covered"] == "true" and frame[county]["monitored_since"] and frame[county]["reached_end"] == "true"
        assert frame[county]["townships"] == str(len(townships_of(county)))
    coverage = rows_of(demo / "coverage.csv")
    uncovered = [r for r in coverage if r["county_code"] in UNCOVERED and r["report_group"] == "annual"]
    assert uncovered and {r["status"] for r in uncovered if not r["report_id"]} == {"not_searched"}
    assert {r["status"] for r in uncovered if r["report_id"]} <= {"on_time", "late", "undated"}  # their own reports keep a status
    covered = [r for r in coverage if r["county_code"] in (CHENXI, NILKA) and not r["report_id"]]
    assert covered and {r["status"] for r in covered} <= {"not_found", "not_due"} and "not_searched" not in {r["status"] for r in covered}
    # the wide table says the same
    wide = {r["township_code"]: r for r in rows_of(demo / "townships.csv")}
    assert all(wide[r["township_code"]][r["year"] + ("_shufa" if r["report_group"] == "shufa" else "")] == r["status"] for r in coverage)
    # the deadline rule is stated per group: none for 述法 reports, which are never on time or late
    assert {r["deadline_rule"] for r in coverage if r["report_group"] == "shufa"} == {"none"}
    assert {r["deadline_rule"] for r in coverage if r["report_group"] == "annual"} == {"before_1_april_next_year"}
    assert not {r["status"] for r in coverage if r["report_group"] == "shufa"} & {"on_time", "late", "not_due"}


def test_the_codebooks_research_questions_answer_in_duckdb(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each question is at most five lines of duckdb in the release's CODEBOOK.md, and gives the
    answer computed here from the CSVs with the csv module."""
    from statistics import median

    queries = codebook_queries(demo)
    assert len(queries) == 3 and all(len(q.splitlines()) <= 5 for q in queries)
    monkeypatch.chdir(demo)
    con = duckdb.connect()
    # 1. share of searched townships on time, per county and year
    shares = {(county, str(year)): (share, n) for county, year, share, n in con.execute(queries[0]).fetchall()}
    searched = [r for r in rows_of(demo / "coverage.csv") if r["report_group"] == "annual" and r["status"] not in ("not_searched", "not_due")]
    expected: dict[tuple[str, str], list[int]] = {}
    for r in searched:
        expected.setdefault((r["county_code"], r["year"]), []).append(r["status"] == "on_time")
    assert shares.keys() == expected.keys()
    assert all(abs(shares[k][0] - sum(v) / len(v)) < 1e-9 and shares[k][1] == len(v) for k, v in expected.items())
    assert shares[(CHENXI, "2022")] == (1 / len(townships_of(CHENXI)), len(townships_of(CHENXI)))
    # 2. median disputes mediated per township, by province and year
    medians = {(p, str(y)): m for p, y, m, _ in con.execute(queries[1]).fetchall()}
    indicators = [r for r in rows_of(demo / "indicators.csv") if r["disputes_mediated"] and r["kind"] != "shufa"]
    by_province: dict[tuple[str, str], list[float]] = {}
    for r in indicators:
        code = r["township_code"] or r["adcode"]
        by_province.setdefault((code[:2] + "0000", r["year"]), []).append(float(r["disputes_mediated"]))
    assert medians == {k: median(v) for k, v in by_province.items()} and medians
    # 3. the join by township code: every figure of a resolved township finds its register row
    joined = con.execute(queries[2]).fetchall()
    long = [r for r in rows_of(demo / "figures_long.csv") if r["township_code"]]
    assert len(joined) == len(long) > 0


def test_the_long_table_is_indicators_csv_in_long_form(demo: Path) -> None:
    import json

    long = rows_of(demo / "figures_long.csv")
    assert not [c for c in long[0] if c[:1].isdigit()]
    wide = rows_of(demo / "indicators.csv")
    cells = {(r["report_id"], key): r[key] for r in wide for key in r if f"{key}_qualifier" in r and r[key]}
    assert {(r["report_id"], r["indicator"]): r["value"] for r in long} == cells
    for r in long:
        assert isinstance(json.loads(r["flags"]), list)
        assert r["county_code"] == (r["township_code"][:6] if r["township_code"] else r["county_code"])
        assert r["province_code"][:2] == r["county_code"][:2]
        source = next(w for w in wide if w["report_id"] == r["report_id"])
        assert (r["qualifier"], r["basis"], r["flags"]) == (source[f"{r['indicator']}_qualifier"], source[f"{r['indicator']}_basis"],
                                                            json.dumps([f for f in source[f"{r['indicator']}_flags"].split(";") if f]))
    # a single mention is a lower bound, never a bare number
    assert {r["qualifier"] for r in long if r["basis"] == "single_mention"} <= {"at_least", "approx"}
    # read by default tools, the codes stay text (the README's snippets)
    frame = pandas.read_csv(demo / "figures_long.csv", dtype=str, keep_default_na=False)
    assert frame["township_code"].map(lambda c: c == "" or (len(c) == 9 and c.isdigit())).all()
    found = duckdb.connect().execute(f"SELECT typeof(county_code) FROM read_csv('{demo / 'figures_long.csv'}', all_varchar = true) LIMIT 1")
    assert found.fetchone() == ("VARCHAR",)
