"""Release retention: each rule of the policy on real releases (cut from the seeds, sharing bytes
with their parents as every night's do), `fazhi releases prune`, and the night running it."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from flows import release, store
from flows.cli import main
from flows.records import Night, RunSummary
from flows.release import retention
from parsers.models import Source
from tests.helpers import all_seeds, harvested

SOURCES = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/list.html"])]
NOW = datetime(2026, 11, 22, 2, tzinfo=timezone.utc)
# One release on each of these days (02:00 UTC, 10:00 in Beijing): each revises one figure.
DAYS = ["2026-08-10", "2026-08-20", "2026-09-05", "2026-10-01", "2026-10-30", "2026-11-01", "2026-11-10", "2026-11-20"]


def cut_chain(data: Path, days: list[str] = DAYS) -> list[str]:
    versions = []
    original = harvested("chuanxi").extraction.original
    with store.open_store(data / "fazhi.sqlite") as conn:
        for number, day in enumerate(days):
            now = datetime.fromisoformat(f"{day}+00:00" if "T" in day else f"{day}T02:00:00+00:00")
            items = all_seeds() if number == 0 else [harvested("chuanxi", original.replace("矛盾糾紛157起", f"矛盾糾紛{200 + number}起"))]
            store.merge(conn, Night.of(now, items))
            info = release.cut_release(conn, data / "releases", SOURCES, now)
            assert info is not None
            versions.append(info.version)
    return versions


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("chain")
    assert cut_chain(data) == [d.replace("-", ".") for d in DAYS]
    return data


def copied(chain: Path, target: Path) -> Path:
    """The chain's releases copied as they are on disk: `cp -a` keeps the hard links between them
    (and none to the chain's own files, which other tests read)."""
    import subprocess

    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", str(chain / "releases"), str(target / "releases")], check=True)
    return target


def decided(releases: Path, now: datetime = NOW) -> dict[str, list[str]]:
    return {d.version: d.reasons for d in retention.plan(releases, now).decisions}


def test_the_policy_keeps_the_last_fourteen_days_one_a_month_before_and_the_latest(chain: Path) -> None:
    reasons = decided(chain / "releases")
    assert [v for v, why in reasons.items() if not why] == ["2026.08.10", "2026.10.01", "2026.11.01"]
    assert reasons["2026.11.20"] == ["latest", "of the last 14 days"]
    assert reasons["2026.11.10"] == ["of the last 14 days"]
    assert reasons["2026.10.30"] == ["last of 2026-10"] and reasons["2026.08.20"] == ["last of 2026-08"]
    assert reasons["2026.09.05"] == ["last of 2026-09"]  # a month's only release is its last


def test_months_are_beijing_months(tmp_path: Path) -> None:
    """22:00 UTC on 31 October is 06:00 on 1 November in Beijing: a November release (as its version says)."""
    versions = cut_chain(tmp_path, ["2026-10-20", "2026-10-31T22:00:00", "2026-11-20"])
    assert versions == ["2026.10.20", "2026.11.01", "2026.11.20"]
    reasons = decided(tmp_path / "releases", datetime(2027, 3, 1, tzinfo=timezone.utc))
    assert reasons == {"2026.10.20": ["last of 2026-10"], "2026.11.01": [], "2026.11.20": ["latest", "last of 2026-11"]}


def test_the_latest_is_kept_whatever_its_age(chain: Path, tmp_path: Path) -> None:
    data = copied(chain, tmp_path)
    (data / "releases" / "LATEST").write_text("2026.11.01\n", encoding="utf-8")  # rolled back by hand to a release the policy drops
    assert decided(data / "releases")["2026.11.01"] == ["latest"]


def test_a_release_listed_in_keep_is_kept(chain: Path, tmp_path: Path) -> None:
    data = copied(chain, tmp_path)
    (data / "releases" / "KEEP").write_text("# cited or archived\n2026.10.01   # cited in doi:10.1234/abcd\n\n", encoding="utf-8")
    reasons = decided(data / "releases")
    assert reasons["2026.10.01"] == ["listed in KEEP"]
    assert [v for v, why in reasons.items() if not why] == ["2026.08.10", "2026.11.01"]


def test_pruning_removes_only_what_the_policy_drops_and_every_kept_release_verifies(chain: Path, tmp_path: Path) -> None:
    releases = copied(chain, tmp_path) / "releases"
    pruned = ["2026.08.10", "2026.10.01", "2026.11.01"]
    kept = [v for v in release.list_versions(releases) if v not in pruned]
    shared = [p for v in kept for p in (releases / v).rglob("*") if p.is_file() and p.stat().st_nlink > 1
              and any(os.path.samefile(p, q) for w in pruned for q in (releases / w).rglob(p.name))]
    assert shared  # kept releases hard-link bytes with pruned ones (texts of years that did not change) …
    sizes = sum(p.stat().st_size for v in pruned for p in (releases / v).rglob("*") if p.is_file())
    done = retention.prune(releases, NOW)
    assert done.pruned == pruned and release.list_versions(releases) == kept
    assert not [p for p in releases.iterdir() if p.name.startswith(".")]
    assert {v: release.verify_release(releases, v) for v in kept} == {v: [] for v in kept}  # … and lose none of them
    assert 0 < done.freed_bytes < sizes  # what they shared with kept releases is not counted as freed
    assert retention.prune(releases, NOW).pruned == []  # pruning again changes nothing


def test_fazhi_releases_prune_dry_run_then_prune(chain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    data = copied(chain, tmp_path)
    monkeypatch.setattr(retention, "RECENT_DAYS", 10_000)  # today is not 2026-11-22: every release is recent …
    assert main(["releases", "prune", "--data", str(data), "--dry-run"]) == 0
    assert "0 release(s) would be pruned, 8 kept" in capsys.readouterr().out
    monkeypatch.setattr(retention, "RECENT_DAYS", 0)  # … or none is
    assert main(["releases", "prune", "--data", str(data), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would prune 2026.11.10" in out and "keep 2026.11.20  (latest, last of 2026-11)" in out
    assert len(release.list_versions(data / "releases")) == 8  # a dry run removes nothing
    assert main(["releases", "prune", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "pruned 2026.11.10" in out and "4 release(s) pruned, 4 kept" in out
    assert release.list_versions(data / "releases") == ["2026.08.20", "2026.09.05", "2026.10.30", "2026.11.20"]
    assert main(["verify", "--data", str(data)]) == 0


def test_a_bad_keep_list_stops_pruning_with_one_line(chain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = copied(chain, tmp_path)
    (data / "releases" / "KEEP").write_text("2026.10.01\n../../etc\n", encoding="utf-8")
    assert main(["releases", "prune", "--data", str(data)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {data / 'releases' / 'KEEP'}:2: '../../etc' is not a release version"
    assert len(release.list_versions(data / "releases")) == 8


@pytest.mark.usefixtures("prefect_harness")
def test_the_night_prunes_after_its_release(demo_sources_file: Path, tmp_path: Path) -> None:
    from flows.nightly import nightly

    data = tmp_path / "data"
    old = cut_chain(tmp_path / "old", ["2026-01-10", "2026-01-20"])
    copied(tmp_path / "old", data)
    summary = nightly(sources_file=demo_sources_file, data_dir=data, out_dir=tmp_path / "public")
    assert isinstance(summary, RunSummary) and summary.release is not None
    assert release.list_versions(data / "releases") == ["2026.01.20", summary.release.version]  # January's last, and tonight's
    assert old[0] not in os.listdir(data / "releases")
    assert release.verify_release(data / "releases", summary.release.version) == []
