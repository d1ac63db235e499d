"""What the I/O stages hand each other: fetch log rows, harvested reports, failures, summaries."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

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
