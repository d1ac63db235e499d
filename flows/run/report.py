"""A night's outcome, summarised for the operator: the console lines and the Prefect artifact."""

from __future__ import annotations

from collections import Counter

from sitegen.stats import SiteStats

from flows.records import DEFERRED, Failure, MergeResult, Night, ReleaseInfo, RunSummary, SourceStatus
from parsers import UNCLASSIFIED, Source


def summarize(sources: list[Source], night: Night, merged: MergeResult, failures: list[Failure], cut: ReleaseInfo | None,
              latest: str | None, site: str | None, site_stats: SiteStats | None = None,
              flagged: list[SourceStatus] | None = None) -> RunSummary:
    """The night in figures. "Figures" are counts of a named indicator; the counts no indicator
    takes (``unclassified``, the reviewers' queue) are counted apart: a night of 72 figures and 46
    queued counts said "figures extracted: 118"."""
    harvests = night.harvests
    mentions = [o.indicator for h in night.harvested for o in h.extraction.observations]
    unclassified = sum(1 for indicator in mentions if indicator == UNCLASSIFIED)
    observations = len(mentions) - unclassified
    return RunSummary(
        sources=len(sources),
        links_seen=sum(len(h.decisions) for h in harvests),
        links_skipped=sum(1 for h in harvests for d in h.decisions if not d.take),
        reports_known=sum(h.known for h in harvests),
        reports_fetched=sum(len(h.fetched) for h in harvests),
        new=len(merged.new),
        revised=len(merged.revised),
        unchanged=len(merged.unchanged),
        withdrawn=len(merged.withdrawn),
        observations=observations,
        failures=failures,
        release=cut,
        latest_release=latest,
        site_dir=site,
        site_stats=site_stats,
        sources_flagged=flagged or [],
        unclassified=unclassified,
    )


def render_summary_lines(summary: RunSummary) -> list[str]:
    """What `fazhi nightly` prints at the end of a run, each line led by its Chinese label."""
    lines = [
        f"来源 | sources: {summary.sources}; links seen: {summary.links_seen} ({summary.links_skipped} not reports)",
        f"报告 | reports: {summary.new} new, {summary.revised} revised, {summary.withdrawn} withdrawn, {summary.unchanged} unchanged,"
        f" {summary.reports_known} already known (not fetched again)",
        f"数字 | figures extracted: {summary.observations}" + _queue(summary.unclassified),
    ]
    if summary.release:
        lines.append(f"发布 | release: {summary.release.version} ({summary.release.reports} reports, {summary.release.observations} figures"
                     f"{_queue(summary.release.unclassified)}) in {summary.release.path}")
        lines += [f"修复 | warning: repaired: {repair}" for repair in summary.release.repairs]
    else:
        lines.append(f"发布 | nothing new: no new release (latest: {summary.latest_release or 'none yet'})")
    failed = [f for f in summary.failures if not f.needs]  # the unreadable ones have their own lines below
    if failed:
        lines.append(f"失败 | failures: {len(failed)}")
        lines += [f"  - {f.source_id}: {f.url}: {f.reason}" for f in failed]
    else:
        lines.append("失败 | failures: none")
    if summary.sources_flagged:
        lines.append(f"来源健康 | sources stale or broken: {len(summary.sources_flagged)} (fazhi sources status)")
        lines += [f"  - {s.source_id}: {'; '.join(s.flags)}" for s in summary.sources_flagged]
    # Both kept in the store (unreadable), read on a later night once the tool is there or the conversion done.
    deferred = Counter(f.needs.removesuffix(DEFERRED).strip() for f in summary.failures if f.needs and f.needs.endswith(DEFERRED))
    needs = Counter(f.needs for f in summary.failures if f.needs and not f.needs.endswith(DEFERRED))
    if needs:
        lines.append(f"待读 | unreadable without a tool: {sum(needs.values())} report(s), needs " +
                     "; ".join(f"{what}: {n}" for what, n in sorted(needs.items())) + " (docs/formats.md says what to install)")
        lines += [f"  - {f.source_id}: {f.url}: {f.reason}" for f in summary.failures if f.needs and not f.needs.endswith(DEFERRED)]
    if deferred:  # the night's deadline stopped the tool: which one, so an operator knows what ran out of time
        lines.append(f"延后 | stopped by the night's end, read next night: {sum(deferred.values())} report(s), " +
                     "; ".join(f"{what}: {n}" for what, n in sorted(deferred.items())))
        lines += [f"  - {f.source_id}: {f.url}: {f.reason}" for f in summary.failures if f.needs and f.needs.endswith(DEFERRED)]
    if summary.site_dir:
        lines.append(f"网站 | site: {summary.site_dir}/index.html (preview: fazhi serve --out {summary.site_dir})")
    return lines


def _queue(unclassified: int | None) -> str:
    """The reviewers' queue beside a count of figures (None: a release cut before it was counted apart)."""
    return f"; {unclassified} unclassified counts in the reviewers' queue" if unclassified is not None else ""


def render_run_report(summary: RunSummary, timings: dict[str, float]) -> str:
    """The run report as a Prefect markdown artifact."""
    lines = ["# Fazhi Atlas nightly run", ""] + [f"- {line.strip()}" for line in render_summary_lines(summary) if not line.startswith("  - ")]
    lines += ["", "| stage | seconds |", "|---|---:|"] + [f"| {stage} | {seconds:.1f} |" for stage, seconds in timings.items()]
    if summary.site_stats:
        s = summary.site_stats
        lines += ["", f"Site: {s.pages} pages; township pages {s.rendered} rendered, {s.reused} reused, on {s.workers} process(es); "
                      f"generate {s.generate_s} s, MkDocs {s.mkdocs_s} s, township pages {s.townships_s} s, downloads {s.downloads_s} s"]
    if summary.sources_flagged:
        lines += ["", "## Sources stale or broken", "", "| source | flags | last success | last error |", "|---|---|---|---|"]
        lines += [f"| {s.source_id} | {_cell('; '.join(s.flags))} | {s.last_success or 'never'} | {_cell(s.last_error or '')} |"
                  for s in summary.sources_flagged]
    if summary.failures:
        lines += ["", "## Failures", "", "| source | URL | reason |", "|---|---|---|"]
        lines += [f"| {f.source_id} | {f.url} | {f.reason.replace('|', '/')} |" for f in summary.failures]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text from a portal (an error names its URL) inside a markdown table cell: one line, no pipes."""
    return " ".join(text.replace("|", "/").split())[:300]
