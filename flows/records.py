"""What the I/O stages hand each other: fetch log rows, harvested reports, failures, summaries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
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


class Failure(Record):
    """Something that went wrong, in words the operator can act on."""

    source_id: str
    url: str
    reason: str


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
                   failures=[f for n in nights for f in n.failures])


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
    observations: int
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
    observations: int
    failures: list[Failure]
    release: ReleaseInfo | None
    latest_release: str | None
    site_dir: str | None
    site_stats: SiteStats | None = None  # what tonight's site build did; None when the site was current or not built
