"""Claims with denominators (issue 26): "figures" are counts of a named indicator; the counts no
indicator takes (``unclassified``, the reviewers' queue) are reported apart, in the night's report,
the release's manifest and change log, `fazhi releases` and the site's home page."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from flows.run.report import render_run_report, render_summary_lines
from tests.conftest import DemoNight


def _indicators(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row["indicator"] for row in csv.DictReader(handle)]


def test_a_demo_night_counts_figures_and_the_reviewers_queue_apart(demo_night: DemoNight) -> None:
    summary = demo_night.summary
    assert summary.release is not None
    folder = Path(summary.release.path)
    indicators = _indicators(folder / "observations.csv")
    queued = sum(1 for i in indicators if i == "unclassified")
    figures = len(indicators) - queued
    assert queued and figures  # the demo has both: the test would not tell them apart otherwise

    # the first night fetched every report: what it extracted is what the release holds
    assert (summary.observations, summary.unclassified) == (figures, queued)
    assert (summary.release.observations, summary.release.unclassified) == (figures, queued)
    counts = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["counts"]
    assert (counts["observations"], counts["unclassified"], counts["observation_rows"]) == (figures, queued, len(indicators))

    lines = render_summary_lines(summary)
    assert f"数字 | figures extracted: {figures}; {queued} unclassified counts in the reviewers' queue" in lines
    assert any(f"({counts['reports']} reports, {figures} figures; {queued} unclassified counts in the reviewers' queue)" in line for line in lines)
    assert f"figures extracted: {figures}; {queued} unclassified" in render_run_report(summary, {})
    changelog = (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"First release: {counts['reports']} reports, {figures} figures; {queued} unclassified counts in the reviewers' queue." in changelog

    # the site's home page reads the manifest: its 个数字 is the figures, not every row
    home = (demo_night.out / "index.html").read_text(encoding="utf-8")
    shown = re.search(r"<strong>(\d+)</strong> 个数字", home)
    assert shown is not None and int(shown.group(1)) == figures
