"""The shared vocabulary between stages: what each stage hands to the next.

Models are frozen so that a stage can never mutate what an earlier stage produced; a later
stage makes a new object instead, which keeps every stage testable on its own.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

Qualifier = Literal["exact", "at_least", "approx"]
Script = Literal["simplified", "traditional"]
# "other": a township document that is not its rule-of-law report (政府信息公开工作年度报告, a plan, a
# half-year summary, a news item): stored, never counted.
Kind = Literal["government_annual_report", "rule_of_law_work_report", "shufa", "work_summary", "other", "unknown"]
Level = Literal["township", "county", "department", "unknown"]
# How a report's one value for an indicator (the year's value) was chosen.
Basis = Literal["stated_total", "sum_of_parts", "single_mention"]
# What a mention counts: the year's activity of this township ("year"), or something that must never
# become the year's value: a part of it ("part"), a plan or target ("plan"), another year
# ("other_year"), a multi-year period ("period"), another body's figure ("other_body").
Scope = Literal["year", "part", "plan", "other_year", "period", "other_body"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


RATE_RANGE = (0.01, 50.0)
# A DNS name or an IPv4 address, lower case (what urllib3 compares after lower-casing the URL's host).
HOST_NAME = re.compile(r"(?=.{1,253}\Z)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")


def web_url_problem(url: str) -> str | None:
    """Why ``url`` is not an absolute http(s) URL with a host, or None when it is one.

    Backslashes, whitespace, control characters and user info (``user@``) are refused outright:
    parsers disagree about where such a URL's host ends (``http://127.0.0.2\\@portal.gov.cn/``)."""
    if not url:
        return "it is empty"
    if any(c in url for c in "\\ \t\r\n") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return "it contains a backslash, whitespace or a control character"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"it cannot be parsed ({exc})"
    if parts.scheme not in ("http", "https"):
        return "only http:// and https:// are fetched"
    if not parts.hostname:
        return "it has no host"
    if "@" in parts.netloc:
        return "user info (user@host) is not allowed"
    if port == 0:
        return "port 0"
    return None


class Source(Frozen):
    """One configured government site (an entry of sources.yaml).

    Every field is checked here, at the boundary, so that a night never starts on a registry it
    would spend hours failing on: a listing that is not an http(s) URL with a host (``file://``,
    ``''``, "not a url"), a rate that would stall the night (``1e-6``) or hammer a portal
    (``.inf``), ``max_pages: true``.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    name: str = Field(min_length=1, max_length=200)
    # Pages of the portal to look for the listing from (an article, the home page, a township
    # sub-site) when ``listing`` is empty. Declared before listing: listing's check reads it.
    find_from: list[str] = Field(default_factory=list, max_length=20)
    # The column (栏目) pages to walk. Empty only for an entry that has ``find_from`` pages instead: its
    # listing is not known yet, and the night looks for it there first (``fazhi sources find``).
    listing: list[str] = Field(default_factory=list, max_length=100, validate_default=True)
    county: str | None = Field(default=None, max_length=100)
    adcode: str | None = Field(default=None, pattern=r"^[0-9]{6}$")
    # Counties (6-digit codes) whose townships this source is expected to publish; default: [adcode].
    covers: list[Annotated[str, Field(pattern=r"^[0-9]{6}$")]] = Field(default_factory=list)
    max_pages: int = Field(default=5, ge=1, le=200)
    # New report links fetched per night at most: a portal that suddenly lists 5,000 "reports" (or one
    # report under 5,000 URLs) costs one night's bounded work, and says so, instead of the night.
    max_new_reports: int = Field(default=500, ge=1, le=100_000)
    allowed_domains: list[str] = Field(default_factory=list)
    # Requests per second to the source's hosts: 0.01 (one every 100 s) keeps a night finite,
    # 50 is already more than a township portal should ever see.
    rate_per_second: float = Field(default=1.0, ge=RATE_RANGE[0], le=RATE_RANGE[1], allow_inf_nan=False)
    # The portal always answers a script with a JavaScript challenge: pass it in a browser before
    # the first request to each host (any source retries a 412 through the browser once anyway).
    browser: bool = False
    # The CMS family whose layout the listing follows (trs, hanweb, vsb, gkmlpt, …: parsers.sites.portals),
    # when known: it says how the listing was derived and how its pages paginate.
    family: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    # False: the listing is a hypothesis (derived from an article URL, imported, found by the finder)
    # that no night has yet seen answer with report links. The night treats it like any other source
    # and records in the store when it first does; the file is never rewritten by the night.
    checked: bool = True
    # Where the entry came from and how its listing was found, in words (an import row, a finder's path).
    found_by: str | None = Field(default=None, max_length=1000)

    @field_validator("checked", mode="before")
    @classmethod
    def _a_bool(cls, value: object) -> object:
        if not isinstance(value, bool):  # pydantic reads "no", "0", 0 as False: a typo would pass silently
            raise ValueError("true or false")
        return value

    @field_validator("find_from")
    @classmethod
    def _find_from_is_http(cls, urls: list[str]) -> list[str]:
        for url in urls:
            problem = web_url_problem(url)
            if problem:
                raise ValueError(f"{url[:200]!r} is not a page URL: {problem}")
        return urls

    @property
    def pages(self) -> list[str]:
        """The URLs the source starts from: its listing, else the pages its listing is looked for from."""
        return list(self.listing or self.find_from)

    @field_validator("max_pages", "rate_per_second", mode="before")
    @classmethod
    def _not_a_bool(cls, value: object) -> object:
        # pydantic reads YAML's `true` as 1; PyYAML reads `1e-6` (no dot) as a string, which
        # pydantic then parses: a number either way, but never a yes/no.
        if isinstance(value, bool):
            raise ValueError("a number, not true/false")
        return value

    @field_validator("listing")
    @classmethod
    def _listing_is_http(cls, urls: list[str], info: ValidationInfo) -> list[str]:
        if not urls and not info.data.get("find_from"):
            raise ValueError("give at least one listing URL (or find_from pages to look for it)")
        for url in urls:
            problem = web_url_problem(url)
            if problem:
                raise ValueError(f"{url[:200]!r} is not a listing URL: {problem}")
        return urls

    @field_validator("allowed_domains")
    @classmethod
    def _domains_are_host_names(cls, domains: list[str]) -> list[str]:
        for domain in domains:
            if not HOST_NAME.fullmatch(domain):
                raise ValueError(f"{domain[:200]!r} is not a host name (write portal.gov.cn, without scheme, port or path)")
        return domains


class Link(Frozen):
    """A link found on a listing page, with what the listing said about it."""

    url: str
    title: str
    listed_on: date | None = None


class LinkDecision(Frozen):
    """Whether a listed link looks like a rule-of-law report, and why."""

    link: Link
    take: bool
    reason: str


class Attachment(Frozen):
    url: str
    name: str
    extension: str


DocumentFormat = Literal["html", "docx", "pdf", "txt", "doc", "wps", "et", "xls", "xlsx", "ofd", "zip", "rar", "image"]


class OcrInfo(Frozen):
    """That (part of) a text was read by OCR, and how sure the engine was: a figure read from it
    may carry a misread digit, so the record and the site say so."""

    engine: str  # rapidocr or tesseract
    version: str
    confidence: float  # the mean of the engine's line confidences, 0 to 1
    pages: int  # pages OCR'd (of a PDF or .ofd: those without a text layer)


class Converted(Frozen):
    """What a converter (flows, in a subprocess) made of a file the pure core cannot read from its
    bytes alone: the text of each page (or sheet), or an archive's members, and the tool used."""

    pages: list[str] = Field(default_factory=list)
    members: list[tuple[str, bytes]] = Field(default_factory=list)
    ocr: OcrInfo | None = None
    tool: str = ""


class Document(Frozen):
    """Text and metadata of one published item, before normalisation.

    ``meta`` keeps what the page declared (gov meta tags, 信息公开 block) under stable keys:
    title, published, publisher, site_name, column, index_no, doc_no.
    """

    url: str
    title: str | None = None
    text: str
    meta: dict[str, str] = Field(default_factory=dict)
    attachments: list[Attachment] = Field(default_factory=list)
    format: DocumentFormat = "html"
    ocr: OcrInfo | None = None  # set when the text (or some pages of it) came from OCR
    images: list[str] = Field(default_factory=list)  # the body's images: a report published as images of its pages


class Heading(Frozen):
    text: str
    start: int
    end: int
    level: int


class Normalised(Frozen):
    """Simplified, half-width text; the published text is kept beside it."""

    text: str
    original: str
    script: Script
    headings: list[Heading] = Field(default_factory=list)


class Evidence(Frozen):
    """Where an identified fact came from, so a reader can check it."""

    source: str
    quote: str


class Place(Frozen):
    """A row of the national register, never a free-text span.

    ``township_code`` is the 9-digit 统计用区划代码 of the township (the key everywhere);
    ``adcode`` the 6-digit code of its county. When several townships fit the evidence,
    ``candidates`` lists their codes and ``township_code`` stays None.
    """

    township: str | None = None
    township_code: str | None = Field(default=None, pattern=r"^\d{9}$")
    county: str | None = None
    prefecture: str | None = None
    province: str | None = None
    adcode: str | None = None
    candidates: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    # A township the page names as its author but the register does not hold (new, renamed since
    # the 2023 codes): its name as written, never forced onto another register row.
    name_in_text: str | None = None


class Flag(Frozen):
    """An oddity worth a reader's attention; flags never change a value."""

    code: str
    detail: str


class Observation(Frozen):
    indicator: str
    value: float
    unit: str
    qualifier: Qualifier
    quote: str
    start: int  # text[start:end] == quote, in the normalised text
    end: int
    section: str | None = None
    canonical: bool = False  # this mention is (part of) the indicator's year value
    scope: Scope = "year"


class Report(Frozen):
    """Who wrote a report, about which year, when it was published, and what kind it is."""

    url: str
    title: str | None
    place: Place
    year: int | None
    year_evidence: str | None = None
    published_on: date | None = None
    published_evidence: str | None = None
    # Where the publication date came from: the page's metadata, a date line of the page, the
    # listing that linked it, or its URL. A signature date (落款) is ``signed_on``: when the report
    # was signed, never a publication date, and never makes a report on time.
    published_on_source: Literal["page_metadata", "page_text", "listing", "url"] | None = None
    signed_on: date | None = None
    on_time: bool | None = None
    kind: Kind
    kind_evidence: str | None = None  # what decided the kind: "title: …", "opening", "outline: …"
    official: str | None = None  # for a 述法 report: the office of the official who reports (党委书记, 乡长 …)
    level: Level
    level_evidence: str | None = None  # what decided the level: "title: …", "opening subject: …", "publisher: …"
    script: Script
    source_id: str | None = None


class IndicatorValue(Frozen):
    """The year's value of one indicator in one report: the number an analyst adds up.

    ``mentions`` are the indexes (into Extraction.observations) of the mentions it was built from:
    one for ``stated_total`` and ``single_mention``, the parts for ``sum_of_parts``.
    """

    indicator: str
    value: float
    unit: str
    qualifier: Qualifier
    basis: Basis
    mentions: list[int]
    flags: list[str] = Field(default_factory=list)  # flag codes about this value (e.g. total_below_part)


class Extraction(Frozen):
    """Everything the pure core learns from one document: the `fazhi extract` record."""

    report: Report
    text: str
    original: str
    observations: list[Observation]
    flags: list[Flag]
    values: list[IndicatorValue] = Field(default_factory=list)


class ListingPage(Frozen):
    """What one listing (栏目) page holds: its links and where the next page is."""

    url: str
    links: list[Link]
    next_url: str | None = None
