"""The data directory between nights: parts under a size limit, saved and restored through a
real S3-compatible server on 127.0.0.1 (moto, server mode) and through a fake `gh` on PATH."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from flows import release, store
from flows.cli import main
from flows.publish.state import (
    MANIFEST,
    GitHubRelease,
    S3Bucket,
    StateError,
    backup_store,
    iter_report_lines,
    plan_parts,
    restore_state,
    save_state,
)
from flows.records import FetchRecord, Night
from flows.store.raw import RawStore
from parsers.models import Source
from tests.conftest import SEED_NAMES, fake_s3_credentials, seed_path
from tests.helpers import harvested

SOURCE = Source(id="demo", name="演示", listing=["http://demo.gov.cn/"])
FIRST_NIGHT = datetime(2025, 4, 2, 2, tzinfo=timezone.utc)
LATER_NIGHT = datetime(2026, 4, 3, 2, tzinfo=timezone.utc)


def _fetched(name: str, sha: str | None, when: datetime) -> FetchRecord:
    return FetchRecord(source_id="demo", url=f"http://demo.gov.cn/{name}.html", url_key=f"/{name}.html", fetched_at=when, status=200, sha256=sha)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data directory as nights leave it: a WAL store, raw bodies fetched in 2025 and 2026 and
    one orphan written in 2024 (a night killed before its merge), and two releases."""
    root = tmp_path / "data"
    raw = RawStore(root / "raw")
    with store.open_store(root / "fazhi.sqlite") as conn:
        first, log = [], []
        for name in list(SEED_NAMES)[:3]:
            sha = raw.save(seed_path(name).read_bytes())
            first.append(harvested(name).model_copy(update={"sha256": sha, "fetched_at": FIRST_NIGHT}))
            log.append(_fetched(name, sha, FIRST_NIGHT))
        store.merge(conn, Night.of(FIRST_NIGHT, first, log))
        assert release.cut_release(conn, root / "releases", [SOURCE], FIRST_NIGHT) is not None
        later, log = [], []
        for name in list(SEED_NAMES)[3:]:
            sha = raw.save(seed_path(name).read_bytes())
            later.append(harvested(name).model_copy(update={"sha256": sha, "fetched_at": LATER_NIGHT}))
            log.append(_fetched(name, sha, LATER_NIGHT))
        store.merge(conn, Night.of(LATER_NIGHT, later, log))
        assert release.cut_release(conn, root / "releases", [SOURCE], LATER_NIGHT) is not None
    orphan = raw.path(raw.save(b"a body fetched by a night that died before its merge"))
    written = datetime(2024, 12, 30, tzinfo=timezone.utc).timestamp()
    os.utime(orphan, (written, written))
    return root


def rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_restored(original: Path, restored: Path, expected_rows: dict[str, list[tuple[object, ...]]]) -> None:
    """Same rows, same raw bodies, the latest release whole, the older one's manifest and change log."""
    with store.open_store(restored / "fazhi.sqlite") as conn:  # opens and migrates as a night would
        assert store.fingerprint(conn)
    assert rows(restored / "fazhi.sqlite") == expected_rows
    assert files(restored / "raw") == files(original / "raw")
    releases = original / "releases"
    latest = release.latest_version(releases)
    older = [v for v in release.list_versions(releases) if v != latest]
    assert latest and older
    assert release.latest_version(restored / "releases") == latest
    assert files(restored / "releases" / latest) == files(releases / latest)
    assert release.verify_release(restored / "releases", latest) == []
    for version in older:
        kept = files(restored / "releases" / version)
        assert set(kept) == {"manifest.json", "CHANGELOG.md", "datapackage.json", f"fazhi-{version}.zip.sha256"}
        assert all(kept[name] == (releases / version / name).read_bytes() for name in kept)
    assert release.list_versions(restored / "releases") == release.list_versions(releases)


# --------------------------------------------------------------------------------- the parts


def test_parts_are_the_store_raw_bodies_by_year_the_latest_release_and_the_older_releases_small_files(data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    backup_store(data / "fazhi.sqlite", copy)
    parts = {p.name: p for p in plan_parts(data, copy)}
    latest = release.latest_version(data / "releases")
    older = [v for v in release.list_versions(data / "releases") if v != latest]
    assert list(parts) == ["store", "raw-2024", "raw-2025", "raw-2026", f"release-{latest}", "releases"]
    assert [name for _, name in parts["store"].members] == ["fazhi.sqlite"]
    assert len(parts["raw-2024"].members) == 1  # the orphan, by the year it was written
    assert len(parts["raw-2025"].members) == 3 and len(parts["raw-2026"].members) == 2  # by the year first fetched
    assert {name for _, name in parts[f"release-{latest}"].members} >= {f"releases/{latest}/reports.csv", f"releases/{latest}/fazhi-{latest}.zip"}
    assert {name.split("/")[1] for _, name in parts["releases"].members} == set(older)
    assert not any(name.endswith((".zip", ".csv", ".jsonl")) for _, name in parts["releases"].members)


def test_the_store_copy_holds_what_is_committed_in_the_wal_while_a_writer_is_open(data: Path, tmp_path: Path) -> None:
    with store.open_store(data / "fazhi.sqlite") as writer:
        writer.execute("INSERT INTO meta (key, value) VALUES ('written', 'in the WAL only')")
        assert (data / "fazhi.sqlite-wal").stat().st_size > 0
        backup_store(data / "fazhi.sqlite", tmp_path / "copy.sqlite")
    assert not (tmp_path / "copy.sqlite-wal").exists()  # one self-contained file
    copy = sqlite3.connect(tmp_path / "copy.sqlite")
    assert copy.execute("SELECT value FROM meta WHERE key = 'written'").fetchone() == ("in the WAL only",)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()


# --------------------------------------------------------------------------------- S3 (moto on loopback)


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> S3Bucket:
    import boto3

    fake_s3_credentials(monkeypatch)
    name = "fazhi-" + request.node.name.lower().replace("_", "-")[:40]
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    return S3Bucket(f"s3://{name}/nightly", endpoint_url=s3_endpoint)


def test_round_trip_through_an_s3_compatible_server(data: Path, tmp_path: Path, bucket: S3Bucket) -> None:
    expected = rows(data / "fazhi.sqlite")
    manifest, reports = save_state(data, bucket)
    assert {r.name for r in reports} == {p.name for p in manifest.parts}
    keys = {o["Key"] for o in bucket.client.list_objects_v2(Bucket=bucket.bucket)["Contents"]}
    assert keys == {f"nightly/{MANIFEST}"} | {f"nightly/{c.name}" for p in manifest.parts for c in p.chunks}

    restored = tmp_path / "fresh" / "data"  # a new runner: nothing but the bucket
    assert restore_state(restored, bucket).id == manifest.id
    assert_restored(data, restored, expected)


def test_a_tiny_part_limit_cuts_every_part_into_chunks_under_it(data: Path, tmp_path: Path, bucket: S3Bucket) -> None:
    expected = rows(data / "fazhi.sqlite")
    manifest, _ = save_state(data, bucket, part_limit=8192)
    sizes = {p.name: [c.size for c in p.chunks] for p in manifest.parts}
    assert all(size <= 8192 for chunk_sizes in sizes.values() for size in chunk_sizes)
    assert len(sizes["store"]) > 2 and len(sizes[f"release-{manifest.latest}"]) > 2
    restored = tmp_path / "again"
    restore_state(restored, bucket)
    assert_restored(data, restored, expected)


def test_an_empty_bucket_is_a_first_night_and_a_missing_chunk_is_named(data: Path, tmp_path: Path, bucket: S3Bucket) -> None:
    assert restore_state(tmp_path / "first-night", bucket) is None
    assert not (tmp_path / "first-night" / "fazhi.sqlite").exists()
    manifest, _ = save_state(data, bucket)
    lost = manifest.parts[1].chunks[0].name
    bucket.client.delete_object(Bucket=bucket.bucket, Key=f"nightly/{lost}")
    with pytest.raises(StateError, match=f"s3://.*/nightly: part {manifest.parts[1].name} misses {lost}"):
        restore_state(tmp_path / "second-night", bucket)
    assert not (tmp_path / "second-night" / "fazhi.sqlite").exists()


def test_a_save_that_dies_before_its_manifest_leaves_the_previous_state_whole(data: Path, tmp_path: Path, bucket: S3Bucket) -> None:
    expected = rows(data / "fazhi.sqlite")
    first, _ = save_state(data, bucket)
    with store.open_store(data / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(LATER_NIGHT + timedelta(days=1), [], [_fetched("late", "f" * 64, LATER_NIGHT + timedelta(days=1))]))

    class DiesAtTheManifest(S3Bucket):
        def upload(self, path: Path, name: str) -> None:
            if name == MANIFEST:
                raise StateError("connection reset")
            super().upload(path, name)

    dying = DiesAtTheManifest(bucket.url, client=bucket.client)
    with pytest.raises(StateError, match="connection reset"):
        save_state(data, dying)
    restored = tmp_path / "after-crash"
    assert restore_state(restored, bucket).id == first.id
    assert_restored(data, restored, expected)


# --------------------------------------------------------------------------------- GitHub (a fake gh on PATH)


@pytest.fixture
def gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`gh` on PATH: tests/fake_gh.py, recording its calls and keeping assets under the returned folder."""
    root = tmp_path / "github"
    (root / "bin").mkdir(parents=True)
    script = root / "bin" / "gh"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).parents[1] / "fake_gh.py"}" "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{root / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GH_ROOT", str(root))
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    return root


def calls(root: Path) -> list[list[str]]:
    log = root / "calls.jsonl"
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def test_github_back_end_command_lines_and_a_second_night_that_uploads_only_what_changed(data: Path, tmp_path: Path, gh: Path) -> None:
    backend = GitHubRelease("state", repo="fazhi/atlas")
    first, _ = save_state(data, backend)
    made = calls(gh)
    repo = ["--repo", "fazhi/atlas"]
    assert made[0] == ["release", "view", "state", "--json", "assets", *repo]
    assert made[1][:3] == ["release", "create", "state"] and made[1][-2:] == repo
    assert {"--prerelease", "--latest=false"} <= set(made[1])  # never the repository's "latest" release
    uploads = [c for c in made if c[1] == "upload"]
    assert all(c[:3] == ["release", "upload", "state"] and c[-3:] == ["--clobber", *repo] for c in uploads)
    uploaded = [Path(c[3]).name for c in uploads]
    assert uploaded[-1] == MANIFEST  # the manifest last: until then the previous state stands
    assert sorted(uploaded[:-1]) == sorted(c.name for p in first.parts for c in p.chunks)
    assert sorted(p.name for p in (gh / "releases" / "state").iterdir()) == sorted([MANIFEST, *uploaded[:-1]])

    # The next night, on a fresh runner: restore, merge a little, save.
    night = tmp_path / "night2" / "data"
    (gh / "calls.jsonl").unlink()
    restore_state(night, backend)
    downloads = [c for c in calls(gh) if c[1] == "download"]
    assert downloads[0] == ["release", "download", "state", "--pattern", MANIFEST, "--dir", downloads[0][6], "--clobber", *repo]
    assert {c[4] for c in downloads[1:]} == {c.name for p in first.parts for c in p.chunks}
    with store.open_store(night / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(LATER_NIGHT + timedelta(days=1), [], [_fetched("listing", None, LATER_NIGHT + timedelta(days=1))]))
    (gh / "calls.jsonl").unlink()
    second, reports = save_state(night, backend)
    assert {r.name: r.action for r in reports} == {p.name: "reused" for p in first.parts} | {"store": "uploaded"}
    made = calls(gh)
    old_store = {c.name for c in first.parts[0].chunks}
    assert [Path(c[3]).name for c in made if c[1] == "upload"] == [*(c.name for c in second.parts[0].chunks), MANIFEST]
    assert [c for c in made if c[1] == "delete-asset"] == [["release", "delete-asset", "state", name, "--yes", *repo] for name in sorted(old_store)]
    assert second.parent == first.id


def test_save_refuses_to_replace_a_state_this_directory_was_not_restored_from(data: Path, tmp_path: Path, gh: Path) -> None:
    backend = GitHubRelease("state")
    first, _ = save_state(data, backend)
    empty_start = tmp_path / "started-empty"
    with store.open_store(empty_start / "fazhi.sqlite"):
        pass
    with pytest.raises(StateError, match=f"holds state {first.id}.*was not restored from it"):
        save_state(empty_start, backend)
    assert restore_state(tmp_path / "check", backend).id == first.id  # untouched
    assert save_state(empty_start, backend, force=True)[0].parent == first.id


def test_restore_checks_every_chunk_and_leaves_no_store_behind_a_bad_one(data: Path, tmp_path: Path, gh: Path) -> None:
    backend = GitHubRelease("state")
    manifest, _ = save_state(data, backend, part_limit=8192)
    damaged = manifest.parts[0].chunks[1].name
    asset = gh / "releases" / "state" / damaged
    asset.write_bytes(b"\0" + asset.read_bytes()[1:])
    target = tmp_path / "restore"
    with pytest.raises(StateError, match=f"{damaged} of part store is 8192 bytes with sha256 .* the manifest says"):
        restore_state(target, backend)
    assert not (target / "fazhi.sqlite").exists() and not (target / "raw").exists()


def test_a_save_clears_what_a_killed_save_left_in_the_data_directory(data: Path, gh: Path) -> None:
    leftover = data / ".state-killed"
    leftover.mkdir()
    (leftover / "fazhi.sqlite").write_bytes(b"half a copy")
    save_state(data, GitHubRelease("state"))
    assert not leftover.exists() and not list(data.glob(".state-*"))


def test_restore_only_into_a_fresh_data_directory(data: Path, gh: Path) -> None:
    save_state(data, GitHubRelease("state"))
    with pytest.raises(StateError, match="already holds .*fazhi.sqlite.*restore only into a fresh data directory"):
        restore_state(data, GitHubRelease("state"))


def test_a_release_holding_other_files_is_not_taken_for_an_empty_state(data: Path, tmp_path: Path, gh: Path) -> None:
    (gh / "releases" / "store").mkdir(parents=True)
    (gh / "releases" / "store" / "store.tar.gz").write_bytes(b"the old single tarball")
    with pytest.raises(StateError, match="holds store.tar.gz but no state.json"):
        restore_state(tmp_path / "fresh", GitHubRelease("store"))
    with pytest.raises(StateError, match="holds store.tar.gz but no state.json"):
        save_state(data, GitHubRelease("store"))


def test_gh_missing_is_a_clear_error(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(StateError, match="the GitHub CLI `gh` is not installed"):
        save_state(data, GitHubRelease("state"))


def test_the_state_command(data: Path, tmp_path: Path, gh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = tmp_path / "runner" / "data"
    assert main(["state", "restore", "--data", str(fresh), "--github-release", "state"]) == 0
    assert "nothing saved yet" in capsys.readouterr().out
    assert not (fresh / "fazhi.sqlite").exists()

    assert main(["state", "save", "--data", str(data), "--github-release", "state", "--part-limit", "1048576"]) == 0
    out = capsys.readouterr().out
    assert "store" in out and "raw-2025" in out and "saved state" in out
    assert main(["state", "restore", "--data", str(fresh), "--github-release", "state"]) == 0
    assert "restored state" in capsys.readouterr().out
    assert files(fresh / "raw") == files(data / "raw")

    assert main(["state", "save", "--data", str(data)]) == 2
    assert "--github-release TAG or --s3" in capsys.readouterr().err
    shutil.rmtree(gh / "releases" / "state")
    (gh / "releases" / "state").mkdir()
    (gh / "releases" / "state" / "notes.txt").write_text("x")
    assert main(["state", "restore", "--data", str(tmp_path / "other"), "--github-release", "state"]) == 2
    assert "notes.txt but no state.json" in capsys.readouterr().err


# --------------------------------------------------------------------------------- national scale


@pytest.mark.slow
def test_parts_of_the_national_benchmark_store_stay_under_2_gib(tmp_path: Path, gh: Path) -> None:
    """40,000 townships × 5 years (benchmarks/national.py's store, FAZHI_STATE_TOWNSHIPS to scale
    it), each report's text kept as its raw body, fetched the spring after its year; a release;
    then save (every chunk < 2 GiB), restore on a fresh directory, and the same counts."""
    import time

    from benchmarks.national import NOW, SOURCE, batches, build_store
    from benchmarks.synthetic import corpus

    townships, years = int(os.environ.get("FAZHI_STATE_TOWNSHIPS", "40000")), 5
    data = tmp_path / "data"
    timings: dict[str, float] = {}

    def timed(stage: str, started: float) -> None:
        timings[stage] = time.perf_counter() - started
        print(f"{stage}: {timings[stage]:.1f} s", flush=True)

    started = time.perf_counter()
    build_store(data / "fazhi.sqlite", townships, years, workers=os.cpu_count() or 2)
    timed("store (benchmarks/national.py build_store)", started)
    started = time.perf_counter()
    raw = RawStore(data / "raw")
    with store.open_store(data / "fazhi.sqlite") as conn:
        for batch in batches(corpus(townships, years), 20000):
            log = [_fetched(r.url_key, raw.save(r.text.encode("utf-8")), datetime(r.year + 1, 3, 20, tzinfo=timezone.utc)) for r in batch]
            store.merge(conn, Night.of(NOW, [], log))
        timed("raw bodies + fetch log", started)
        started = time.perf_counter()
        assert release.cut_release(conn, data / "releases", [SOURCE], NOW) is not None
        timed("release", started)
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("reports", "revisions", "observations", "fetch_log")}
        fingerprint = store.fingerprint(conn)

    started = time.perf_counter()
    manifest, reports = save_state(data, GitHubRelease("state"), say=print)
    timed("save", started)
    for line in iter_report_lines(reports):
        print(line)
    chunks = [c for p in manifest.parts for c in p.chunks]
    assert max(c.size for c in chunks) < 2**31
    assert all((gh / "releases" / "state" / c.name).stat().st_size == c.size for c in chunks)
    assert [p.name for p in manifest.parts][:1] == ["store"] and {f"raw-{y}" for y in range(2022, 2027)} <= {p.name for p in manifest.parts}

    shutil.rmtree(data / "raw")  # room on the disk; the counts below are the check
    restored = tmp_path / "restored"
    started = time.perf_counter()
    restore_state(restored, GitHubRelease("state"))
    timed("restore", started)
    with store.open_store(restored / "fazhi.sqlite") as conn:
        assert {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts} == counts
        assert store.fingerprint(conn) == fingerprint
    assert sum(1 for _ in (restored / "raw").rglob("*") if _.is_file()) == townships * years
    assert release.verify_release(restored / "releases", manifest.latest or "") == []


# --------------------------------------------------------------------------------- a hostile state (issue 31)


def _edit_manifest(gh: Path, edit) -> None:  # type: ignore[no-untyped-def]
    path = gh / "releases" / "state" / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    edit(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize("evil", ["/tmp/fazhi-owned-by-state", "../../fazhi-owned-by-state", "state-store-000-0123456789abcdef/../../x.tar.zst",
                                  "state-store-000-0123456789abcdef.tar.zst/x"])
def test_restore_refuses_a_chunk_named_by_a_path_before_writing_anything(data: Path, tmp_path: Path, gh: Path, evil: str,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    save_state(data, GitHubRelease("state"))
    real = gh / "releases" / "state" / next(p.name for p in (gh / "releases" / "state").iterdir() if p.name.startswith("state-store-"))

    def rename(manifest: dict) -> None:  # type: ignore[type-arg]
        manifest["parts"][0]["chunks"][0]["name"] = evil
    _edit_manifest(gh, rename)
    shutil.copy(real, gh / "releases" / "state" / Path(evil).name)  # the object exists too, as an attacker would make it
    target = tmp_path / "runner" / "data"
    assert main(["state", "restore", "--data", str(target), "--github-release", "state"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "state.json is not a state manifest" in err and "chunk name" in err
    assert not Path("/tmp/fazhi-owned-by-state").exists()
    assert not (tmp_path / "fazhi-owned-by-state").exists() and not (tmp_path / "runner" / "fazhi-owned-by-state").exists()
    assert sorted(p.name for p in target.iterdir()) == [".lock"]  # no work folder, no chunk left behind


def test_a_part_for_one_year_carrying_the_store_is_refused(data: Path, tmp_path: Path, gh: Path) -> None:
    """Issue 31, item 11: a raw-<year> part whose tar holds fazhi.sqlite must not replace the store."""
    from flows.publish.state import PartPlan, write_part

    manifest, _ = save_state(data, GitHubRelease("state"))
    evil_store = tmp_path / "evil.sqlite"
    conn = sqlite3.connect(evil_store)
    conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('owned', 'yes')")
    conn.commit()
    conn.close()
    work = tmp_path / "evil-chunks"
    work.mkdir()
    part, paths = write_part(PartPlan("raw-2026", key="x", members=[(evil_store, "fazhi.sqlite")]), work, 1 << 20)
    for path in paths:
        shutil.copy(path, gh / "releases" / "state" / path.name)

    def swap(m: dict) -> None:  # type: ignore[type-arg]
        m["parts"] = [p for p in m["parts"] if p["name"] != "raw-2026"] + [part.model_dump()]
    _edit_manifest(gh, swap)
    target = tmp_path / "restored"
    with pytest.raises(StateError, match="part raw-2026: cannot be unpacked: 'fazhi.sqlite' is not a file a raw-2026 part holds"):
        restore_state(target, GitHubRelease("state"))
    assert not (target / "fazhi.sqlite").exists() and not list(target.glob(".state-*"))


@pytest.mark.parametrize("latest", ["../../../../etc", "2026.04.03/../../x", "LATEST"])
def test_latest_in_the_state_must_be_a_release_version(data: Path, tmp_path: Path, gh: Path, latest: str) -> None:
    save_state(data, GitHubRelease("state"))
    _edit_manifest(gh, lambda m: m.update(latest=latest))
    target = tmp_path / "restored"
    with pytest.raises(StateError, match="state.json is not a state manifest.*latest"):
        restore_state(target, GitHubRelease("state"))
    assert not (target / "releases").exists() and not (target / "fazhi.sqlite").exists()


def _damage_a_page(db: Path) -> None:
    """Scribble over the b-tree header of one table's root page: the file still opens and copies."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'fetch_log'").fetchone()[0]
    conn.close()
    with db.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\x0d\xff\xff\xff\xff\xff\xff\xff")


def test_a_save_of_a_damaged_store_fails_and_keeps_the_saved_state(data: Path, tmp_path: Path, bucket: S3Bucket) -> None:
    expected = rows(data / "fazhi.sqlite")
    first, _ = save_state(data, bucket)
    _damage_a_page(data / "fazhi.sqlite")
    with pytest.raises(StateError, match=r"fazhi.sqlite: the store fails SQLite's check .*the saved state is left as it was"):
        save_state(data, bucket)
    restored = tmp_path / "after"
    assert restore_state(restored, bucket).id == first.id
    assert_restored(data, restored, expected)


def test_a_save_of_a_store_sqlite_cannot_open_is_one_line(data: Path, gh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("fazhi.sqlite-wal", "fazhi.sqlite-shm"):
        (data / name).unlink(missing_ok=True)
    (data / "fazhi.sqlite").write_bytes(b"not a database, " * 1000)
    assert main(["state", "save", "--data", str(data), "--github-release", "state"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fazhi.sqlite: the store cannot be" in err and "Traceback" not in err


def test_a_save_at_a_bucket_root_deletes_only_its_own_chunks(data: Path, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    for key, value in {"AWS_ACCESS_KEY_ID": "fazhi", "AWS_SECRET_ACCESS_KEY": "fazhi", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket="fazhi-shared-root")
    root = S3Bucket("s3://fazhi-shared-root", endpoint_url=s3_endpoint)
    first, _ = save_state(data, root)
    others = ["state-archive/2019.tar", "state-of-the-art.pdf", "state-store-000-0123456789abcdef.tar.zst"]
    for key in others:
        client.put_object(Bucket="fazhi-shared-root", Key=key, Body=b"someone else's")
    with store.open_store(data / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(LATER_NIGHT + timedelta(days=1), [], [_fetched("late", None, LATER_NIGHT + timedelta(days=1))]))
    second, _ = save_state(data, root)
    keys = {o["Key"] for o in client.list_objects_v2(Bucket="fazhi-shared-root")["Contents"]}
    assert set(others) <= keys  # nobody else's object goes, even one named like a chunk
    old_store = {c.name for c in first.parts[0].chunks} - {c.name for c in second.parts[0].chunks}
    assert old_store and not old_store & keys  # its own replaced chunks do


def test_under_a_prefix_a_chunk_a_killed_save_left_is_cleared(data: Path, bucket: S3Bucket) -> None:
    save_state(data, bucket)
    orphan = "state-store-000-0123456789abcdef.tar.zst"
    bucket.client.put_object(Bucket=bucket.bucket, Key=f"nightly/{orphan}", Body=b"half")
    bucket.client.put_object(Bucket=bucket.bucket, Key="nightly/notes/state-x", Body=b"not flat")
    save_state(data, bucket)
    keys = {o["Key"] for o in bucket.client.list_objects_v2(Bucket=bucket.bucket)["Contents"]}
    assert f"nightly/{orphan}" not in keys and "nightly/notes/state-x" in keys


def test_the_part_limit_has_a_sane_minimum(data: Path, gh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for limit in ("0", "1", "1048575", "-5"):
        with pytest.raises(SystemExit) as exited:
            main(["state", "save", "--data", str(data), "--github-release", "state", "--part-limit", limit])
        assert exited.value.code == 2
        assert "--part-limit" in capsys.readouterr().err
    assert not (gh / "releases" / "state").exists()


# --------------------------------------------------------------------------------- the OCR cache

@pytest.mark.skipif(__import__("flows.harvest.convert", fromlist=["ocr_engine"]).ocr_engine() is None,
                    reason="no OCR engine (pip: fazhi-atlas[ocr], or apt: tesseract-ocr-chi-sim)")
def test_the_ocr_cache_travels_with_the_state_and_a_restored_machine_re_extracts_with_no_ocr(tmp_path: Path, bucket: S3Bucket,
                                                                                             monkeypatch: pytest.MonkeyPatch,
                                                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 29: a night OCRs a scan (data/ocr); `state save` carries the OCR cache (ocr-<year>); on
    a fresh machine restored from the bucket, a re-extraction after a rule change runs no OCR."""
    from flows.cli import cmd_reextract
    from flows.demo.scans import cjk_font, degrade, scanned_pdf, text_pages
    from flows.harvest import convert
    from flows.harvest.convert import Converters, converters_for
    from flows.records import Harvested
    from flows.reextract import record_sources
    from flows.store.layout import DataLayout
    from parsers import extract_report, read_document
    from tests.conftest import seed_text
    from tests.system.test_reextract import NEW_ROW, add_indicator_row

    if cjk_font() is None:
        pytest.skip("no CJK font to typeset a page (apt: fonts-noto-cjk)")
    layout = DataLayout(root=tmp_path / "data")
    body = scanned_pdf([degrade(text_pages(seed_text("hujiertai")[:760], max_pages=1)[0], seed=1, skew=1.5)])
    sha = layout.raw().save(body)
    url = "http://demo.gov.cn/scan.pdf"
    pages_before = convert.STATS.ocr_pages
    item = Harvested(source_id="demo", url_key=store.url_key(url), url=url, sha256=sha, fetched_at=FIRST_NIGHT,
                     extraction=extract_report(read_document(body, url, "application/pdf", converters_for(layout.raw().root))))
    assert convert.STATS.ocr_pages == pages_before + 1  # the night's OCR
    log = FetchRecord(source_id="demo", url=url, url_key=store.url_key(url), fetched_at=FIRST_NIGHT, status=200, sha256=sha,
                      content_type="application/pdf")
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, Night.of(FIRST_NIGHT, [item], [log]))
        record_sources(conn, [SOURCE], FIRST_NIGHT)
        assert release.cut_release(conn, layout.releases, [SOURCE], FIRST_NIGHT) is not None
    cached = files(layout.root / "ocr")
    assert len(cached) == 1 and sha in next(iter(cached))

    manifest, _ = save_state(layout.root, bucket)
    assert "ocr-2025" in [p.name for p in manifest.parts]  # by the year the scan was first fetched
    again, reports = save_state(layout.root, bucket)
    assert {r.name: r.action for r in reports}["ocr-2025"] == "reused"  # unchanged: not uploaded again

    restored = tmp_path / "fresh" / "data"
    assert restore_state(restored, bucket) is not None
    assert files(restored / "ocr") == cached

    def no_ocr(*args: object, **kwargs: object) -> object:
        raise AssertionError("the restored machine ran OCR")

    monkeypatch.setattr(Converters, "_ocr_pages", no_ocr)
    add_indicator_row(monkeypatch, NEW_ROW)  # a rule change: every revision is extracted again
    assert cmd_reextract(restored, workers=1) == 0
    assert "1 of 1 revision(s) extracted again" in capsys.readouterr().out
    assert convert.STATS.ocr_pages == pages_before + 1 and files(restored / "ocr") == cached


def test_an_ocr_part_may_hold_only_ocr_cache_files() -> None:
    from flows.publish.state import allowed_member

    sha = "ab" + "0" * 62
    assert allowed_member("ocr-2025", f"ocr/ab/{sha}.rapidocr-3.10.0.jsonl")
    assert not allowed_member("ocr-2025", "fazhi.sqlite") and not allowed_member("ocr-2025", f"raw/ab/{sha}")
    assert not allowed_member("ocr-2025", f"ocr/cd/{sha}.rapidocr-3.10.0.jsonl")  # filed under another hash's folder
    assert not allowed_member("ocr-2025", f"ocr/ab/{sha}.x/../../fazhi.sqlite.jsonl")
