"""The nightly flow: sources → discover → fetch → parse + extract → merge → release → site.

Thin on purpose: each task is a one-line wrapper around a plain function of its stage, so every
stage runs and is tested without Prefect. Work is grouped by source (one task per source, not
per report): a source is the unit that fails, retries and scales out together.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.futures import PrefectFuture, as_completed
from prefect.states import Failed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows import publish, release, store
from flows.harvest.browser import available_solver
from flows.harvest.context import SourceNight
from flows.harvest.discover import source_is_private
from flows.harvest.health import failure_health
from flows.harvest.http import HttpClient
from flows.harvest.limits import limited_hosts, prefect_gate
from flows.harvest.registry import load_sources, select_sources
from flows.harvest.source import harvest_source
from flows.records import Failure, MergeResult, Night, ReleaseInfo, RunSummary, SourceHarvest, SourceHealth, SourceStatus
from flows.reextract import ReextractResult, record_sources, reextract, stored_sources
from flows.release import retention
from flows.run import stop
from flows.run.progress import announce
from flows.run.report import render_run_report, summarize
from flows.run.shards import load_shards, save_shard
from flows.run.stop import NIGHT
from flows.store.layout import DataLayout
from flows.store.lock import data_lock
from parsers import Source

WORKERS_ENV = "FAZHI_WORKERS"
MAX_DEFAULT_WORKERS = 32


def harvest_workers() -> int:
    """How many sources are harvested at once: ``FAZHI_WORKERS`` when set, else 8 a core, at most
    32. A source's time is mostly spent waiting on its portal (per-host politeness, slow
    government servers), so threads outnumber cores; the bound keeps 3,000 sources from being
    3,000 threads, 3,000 open connections and 3,000 documents in memory at once."""
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if configured:
        try:
            workers = int(configured)
        except ValueError:
            raise ValueError(f"{WORKERS_ENV}={configured!r}: not a whole number of workers") from None
        if workers < 1:
            raise ValueError(f"{WORKERS_ENV}={configured!r}: at least one worker is needed")
        return workers
    return min(MAX_DEFAULT_WORKERS, 8 * (os.cpu_count() or 1))


class HarvestThreads(ThreadPoolTaskRunner[Any]):
    """The night's thread pool, bounded by harvest_workers() as read when a run starts (Prefect
    duplicates the runner for each flow run), or by an explicit ``max_workers``."""

    def __init__(self, max_workers: int | None = None) -> None:
        self._fixed_workers = max_workers
        super().__init__(max_workers=max_workers or harvest_workers())

    def duplicate(self) -> "HarvestThreads":
        return type(self)(self._fixed_workers)


def harvest_threads(max_workers: int | None = None) -> TaskRunner[Any]:
    """A HarvestThreads, typed as the task runner Flow.with_options takes."""
    return HarvestThreads(max_workers)


SOURCE_RETRY_DELAYS = (30.0, 300.0)  # a portal down now is often back in a minute, or after its nightly backup
DEFAULT_DEADLINE_SECONDS = 4 * 3600.0  # the demo takes seconds; a national night's harvest, about two hours


def retry_unless_stopped(task: object, task_run: object, state: object) -> bool:
    """Retry a failed source after 30 s, then 5 min, unless the night stops meanwhile.

    The delay is waited here, on the night's stop, and not by Prefect: Prefect sleeps a retry's
    delay in the worker thread where nothing can wake it, so a SIGTERM or the deadline arriving
    then would wait up to five minutes for it (issue 19, item 7)."""
    if _failed_on_this_machine(state):  # a full or read-only disk fails the same way in 5 minutes
        return False
    attempt = max(1, int(getattr(task_run, "run_count", 1) or 1))
    return not NIGHT.wait(SOURCE_RETRY_DELAYS[min(attempt, len(SOURCE_RETRY_DELAYS)) - 1])


LOCAL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


def _failed_on_this_machine(state: object) -> bool:
    """The source failed on the machine's disk (full, read-only, forbidden), not on the network."""
    try:
        error = state.result(raise_on_failure=False)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 (a state without a readable result: retry as before)
        return False
    return isinstance(error, OSError) and error.errno in LOCAL_ERRNOS


# Fetching is the only stage that meets the network: it alone is retried. Parsing is
# deterministic (a retry would fail the same way), and merge/release/site are local.
# No task timeout here: the task runs in a worker thread, where Prefect cannot interrupt it (and
# warns on every run); it is bounded instead by the HTTP client's connect/read timeouts, its
# response deadline, the source's max_pages and the night's deadline (flows.run.stop).
@task(name="harvest-source", retries=2, retry_delay_seconds=0, retry_condition_fn=retry_unless_stopped,
      task_run_name="harvest-{source.id}", cache_policy=NO_CACHE, persist_result=False)
def harvest_source_task(source: Source, layout: DataLayout, now: datetime, recheck: bool,
                        limited: frozenset[str] = frozenset()) -> SourceHarvest:
    """Discover, fetch, parse and extract one source; requests to ``limited`` hosts also take a
    slot of the host's Prefect rate limit (shared by every worker of a national night).

    The task reads its own source's keys from the store (read-only: the night's tasks read
    together, the merge writes after them) rather than being handed the whole store's: Prefect
    visits every element of a task's arguments, and a national store's 200,000 known keys and
    300,000 validators made that minutes of CPU per source (issue 32)."""
    with store.open_reader(layout.store_path) as conn:
        known, validators, attachments = store.source_state(conn, source.id, recheck)
    client = HttpClient(allow_private=source_is_private(source), gate=prefect_gate(limited),
                        challenge_solver=available_solver(), browser_first=source.browser)
    return harvest_source(SourceNight(client, source, layout.raw(), now, known=known, validators=validators, recheck=recheck,
                                      attachments=attachments))


@task(name="merge", timeout_seconds=1800, cache_policy=NO_CACHE, persist_result=False)
def merge_task(layout: DataLayout, night: Night) -> MergeResult:
    with store.open_store(layout.store_path) as conn:
        merged = store.merge(conn, night)
        store.keep_unreadable(conn, night)
        return merged


@task(name="reextract", timeout_seconds=3600, cache_policy=NO_CACHE, persist_result=False)
def reextract_task(layout: DataLayout, sources: list[Source], now: datetime) -> ReextractResult:
    """Stored revisions extracted again from the raw store when the extraction rules changed. A
    failure of the whole step is the night's failure, not its end: tonight's reports are still
    merged and published (the batches re-extracted so far are kept; the next night goes on)."""
    with store.open_store(layout.store_path) as conn:
        record_sources(conn, sources, now)
        try:
            return reextract(conn, layout.raw(), now, stored_sources(conn), workers=os.cpu_count() or 1,
                             progress=lambda done, total: announce("reextract", done, total))
        except Exception as exc:  # noqa: BLE001 - reported as a failure of the night
            failure = Failure(source_id="reextract", url=str(layout.raw().root), reason=f"re-extraction stopped: {exc}")
            return ReextractResult(version="", failures=[failure])


@task(name="release", timeout_seconds=1800, cache_policy=NO_CACHE, persist_result=False)
def release_task(layout: DataLayout, sources: list[Source], now: datetime) -> ReleaseInfo | None:
    with store.open_store(layout.store_path) as conn:
        return release.cut_release(conn, layout.releases, sources, now)


@task(name="prune-releases", timeout_seconds=1800, cache_policy=NO_CACHE, persist_result=False)
def prune_task(layout: DataLayout, now: datetime) -> list[str]:
    """The releases the retention policy no longer keeps, removed (flows.release.retention)."""
    return retention.prune(layout.releases, now).pruned


@task(name="build-site", timeout_seconds=3600, cache_policy=NO_CACHE, persist_result=False)
def site_task(layout: DataLayout, out_dir: Path, force: bool) -> publish.PublishedSite | None:
    if not force and publish.site_is_current(layout, out_dir):
        return publish.PublishedSite(path=str(out_dir))
    return publish.publish_latest(layout, out_dir)


@contextmanager
def timed(timings: dict[str, float], stage: str, steps: bool = True) -> Iterator[None]:
    """Time a stage for the run report; announce it as one step unless it announces its own."""
    if steps:
        announce(stage, 0, 1)
    started = time.monotonic()
    yield
    timings[stage] = time.monotonic() - started
    if steps:
        announce(stage, 1, 1)


HARVEST_STAGE = "discover+fetch+extract"  # one step per source


def harvest_sources(sources: list[Source], layout: DataLayout, now: datetime, recheck: bool) -> Night:
    """Every source's task, submitted at once (the task runner decides how many run together)."""
    with store.open_store(layout.store_path):  # created or migrated once, here; the tasks only read it
        pass
    limited = limited_hosts()
    futures = [harvest_source_task.submit(s, layout, now, recheck, limited) for s in sources]
    return gather(sources, futures, now)


def gather(sources: list[Source], futures: list[PrefectFuture[Any]], now: datetime) -> Night:
    """Each source's harvest, in the registry's order; a source whose task failed for good becomes
    a failure, not a crash. Progress is announced as each source finishes, in whatever order."""
    announce(HARVEST_STAGE, 0, len(futures))
    for done, _ in enumerate(as_completed(futures), start=1):
        announce(HARVEST_STAGE, done, len(futures))
    harvests: list[SourceHarvest] = []
    failures: list[Failure] = []
    failed_health: list[SourceHealth] = []
    for source, future in zip(sources, futures):
        future.wait()
        if future.state.is_completed():
            summary = future.result()
            harvests.append(summary)
            failures.extend(summary.failures)
        else:
            message = str(future.state.message or "failed")
            failures.append(Failure(source_id=source.id, url=source.pages[0], reason=message))
            failed_health.append(failure_health(source.id, source.listing[0] if source.listing else None, _task_error(future.state) or message))
    return Night(now=now, harvests=harvests, failures=failures, failed_health=failed_health)


def _task_error(state: object) -> BaseException | None:
    """The exception a failed task raised (its kind says robots, 412 or off-host), when Prefect kept it."""
    try:
        error = state.result(raise_on_failure=False)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 (a state without a readable result: the message is used instead)
        return None
    return error if isinstance(error, BaseException) else None


def flagged_sources(layout: DataLayout, sources: list[Source], night: Night) -> list[SourceStatus]:
    """The sources tried tonight that are stale or broken, as `fazhi sources status` flags them."""
    tried = {h.source_id for h in night.health}
    with store.open_store(layout.store_path) as conn:
        return [s for s in store.source_status(conn, [s for s in sources if s.id in tried]) if s.flags]


def publish_run_report(summary: RunSummary, timings: dict[str, float]) -> None:
    create_markdown_artifact(key="nightly-run-report", markdown=render_run_report(summary, timings), description="Fazhi Atlas nightly run")
    if summary.sources_flagged:
        create_table_artifact(key="nightly-source-health", table=[{"source": s.source_id, "flags": "; ".join(s.flags),
                                                                   "last_success": s.last_success, "last_error": s.last_error}
                                                                  for s in summary.sources_flagged],
                              description="Sources whose listing is stale or broken (fazhi sources status)")
    if summary.failures:
        create_table_artifact(key="nightly-failures", table=[f.model_dump(mode="json") for f in summary.failures],
                              description="Sources and URLs that failed tonight, with the reason")


@flow(name="fazhi-nightly", log_prints=False, task_runner=harvest_threads())
def nightly(sources_file: Path, data_dir: Path = Path("data"), out_dir: Path = Path("public"), recheck: bool = False,
            provinces: list[str] | None = None, deadline_seconds: float | None = DEFAULT_DEADLINE_SECONDS,
            stop_on_signals: bool = False) -> RunSummary | State:
    """One night: sources → discover → fetch → parse + extract → merge → release → site.

    ``recheck`` fetches stored reports again (conditionally) to find revised and withdrawn ones;
    ``provinces`` (2-digit codes) runs one shard of the registry. What succeeded is merged and
    published; if any source failed, the run then ends Failed so that automations can alert.
    Sources not finished ``deadline_seconds`` after the harvest began fail with that reason.
    With ``stop_on_signals`` (the CLI), SIGTERM or SIGINT ends the harvest at once, merges what
    was harvested and skips the release and the site (the next night cuts them); the handlers
    are set here, inside the flow, because Prefect sets its own SIGTERM handler when a flow starts.
    """
    NIGHT.reset()
    with data_lock(Path(data_dir), wait_seconds=LOCK_WAIT_SECONDS), (stop.stop_on_signals() if stop_on_signals else nullcontext()):
        return run_night(Path(sources_file), DataLayout(root=Path(data_dir)), Path(out_dir), recheck, provinces, deadline_seconds)


@flow(name="fazhi-harvest-shard", log_prints=False, task_runner=harvest_threads())
def harvest_shard(sources_file: Path, data_dir: Path, provinces: list[str], shard_dir: Path, recheck: bool = False,
                  deadline_seconds: float | None = DEFAULT_DEADLINE_SECONDS) -> Path:
    """One worker's share of a national night: discover, fetch and extract the sources of some
    provinces, and leave the result in ``shard_dir`` for the one merge at the end. Reads the store
    (to skip known reports), never writes it; raw bodies go to the shared raw store."""
    layout = DataLayout(root=Path(data_dir))
    now = datetime.now(timezone.utc)
    sources = select_sources(load_sources(Path(sources_file)), provinces)
    NIGHT.reset()
    with stop.deadline(deadline_seconds):
        night = harvest_sources(sources, layout, now, recheck)
    return save_shard(Path(shard_dir), "-".join(provinces), night)


@flow(name="fazhi-merge-shards", log_prints=False)
def merge_shards(sources_file: Path, shard_dir: Path, data_dir: Path = Path("data"), out_dir: Path = Path("public")) -> RunSummary | State:
    """The end of a national night: every shard merged in one transaction, one release, one site."""
    layout = DataLayout(root=Path(data_dir))
    NIGHT.reset()
    with data_lock(layout.root, wait_seconds=LOCK_WAIT_SECONDS):
        shards = load_shards(Path(shard_dir))
        night = Night.joined(shards) if shards else Night(now=datetime.now(timezone.utc))
        return publish_night(load_sources(Path(sources_file)), layout, Path(out_dir), night, {})


SHARD_DEPLOYMENT = "fazhi-harvest-shard/harvest-shard"  # prefect.yaml's deployment of harvest_shard


@task(name="shard", cache_policy=NO_CACHE, persist_result=False, task_run_name="shard-{name}")
def shard_task(deployment: str, name: str, parameters: dict[str, Any]) -> str:
    """One shard, run as a deployment on the work pool (a worker on any machine picks it up);
    waits for it to end. Raises with the shard's final state when it did not complete."""
    from prefect.deployments import run_deployment

    run = run_deployment(name=deployment, parameters=parameters, timeout=None, as_subflow=True)
    state = getattr(run, "state", None)
    if state is None or not state.is_completed():
        raise RuntimeError(f"shard {name} ended {state.name if state else 'without a state'}: {state.message if state else ''}".strip())
    return str(getattr(run, "name", name))


@flow(name="fazhi-national-night", log_prints=False, task_runner=harvest_threads(MAX_DEFAULT_WORKERS))
def national_night(sources_file: Path, shards: list[list[str]], data_dir: Path = Path("data"), out_dir: Path = Path("public"),
                   shard_root: Path | None = None, deployment: str = SHARD_DEPLOYMENT, recheck: bool = False,
                   deadline_seconds: float | None = DEFAULT_DEADLINE_SECONDS) -> RunSummary | State:
    """A national night over a work pool: each shard (a list of 2-digit province codes; ``none``
    for sources without one) runs as the deployment ``deployment`` of harvest_shard, on whichever
    worker takes it; when all have ended, their harvests are merged here, in one transaction, by
    the store's one writer, then one release, the site and the pruning, as in ``nightly``.

    The shards read the store and write raw bodies and their shard file, so ``data_dir`` and
    ``shard_root`` (default data/shards) must be the same folders on every worker. Tested with
    workers on the store's machine; workers elsewhere would read the store over a network file
    system, where SQLite's WAL does not work: they need their own read-only copy of it (not
    automated yet; docs/operating.md). Each night's shards go to a folder of their own: an earlier
    night's shard is never merged again. A shard that fails is a failure of its sources, not of
    the night: the others are merged and published, and the run ends Failed."""
    layout = DataLayout(root=Path(data_dir))
    NIGHT.reset()
    started = datetime.now(timezone.utc)
    folder = Path(shard_root or layout.root / "shards") / started.strftime("%Y%m%dT%H%M%S")
    timings: dict[str, float] = {}
    with data_lock(layout.root, wait_seconds=LOCK_WAIT_SECONDS):
        with store.open_store(layout.store_path):  # created or migrated once, before the shards read it
            pass
        with timed(timings, "shards"):
            futures = {"-".join(p): shard_task.submit(deployment, "-".join(p), {
                "sources_file": str(sources_file), "data_dir": str(data_dir), "provinces": p, "shard_dir": str(folder),
                "recheck": recheck, "deadline_seconds": deadline_seconds}) for p in shards}
            failures = []
            for name, future in futures.items():
                future.wait()
                if not future.state.is_completed():
                    failures.append(Failure(source_id=f"shard-{name}", url=str(folder), reason=str(future.state.message or "failed")))
        loaded = load_shards(folder) if folder.is_dir() else []
        night = Night.joined(loaded) if loaded else Night(now=started)
        night = night.model_copy(update={"failures": [*night.failures, *failures]})
        return publish_night(load_sources(Path(sources_file)), layout, Path(out_dir), night, timings)


LOCK_WAIT_SECONDS = 60.0  # a run started while another writes waits a minute, then fails clearly


def run_night(sources_file: Path, layout: DataLayout, out_dir: Path, recheck: bool, provinces: list[str] | None,
              deadline_seconds: float | None = None) -> RunSummary | State:
    timings: dict[str, float] = {}
    now = datetime.now(timezone.utc)
    sources = select_sources(load_sources(sources_file), provinces)
    with stop.deadline(deadline_seconds), timed(timings, HARVEST_STAGE, steps=False):
        night = harvest_sources(sources, layout, now, recheck)
    return publish_night(sources, layout, out_dir, night, timings)


def publish_night(sources: list[Source], layout: DataLayout, out_dir: Path, night: Night, timings: dict[str, float]) -> RunSummary | State:
    """Re-extract (when the rules changed), merge, release, build the site, report; Failed (after
    publishing) when anything failed."""
    now = night.now
    with timed(timings, "reextract", steps=False):
        replayed = reextract_task(layout, sources, now)
    failures = [*night.failures, *replayed.failures]
    with timed(timings, "merge"):
        merged = merge_task(layout, night)
    cut = site = None
    if NIGHT.signal is None:
        with timed(timings, "release"):
            cut = release_task(layout, sources, now)
        for repair in cut.repairs if cut else []:  # a damaged LATEST or latest release, written again from the store
            get_run_logger().warning("repaired: %s", repair)
        failures += cut.left_out if cut else []  # a report the release could not be written with: named, the rest released
    if NIGHT.signal is None:
        with timed(timings, "site"):
            site = site_task(layout, out_dir, force=cut is not None)
    if cut is not None and NIGHT.signal is None:  # after the site: it is built from the release just cut, never a pruned one
        with timed(timings, "prune", steps=False):  # quick and quiet: the progress ends with the site, as before
            pruned = prune_task(layout, now)
        if pruned:
            get_run_logger().info("pruned %d release(s): %s", len(pruned), ", ".join(pruned))
    summary = summarize(sources, night, merged, failures, cut, release.latest_version(layout.releases), site.path if site else None,
                        site.stats if site else None, flagged_sources(layout, sources, night))
    publish_run_report(summary, timings)
    if NIGHT.signal is not None:  # what was harvested is merged; the release and the site wait for the next night
        return Failed(message=f"{NIGHT.reason}: what was harvested is merged; the release and the site are left for the next night", data=summary)
    # A report that needs a tool this machine lacks is kept (unreadable.csv, coverage: unreadable) and
    # counted in the night's report, not a failure of the night: installing the tool is the fix.
    failed = [f for f in failures if not f.needs]
    if failed:
        get_run_logger().warning("%d failure(s); the rest is merged and published", len(failed))
        return Failed(message=f"{len(failed)} failure(s) in {len({f.source_id for f in failed})} source(s)", data=summary)
    return summary


NIGHTLY_CRON = "0 2 * * *"  # 02:00 Beijing time: after portals' evening uploads, before readers' morning
NIGHTLY_TIMEZONE = "Asia/Shanghai"


def serve_nightly(sources_file: Path, data_dir: Path, out_dir: Path) -> None:
    """Serve the flow as a deployment with its nightly schedule (needs a Prefect server: PREFECT_API_URL)."""
    from prefect.schedules import Cron

    nightly.serve(
        name="nightly",
        schedules=[Cron(NIGHTLY_CRON, timezone=NIGHTLY_TIMEZONE)],
        parameters={"sources_file": str(sources_file), "data_dir": str(data_dir), "out_dir": str(out_dir)},
        description="Fazhi Atlas: discover, fetch, parse, extract, merge, release and publish, every night",
    )
