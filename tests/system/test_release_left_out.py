"""A night that survives one bad record (issue 31, item 6): a report the release writer cannot
write (a store row no table accepts) is left out of that release and named (report id, source,
reason) in the night's report and the release's notes; the release is cut with everything else,
and later nights are not blocked by it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from flows import release, store
from flows.records import Night
from parsers.models import Source
from tests.conftest import SEED_NAMES, seed_text, subprocess_env
from tests.helpers import NOW, harvested

SOURCE = Source(id="demo", name="演示", listing=["http://demo.gov.cn/"])
# Each a real store row no table accepts; each made every later release fail before.
BAD_ROWS = {
    "a date Arrow's date column refuses": "UPDATE revisions SET report = json_set(report, '$.published_on', '2024-02-30') WHERE report_id = ?",
    "text that is not UTF-8": "UPDATE revisions SET report = json_set(report, '$.title', CAST(x'e6a087eda080' AS TEXT)) WHERE report_id = ?",
    "an impossible date in the facts": "UPDATE revision_facts SET published_on = '2024-02-30' WHERE report_id = ?",
    "a figure stored as text": "UPDATE observations SET value = 'abc' WHERE report_id = ?",
    "an infinite year's value": "UPDATE year_values SET value = 9e999 WHERE report_id = ?",
    "a year stored as text": "UPDATE revision_facts SET year = 'abc' WHERE report_id = ?",
}


def _report_ids(folder: Path) -> set[str]:
    with (folder / "reports.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["report_id"] for row in csv.DictReader(handle)}


@pytest.mark.parametrize("sql", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_report_that_cannot_be_written_is_left_out_and_named_and_later_releases_go_on(tmp_path: Path, sql: str) -> None:
    names = list(SEED_NAMES)
    releases = tmp_path / "releases"
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, [harvested(n) for n in names[:3]], []))
        (bad,) = conn.execute("SELECT report_id FROM reports WHERE url = ?", (f"http://demo.gov.cn/{names[0]}.html",)).fetchone()
        others = {rid for (rid,) in conn.execute("SELECT report_id FROM reports WHERE report_id != ?", (bad,))}
        conn.execute(sql, (bad,))

        first = release.cut_release(conn, releases, [SOURCE], NOW)
        assert first is not None and release.verify_release(releases, first.version) == []
        assert _report_ids(Path(first.path)) == others  # the rest released, the bad one absent
        assert [f.source_id for f in first.left_out] == ["demo"] and bad in first.left_out[0].reason
        assert "cannot be written" in first.left_out[0].reason
        manifest = json.loads((Path(first.path) / "manifest.json").read_text(encoding="utf-8"))
        assert [e["report_id"] for e in manifest["left_out"]] == [bad] and manifest["left_out"][0]["source_id"] == "demo"
        assert f"left out of this release (it cannot be written): report `{bad}` of source demo" in (Path(first.path) / "CHANGELOG.md").read_text(encoding="utf-8")
        assert manifest["counts"]["reports"] == len(others)

        # The next night brings a new report: released, the bad one still left out and named again.
        later = NOW + timedelta(days=1)
        store.merge(conn, Night.of(later, [harvested(names[3])], []))
        second = release.cut_release(conn, releases, [SOURCE], later)
        assert second is not None and release.verify_release(releases, second.version) == []
        assert len(_report_ids(Path(second.path))) == len(others) + 1 and bad not in _report_ids(Path(second.path))
        assert [bad in f.reason for f in second.left_out] == [True]

        # Mended (the page republished: a new revision of its text): screened again and published.
        store.merge(conn, Night.of(later + timedelta(days=1), [harvested(names[0], seed_text(names[0]) + "\n（本文已更新）")], []))
        assert conn.execute("SELECT current_revision FROM reports WHERE report_id = ?", (bad,)).fetchone()[0] == 2
        third = release.cut_release(conn, releases, [SOURCE], later + timedelta(days=1))
        assert third is not None and third.left_out == [] and bad in _report_ids(Path(third.path))
        assert release.verify_release(releases, third.version) == []


def test_a_writer_fault_no_report_explains_still_fails_the_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every report failing is the writer's fault, not theirs: the error is raised, nothing is left out."""
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, [harvested(n) for n in list(SEED_NAMES)[:2]], []))

        def broken(*args: object, **kwargs: object) -> None:
            raise ValueError("the writer is broken")

        monkeypatch.setattr(release.cut, "_write_csv", broken)
        monkeypatch.setattr("flows.release.screen._write_csv", broken)
        with pytest.raises(ValueError, match="the writer is broken"):
            release.cut_release(conn, tmp_path / "releases", [SOURCE], NOW)
    assert not (tmp_path / "releases" / "LATEST").exists()


def test_a_night_with_one_unwritable_report_stored_exits_2_releases_the_rest_and_names_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with store.open_store(data / "fazhi.sqlite") as conn:  # a report of another source, stored on an earlier night
        text = "前卫镇2024年法治政府建设工作情况报告\n江川区前卫镇人民政府\n全年调解矛盾纠纷31起，开展普法宣传活动12场。"  # no demo report's township
        store.merge(conn, Night.of(NOW, [harvested("qianwei", text, source_id="offline")], []))
        (bad,) = conn.execute("SELECT report_id FROM reports").fetchone()
        conn.execute(BAD_ROWS["a date Arrow's date column refuses"], (bad,))
    command = [sys.executable, "-m", "flows.cli", "nightly", "--demo", "--data", str(data), "--out", str(tmp_path / "public")]
    run = subprocess.run(command, capture_output=True, text=True, env=subprocess_env(), timeout=600, cwd=Path(__file__).parents[2])
    assert run.returncode == 2, run.stdout + run.stderr  # a partial failure: the rest merged and published
    assert "Traceback" not in run.stderr
    named = [line for line in run.stdout.splitlines() if bad in line]
    assert named and "offline" in named[0] and "left out of release" in named[0] and "date32" in named[0], run.stdout
    version = (data / "releases" / "LATEST").read_text(encoding="utf-8").strip()
    folder = data / "releases" / version
    assert release.verify_release(data / "releases", version) == []
    ids = _report_ids(folder)
    assert bad not in ids and len(ids) == 6  # the demo's six reports released (five seeds, the formats portal's scan)
    assert bad in (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert (tmp_path / "public" / "index.html").is_file()  # the site was built from it

    again = subprocess.run(command, capture_output=True, text=True, env=subprocess_env(), timeout=600, cwd=Path(__file__).parents[2])
    assert again.returncode == 0, again.stdout + again.stderr  # a quiet night: nothing new, nothing crashed
    assert (data / "releases" / "LATEST").read_text(encoding="utf-8").strip() == version


def test_the_figure_pass_in_its_own_process_leaves_the_report_out_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At national scale the figures are written by a child process, with its own connection: it hides the report as well."""
    monkeypatch.setattr(release.cut, "PARALLEL_FROM", 1)
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, [harvested(n) for n in list(SEED_NAMES)[:3]], []))
        (bad,) = conn.execute("SELECT report_id FROM reports ORDER BY report_id").fetchone()
        conn.execute(BAD_ROWS["a figure stored as text"], (bad,))
        cut = release.cut_release(conn, tmp_path / "releases", [SOURCE], NOW)
    assert cut is not None and release.verify_release(tmp_path / "releases", cut.version) == []
    with (Path(cut.path) / "observations.csv").open(encoding="utf-8-sig", newline="") as handle:
        figures = list(csv.DictReader(handle))
    assert figures and bad not in {row["report_id"] for row in figures} and [bad in f.reason for f in cut.left_out] == [True]


def test_a_second_bad_report_on_a_later_night_is_left_out_beside_the_first(tmp_path: Path) -> None:
    """The cut that already hides the parent's left-out report fails on a new one: both are left out."""
    names, releases = list(SEED_NAMES), tmp_path / "releases"
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, [harvested(n) for n in names[:3]], []))
        (first_bad,) = conn.execute("SELECT report_id FROM reports ORDER BY report_id").fetchone()
        conn.execute(BAD_ROWS["an impossible date in the facts"], (first_bad,))
        first = release.cut_release(conn, releases, [SOURCE], NOW)
        assert first is not None and [first_bad in f.reason for f in first.left_out] == [True]

        later = NOW + timedelta(days=1)
        store.merge(conn, Night.of(later, [harvested(n) for n in names[3:]], []))
        (second_bad,) = conn.execute("SELECT report_id FROM reports WHERE url = ?", (f"http://demo.gov.cn/{names[3]}.html",)).fetchone()
        conn.execute(BAD_ROWS["text that is not UTF-8"], (second_bad,))
        second = release.cut_release(conn, releases, [SOURCE], later)
        assert second is not None and release.verify_release(releases, second.version) == []
        assert sorted(f.reason.split()[1] for f in second.left_out) == sorted([first_bad, second_bad])
        released = _report_ids(Path(second.path))
        assert len(released) == len(names) - 2 and not {first_bad, second_bad} & released
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == len(names)  # the store hides nothing once the cut is done
