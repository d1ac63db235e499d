"""What the I/O stages hand each other: fetch log rows, harvested reports, failures, summaries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sitegen.stats import SiteStats

from parsers import Document, Extraction, LinkDecision


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FetchRecord(Record):
    """One HTTP exchange, as the fetch log keeps it."""

    source_id: str
    url: str
    url_key: str
    fetched_at: datetime
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    content_type: str | None = None
    error: str | None = None


# What a failure's ``needs`` ends with when the night's end stopped the tool ("LibreOffice (deferred
# to the next night)"): the night's report counts those apart, by tool, from the tools missing.
DEFERRED = "(deferred to the next night)"


class Unread(Record):
    """What the night could say of a report it could not read (its tool is missing, or the night's
    end stopped it), from its page and its listing title: which file, which township and year, so
    that coverage says ``unreadable``, not ``not_found``."""

    title: str | None = None
    file_url: str | None = None  # the attachment that needs the tool (None: the page's URL is the file)
    township_code: str | None = None
    year: int | None = None
    kind: str = "unknown"
    published_on: date | None = None


class Failure(Record):
    """Something that went wrong, in words the operator can act on."""

    source_id: str
    url: str
    reason: str
    needs: str | None = None  # unreadable without a tool not installed ("LibreOffice", "OCR"): flows/store/unreadable.py keeps it
    unread: Unread | None = None  # with ``needs``: what is known of the report


class Fetched(Record):
    """A report's bytes as fetched: the article page, or the attachment its page points to."""

    source_id: str
    url: str
    url_key: str
    title: str
    sha256: str
    content_type: str | None
    page_sha256: str | None = None  # the article page, when the text came from an attachment
    attachment_url: str | None = None
    listed_on: date | None = None  # the date the listing showed beside the link: the publication date when the page has none


class Chosen(Record):
    """The taken links worth a request tonight, and why the others wait (max_new_reports)."""

    links: list[LinkDecision] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)


class FetchedReport(Record):
    """A fetched report with the document parsed from it as it arrived (parsed once: the extract
    step reads this document, not the bytes again)."""

    fetched: Fetched
    document: Document


class FetchResult(Record):
    """What fetching one source's taken links gave."""

    reports: list[FetchedReport] = Field(default_factory=list)
    log: list[FetchRecord] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
    known: int = 0  # report links already stored (or unchanged: 304), not fetched again
    gone: list[Gone] = Field(default_factory=list)  # stored pages that answered 404 or 410


class SourceHealth(Record):
    """How one source's listing behaved tonight (the store's source_health row; flows/harvest/health.py).

    ``items`` counts the listing's records (links with a date printed beside them: what a column
    lists), ``links`` every link on its pages, ``report_links`` the links taken as reports,
    ``new_report_links`` those not stored before tonight."""

    source_id: str
    answered: bool
    listing: str | None = None  # the first listing page walked (for a find_from entry: the one found tonight)
    items: int = 0
    links: int = 0
    report_links: int = 0
    new_report_links: int = 0
    newest: date | None = None  # the newest date printed beside a report link (else beside any record)
    robots: bool = False  # robots.txt disallows the listing
    challenge: bool = False  # answered 412 (a JavaScript anti-bot challenge) and it was not passed
    off_host: bool = False  # redirected off the source's hosts (or to another port)
    error: str | None = None


class SourceHarvest(Record):
    """Everything one source yielded tonight."""

    source_id: str
    decisions: list[LinkDecision] = Field(default_factory=list)
    fetched: list[Fetched] = Field(default_factory=list)
    log: list[FetchRecord] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
    known: int = 0  # report links already stored, not fetched again
    listing: Listing | None = None
    gone: list[Gone] = Field(default_factory=list)
    harvested: list[Harvested] = Field(default_factory=list)  # the reports read, ready to merge
    health: SourceHealth | None = None


class Discovery(Record):
    """What walking one source's listing pages gave."""

    decisions: list[LinkDecision] = Field(default_factory=list)  # every link seen, with the decision taken on it
    log: list[FetchRecord] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
    listing: Listing


class Night(Record):
    """One night's harvest as the merge takes it (or a shard's: a worker's share of a national
    night, or several shards joined): every source's harvest, every failure, and the night's time."""

    now: datetime
    harvests: list[SourceHarvest] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)  # each source's own, and the sources whose task failed for good
    failed_health: list[SourceHealth] = Field(default_factory=list)  # of the sources whose task failed for good

    @property
    def health(self) -> list[SourceHealth]:
        """Every source's health tonight: those harvested and those whose task failed."""
        return [h.health for h in self.harvests if h.health] + list(self.failed_health)

    @property
    def harvested(self) -> list[Harvested]:
        return [item for h in self.harvests for item in h.harvested]

    @property
    def log(self) -> list[FetchRecord]:
        return [record for h in self.harvests for record in h.log]

    @property
    def listings(self) -> list[Listing]:
        return [h.listing for h in self.harvests if h.listing]

    @property
    def gone(self) -> list[Gone]:
        return [g for h in self.harvests for g in h.gone]

    @classmethod
    def of(cls, now: datetime, harvested: Iterable[Harvested] = (), log: Iterable[FetchRecord] = (), listings: Iterable[Listing] = (),
           gone: Iterable[Gone] = ()) -> Night:
        """Reports and fetch records gathered outside a night's harvest (a benchmark, a test, a
        replay), grouped by source as a night groups them."""
        groups: dict[str, dict[str, list[Any]]] = {}

        def group(source_id: str) -> dict[str, list[Any]]:
            return groups.setdefault(source_id, {"harvested": [], "log": [], "listing": [], "gone": []})

        for item in harvested:
            group(item.source_id)["harvested"].append(item)
        for record in log:
            group(record.source_id)["log"].append(record)
        for listing in listings:
            group(listing.source_id)["listing"].append(listing)
        for g in gone:
            group(g.source_id)["gone"].append(g)
        harvests = []
        for source_id, parts in groups.items():
            extra = parts.pop("listing")
            harvests.append(SourceHarvest(source_id=source_id, listing=extra[0] if extra else None, harvested=parts["harvested"],
                                          log=parts["log"], gone=parts["gone"]))
            harvests += [SourceHarvest(source_id=source_id, listing=more) for more in extra[1:]]
        return cls(now=now, harvests=harvests)

    @classmethod
    def joined(cls, nights: Iterable[Night]) -> Night:
        """Several shards' harvests as one night (the latest shard's time)."""
        nights = list(nights)
        if not nights:
            raise ValueError("no shard to merge")
        return cls(now=max(n.now for n in nights), harvests=[h for n in nights for h in n.harvests],
                   failures=[f for n in nights for f in n.failures], failed_health=[h for n in nights for h in n.failed_health])


class Harvested(Record):
    """A report ready to merge: where it came from and what the pure core made of it."""

    source_id: str
    url_key: str
    url: str
    sha256: str
    fetched_at: datetime
    extraction: Extraction


class Listing(Record):
    """What a source's listing pages showed tonight. Only a complete walk (every page read, the
    last one without a next page) can tell that a report is gone from its listing."""

    source_id: str
    complete: bool
    url_keys: list[str] = Field(default_factory=list)  # of every link listed (not "keys": dict(model) would call it)
    # How far back the walk read (the sampling frame, issue 26): listing pages read, whether every
    # listing reached its last page (False: max_pages or an error stopped it), and the oldest date
    # a listed item carried. A report of year Y can be said not found only where the walk reached
    # back before its publication window (or to the listing's end).
    pages: int = 0
    reached_end: bool = False
    oldest_listed: date | None = None
    max_pages: int | None = None  # the pages a listing was allowed (the source's max_pages)


class Gone(Record):
    """A stored report's page that answered 404 or 410 when re-checked."""

    source_id: str
    url_key: str
    status: int


class MergeResult(BaseModel):
    """What a merge did, filled in as it goes (so not frozen)."""

    model_config = ConfigDict(extra="forbid")
    new: list[str] = Field(default_factory=list)  # report ids
    revised: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    withdrawn: list[str] = Field(default_factory=list)
    restored: list[str] = Field(default_factory=list)
    mirrored: list[str] = Field(default_factory=list)  # URLs recorded as another URL of a stored report (same text)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.revised or self.withdrawn or self.restored)


class ReleaseInfo(Record):
    version: str
    path: str
    reports: int
    observations: int  # figures of an indicator (releases cut before the queue was counted apart: every row of observations.csv)
    unclassified: int | None = None  # counts no indicator takes (the reviewers' queue); None for releases that did not count them
    left_out: list[Failure] = []  # reports the writer could not write, left out of this release (flows/release/screen.py)
    repairs: list[str] = []  # what was found broken (LATEST, the latest release) and written again from the store


class RunSummary(Record):
    sources: int
    links_seen: int
    links_skipped: int
    reports_known: int
    reports_fetched: int
    new: int
    revised: int
    unchanged: int
    withdrawn: int
    observations: int  # figures of an indicator extracted tonight
    failures: list[Failure]
    release: ReleaseInfo | None
    latest_release: str | None
    site_dir: str | None
    site_stats: SiteStats | None = None  # what tonight's site build did; None when the site was current or not built
    sources_flagged: list[SourceStatus] = Field(default_factory=list)  # stale or broken sources, as `fazhi sources status` names them
    unclassified: int = 0  # counts extracted tonight that no indicator takes (the reviewers' queue), not figures


class SourceStatus(Record):
    """A source's health over the nights (`fazhi sources status`, the night's report)."""

    source_id: str
    checked: bool  # the registry says so, or a night saw its listing answer with report links
    checked_on: str | None = None  # the night that first did
    nights: int = 0  # nights recorded
    last_success: str | None = None
    last_error: str | None = None
    last_error_on: str | None = None
    items_last: int | None = None
    items_usual: int | None = None  # median of the earlier answered nights
    nights_since_new: int | None = None  # nights since one found a new report link (None: never recorded)
    newest: str | None = None
    years: dict[str, int] = Field(default_factory=dict)  # stored reports per year covered
    listing_found: str | None = None  # for a find_from entry: the listing the night found
    flags: list[str] = Field(default_factory=list)


RunSummary.model_rebuild()
