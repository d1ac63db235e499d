"""Issue 19, items 1, 2, 13 and 14: the CLI against hostile folders, files, registries and races.

Every case runs the real `fazhi` command (in a subprocess, or through main() when a wait has to
be shortened or a full disk simulated) on real temporary folders, a real SQLite store, real
releases and real MkDocs builds. Each asserts the one-line error (exit 2, no traceback) and that
nothing the user or the project had is lost.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows import release, store
from flows.cli import main
from flows.harvest.registry import MAX_BYTES, SourcesError, load_sources, parse_sources
from flows.records import Night
from flows.release.zipped import sha256_of
from flows.store.lock import data_lock
from parsers.models import Source
from tests.helpers import NOW, Drained, all_seeds

ROOT = Path(__file__).parents[2]
DEMO_SOURCE = Source(id="demo", name="演示", listing=["http://demo.gov.cn/"])


def fazhi(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command line, in its own process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "site")])}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


def one_line_error(stderr: str) -> str:
    """The error output is exactly one line starting with error:, and no traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    return lines[0]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data directory with a store of the five seed reports and one release of them."""
    folder = tmp_path / "data"
    with store.open_store(folder / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        assert release.cut_release(conn, folder / "releases", [DEMO_SOURCE], NOW) is not None
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def report_count(data: Path) -> int:
    with sqlite3.connect(data / "fazhi.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(conn.execute("SELECT count(*) FROM reports").fetchone()[0])


# ---------------------------------------------------------------- 1. nothing deleted


def test_build_site_refuses_a_folder_of_the_users_files_and_leaves_it_as_it_was(data: Path, tmp_path: Path) -> None:
    mine = tmp_path / "thesis"
    (mine / "chapters").mkdir(parents=True)
    (mine / "chapters" / "one.md").write_text("三年的工作", encoding="utf-8")
    (mine / "notes.txt").write_text("precious", encoding="utf-8")
    before = snapshot(mine)

    result = fazhi("build-site", "--data", str(data), "--out", str(mine))

    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert str(mine) in line and "not a site built by fazhi" in line
    assert snapshot(mine) == before
    assert not list(tmp_path.glob(".thesis.*"))  # nothing built beside it either


@pytest.mark.parametrize("where", ["same", "inside", "parent"])
def test_build_site_refuses_an_out_that_overlaps_the_data(data: Path, tmp_path: Path, where: str) -> None:
    out = {"same": data, "inside": data / "site", "parent": tmp_path}[where]
    before = snapshot(data)

    result = fazhi("build-site", "--data", str(data), "--out", str(out))

    assert result.returncode == 2
    assert "--data" in one_line_error(result.stderr)
    assert snapshot(data) == before
    assert report_count(data) == 5


@pytest.mark.parametrize("where", ["users-folder", "data"])
def test_nightly_refuses_the_same_outs_before_it_fetches_anything(data: Path, tmp_path: Path, where: str) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "a.txt").write_text("keep me", encoding="utf-8")
    out = mine if where == "users-folder" else data
    before, data_before = snapshot(mine), snapshot(data)

    result = fazhi("nightly", "--demo", "--data", str(data), "--out", str(out), "--quiet")

    assert result.returncode == 2
    assert "--out" in one_line_error(result.stderr)
    assert "demo portals" not in result.stdout  # refused before the portals, Prefect or the lock
    assert snapshot(mine) == before and snapshot(data) == data_before


def test_a_built_site_is_replaced_and_an_empty_folder_is_used(data: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert fazhi("build-site", "--data", str(data), "--out", str(empty)).returncode == 0
    assert (empty / "index.html").exists() and (empty / ".fazhi-release").read_text(encoding="utf-8").strip() == "2026.11.22"
    (empty / "stale.html").write_text("from the last build", encoding="utf-8")  # a built site may be replaced whole

    again = fazhi("build-site", "--data", str(data), "--out", str(empty))

    assert again.returncode == 0, again.stderr
    assert not (empty / "stale.html").exists() and (empty / "404.html").exists() and (empty / "assets").is_dir()
    assert not list(tmp_path.glob(".empty.*"))


def test_a_site_that_lost_its_assets_is_not_current(data: Path, tmp_path: Path) -> None:
    import shutil

    from flows.publish.site import site_is_current
    from flows.store.layout import DataLayout

    out = tmp_path / "public"
    assert fazhi("build-site", "--data", str(data), "--out", str(out)).returncode == 0
    assert site_is_current(DataLayout(root=data), out)
    shutil.rmtree(out / "assets")
    (out / "404.html").unlink()  # what two builds at once left before build-site took the lock

    assert not site_is_current(DataLayout(root=data), out)


def test_a_leftover_staging_folder_is_removed_only_when_it_is_ours(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    theirs = tmp_path / ".public.next"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("not yours", encoding="utf-8")

    refused = fazhi("build-site", "--data", str(data), "--out", str(out))

    assert refused.returncode == 2 and ".public.next" in one_line_error(refused.stderr)
    assert (theirs / "keep.txt").read_text(encoding="utf-8") == "not yours"
    (theirs / "keep.txt").unlink()
    (theirs / ".fazhi-release").write_text("building\n", encoding="utf-8")  # what a build killed midway leaves
    (theirs / "half.html").write_text("half", encoding="utf-8")

    built = fazhi("build-site", "--data", str(data), "--out", str(out))

    assert built.returncode == 0, built.stderr
    assert not theirs.exists() and (out / "index.html").exists()


# ---------------------------------------------------------------- 2. the lock


def test_build_site_waits_for_a_nights_lock_then_fails_in_one_line(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    with data_lock(data, purpose="nightly run"):
        started = time.monotonic()
        result = fazhi("build-site", "--data", str(data), "--out", str(out), "--wait", "1")
        waited = time.monotonic() - started

    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert "another nightly run is writing here" in line and f"pid {os.getpid()}" in line
    assert waited >= 1
    assert not out.exists() and not (tmp_path / ".public.next").exists()


def test_two_build_sites_at_once_one_waits_and_the_site_keeps_its_assets(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "site")])}
    command = [sys.executable, "-m", "flows.cli", "build-site", "--data", str(data), "--out", str(out), "--wait", "120"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT) for _ in range(2)]
    outputs = [Drained(run) for run in runs]  # both children's pipes read at once: one blocked on a full pipe would hold the lock
    outputs = [drained.finish(timeout=240) for drained in outputs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    assert all("Traceback" not in err for _, err in outputs)
    assert (out / "404.html").exists() and (out / "assets").is_dir() and (out / "index.html").exists()
    assert not (tmp_path / ".public.next").exists() and not (tmp_path / ".public.old").exists()


def test_a_build_site_beside_another_without_waiting_fails_cleanly(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    with data_lock(data, purpose="build-site"):  # what a build-site in progress holds
        result = fazhi("build-site", "--data", str(data), "--out", str(out), "--wait", "0")

    assert result.returncode == 2
    assert "another build-site is writing here" in one_line_error(result.stderr)
    assert not out.exists()


def test_nightly_lock_wait_that_ends_is_one_line_not_a_flow_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from flows import nightly as nightly_module

    monkeypatch.setattr(nightly_module, "LOCK_WAIT_SECONDS", 0.5)
    registry = tmp_path / "sources.yaml"
    registry.write_text("sources:\n  - id: a\n    name: 某县\n    listing: ['http://127.0.0.1:9/list.htm']\n", encoding="utf-8")
    data = tmp_path / "data"
    with data_lock(data, purpose="build-site"):
        status = main(["nightly", "--sources", str(registry), "--data", str(data), "--out", str(tmp_path / "public"), "--quiet"])

    assert status == 2
    line = one_line_error(capsys.readouterr().err)
    assert "another build-site is writing here" in line
    assert not (data / "fazhi.sqlite").exists()


# ---------------------------------------------------------------- 13. clear errors


def test_nightly_with_data_that_is_a_file(tmp_path: Path) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text("sources:\n  - id: a\n    name: 某县\n    listing: ['http://127.0.0.1:9/list.htm']\n", encoding="utf-8")
    a_file = tmp_path / "data"
    a_file.write_text("not a folder", encoding="utf-8")

    result = fazhi("nightly", "--sources", str(registry), "--data", str(a_file), "--out", str(tmp_path / "public"))

    assert result.returncode == 2
    assert one_line_error(result.stderr) == f"error: --data {a_file}: is a file, not a directory"
    assert a_file.read_text(encoding="utf-8") == "not a folder"


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A small tmpfs of its own, mounted for the test (root only), with its size in bytes; skipped where mounting is not allowed."""
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    size = 64 * 1024 * 1024  # a seed site fits (about 25 MB in pages of 4 KB since the finder holds the whole register)
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
                                                   capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("cannot mount a tmpfs here (needs root); the monkeypatched full-disk test covers the same path")
    try:
        yield mount_point, size
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_nightly_on_read_only_data_is_one_line(tmpfs: tuple[Path, int], tmp_path: Path) -> None:
    mount_point, _ = tmpfs
    data = mount_point / "data"
    data.mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
    registry = tmp_path / "sources.yaml"
    registry.write_text("sources:\n  - id: a\n    name: 某县\n    listing: ['http://127.0.0.1:9/list.htm']\n", encoding="utf-8")

    result = fazhi("nightly", "--sources", str(registry), "--data", str(data), "--out", str(tmp_path / "public"))

    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert f"--data {data}" in line and "Read-only file system" in line


def test_build_site_on_a_full_disk_leaves_the_old_site_and_no_staging(data: Path, tmpfs: tuple[Path, int]) -> None:
    mount_point, _ = tmpfs
    out = mount_point / "public"
    assert fazhi("build-site", "--data", str(data), "--out", str(out)).returncode == 0
    before = snapshot(out)
    used = shutil.disk_usage(mount_point).used  # then the disk is full: 64 KB left, less than any site's new pages
    subprocess.run(["mount", "-o", f"remount,size={used + 64 * 1024}", str(mount_point)], check=True)

    result = fazhi("build-site", "--data", str(data), "--out", str(out))

    assert result.returncode == 2
    assert "No space left on device" in one_line_error(result.stderr)
    assert not (mount_point / ".public.next").exists() and not (mount_point / ".public.old").exists()
    assert snapshot(out) == before


def test_a_night_whose_site_fills_the_disk_keeps_the_store_and_release_and_no_staging(tmpfs: tuple[Path, int], tmp_path: Path) -> None:
    mount_point, _ = tmpfs
    subprocess.run(["mount", "-o", "remount,size=3m", str(mount_point)], check=True)  # the demo site needs ~4 MB
    data, out = tmp_path / "data", mount_point / "public"

    result = fazhi("nightly", "--demo", "--data", str(data), "--out", str(out), "--quiet", timeout=300)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "No space left on device" in errors[0] and str(mount_point / ".public.next") in errors[0]
    assert list(mount_point.iterdir()) == []  # no .public.next left on the full disk
    assert report_count(data) == 6  # the demo night's reports: five seeds and the formats portal's scan
    assert fazhi("verify", "--data", str(data)).returncode == 0


def test_build_site_when_a_write_raises_enospc(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import sitegen.build

    out = tmp_path / "public"
    assert main(["build-site", "--data", str(data), "--out", str(out)]) == 0
    before = snapshot(out)
    capsys.readouterr()

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / ".public.next" / "downloads"))

    monkeypatch.setattr(sitegen.build, "publish_downloads", full)

    assert main(["build-site", "--data", str(data), "--out", str(out)]) == 2
    assert "No space left on device" in one_line_error(capsys.readouterr().err)
    assert not (tmp_path / ".public.next").exists()
    assert snapshot(out) == before


def test_a_swap_that_fails_puts_the_old_site_back(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import flows.publish.site

    out = tmp_path / "public"
    assert main(["build-site", "--data", str(data), "--out", str(out)]) == 0
    before = snapshot(out)
    rename = os.rename

    def refuse_the_new_site(src: str | Path, dst: str | Path) -> None:
        if Path(src).name == ".public.next":
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(src))
        rename(src, dst)

    monkeypatch.setattr(flows.publish.site.os, "rename", refuse_the_new_site)

    assert main(["build-site", "--data", str(data), "--out", str(out)]) == 2
    assert "Permission denied" in capsys.readouterr().err.splitlines()[-1]
    assert snapshot(out) == before
    assert not (tmp_path / ".public.next").exists() and not (tmp_path / ".public.old").exists()


def test_a_full_store_during_merge_says_so_and_keeps_what_was_stored(data: Path) -> None:
    from tests.conftest import seed_text
    from tests.helpers import harvested

    before = report_count(data)
    with store.open_store(data / "fazhi.sqlite") as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL, as on a full disk
        # texts of their own: the same text from another source would be a mirror, a few bytes
        new = [harvested(name, seed_text(name) + "\n（另一版本）", source_id="other") for name in ("hujiertai", "chuanxi")]
        with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):  # not "cannot rollback"
            store.merge(conn, Night.of(NOW, new))
        assert not conn.in_transaction

    assert report_count(data) == before


def test_an_empty_manifest_is_named_by_releases_and_verify(data: Path) -> None:
    (data / "releases" / "2026.11.22" / "manifest.json").write_text("{}", encoding="utf-8")

    for command in ("releases", "verify"):
        result = fazhi(command, "--data", str(data))
        assert result.returncode == 2, (command, result)
        line = one_line_error(result.stderr)
        assert "manifest.json" in line and "'version' missing" in line


def test_a_manifest_listing_no_files_fails_verify(data: Path) -> None:
    path = data / "releases" / "2026.11.22" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["files"] = {}
    path.write_text(json.dumps(manifest), encoding="utf-8")

    result = fazhi("verify", "--data", str(data))

    assert result.returncode == 2
    assert "lists no files" in result.stderr and "Traceback" not in result.stderr


def test_verify_does_not_follow_dot_dot_out_of_the_release(data: Path) -> None:
    folder = data / "releases" / "2026.11.22"
    outside = data / "fazhi.sqlite"  # a real file outside the release, with its true hash in the manifest
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["../../fazhi.sqlite"] = {"sha256": sha256_of(outside), "bytes": outside.stat().st_size}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    result = fazhi("verify", "--data", str(data))

    assert result.returncode == 2
    assert "'../../fazhi.sqlite' is not a file name of this release" in result.stderr
    assert "every file matches" not in result.stdout


def test_verify_names_a_file_the_manifest_does_not_list(data: Path) -> None:
    (data / "releases" / "2026.11.22" / "extra.csv").write_text("a,b\n", encoding="utf-8")

    result = fazhi("verify", "--data", str(data))

    assert result.returncode == 2 and "extra.csv: not listed in the manifest" in result.stderr
    assert fazhi("verify", "--data", str(data), "../releases").returncode == 2


def test_serve_on_port_70000_is_one_line(tmp_path: Path) -> None:
    result = fazhi("serve", "--out", str(tmp_path), "--port", "70000", timeout=30)

    assert result.returncode == 2
    assert "--port 70000" in one_line_error(result.stderr)


@pytest.mark.parametrize("line", ['{"report": "x", "indicator"', '{"report": "x"}', "[1, 2]"])
def test_evaluate_with_malformed_gold_names_the_file(tmp_path: Path, line: str) -> None:
    gold, texts = tmp_path / "gold", tmp_path / "texts"
    gold.mkdir()
    texts.mkdir()
    (gold / "x.jsonl").write_text(line + "\n", encoding="utf-8")
    (texts / "x.txt").write_text("某乡2024年法治政府建设年度报告。全年调解矛盾纠纷12起。", encoding="utf-8")

    result = fazhi("evaluate", str(gold), str(texts), timeout=60)

    assert result.returncode == 2
    assert str(gold / "x.jsonl") in one_line_error(result.stderr)


def test_extract_dev_zero_and_a_fifo_end_at_once_with_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)

    for path, kind in (("/dev/zero", "a device or socket"), (str(fifo), "a FIFO")):
        started = time.monotonic()
        result = fazhi("extract", path, timeout=60)
        assert result.returncode == 2
        assert one_line_error(result.stderr) == f"error: {path}: {kind}, not a regular file"
        assert time.monotonic() - started < 30


def test_extract_refuses_a_file_over_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: 21 MB of zero bytes, no disk used

    result = fazhi("extract", str(big), timeout=60)

    assert result.returncode == 2 and "larger than 20 MB" in one_line_error(result.stderr)


# ---------------------------------------------------------------- 14. sources.yaml

BILLION_LAUGHS = (  # 9 levels: 9**9 = 387,420,489 strings if expanded
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
)
ENTRY = "sources:\n  - id: nilka\n    name: 尼勒克县人民政府\n    listing: ['http://www.xjnlk.gov.cn/zwgk/index.html']\n"


def test_billion_laughs_is_refused_without_expanding_it(tmp_path: Path) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text(BILLION_LAUGHS, encoding="utf-8")

    started = time.monotonic()
    result = fazhi("nightly", "--sources", str(registry), "--data", str(tmp_path / "data"), "--out", str(tmp_path / "public"), timeout=180)

    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert "anchors and aliases" in line and len(result.stderr) < 300 and "lol" not in line
    assert time.monotonic() - started < 30
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(("text", "expected"), [
    (ENTRY + "  - &x {id: b, name: n, listing: ['http://a.gov.cn/']}\n  - *x\n", "anchors and aliases"),
    ("[" * 100_000 + "]" * 100_000, "nested more than 16 levels deep"),
    ("sources:\n  - id: a\n    id: b\n    name: n\n    listing: ['http://a.gov.cn/']\n", "the key 'id' appears twice"),
    (ENTRY + ENTRY.removeprefix("sources:\n"), "id 'nilka' is used twice"),
    (ENTRY.replace("http://www.xjnlk.gov.cn/zwgk/index.html", "file:///etc/passwd"), "only http:// and https:// are fetched"),
    (ENTRY.replace("'http://www.xjnlk.gov.cn/zwgk/index.html'", "''"), "it is empty"),
    (ENTRY.replace("http://www.xjnlk.gov.cn/zwgk/index.html", "not a url"), "not a listing URL"),
    (ENTRY.replace("http://www.xjnlk.gov.cn/zwgk/index.html", "http:///zwgk/"), "it has no host"),
    (ENTRY.replace("http://www.xjnlk.gov.cn/", "http://127.0.0.2:8080\\\\@portal.gov.cn/"), "backslash"),
    (ENTRY + "    rate_per_second: .inf\n", "rate_per_second: Input should be a finite number"),
    (ENTRY + "    rate_per_second: 1e-6\n", "rate_per_second: Input should be greater than or equal to 0.01"),
    (ENTRY + "    rate_per_second: 1000\n", "rate_per_second: Input should be less than or equal to 50"),
    (ENTRY + "    rate_per_second: 1.0e-6\n", "rate_per_second: Input should be greater than or equal to 0.01"),
    (ENTRY + "    max_pages: true\n", "max_pages: a number, not true/false"),
    (ENTRY + "    rate_per_second: yes\n", "rate_per_second: a number, not true/false"),
    (ENTRY + "    allowed_domains: ['http://a.gov.cn/x']\n", "is not a host name"),
])
def test_a_hostile_registry_is_refused_naming_what_is_wrong(text: str, expected: str) -> None:
    with pytest.raises(SourcesError, match="^sources.yaml: ") as refused:
        parse_sources(text)
    assert expected in str(refused.value)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 400


def test_the_registry_entries_that_are_fine_still_load() -> None:
    sources = parse_sources(ENTRY + "    max_pages: 3\n    rate_per_second: 0.5\n    allowed_domains: [xjnlk.gov.cn]\n")
    assert sources[0].max_pages == 3 and sources[0].rate_per_second == 0.5
    assert [s.id for s in load_sources(ROOT / "sources.yaml")]


def test_a_gbk_registry_and_a_huge_one_are_one_line_errors(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(ENTRY.encode("gbk"))
    with pytest.raises(SourcesError, match=r"gbk.yaml: not UTF-8 \(byte 0x[0-9a-f]{2} at offset \d+\); save the file as UTF-8"):
        load_sources(gbk)

    huge = tmp_path / "huge.yaml"
    huge.write_text(ENTRY + "#" * MAX_BYTES + "\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="huge.yaml: larger than 8 MB"):
        load_sources(huge)

    result = fazhi("nightly", "--sources", str(gbk), "--data", str(tmp_path / "data"), "--out", str(tmp_path / "public"), timeout=180)
    assert result.returncode == 2 and "not UTF-8" in one_line_error(result.stderr)


# ---------------------------------------------------------------- issue 31: hangs and tracebacks


def test_serve_answers_a_nul_in_the_path_with_400_and_no_traceback(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import functools
    import threading
    import urllib.error
    import urllib.request
    from http.server import ThreadingHTTPServer

    from flows.publish.preview import SiteHandler

    (tmp_path / "index.html").write_text("<html>ok</html>", encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SiteHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as answered:
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/a%00b/index.html", timeout=10)
        assert answered.value.code == 400
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/index.html", timeout=10) as ok:
            assert ok.status == 200
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("wait", ["nan", "inf", "1e308", "-1"])
def test_build_site_refuses_a_wait_that_is_not_a_finite_number_of_seconds(tmp_path: Path, wait: str) -> None:
    result = fazhi("build-site", "--data", str(tmp_path), "--out", str(tmp_path / "public"), "--wait", wait, timeout=30)
    assert result.returncode == 2
    assert f"argument --wait: '{wait}': give a number of seconds from 0 to 86400" in result.stderr
    assert "Traceback" not in result.stderr


def test_reextract_workers_are_bounded(tmp_path: Path) -> None:
    result = fazhi("reextract", "--data", str(tmp_path), "--workers", "100000", timeout=30)
    assert result.returncode == 2 and "argument --workers: 100000: give workers from 1 to 1,024" in result.stderr
    result = fazhi("reextract", "--data", str(tmp_path), "--workers", "0", timeout=30)
    assert result.returncode == 2 and "argument --workers" in result.stderr


def _dev_set(tmp_path: Path) -> tuple[Path, Path]:
    gold, texts = tmp_path / "gold", tmp_path / "texts"
    gold.mkdir()
    texts.mkdir()
    (gold / "x.jsonl").write_text('{"report": "x", "indicator": "disputes_mediated", "value": 12, "unit": "件", "qualifier": "exact", '
                                  '"quote": "全年调解矛盾纠纷12起"}\n', encoding="utf-8")
    (texts / "x.txt").write_text("某乡2024年法治政府建设年度报告。全年调解矛盾纠纷12起。", encoding="utf-8")
    return gold, texts


@pytest.mark.parametrize("meta", ["[1, 2]", '{"township": ["a"], "report_year": {"y": 1}}', "[" * 100_000 + "]" * 100_000])
def test_evaluate_on_a_hostile_label_file_is_one_line(tmp_path: Path, meta: str) -> None:
    gold, texts = _dev_set(tmp_path)
    (texts / "x.meta.json").write_text(meta, encoding="utf-8")
    result = fazhi("evaluate", str(gold), str(texts), timeout=120)
    assert result.returncode == 2
    assert "x.meta.json" in one_line_error(result.stderr)


def test_evaluate_refuses_a_fifo_text_instead_of_waiting_for_it(tmp_path: Path) -> None:
    gold, texts = _dev_set(tmp_path)
    os.mkfifo(texts / "y.txt")  # labelled, so read for the identification score
    (texts / "y.meta.json").write_text('{"township": "某乡"}', encoding="utf-8")
    result = fazhi("evaluate", str(gold), str(texts), timeout=120)
    assert result.returncode == 2
    assert one_line_error(result.stderr) == f"error: {texts / 'y.txt'}: a FIFO, not a regular file"


def _two_releases(data: Path) -> tuple[str, str]:
    releases = data / "releases"
    first = release.latest_version(releases)
    assert first is not None
    shutil.copytree(releases / first, releases / "2099.01.01")
    return first, "2099.01.01"


def test_diff_refuses_a_fifo_in_a_release_instead_of_waiting_for_it(data: Path) -> None:
    first, second = _two_releases(data)
    values = data / "releases" / second / "values.csv"
    values.unlink()
    os.mkfifo(values)
    result = fazhi("diff", first, second, "--data", str(data), timeout=60)
    assert result.returncode == 2
    assert one_line_error(result.stderr) == f"error: {values}: a FIFO, not a file of a release"


def test_diff_reads_a_cell_over_131072_characters(data: Path) -> None:
    first, second = _two_releases(data)
    reports = data / "releases" / second / "reports.csv"
    lines = reports.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    cells = next(csv.reader([lines[1]]))
    cells[header.index("title")] = "长" * 140_000
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    reports.write_text(lines[0] + buffer.getvalue() + "".join(lines[2:]), encoding="utf-8-sig")
    result = fazhi("diff", first, second, "--data", str(data), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stdout.startswith(f"{first} → {second}:")


def test_a_prefect_database_migrated_by_a_newer_prefect_is_one_line_naming_it_and_the_fix(tmp_path: Path) -> None:
    home = tmp_path / "prefect-home"
    home.mkdir()
    conn = sqlite3.connect(home / "prefect.db")
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    conn.execute("INSERT INTO alembic_version VALUES ('ffffffffffff')")  # a revision from a Prefect not installed here
    conn.commit()
    conn.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "site")]), PREFECT_HOME=str(home))
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "flows.cli", "nightly", "--demo", "--data", str(tmp_path / "data"),
                             "--out", str(tmp_path / "public")], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert f"{home / 'prefect.db'}: Prefect's database was migrated by a newer Prefect (schema ffffffffffff" in line
    assert "PREFECT_HOME=" in line
    assert time.monotonic() - started < 60  # no wait for a server that cannot start



def test_a_quiet_night_prints_nothing_but_failures_and_keeps_the_servers_output_in_a_log(tmp_path: Path) -> None:
    """The demo night, --quiet: no failures, so one line saying so; the temporary server's own output
    goes to data/logs/prefect-server.log, not the terminal."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "site")]), PREFECT_HOME=str(tmp_path / "prefect-home"),
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
    result = subprocess.run([sys.executable, "-m", "flows.cli", "nightly", "--demo", "--data", str(data), "--out", str(tmp_path / "public"),
                             "--quiet"], capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    printed = [line for line in result.stdout.splitlines() if line.strip()]
    assert printed == ["失败 | failures: none"] and "Traceback" not in result.stderr
    assert (data / "logs" / "prefect-server.log").exists()
