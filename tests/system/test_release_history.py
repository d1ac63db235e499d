"""History kept and changes attributed (issue 26): a figure change is by the rules when the previous
revision, read by the new rules, already gives the new figure."""

import csv
from pathlib import Path

from flows.release.changes import diff_folders

RID = "0123456789abcdef"


def release(folder: Path, revision: int, value: str) -> Path:
    folder.mkdir()
    with (folder / "reports.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["report_id", "revision", "status", "title", "township", "county", "year", "kind"])
        writer.writerow([RID, revision, "active", "西湖镇2024年法治政府建设年度报告", "西湖镇", "乌苏市", "2024", "government_annual_report"])
    with (folder / "values.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["report_id", "indicator", "value", "qualifier"])
        writer.writerow([RID, "disputes_mediated", value, "exact"])
    return folder


def test_a_figure_the_previous_text_gives_under_the_new_rules_changed_by_the_rules(tmp_path: Path) -> None:
    old, new = release(tmp_path / "a", 1, "12"), release(tmp_path / "b", 2, "15")
    # the text changed and the rules too: the old text, read by the new rules, already says 15
    lines = diff_folders(old, new, reread=lambda rid, revision: {"disputes_mediated": "15"} if (rid, revision) == (RID, 1) else None)
    assert "- figure changed by the rules: 西湖镇2024年法治政府建设年度报告 (西湖镇, 乌苏市, 2024) `0123456789abcdef` disputes_mediated: 12 → 15" in lines
    # the new rules read 12 in the old text: the text made the change
    lines = diff_folders(old, new, reread=lambda rid, revision: {"disputes_mediated": "12"})
    assert any(line.startswith("- figure changed: ") and "12 → 15" in line for line in lines)
    # the old revision not read again by the new rules: the text is the only known cause
    assert any(line.startswith("- figure changed: ") for line in diff_folders(old, new, reread=lambda rid, revision: None))
    # the same revision: the rules alone, as before
    assert any(line.startswith("- figure changed by the rules: ") for line in diff_folders(old, release(tmp_path / "c", 1, "15")))


def test_the_store_keeps_every_listing_read_and_how_far_back_it_went(tmp_path: Path) -> None:
    from datetime import date, timedelta

    from flows import store
    from flows.records import Listing, Night
    from tests.helpers import NOW

    def read(night: int, pages: int, end: bool, oldest: date | None) -> Night:
        return Night.of(NOW + timedelta(days=night), listings=[Listing(source_id="x", complete=end, url_keys=[], pages=pages, reached_end=end,
                                                                        oldest_listed=oldest, max_pages=5)])

    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        assert store.listing_reads(conn) == {}
        quiet = store.fingerprint(conn)
        store.merge(conn, read(0, 5, False, date(2025, 3, 1)))  # max_pages stopped it
        first = store.listing_reads(conn)["x"]
        assert (first.reads, first.max_pages_read, first.reached_end, first.oldest_listed, first.stopped_by_max_pages) == (1, 5, False, "2025-03-01", True)
        assert first.monitored_since == first.last_listing == (NOW).isoformat() and store.fingerprint(conn) != quiet
        framed = store.fingerprint(conn)
        store.merge(conn, read(1, 5, False, date(2025, 3, 1)))  # the same depth again: no new release for it
        assert store.fingerprint(conn) == framed
        store.merge(conn, read(2, 3, True, date(2019, 6, 1)))  # a deeper read, to the listing's end
        last = store.listing_reads(conn)["x"]
        assert (last.reads, last.reached_end, last.oldest_listed, last.stopped_by_max_pages) == (3, True, "2019-06-01", False)
        assert last.monitored_since == first.monitored_since and last.last_listing == (NOW + timedelta(days=2)).isoformat()
        assert store.fingerprint(conn) != framed
