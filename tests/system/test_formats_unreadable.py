"""A report found but not read reaches users (issue 29): two real nights on loopback over the formats
demo portal's old Word .doc (船溪乡's 2022 report behind a stub page). The first night runs with a
PATH that has neither antiword nor LibreOffice: the release lists the report in unreadable.csv with
what it needs, coverage gives 船溪乡 2022 the status unreadable (not not_found), the township page
of the MkDocs site says a report exists and could not be read, and what it needs; the night is not
failed for it. The second night has the tools: the report is read and the status moves.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from pathlib import Path

import pytest

from flows import release
from flows.demo.server import FORMATS_PORTALS, FORMATS_SOURCES_TEMPLATE, demo_sources_yaml, serve_portals
from flows.harvest import convert
from flows.records import RunSummary
from flows.run.report import render_summary_lines

HIDDEN = {"antiword", "soffice", "libreoffice", "lowriter", "localc"}
CHUANXI = "431223"  # 辰溪县: 船溪乡's county


def _path_without_tools(folder: Path) -> str:
    """A PATH with every program of this one but the .doc converters (symlinks in ``folder``)."""
    folder.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not Path(directory).is_dir():
            continue
        for entry in Path(directory).iterdir():
            target = folder / entry.name
            if entry.name not in HIDDEN and not target.exists() and not target.is_symlink():
                target.symlink_to(entry)
    return str(folder)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _doc_portal(root: Path) -> Path:
    """The formats portal with its listing cut to the .doc (OCR of the scan is another test's)."""
    shutil.copytree(FORMATS_PORTALS, root)
    listing = root / "formats" / "list" / "index.htm"
    text = re.sub(r"<li>(?:(?!</li>).)*</li>\n?", lambda m: m.group(0) if "art/doc.htm" in m.group(0) else "", listing.read_text(encoding="utf-8"),
                  flags=re.DOTALL)
    listing.write_text(text.replace("共4条", "共1条"), encoding="utf-8")
    return root


@pytest.mark.usefixtures("prefect_harness")
def test_a_report_no_tool_here_can_read_is_listed_counted_unreadable_and_shown_then_read_when_the_tool_is_there(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.nightly import nightly

    data, site = tmp_path / "data", tmp_path / "public"
    with serve_portals(_doc_portal(tmp_path / "portal")) as portals:
        sources = tmp_path / "sources.yaml"
        sources.write_text(demo_sources_yaml(portals, FORMATS_SOURCES_TEMPLATE), encoding="utf-8")
        with monkeypatch.context() as hidden:
            hidden.setenv("PATH", _path_without_tools(tmp_path / "bin"))
            assert shutil.which("antiword") is None and convert.libreoffice() is None and shutil.which("python3") is not None
            first = nightly(sources_file=sources, data_dir=data, out_dir=site)
        assert isinstance(first, RunSummary), first  # not a failure of the night: the report is kept, counted, shown
        assert [(f.url.rsplit("/", 1)[-1], f.needs) for f in first.failures] == [("doc.htm", "antiword or LibreOffice")]
        lines = render_summary_lines(first)
        assert "失败 | failures: none" in lines
        assert "待读 | unreadable without a tool: 1 report(s), needs antiword or LibreOffice: 1 (docs/formats.md says what to install)" in lines
        folder = data / "releases" / (release.latest_version(data / "releases") or "")
        unread = _rows(folder / "unreadable.csv")
        assert len(unread) == 1
        row = unread[0]
        assert row["title"] == "船溪乡2022年度法治政府建设工作情况报告" and row["year"] == "2022" and row["township_code"].startswith(CHUANXI)
        assert row["url"].endswith("/art/doc.htm") and row["file_url"].endswith("/files/chuanxi_2022.doc")
        assert row["needs"] == "antiword or LibreOffice" and "chuanxi_2022.doc: unreadable: needs antiword or LibreOffice (.doc)" in row["reason"]
        assert row["published_on"] == "2022-11-30"
        township = row["township_code"]
        cells = {(r["report_group"], r["year"]): r for r in _rows(folder / "coverage.csv") if r["township_code"] == township}
        assert cells["annual", "2022"]["status"] == "unreadable" and cells["annual", "2022"]["report_id"] == ""
        assert _rows(folder / "reports.csv") == []  # nothing was read: no report, no figures
        package = (folder / "datapackage.json").read_text(encoding="utf-8")
        assert '"unreadable.csv"' in package and "unreadable (found, but its file could not be read" in package
        assert "`unreadable` | 无法读取" in (folder / "CODEBOOK.md").read_text(encoding="utf-8")
        assert not release.verify_release(data / "releases", folder.name)
        page = (site / "townships" / township / "index.html").read_text(encoding="utf-8")
        assert "2022年度：" in page and 'fazhi-status--unreadable' in page and "找到了报告，但无法读取" in page
        assert "（需要 antiword or LibreOffice）" in page and "/art/doc.htm" in page

        if shutil.which("antiword") is None and convert.libreoffice() is None:
            pytest.skip("the second night needs antiword or LibreOffice (apt: antiword libreoffice-writer-nogui)")
        second = nightly(sources_file=sources, data_dir=data, out_dir=site)
    assert isinstance(second, RunSummary), second
    assert second.failures == [] and second.new == 1 and second.release is not None
    folder = data / "releases" / second.release.version
    assert _rows(folder / "unreadable.csv") == []
    cells = {(r["report_group"], r["year"]): r for r in _rows(folder / "coverage.csv") if r["township_code"] == township}
    assert cells["annual", "2022"]["status"] == "on_time" and cells["annual", "2022"]["report_id"]
    assert "status changed (1 township-years): unreadable → on_time" in (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    page = (site / "townships" / township / "index.html").read_text(encoding="utf-8")
    assert "找到了报告，但无法读取" not in page and "fazhi-status--on_time" in page


@pytest.mark.usefixtures("prefect_harness")
def test_fazhi_nightly_quiet_says_what_is_unreadable_and_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`fazhi nightly --quiet` on a machine without the .doc converters: no failed night (exit 0),
    and the lines an operator must see, printed even when quiet: what is unreadable and why."""
    from flows.cli import main

    with serve_portals(_doc_portal(tmp_path / "portal")) as portals:
        sources = tmp_path / "sources.yaml"
        sources.write_text(demo_sources_yaml(portals, FORMATS_SOURCES_TEMPLATE), encoding="utf-8")
        monkeypatch.setenv("PATH", _path_without_tools(tmp_path / "bin"))
        code = main(["nightly", "--sources", str(sources), "--data", str(tmp_path / "data"), "--out", str(tmp_path / "public"), "--quiet"])
    printed = capsys.readouterr().out.splitlines()
    assert code == 0
    assert printed[0] == "失败 | failures: none"
    assert printed[1] == "待读 | unreadable without a tool: 1 report(s), needs antiword or LibreOffice: 1 (docs/formats.md says what to install)"
    assert printed[2].startswith("  - formats: http://127.0.0.1:") and printed[2].endswith("unreadable: needs antiword or LibreOffice (.doc)")
