"""Round two of the attacks on the issue-19 hardening: each test is an attack that got through
(or is marked xfail, strict, with the reason it is left open). Real processes, real folders,
real servers on 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_hostile_cli import data, fazhi, one_line_error  # noqa: F401  (the fixture `data`: a store and one release)

ROOT = Path(__file__).parents[1]


def release_folder(data: Path) -> Path:  # noqa: F811
    return data / "releases" / (data / "releases" / "LATEST").read_text(encoding="utf-8").strip()


# ---------------------------------------------------------------- verify and releases


def test_verify_does_not_vouch_for_a_file_linked_from_outside_the_release(data: Path, tmp_path: Path) -> None:  # noqa: F811
    """A listed file replaced by a symbolic link to a copy elsewhere (same hash): verify must not
    say every file matches, since it then vouches for whatever the link points to tomorrow."""
    folder = release_folder(data)
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((folder / "reports.csv").read_bytes())
    (folder / "reports.csv").unlink()
    (folder / "reports.csv").symlink_to(outside)

    result = fazhi("verify", "--data", str(data))

    assert result.returncode == 2, result
    assert "reports.csv" in result.stderr and "link" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["verify", "releases"])
def test_a_manifest_nested_100000_deep_is_one_line_not_a_recursion_error(data: Path, command: str) -> None:  # noqa: F811
    (release_folder(data) / "manifest.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")

    result = fazhi(command, "--data", str(data))

    assert result.returncode == 2, result
    assert "manifest.json" in one_line_error(result.stderr)


# ---------------------------------------------------------------- time that grows with the square


def _paragraphs_page(megabytes: float) -> bytes:
    paragraph = "全年开展法治宣传活动12场次，发放宣传资料3400份，调解矛盾纠纷57件，培训干部86人次。"
    count = int(megabytes * 1024 * 1024 / len(paragraph.encode()))
    return ("<html><head><title>胡吉尔台乡2023年法治政府建设年度报告</title></head><body><div>"
            + "".join(f"<p>{paragraph}</p>" for _ in range(count)) + "</div></body></html>").encode()


def test_reading_a_page_of_4_MB_of_paragraphs_takes_seconds_not_minutes() -> None:
    """Issue 19 made extraction linear, but reading the page was still quadratic: bs4's
    insert_before/insert_after look each <p> up among its siblings (1 MB 7 s, 2 MB 26 s, so a
    20 MB page, under the fetch cap, most of an hour). Measured after the fix: 4 MB in 2 s."""
    from parsers import read_document

    page = _paragraphs_page(4)
    started = time.monotonic()
    document = read_document(page, "http://portal.gov.cn/a.html")
    seconds = time.monotonic() - started

    assert document.text.count("\n") + 1 == page.count(b"<p>")  # one line per paragraph, as before
    assert seconds < 20, f"4 MB of paragraphs read in {seconds:.1f} s"


# ---------------------------------------------------------------- options


@pytest.mark.parametrize("value", ["1e300", "1e12h", "999999999999"])
def test_an_absurd_night_deadline_is_refused_before_the_night_starts(value: str, tmp_path: Path) -> None:
    """`--deadline 1e300` was accepted: the deadline's timer thread died with a traceback
    (OverflowError: timestamp out of range) and the night then ran with no deadline at all."""
    result = fazhi("nightly", "--demo", "--deadline", value, "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out"))

    assert result.returncode == 2, result
    assert "--deadline" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()
