"""townships.csv and coverage.csv are written by buckets of counties: a county whose reports,
search and due years did not change is the parent release's bytes (and its zip segment and
Parquet rows); every release is byte for byte what the same store written whole gives."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from flows import release, store
from flows.records import Night
from flows.release import frame
from parsers.models import Source
from tests.conftest import SEED_NAMES
from tests.helpers import harvested

SOURCES = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/list.html"])]
COUNTY_TABLES = ("townships.csv", "coverage.csv")


def _buckets(folder: Path, name: str) -> dict[str, str]:
    """bucket → key of a table in a release's buckets.json."""
    return {c[0]: c[1] for c in json.loads((folder / "buckets.json").read_text(encoding="utf-8"))["tables"][name]["buckets"]}


def _two_nights(tmp_path: Path, first_at: datetime, second_at: datetime) -> tuple[Path, Path, Path]:
    """A release of every seed but the last, then one with the last: (first, second, the second's
    state written whole, without a parent)."""
    names = list(SEED_NAMES)
    whole = tmp_path / "whole"
    whole.mkdir()
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(first_at, [harvested(n) for n in names[:-1]], []))
        first = release.cut_release(conn, tmp_path / "releases", SOURCES, first_at)
        store.merge(conn, Night.of(second_at, [harvested(names[-1])], []))
        second = release.cut_release(conn, tmp_path / "releases", SOURCES, second_at)
        frame.write_townships(whole, conn, SOURCES, second_at)
    assert first is not None and second is not None
    return Path(first.path), Path(second.path), whole


def test_a_night_rewrites_only_the_county_of_its_new_report(tmp_path: Path) -> None:
    at = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
    old, new, whole = _two_nights(tmp_path, at, at.replace(hour=3))
    for name in COUNTY_TABLES:
        assert (new / name).read_bytes() == (whole / name).read_bytes(), name  # the same bytes as written whole
        before, after = _buckets(old, name), _buckets(new, name)
        same = [b for b in after if before.get(b) == after[b]]
        changed = [b for b in after if b not in same]
        assert len(changed) == 1 and same, (name, changed)  # the last seed's county, and only it
        assert len(changed[0]) == 6 and changed[0].isdigit()  # a county code
    with zipfile.ZipFile(new / f"fazhi-{new.name}.zip") as archive:
        assert archive.testzip() is None
        for name in COUNTY_TABLES:
            assert archive.read(f"fazhi-{new.name}/{name}") == (new / name).read_bytes()
    index = json.loads((new / "buckets.json").read_text(encoding="utf-8"))
    assert set(COUNTY_TABLES) <= set(index["zip"])  # their segments, for the next night's zip
    assert release.verify_release(tmp_path / "releases", new.name) == []


def test_a_deadline_passing_between_two_nights_changes_every_county_it_touches(tmp_path: Path) -> None:
    """2025's reports are due before 1 April 2026: a county's rows say not_due on 20 March and
    something else on 2 April, with no report of its own changed: its bucket is written again."""
    old, new, whole = _two_nights(tmp_path, datetime(2026, 3, 20, tzinfo=timezone.utc), datetime(2026, 4, 2, tzinfo=timezone.utc))
    for name in COUNTY_TABLES:
        assert (new / name).read_bytes() == (whole / name).read_bytes(), name
        before, after = _buckets(old, name), _buckets(new, name)
        assert not [b for b in after if before.get(b) == after[b]], name  # 2025 is a column of every county's rows
    assert "not_due" in (old / "coverage.csv").read_text(encoding="utf-8-sig")
    assert "not_due" not in (new / "coverage.csv").read_text(encoding="utf-8-sig")


def test_the_county_tables_parquet_copies_equal_copies_written_whole(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    from dataset import COVERAGE, townships_resource
    from flows.release.parquet import write_parquet

    at = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
    _, new, whole = _two_nights(tmp_path, at, at.replace(hour=3))
    years = [int(c) for c in (new / "townships.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",") if c.isdigit()]
    for resource in (townships_resource(years), COVERAGE):
        write_parquet(whole, resource)
        night, written_whole = pq.read_table(new / resource.parquet_path), pq.read_table(whole / resource.parquet_path)
        assert night.num_rows > 0 and night.equals(written_whole), resource.path


def test_provenance_buckets_follow_what_their_rows_are_made_of(tmp_path: Path) -> None:
    """provenance.csv's buckets follow its rows: a report seen again moves its last_checked and its
    bucket is written again; the file is what a release written whole has."""
    from datetime import timedelta

    from flows.release import cut

    at = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
    names = list(SEED_NAMES)
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(at, [harvested(n) for n in names], []))
        first = release.cut_release(conn, tmp_path / "releases", SOURCES, at)
        later = at + timedelta(days=1)
        original = harvested("chuanxi").extraction.original
        store.merge(conn, Night.of(later, [harvested(names[0]), harvested("chuanxi", original.replace("矛盾糾紛157起", "矛盾糾紛160起"))], []))
        second = release.cut_release(conn, tmp_path / "releases", SOURCES, later)
        (tmp_path / "whole" / "texts").mkdir(parents=True)
        cut._report_pass(conn, tmp_path / "whole", SOURCES, None, lambda *args, **kwargs: None)
        seen_again = {row[0] for row in conn.execute("SELECT report_id FROM reports WHERE last_seen > first_seen")}
    assert first is not None and second is not None
    old, new = Path(first.path), Path(second.path)
    assert (new / "provenance.csv").read_bytes() == (tmp_path / "whole" / "provenance.csv").read_bytes()
    before, after = _buckets(old, "provenance.csv"), _buckets(new, "provenance.csv")
    changed = {b for b in after if before.get(b) != after[b]}
    assert len(seen_again) == 2 and changed == {rid[:4] for rid in seen_again}, (changed, seen_again)
