"""The national night over a work pool: two local process workers take the shards (deployments of
harvest_shard), the parent merges them here and publishes, as one machine's night would."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from flows.records import RunSummary
from tests.conftest import DemoNight, subprocess_env

ROOT = Path(__file__).parents[2]
POOL = "fazhi-test-shards"
pytestmark = pytest.mark.usefixtures("prefect_harness")


def release_rows(summary: RunSummary) -> list[list[str]]:
    assert summary.release is not None
    rows = []
    for name in ("reports.csv", "observations.csv", "indicators.csv"):
        with (Path(summary.release.path) / name).open(encoding="utf-8-sig") as handle:
            rows += list(csv.reader(handle))
    return rows


def test_shards_on_two_process_workers_then_one_merge_give_the_night_of_one_machine(demo_night: DemoNight, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.client.schemas.filters import FlowRunFilter
    from prefect.settings import PREFECT_API_URL

    from flows.nightly import harvest_shard, national_night

    api = PREFECT_API_URL.value()
    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process"), overwrite=True)
    # As prefect.yaml's deployment: the worker runs the flow in the checkout (set_working_directory).
    harvest_shard.from_source(source=str(ROOT), entrypoint="flows/nightly.py:harvest_shard").deploy(  # type: ignore[union-attr]
        name="harvest-shard", work_pool_name=POOL, print_next_steps=False)
    logs = [(tmp_path / f"worker-{n}.log").open("wb") for n in (1, 2)]
    env = subprocess_env(PREFECT_API_URL=api, PREFECT_WORKER_QUERY_SECONDS="1", PREFECT_LOGGING_LEVEL="WARNING")
    workers = [subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL, "--type", "process", "--limit", "1",
                                 "--name", f"worker-{n}"], cwd=ROOT, env=env, stdout=logs[n - 1], stderr=subprocess.STDOUT)
               for n in (1, 2)]
    try:
        summary = national_night(sources_file=demo_night.sources_file, shards=[["65"], ["43"], ["none"]], data_dir=tmp_path / "data",
                                 out_dir=tmp_path / "public", deployment="fazhi-harvest-shard/harvest-shard",
                                 return_state=True).result(raise_on_failure=False)
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter())
        taken_by = {r.name: getattr(r, "work_pool_name", None) for r in runs if r.deployment_id is not None}
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
    told = "\n".join((tmp_path / f"worker-{n}.log").read_text(encoding="utf-8", errors="replace")[-3000:] for n in (1, 2))
    assert isinstance(summary, RunSummary) and not summary.failures, told
    assert summary.new == demo_night.summary.new == 5  # type: ignore[attr-defined]
    assert release_rows(summary) == release_rows(demo_night.summary)  # type: ignore[arg-type]
    assert len(taken_by) == 3 and set(taken_by.values()) == {POOL}
    assert sorted(p.name for p in next((tmp_path / "data" / "shards").iterdir()).iterdir()) == [
        "shard-43.json", "shard-65.json", "shard-none.json"]
