"""Claims with denominators (issue 26): "figures" are counts of a named indicator; the counts no
indicator takes (``unclassified``, the reviewers' queue) are reported apart, in the night's report,
the release's manifest and change log, `fazhi releases` and the site's home page."""

from __future__ import annotations

import csv
import hashlib
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


def test_the_queue_is_counted_right_on_a_parent_whose_index_has_no_tally(tmp_path: Path) -> None:
    """A release cut before the queue was counted apart keeps no tally in buckets.json: its reused
    buckets are counted from their bytes, and the next release's counts still match its table."""
    from datetime import timedelta

    from flows import release, store
    from flows.records import Night
    from parsers.models import Source
    from tests.conftest import SEED_NAMES
    from tests.helpers import NOW, harvested

    source, names, releases = Source(id="demo", name="演示", listing=["http://demo.gov.cn/"]), list(SEED_NAMES), tmp_path / "releases"
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, [harvested(n) for n in names[:4]], []))
        first = release.cut_release(conn, releases, [source], NOW)
        assert first is not None
        index_path = Path(first.path) / "buckets.json"
        index = json.loads(index_path.read_text(encoding="utf-8"))
        assert index["tables"]["observations.csv"].pop("tally")
        index_path.write_text(json.dumps(index), encoding="utf-8")  # as an older release wrote it, its manifest saying so
        manifest_path = Path(first.path) / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["files"]["buckets.json"].update(sha256=hashlib.sha256(index_path.read_bytes()).hexdigest(), bytes=index_path.stat().st_size)
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
        store.merge(conn, Night.of(NOW + timedelta(days=1), [harvested(names[4])], []))
        second = release.cut_release(conn, releases, [source], NOW + timedelta(days=1))
    assert second is not None
    indicators = _indicators(Path(second.path) / "observations.csv")
    queued = sum(1 for i in indicators if i == "unclassified")
    assert queued and (second.observations, second.unclassified) == (len(indicators) - queued, queued)
