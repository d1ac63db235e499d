"""Bounded cells (issue 31, item 6): one hostile page never blocks later releases.

A report listed under 520 long URLs, a page whose <title> is 160,000 characters, a report with
100,000 mirror URLs: each made a CSV cell over csv's field limit (131,072) or Arrow's read block,
and every later night crashed. Every text cell of a table is now bounded, the mirrors listed are
bounded with the rest counted in a flag, and every reader sets its field limit explicitly."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dataset import MAX_CELL, bound_cell
from flows import release, store
from flows.harvest.http import FetchError, parse_target
from flows.records import Night
from flows.release.files import iter_texts
from flows.store.read import MAX_MIRRORS
from parsers.models import Source
from tests.conftest import SEED_NAMES
from tests.helpers import NOW, harvested

SOURCE = Source(id="demo", name="演示", listing=["http://demo.gov.cn/"])


@pytest.fixture
def default_csv_limit() -> Iterator[None]:
    """Read as any analyst's csv module would: with the default field limit of 131,072."""
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


def _mirrors(conn: sqlite3.Connection, report_id: str, count: int, length: int) -> None:
    when = NOW.isoformat()
    pad = "x" * max(0, length - 60)
    conn.execute("BEGIN")  # one transaction: the store's connection commits each statement by itself
    conn.executemany("INSERT INTO mirrors VALUES ('demo', ?, ?, ?, ?, ?)",
                     ((f"/m/{n}/{pad}", f"http://demo.gov.cn/m/{n}/{pad}", report_id, when, when) for n in range(count)))
    conn.execute("COMMIT")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_huge_title_and_huge_mirror_lists_release_tonight_and_the_next_nights(tmp_path: Path, default_csv_limit: None) -> None:
    names = list(SEED_NAMES)
    releases = tmp_path / "releases"
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        night = [harvested(names[0], title="标题" * 80_000)] + [harvested(n) for n in names[1:3]]
        store.merge(conn, Night.of(NOW, night, []))
        by_url = dict(conn.execute("SELECT url, report_id FROM reports"))
        long_listed, many_mirrors = by_url[f"http://demo.gov.cn/{names[1]}.html"], by_url[f"http://demo.gov.cn/{names[2]}.html"]
        _mirrors(conn, long_listed, 520, 2_000)
        _mirrors(conn, many_mirrors, 100_000, 80)
        first = release.cut_release(conn, releases, [SOURCE], NOW)
        assert first is not None and release.verify_release(releases, first.version) == []

        reports = {row["report_id"]: row for row in _rows(Path(first.path) / "reports.csv")}  # the default limit reads it
        assert len(reports) == 3 and all(len(cell) <= MAX_CELL for row in reports.values() for cell in row.values())
        assert len(reports[by_url[f"http://demo.gov.cn/{names[0]}.html"]]["title"]) <= release.sources.MAX_TITLE
        assert "[cut: 160,000 characters]" in reports[by_url[f"http://demo.gov.cn/{names[0]}.html"]]["title"]
        assert len(reports[many_mirrors]["mirror_urls"].split(" ")) == MAX_MIRRORS
        table = pq.read_table(Path(first.path) / "reports.parquet")
        assert table.num_rows == 3
        texts = {t["report_id"]: t for t in iter_texts(Path(first.path))}
        flags = {f["code"]: f["detail"] for f in texts[many_mirrors]["flags"]}
        assert flags["mirrors_cut"].startswith(f"{100_000 - MAX_MIRRORS} more URL(s)")
        assert "mirrors_cut" in {f["code"] for f in texts[long_listed]["flags"]}

        # The next nights: a new report, then nothing new; each releases (or says nothing changed).
        later = NOW + timedelta(days=1)
        store.merge(conn, Night.of(later, [harvested(names[3]).model_copy(update={"fetched_at": later})], []))
        second = release.cut_release(conn, releases, [SOURCE], later)
        assert second is not None and release.verify_release(releases, second.version) == []
        assert "added" in (Path(second.path) / "CHANGELOG.md").read_text(encoding="utf-8")
        assert pq.read_table(Path(second.path) / "reports.parquet").num_rows == 4
        assert release.cut_release(conn, releases, [SOURCE], later + timedelta(days=1)) is None


def test_a_release_written_before_cells_were_bounded_still_reads(tmp_path: Path) -> None:
    """The release's own readers set csv's field limit: a 200,000-character cell of an old release
    is read (the diff of the next night), not a crash."""
    from flows.release.changes import _read_csv

    path = tmp_path / "old.csv"
    path.write_text("report_id,title\nr1," + "长" * 200_000 + "\n", encoding="utf-8-sig")
    assert len(next(_read_csv(path))["title"]) == 200_000


def test_a_cell_is_cut_with_a_mark_saying_how_long_it_was() -> None:
    assert bound_cell("短") == "短"
    cut = bound_cell("长" * 160_000)
    assert len(cut) == MAX_CELL and cut.endswith(" …[cut: 160,000 characters]")


def test_a_url_longer_than_2048_characters_is_refused() -> None:
    with pytest.raises(FetchError, match="a URL of 4,0.. characters"):
        parse_target("http://demo.gov.cn/" + "a" * 4_000)
    assert parse_target("http://demo.gov.cn/" + "a" * 1_000)[1] == "demo.gov.cn"
