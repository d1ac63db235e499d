"""The night at national scale: each source task reads only its own source's part of the store,
and the night's thread pool is bounded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from flows import nightly as nightly_module
from flows import store
from flows.cli import main
from flows.harvest import source as source_module
from flows.nightly import HarvestThreads, harvest_threads, harvest_workers, nightly
from flows.records import RunSummary
from tests.conftest import DemoNight, copy_demo_data

pytestmark = pytest.mark.usefixtures("prefect_harness")

OTHER_SOURCE_ROWS = 5_000


def add_other_sources_fetches(path: Path, count: int) -> None:
    """Fetch-log lines of sources that are not in tonight's registry (another shard's, or ones
    since removed), as a national store holds hundreds of thousands of them."""
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO fetch_log (source_id, url, url_key, fetched_at, status, sha256) VALUES (?, ?, ?, ?, 200, ?)",
            [(f"elsewhere-{i % 50}", f"http://elsewhere.gov.cn/{i}.html", f"/{i}.html", "2026-01-01T00:00:00+00:00", f"{i:064x}")
             for i in range(count)])


def test_each_source_task_reads_only_its_own_keys_and_together_they_are_the_store(demo_night: DemoNight, tmp_path: Path,
                                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy_demo_data(demo_night, tmp_path / "data")
    add_other_sources_fetches(data / "fazhi.sqlite", OTHER_SOURCE_ROWS)
    seen: dict[str, tuple[set, dict]] = {}
    real = nightly_module.harvest_source

    def recording(night):  # type: ignore[no-untyped-def]
        seen[night.source.id] = (set(night.known), dict(night.validators))
        return real(night)

    monkeypatch.setattr(nightly_module, "harvest_source", recording)
    summary = nightly(sources_file=demo_night.sources_file, data_dir=data, out_dir=tmp_path / "public", recheck=True)
    assert isinstance(summary, RunSummary) and summary.reports_known == 5 and summary.new == 0  # the night itself went as before

    with store.open_store(data / "fazhi.sqlite") as conn:
        whole_known, whole_validators = store.known_keys(conn), store.validators(conn)
    assert len(whole_validators) > OTHER_SOURCE_ROWS  # the store holds the other sources' lines …
    assert set(seen) == {"nilka", "chenxi", "region"}
    for source_id, (known, validators) in seen.items():  # … and no task is handed any of them
        assert known and validators
        assert {s for s, _ in known} == {s for s, _ in validators} == {source_id}
        assert len(validators) < 20
    assert set().union(*(k for k, _ in seen.values())) == {k for k in whole_known if not k[0].startswith("elsewhere")}
    assert {k: v for _, vs in seen.values() for k, v in vs.items()} == {k: v for k, v in whole_validators.items()
                                                                      if not k[0].startswith("elsewhere")}


def test_a_recheck_reads_a_sources_attachments_only(demo_night: DemoNight) -> None:
    with store.open_reader(demo_night.data / "fazhi.sqlite") as conn:
        whole = store.attachment_validators(conn)
        region = store.source_state(conn, "region", recheck=True).attachments
        nilka = store.source_state(conn, "nilka", recheck=True)
        assert store.source_state(conn, "region").attachments == {}  # not rechecking: not read
    assert region and region == {k: v for k, v in whole.items() if k[0] == "region"}  # the demo's .docx and .pdf
    assert nilka.attachments == {} and nilka.known


def test_the_reader_never_writes_the_store(tmp_path: Path) -> None:
    path = tmp_path / "fazhi.sqlite"
    with store.open_store(path):
        pass
    with store.open_reader(path) as conn, pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("INSERT INTO meta VALUES ('a', 'b')")
    with pytest.raises(sqlite3.OperationalError):
        with store.open_reader(tmp_path / "missing.sqlite") as conn:
            conn.execute("SELECT 1")
    assert not (tmp_path / "missing.sqlite").exists()


def test_the_harvest_thread_pool_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAZHI_WORKERS", raising=False)
    assert 1 <= harvest_workers() <= 32
    runner = nightly.task_runner
    assert isinstance(runner, HarvestThreads) and runner.duplicate()._max_workers == harvest_workers()
    monkeypatch.setenv("FAZHI_WORKERS", "3")
    assert runner.duplicate()._max_workers == 3  # read when a run starts, not at import
    assert HarvestThreads(5).duplicate()._max_workers == 5
    monkeypatch.setenv("FAZHI_WORKERS", "many")
    with pytest.raises(ValueError, match="FAZHI_WORKERS='many'"):
        harvest_workers()


def test_at_most_workers_sources_are_harvested_at_once(demo_night: DemoNight, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    data = copy_demo_data(demo_night, tmp_path / "data")
    running, peak, lock = [0], [0], threading.Lock()
    real = nightly_module.harvest_source

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.3)  # long enough for the three sources to overlap if the pool let them
            return real(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(nightly_module, "harvest_source", counting)
    nightly.with_options(task_runner=harvest_threads(1))(sources_file=demo_night.sources_file, data_dir=data, out_dir=tmp_path / "o")
    assert peak[0] == 1


def test_workers_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["nightly", "--demo", "--workers", "0"])
    assert stopped.value.code == 2 and "--workers: '0': at least 1" in capsys.readouterr().err


assert source_module.harvest_source is nightly_module.harvest_source  # what the tests above wrap is what the task calls
