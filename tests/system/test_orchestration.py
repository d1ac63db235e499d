"""The flow as an operator runs it: deployment, failure semantics, artifacts, Dask, lock, workflows."""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flows import nightly as nightly_module
from flows.cli import main
from flows.harvest.registry import select_sources
from flows.nightly import NIGHTLY_CRON, NIGHTLY_TIMEZONE, nightly
from flows.records import Night, RunSummary
from flows.store.lock import data_lock
from parsers.models import Source
from tests.conftest import DemoNight

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The source task retried once at once: the production delays (30 s, 5 min) are for real portals."""
    monkeypatch.setattr(nightly_module, "harvest_source_task", nightly_module.harvest_source_task.with_options(retries=1, retry_delay_seconds=0))
    monkeypatch.setattr(nightly_module, "SOURCE_RETRY_DELAYS", (0.0,))  # the delay is waited by the task's retry condition (issue 19)


def with_broken_source(sources_file: Path) -> Path:
    """The demo registry plus a portal that refuses connections."""
    text = sources_file.read_text(encoding="utf-8") + (
        "  - id: broken\n    name: 停机的县政府网站\n    adcode: \"500229\"\n    listing:\n      - \"http://127.0.0.1:9/col/index.html\"\n"
    )
    path = sources_file.with_name("with-broken.yaml")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.usefixtures("fast_retries")
def test_a_failed_source_still_publishes_the_rest_then_the_run_ends_failed(demo_sources_file: Path, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    state = nightly(sources_file=with_broken_source(demo_sources_file), data_dir=tmp_path / "data", out_dir=tmp_path / "public",
                    return_state=True)
    assert state.is_failed() and "1 failure(s) in 1 source(s)" in state.message
    summary = state.result(raise_on_failure=False)
    assert isinstance(summary, RunSummary)
    assert [(f.source_id, "connection refused" in f.reason) for f in summary.failures] == [("broken", True)]
    assert summary.new == 5 and summary.release is not None and (tmp_path / "public" / "index.html").exists()
    with get_client(sync_client=True) as client:
        keys = {a.key for a in client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["nightly-run-report", "nightly-failures"])))}
    assert keys == {"nightly-run-report", "nightly-failures"}


@pytest.mark.usefixtures("fast_retries")
def test_fazhi_nightly_exits_2_and_names_the_failed_source(demo_sources_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["nightly", "--sources", str(with_broken_source(demo_sources_file)), "--data", str(tmp_path / "d"), "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert code == 2
    assert "failures: 1" in out and "broken: http://127.0.0.1:9/col/index.html" in out
    assert list((tmp_path / "d" / "logs").glob("nightly-*.log"))


def release_rows(summary: RunSummary) -> list[list[str]]:
    assert summary.release is not None
    rows = []
    for name in ("reports.csv", "observations.csv", "indicators.csv"):
        with (Path(summary.release.path) / name).open(encoding="utf-8-sig") as handle:
            rows += [row for row in csv.reader(handle)]
    return rows


def test_the_demo_flow_on_a_local_dask_cluster_gives_the_same_release(demo_night: DemoNight, tmp_path: Path) -> None:
    from prefect_dask import DaskTaskRunner

    default = demo_night.summary  # the default task runner's night, on the same portals
    assert isinstance(default, RunSummary)
    on_dask = nightly.with_options(task_runner=DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True,
                                                                              "dashboard_address": None}))(
        sources_file=demo_night.sources_file, data_dir=tmp_path / "b", out_dir=tmp_path / "pb")
    assert on_dask.new == default.new == 5
    assert release_rows(on_dask) == release_rows(default)


def test_a_second_run_on_the_same_data_waits_then_says_why(demo_sources_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nightly_module, "LOCK_WAIT_SECONDS", 0.5)
    data = tmp_path / "data"
    with data_lock(data):
        state = nightly(sources_file=demo_sources_file, data_dir=data, out_dir=tmp_path / "public", return_state=True)
    assert state.is_failed()
    message = str(state.result(raise_on_failure=False))
    assert "another nightly run is writing here" in message and "pid" in message
    assert not (data / "releases").exists()


def test_the_deployment_runs_the_flow_at_two_in_the_morning_beijing_time() -> None:
    from prefect.flows import load_flow_from_entrypoint

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    deployment = next(d for d in config["deployments"] if d["name"] == "nightly")
    assert deployment["schedules"] == [{"cron": NIGHTLY_CRON, "timezone": NIGHTLY_TIMEZONE}] == [{"cron": "0 2 * * *", "timezone": "Asia/Shanghai"}]
    assert load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"])).name == "fazhi-nightly"
    assert set(deployment["parameters"]) <= {"sources_file", "data_dir", "out_dir", "recheck", "provinces"}


def test_one_shard_of_provinces() -> None:
    sources = [Source(id=i, name=i, adcode=code, listing=["http://a.gov.cn/"]) for i, code in (("cq", "500229"), ("yn", "532523"))]
    sources.append(Source(id="x", name="x", listing=["http://b.gov.cn/"]))
    assert [s.id for s in select_sources(sources, ["50", "none"])] == ["cq", "x"]
    assert select_sources(sources, None) == sources


@pytest.mark.parametrize("tool", ["zizmor", "check-jsonschema"])
def test_github_workflows_pass_their_audits(tool: str) -> None:
    binary = shutil.which(tool, path=str(Path(sys.executable).parent))
    assert binary, f"{tool} is installed with the test extras"
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    command = [binary, "--offline", "--min-severity", "medium", *workflows] if tool == "zizmor" else [
        binary, "--builtin-schema", "vendor.github-workflows", *workflows]
    run = subprocess.run(command, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_province_shards_then_one_merge_give_the_same_release_as_one_run(demo_night: DemoNight, tmp_path: Path) -> None:
    from flows.nightly import harvest_shard, merge_shards

    whole = demo_night.summary  # one run over every source, on the same portals
    assert isinstance(whole, RunSummary)
    shards, sources_file = tmp_path / "shards", demo_night.sources_file
    for provinces in (["65"], ["43"], ["none"]):  # 新疆 (尼勒克), 湖南 (辰溪), the region portal without a code
        harvest_shard(sources_file=sources_file, data_dir=tmp_path / "many", provinces=provinces, shard_dir=shards)
    merged = merge_shards(sources_file=sources_file, shard_dir=shards, data_dir=tmp_path / "many", out_dir=tmp_path / "p2")
    assert merged.new == whole.new == 5
    assert release_rows(merged) == release_rows(whole)


def test_a_prefect_rate_limit_on_a_host_spaces_its_requests_across_the_run(demo_portals, demo_sources_file: Path, tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    """The demo portals ask for 20 requests/s; a shared limit of 4/s set on one host in Prefect
    (as `fazhi limits` sets it from a registry that asks for 4/s there) is what the run obeys."""
    from prefect.client.orchestration import get_client

    from flows.cli import cmd_limits
    from flows.harvest.limits import limit_name
    from flows.harvest.registry import load_sources

    slow = demo_portals["nilka"]
    host = slow.base_url.removeprefix("http://")
    registry = tmp_path / "slow.yaml"
    registry.write_text(demo_sources_file.read_text(encoding="utf-8").replace("rate_per_second: 20", "rate_per_second: 4"), encoding="utf-8")
    assert {s.rate_per_second for s in load_sources(registry)} == {4.0}
    assert cmd_limits(registry) == 0
    assert f"{limit_name(host)}: 1 request per 0.25 s" in capsys.readouterr().out
    with get_client(sync_client=True) as client:
        for other in ("chenxi", "region"):  # only the one host stays limited
            client.delete_global_concurrency_limit_by_name(limit_name(demo_portals[other].base_url.removeprefix("http://")))
        assert client.read_global_concurrency_limit_by_name(limit_name(host)).slot_decay_per_second == 4.0
    try:
        state = nightly(sources_file=demo_sources_file, data_dir=tmp_path / "data", out_dir=tmp_path / "public", return_state=True)
        assert state.is_completed()
    finally:
        with get_client(sync_client=True) as client:
            client.delete_global_concurrency_limit_by_name(limit_name(host))

    def gaps(portal) -> list[float]:  # type: ignore[no-untyped-def]
        return [b - a for a, b in zip(portal.times, portal.times[1:])]

    assert len(slow.times) >= 4  # robots.txt, two listing pages, the article
    assert min(gaps(slow)) >= 0.25 * 0.9, gaps(slow)
    assert min(gaps(demo_portals["region"])) < 0.2  # the unlimited host keeps its own 20/s


def test_township_pages_fork_their_workers_safely_inside_a_prefect_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The site task runs in one of Prefect's worker threads; the township plugin forks workers
    from there (a national site has thousands of townships; forced here from one)."""
    from prefect import flow
    from sitegen.render import townships

    from flows import release, store
    from flows.nightly import site_task
    from flows.store.layout import DataLayout
    from tests.helpers import NOW, all_seeds

    monkeypatch.setattr(townships, "FORK_FROM", 1)
    layout = DataLayout(root=tmp_path / "data")
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        release.cut_release(conn, layout.releases, [Source(id="demo", name="演示", listing=["http://demo.gov.cn/"])], NOW)

    @flow
    def site_only():  # type: ignore[no-untyped-def]
        return site_task(layout, tmp_path / "public", force=True)

    built = site_only()
    assert built is not None and built.path == str(tmp_path / "public")  # the path as given, as when the site is already current
    # The five townships with reports (the other townships of their counties, 未纳入检索, have a row on their county page).
    township_pages = len(list((tmp_path / "public").glob("townships/[0-9]*/index.html")))
    assert built.stats is not None and built.stats.rendered == township_pages == 5 and built.stats.workers == min(os.cpu_count() or 1, 8)


def test_the_temporary_server_shield_fits_the_pinned_prefect() -> None:
    """flows/run/stop.py wraps SubprocessASGIServer._run_uvicorn_command and swaps the server
    module's subprocess.Popen for one call: both must still be what the installed Prefect uses."""
    import inspect
    import subprocess

    from prefect.server.api import server

    method = server.SubprocessASGIServer._run_uvicorn_command
    assert "subprocess.Popen(" in inspect.getsource(method)
    assert server.subprocess is subprocess
