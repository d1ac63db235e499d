"""History kept and changes attributed (issue 26): a figure change is by the rules when the previous
revision, read by the new rules, already gives the new figure."""

import csv
from pathlib import Path

from flows.release.cut import diff_folders

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
