"""The nightly flow: sources → discover → fetch → parse + extract → merge → release → site.

Thin on purpose: each task is a one-line wrapper around a plain function of its stage, so every
stage runs and is tested without Prefect. Work is grouped by source (one task per source, not
per report): a source is the unit that fails, retries and scales out together.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.artifacts import create_markdown_artifact
from prefect.futures import PrefectFuture

from parsers.models import Source

from . import publish, release, store
from .harvest import harvest_source
from .http import HttpClient
from .layout import DataLayout
from .records import Failure, FetchRecord, Harvested, MergeResult, ReleaseInfo, RunSummary, SourceHarvest
from .report import render_run_report, summarize
from .sources import load_sources


@task(name="harvest-source", retries=2, retry_delay_seconds=[5, 30], task_run_name="harvest-{source.id}",
      cache_policy=NO_CACHE, persist_result=False)
def harvest_source_task(source: Source, known: set[tuple[str, str]], validators: dict[tuple[str, str], FetchRecord],
                        layout: DataLayout, now: datetime, recheck: bool) -> tuple[SourceHarvest, list[Harvested]]:
    """Discover, fetch, parse and extract one source (network: retried)."""
    return harvest_source(HttpClient(), source, known, validators, layout.raw(), now, recheck=recheck)


@task(name="merge", cache_policy=NO_CACHE, persist_result=False)
def merge_task(layout: DataLayout, harvests: list[SourceHarvest], harvested: list[Harvested], now: datetime) -> MergeResult:
    with store.open_store(layout.store_path) as conn:
        return store.merge(conn, harvested, [r for h in harvests for r in h.log], now,
                           [h.listing for h in harvests if h.listing], [g for h in harvests for g in h.gone], harvests)


@task(name="release", cache_policy=NO_CACHE, persist_result=False)
def release_task(layout: DataLayout, sources: list[Source], now: datetime) -> ReleaseInfo | None:
    with store.open_store(layout.store_path) as conn:
        return release.cut_release(conn, layout.releases, sources, now)


@task(name="build-site", cache_policy=NO_CACHE, persist_result=False)
def site_task(layout: DataLayout, out_dir: Path) -> str | None:
    return publish.publish_latest(layout, out_dir)


@flow(name="fazhi-nightly", log_prints=False)
def nightly(sources_file: Path, data_dir: Path = Path("data"), out_dir: Path = Path("public"), recheck: bool = False) -> RunSummary:
    """One night's run over the sources in ``sources_file``; the dataset and releases live in
    ``data_dir`` and the built site goes to ``out_dir``. ``recheck`` fetches stored reports again
    (conditionally) to find revised and withdrawn ones."""
    logger = get_run_logger()
    timings: dict[str, float] = {}
    started = time.monotonic()
    now = datetime.now(timezone.utc)
    layout = DataLayout(root=Path(data_dir))
    sources = load_sources(Path(sources_file))
    with store.open_store(layout.store_path) as conn:
        known, validators = store.known_keys(conn), store.validators(conn)

    futures: list[PrefectFuture] = [harvest_source_task.submit(s, known, validators, layout, now, recheck) for s in sources]
    harvests: list[SourceHarvest] = []
    harvested: list[Harvested] = []
    failures: list[Failure] = []
    for source, future in zip(sources, futures):
        future.wait()
        if future.state.is_completed():
            summary, items = future.result()
            harvests.append(summary)
            harvested.extend(items)
            failures.extend(summary.failures)
        else:
            reason = str(future.state.message or "failed")
            failures.append(Failure(source_id=source.id, url=source.listing[0], reason=reason))
            logger.error("source %s failed: %s", source.id, reason)
    timings["discover+fetch+extract"] = time.monotonic() - started

    mark = time.monotonic()
    merged = merge_task(layout, harvests, harvested, now)
    timings["merge"] = time.monotonic() - mark
    mark = time.monotonic()
    cut = release_task(layout, sources, now)
    timings["release"] = time.monotonic() - mark
    mark = time.monotonic()
    site = site_task(layout, Path(out_dir)) if cut or not publish.site_is_current(layout, Path(out_dir)) else str(out_dir)
    timings["site"] = time.monotonic() - mark

    observations = sum(len(h.extraction.observations) for h in harvested)
    summary = summarize(len(sources), harvests, merged, observations, failures, cut, release.latest_version(layout.releases), site)
    create_markdown_artifact(key="nightly-run-report", markdown=render_run_report(summary, timings), description="Fazhi Atlas nightly run")
    return summary
