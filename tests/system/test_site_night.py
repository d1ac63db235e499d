"""The incremental night's site: what it reuses or reads by bucket is what a full build makes.

Real releases cut from a real store, real MkDocs builds; the night builds against the previous
site as publish_latest does, and its site is compared file by file with a fresh build of the same
release.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from flows.records import Listing
from tests.helpers import NOW, Night, all_seeds, harvested, seed_text

RECORDS = (".fazhi-pages.json", ".fazhi-figures.json")
COUNTY_REPORT = ("辰溪县司法局2022年度法治政府建设工作报告\n\n发布时间:2023-01-10 信息来源:辰溪县司法局\n\n"
                 "2022年，我局全面推进法治政府建设。全年共调解矛盾纠纷20起，开展法治宣传活动12次。\n")  # a department's: on no township page


def _sources() -> list:
    from parsers.models import Source

    return [Source(id="demo", name="演示", listing=["http://demo.gov.cn/"], covers=["431223"])]


# The source's listing read once to its end (the sampling frame; not complete, so nothing is withdrawn):
# 辰溪县's townships without a report are not_found, not not_searched.
READ_TO_THE_END = Listing(source_id="demo", complete=False, url_keys=[], pages=1, reached_end=True)


def _tree(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Release 1 and its site; release 2 (船溪乡's 2023 report added, 西湖镇's revised with a new
    figure) built as a night against that site, and afresh."""
    from sitegen.build import build_site

    from flows import release, store

    root = tmp_path_factory.mktemp("night")
    releases = root / "releases"
    with store.open_store(root / "fazhi.sqlite") as conn:
        # and a report on no township page (no township found in it): its archived text is reused too
        store.merge(conn, Night.of(NOW, [*all_seeds(), harvested("county-summary", COUNTY_REPORT)], listings=[READ_TO_THE_END]))
        first = release.cut_release(conn, releases, _sources(), NOW)
    assert first is not None
    build_site(releases, first.version, root / "first", root / "docs")
    later = seed_text("chuanxi").replace("2022", "2023").replace("2023-11-29", "2024-05-20").replace("157起", "171起")
    with store.open_store(root / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW + timedelta(days=1), [harvested("chuanxi-2023", later),
                                                             harvested("xihu", seed_text("xihu") + "\n全年发放宣传资料3000份。")]))
        second = release.cut_release(conn, releases, _sources(), NOW + timedelta(days=1))
    assert second is not None
    previous = root / "previous"
    os.system(f"cp -al '{root / 'first'}' '{previous}'")  # as the night's build reads the site it replaces
    stats = build_site(releases, second.version, root / "night", root / "docs", previous=previous)
    assert stats.reused > 0 and stats.rendered > 0  # a night that reused something and rendered what changed
    prints = json.loads((root / "night" / ".fazhi-pages.json").read_text(encoding="utf-8"))
    assert [k for k in prints if k.startswith("archive/")]  # the loose report's archived text, fingerprinted
    build_site(releases, second.version, root / "fresh", root / "docs")
    return {"first": root / "first", "night": root / "night", "fresh": root / "fresh", "releases": releases, "version": Path(second.version)}


def test_a_night_builds_the_same_site_as_a_full_build(night: dict[str, Path]) -> None:
    built, fresh = _tree(night["night"]), _tree(night["fresh"])
    assert sorted(built) == sorted(fresh)
    different = [name for name in fresh if built[name] != fresh[name] and name not in RECORDS]
    assert different == []
    assert json.loads(built["search/search_index.json"]) == json.loads(fresh["search/search_index.json"])


def test_the_pages_whose_data_changed_are_rebuilt(night: dict[str, Path]) -> None:
    """The county page (a township got a report), the indicator's pages (a new year's value), the
    home page and the township pages differ from the previous site: rebuilt, not carried over."""
    first, built = night["first"], night["night"]
    changed = ["index.html", "townships/湖南省/辰溪县/index.html", "townships/431223200/index.html",
               "indicators/disputes_mediated/2022/index.html", "indicators/disputes_mediated/index.html"]
    for name in changed:
        assert (built / name).read_bytes() != (first / name).read_bytes(), name
    assert "2023年度" in (built / "townships/431223200/index.html").read_text(encoding="utf-8")
    assert "171" in (built / "indicators/disputes_mediated/2023/index.html").read_text(encoding="utf-8")  # the new report's value, on a new year page
    county = (built / "townships/湖南省/辰溪县/index.html").read_text(encoding="utf-8")
    late_2023 = ('<th scope="row">2023年度</th><td>23</td><td>0<small>（0%）</small></td><td>1<small>（4%）</small></td>'
                 '<td>22<small>（96%）</small></td>')  # 船溪乡's 2023 report, published late (on time, late, not found)
    assert late_2023 in county and late_2023 not in (first / "townships/湖南省/辰溪县/index.html").read_text(encoding="utf-8")


def test_a_figure_table_read_by_bucket_gives_each_report_the_rows_a_whole_read_gives(night: dict[str, Path]) -> None:
    from sitegen.build import TextIndex, _read_csv
    from sitegen.reading.buckets import BucketedRows, BucketedTexts, read_index
    from sitegen.render.figures import FigureIndex

    folder = night["releases"] / str(night["version"])
    index = read_index(folder)
    ids = [r["report_id"] for r in _read_csv(folder / "reports.csv")]
    for name in ("observations.csv", "values.csv"):
        table = BucketedRows.of(folder, name, index)
        assert table is not None, name
        whole = FigureIndex(folder / name, set(ids))
        assert any(whole.raw(i) for i in ids)
        for i in ids:
            assert table.raw(i) == whole.raw(i), (name, i)
    texts, whole_texts = BucketedTexts.of(folder, index), TextIndex(folder)
    assert texts is not None
    for i in ids:
        assert texts.record(i) == whole_texts.record(i)
    with pytest.raises(KeyError):
        texts.record("f" * 16)


def test_an_index_that_does_not_fit_its_file_is_not_trusted(night: dict[str, Path], tmp_path: Path) -> None:
    """A bucket index from elsewhere (offsets past the file, a file replaced): the file is read whole."""
    import shutil

    from sitegen.reading.buckets import BucketedRows, BucketedTexts, read_index

    folder = tmp_path / "release"
    shutil.copytree(night["releases"] / str(night["version"]), folder)
    index = read_index(folder)
    assert index is not None
    with (folder / "observations.csv").open("ab") as handle:
        handle.write(b"0123456789abcdef,1,1,x,1,,exact,,,,,true,,,active\r\n")
    assert BucketedRows.of(folder, "observations.csv", index) is None
    assert BucketedRows.of(folder, "values.csv", index) is not None
    texts = index["texts"]
    name = next(iter(texts))
    texts[name]["buckets"][0][3] += 1
    assert BucketedTexts.of(folder, index) is None
    assert BucketedTexts.of(folder, {"tables": index["tables"]}) is None


def test_a_report_whose_bucket_changed_is_hashed_again(night: dict[str, Path], tmp_path: Path) -> None:
    """Recorded digests are taken only for reports whose buckets kept their key in every table."""
    from sitegen.reading.buckets import BucketedRows, read_index
    from sitegen.reading.digests import DIGESTS, FigureDigests, write_record

    folder = night["releases"] / str(night["version"])
    index = read_index(folder)
    tables = [t for t in (BucketedRows.of(folder, n, index) for n in ("observations.csv", "values.csv")) if t is not None]
    assert len(tables) == 2
    ids = sorted({i for t in tables for i in _ids(t)})
    fresh = FigureDigests([t.raw for t in tables], tables, None)
    truth = {i: fresh.of(i) for i in ids}
    record = fresh.record({i: "recorded-" + i for i in ids})
    assert record is not None
    changed_id = ids[0]
    bucket = tables[1].bucket_of(changed_id)
    record["tables"][1][1][bucket][0] = "another key"  # values.csv's bucket of that report changed
    site = tmp_path / "site"
    site.mkdir()
    write_record(site, record)
    assert (site / DIGESTS).exists()
    again = FigureDigests([t.raw for t in tables], tables, site)
    for i in ids:
        same_bucket = tables[1].bucket_of(i) == bucket
        assert again.of(i) == (truth[i] if same_bucket else "recorded-" + i), i
    (site / DIGESTS).write_text("{not json", encoding="utf-8")
    assert all(FigureDigests([t.raw for t in tables], tables, site).of(i) == truth[i] for i in ids)


def _ids(table: object) -> set[str]:
    from sitegen.reading.buckets import _split_by_report

    path = table.path  # type: ignore[attr-defined]
    found: set[str] = set()
    with path.open("rb") as handle:
        for _, at, length in table.buckets.values():  # type: ignore[attr-defined]
            handle.seek(at)
            found |= set(_split_by_report(handle.read(length), table.column))  # type: ignore[attr-defined]
    return found


def test_blocks_put_in_after_the_theme_give_the_same_pages_and_search_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Status tables reach the search plugin as an empty excluded element and the page whole:
    every page and the search index are those of a build that gives the plugin every block."""
    from sitegen import build
    from sitegen.render.blocks import HtmlBlocks

    from tests.helpers import build_seed_site

    deferred = _tree(build_seed_site(tmp_path))
    version = next(p.name for p in (tmp_path / "releases").iterdir() if p.is_dir())
    monkeypatch.setattr(build, "HtmlBlocks", lambda: HtmlBlocks(defer=False))
    build.build_site(tmp_path / "releases", version, tmp_path / "whole", tmp_path / "docs", strict=True)
    whole = _tree(tmp_path / "whole")
    assert sorted(deferred) == sorted(whole)
    assert [n for n in whole if deferred[n] != whole[n]] == []
    county = deferred["townships/湖南省/辰溪县/index.html"].decode("utf-8")
    assert "fazhi-status-table" in county and "data-fazhi-block" not in county


def test_only_a_block_that_is_one_excluded_element_is_deferred() -> None:
    from sitegen.render.blocks import excluded_whole

    assert excluded_whole('<div class="x" data-search-exclude><table><tr><td><div>1</div></td></tr></table></div>')
    assert excluded_whole('<figure class="fazhi-chart" data-search-exclude><svg></svg></figure>')
    assert not excluded_whole('<p>note</p><div data-search-exclude></div>')
    assert not excluded_whole('<div data-search-exclude>a</div><p>searched</p><div>b</div>')
    assert not excluded_whole('<div class="x">a</div>')
    assert not excluded_whole('<div data-search-excluded>a</div>')


def test_values_indexed_in_columns_are_what_the_row_by_row_index_gives(night: dict[str, Path], tmp_path: Path) -> None:
    """ValueIndex (Arrow and NumPy) against FigureIndex's loop: the same counts, sums, county totals,
    largest rows in the same order (ties: the earlier row), keys in the order first seen."""
    import shutil

    from sitegen.build import _primary_reports, _read_csv
    from sitegen.reading.buckets import BucketedRows, read_index
    from sitegen.render import figures
    from sitegen.render.figures import FigureIndex, ValueIndex

    folder = night["releases"] / str(night["version"])
    reports = _read_csv(folder / "reports.csv")
    by_id = {r["report_id"]: r for r in reports}
    primary = _primary_reports(reports)
    table = BucketedRows.of(folder, "values.csv", read_index(folder))
    fast, slow = ValueIndex(folder / "values.csv", table, by_id, primary), FigureIndex(folder / "values.csv", by_id, primary, per_year=True)  # type: ignore[arg-type]
    for name in ("counted", "counts", "year_units", "county_totals", "by_year", "header"):
        assert getattr(fast, name) == getattr(slow, name), name
        assert _ordered(getattr(fast, name)) == _ordered(getattr(slow, name)), name  # key order too
    assert all(fast.raw(i) == slow.raw(i) for i in by_id)
    assert fast.county_medians == slow.county_medians  # each county's median per indicator, year and unit

    # Ties at the cut, a quoted line break, a report missing from reports.csv, a second unit: a
    # file of our own, every report in one county and one year.
    header = "\ufeffreport_id,indicator,value,unit,qualifier,basis,quote,quote_start,quote_end,flag_codes\r\n"
    lines, rows_of = [header], {}
    for n in range(40):
        rid = f"{n:016x}"
        rows_of[rid] = {"report_id": rid, "year": "2024" if n % 7 else "", "province": "省", "county": f"县{n % 3}"}
        lines.append(f'{rid},disputes_mediated,{n % 4},{"件" if n % 5 else "起"},{"exact" if n % 6 else "at_least"},stated_total,"第{n}句\r\n换行, 逗号",1,5,\r\n')
        lines.append(f"{rid},legal_aid_cases,{n * 1.5},件,exact,single_mention,“{n}”,1,2,\r\n")
    lines.append("ffffffffffffffff,disputes_mediated,99,件,exact,stated_total,无此报告,1,2,\r\n")
    path = tmp_path / "values.csv"
    path.write_bytes("".join(lines).encode("utf-8"))
    start = len(header.encode("utf-8"))
    index = {"tables": {"values.csv": {"header": "h", "buckets": [["0", "k", start, path.stat().st_size - start, 0]]}}}
    own = BucketedRows.of(tmp_path, "values.csv", index)
    assert own is not None
    shutil.copy(path, tmp_path / "copy.csv")
    keep = figures.KEEP
    try:
        figures.KEEP = 5  # the cut falls among equal values
        fast = ValueIndex(path, own, rows_of, {r for r in rows_of if int(r, 16) % 2})
        slow = FigureIndex(tmp_path / "copy.csv", rows_of, {r for r in rows_of if int(r, 16) % 2}, per_year=True)
    finally:
        figures.KEEP = keep
    for name in ("counted", "counts", "year_units", "county_totals", "by_year"):
        assert _ordered(getattr(fast, name)) == _ordered(getattr(slow, name)), name
    assert fast.county_medians == slow.county_medians and fast.county_medians[("省", "县1")][("disputes_mediated", "2024", "件")][1] > 1
    assert any("\r\n" in r["quote"] for rs in fast.by_year["disputes_mediated"].values() for r in rs)


def _ordered(value: object) -> object:
    """Dicts as lists of their items: equal only in the same order."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value
