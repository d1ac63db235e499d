"""The release format, declared once: every file of a release, its columns, their types, what they
mean, the values they may take, and the keys that tie the tables together.

The release writer (flows/release/cut.py), `fazhi verify`, the site generator and the CLI read this
module; the datapackage.json (a strict Frictionless schema), the Parquet types and the CSV headers
are generated from it, so a column is described in one place and can't drift between them. Adding
a format is one entry in a Resource (``parquet``) and one writer in flows/release/cut.py.

Pure declarations (no I/O), in ``parsers`` so that the site generator, which may not import
``flows``, reads the same declarations as the writer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from dataset.coverage import DEADLINE_RULE_CODES, DEADLINE_RULES, Status
from parsers.figures.indicators import INDICATOR_KEYS, INDICATOR_LABELS, UNCLASSIFIED
from parsers.models import Basis, Kind, Level, Qualifier, Scope, Script

FieldType = Literal["string", "integer", "number", "boolean", "date", "datetime", "object", "array"]
# An "array" column of a CSV holds a JSON array (["a","b"]): Frictionless parses it as one.
# Empty cells are missing values; nothing else is (a township named "NA" stays a name).
MISSING_VALUES = [""]
REPORT_STATUS = ("active", "withdrawn")
ADCODE = r"^\d{6}$"
TOWNSHIP_CODE = r"^\d{9}$"
SHA256 = r"^[0-9a-f]{64}$"
REPORT_ID = r"^[0-9a-f]{16}$"
SOURCE_ID = r"^[a-z0-9][a-z0-9_-]*$"
TEXTS_FOLDER = "texts"  # texts/<year>.jsonl.gz: the one sub-folder a release has


@dataclass(frozen=True)
class Column:
    """One column: its Frictionless type and the constraints a validator enforces."""

    name: str
    type: FieldType
    description: str
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: int | None = None
    required: bool = False
    maximum: int | None = None

    def descriptor(self) -> dict[str, Any]:
        """The Frictionless field: type, description and constraints."""
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.pattern:
            constraints["pattern"] = self.pattern
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        described: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if constraints:
            described["constraints"] = constraints
        return described


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Resource:
    """One table (or the texts) of a release. ``parquet``: a typed Parquet copy is written beside
    the CSV (same name, .parquet)."""

    name: str
    path: str
    format: Literal["csv", "jsonl"]
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    parquet: bool = True

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def parquet_path(self) -> str:
        return self.path.rsplit(".", 1)[0] + ".parquet"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def text_positions(self) -> tuple[int, ...]:
        """Positions of the free-text columns: the cells a spreadsheet could take for a formula
        (numbers, dates and booleans are never touched: -3 stays a number; an enum's values and a
        pattern's digits can't start with = + - @, so their 5 million cells are not looked at)."""
        return tuple(i for i, c in enumerate(self.columns) if c.type == "string" and not c.enum and not c.pattern)

    def with_columns(self, extra: list[Column]) -> Resource:
        return Resource(self.name, self.path, self.format, self.description, self.columns + tuple(extra), self.primary_key,
                        self.foreign_keys, self.parquet)

    def descriptor(self) -> dict[str, Any]:
        """The datapackage resource: a strict Frictionless table schema for a CSV."""
        schema: dict[str, Any] = {"fields": [c.descriptor() for c in self.columns], "missingValues": MISSING_VALUES}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [{"fields": list(k.columns), "reference": {"resource": k.resource, "fields": list(k.reference)}}
                                     for k in self.foreign_keys]
        if self.format == "csv":
            return {"name": self.name, "path": self.path, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
                    "dialect": {"delimiter": ",", "header": True}, "description": self.description, "schema": schema}
        return {"name": self.name, "type": FILE_RESOURCE, "path": self.path, "format": "jsonl", "mediatype": "application/jsonl",
                "encoding": "utf-8", "compression": "gz", "description": self.description, "schema": schema}

    def parquet_descriptor(self) -> dict[str, Any]:
        """The datapackage resource of the table's Parquet copy: a file resource (see FILE_RESOURCE)
        with the table's fields and primary key, for readers; its bytes and sha256 are added when
        the release is written. `fazhi verify` compares the copy with the CSV row for row."""
        schema: dict[str, Any] = {"fields": [c.descriptor() for c in self.columns], "missingValues": list(MISSING_VALUES)}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        return {"name": f"{self.name}-parquet", "type": FILE_RESOURCE, "path": self.parquet_path, "format": "parquet",
                "mediatype": "application/vnd.apache.parquet", "description": f"{self.description} (the typed Parquet copy of {self.path})",
                "schema": schema}


# The Parquet copies and the texts are declared as file resources ("type": "file"), with their
# bytes and sha256: a stock `frictionless validate datapackage.json` checks them as files and
# passes (issue 26, point 8). Declared as tables, frictionless reads a Parquet file through pandas,
# which its [parquet] extra does not install, and a .jsonl.gz through its [json] extra: with
# frictionless[parquet] alone every one of them was reported invalid. Their content is checked by
# `fazhi verify` (each Parquet copy against its CSV, the texts' report ids against reports.csv);
# their fields stay declared, for readers.
FILE_RESOURCE = "file"


def _values(literal: Any) -> tuple[str, ...]:
    return tuple(get_args(literal))


TO_REPORTS = ForeignKey(("report_id",), "reports", ("report_id",))
TO_TOWNSHIPS = ForeignKey(("township_code",), "townships", ("township_code",))

REPORTS = Resource("reports", "reports.csv", "csv", "One row per report ever published (a withdrawn report stays, with its status and the "
                   "day it was found gone), its current revision", (
    Column("report_id", "string", "Stable id of the report: sha256 of source id and URL path, 16 hex digits", pattern=REPORT_ID, required=True),
    Column("revision", "integer", "Revision of the report's text; a changed text on the portal is a new revision", minimum=1, required=True),
    Column("township", "string", "Township (乡/镇/街道/苏木) that published the report; empty when unresolved"),
    Column("township_code", "string", "9-digit 统计用区划代码 of the township: its stable key (townships.csv); empty when unresolved", pattern=TOWNSHIP_CODE),
    Column("county", "string", "County-level division; empty when the report does not say and the source does not know"),
    Column("province", "string", "Province-level division"),
    Column("adcode", "string", "6-digit administrative code of the county", pattern=ADCODE),
    Column("level", "string", "township, county, department or unknown", enum=_values(Level), required=True),
    Column("kind", "string", "government_annual_report, rule_of_law_work_report, shufa (an official's 述法), work_summary, other "
           "(a look-alike: 信息公开 report, plan, news) or unknown", enum=_values(Kind), required=True),
    Column("year", "integer", "Year the report covers", minimum=1949),
    Column("published_on", "date", "Publication date: from the page's metadata, else a date line of the page, else the date the listing "
           "showed beside its link, else a date in its URL (published_on_source says which); never the signature's date (signed_on)"),
    Column("on_time", "boolean", "Published before 1 April of the following year (督察工作规定), by published_on; empty when undated or the "
           "year is unknown"),
    Column("title", "string", "Title as published (simplified)"),
    Column("url", "string", "Where the report was fetched (the article page; an attachment's URL is in provenance.csv)", required=True),
    Column("source_id", "string", "Id of the source (sources.csv)", pattern=SOURCE_ID, required=True),
    Column("sha256", "string", "sha256 of the normalised text of this revision", pattern=SHA256, required=True),
    Column("script", "string", "Script the report was published in: simplified or traditional", enum=_values(Script)),
    Column("status", "string", "active: the report is published; withdrawn: its page was removed (gone from a listing read to its end, "
           "or answering 404/410). Its figures are in observations.csv, values.csv and indicators.csv only while active", enum=REPORT_STATUS, required=True),
    Column("mirror_urls", "string", "Other URLs where the same text was found (one report, several addresses), separated by spaces"),
    Column("withdrawn_on", "date", "Day the report was found withdrawn (empty while active)"),
    Column("published_on_source", "string", "Where published_on came from: page_metadata (the page's declared date), page_text (a 发布时间 "
           "or 成文日期 line, a dated line above the body), listing (the listing that linked it) or url; empty when undated",
           enum=("page_metadata", "page_text", "listing", "url")),
    Column("signed_on", "date", "Date under the signature (落款): when the report was signed, not when it was published; never makes it on time"),
), primary_key=("report_id",), foreign_keys=(ForeignKey(("source_id",), "sources", ("source_id",)),
                                             ForeignKey(("township_code",), "townships", ("township_code",))))

RATE_KEYS = frozenset({"mediation_success_rate_pct"})  # a percentage: at most 100


def _indicator_columns(keys: Sequence[str], labels: Mapping[str, str]) -> list[Column]:
    """Each indicator's value, then its qualifier, basis and flags, so that "1万余" never reads as a
    bare 10000 and a largest single mention never as a stated total."""
    columns: list[Column] = []
    for key in keys:
        columns.append(Column(key, "number", labels[key], minimum=0, maximum=100 if key in RATE_KEYS else None))
        columns.append(Column(f"{key}_qualifier", "string", f"{labels[key]}: exact, at_least or approx", enum=_values(Qualifier)))
        columns.append(Column(f"{key}_basis", "string", f"{labels[key]}: how the value was chosen (stated_total, sum_of_parts or single_mention)",
                              enum=_values(Basis)))
        columns.append(Column(f"{key}_flags", "string", f"{labels[key]}: consistency flags on the value, separated by ; (values.csv flag_codes)"))
    return columns


def figures_long_resource(keys: Sequence[str]) -> Resource:
    """figures_long.csv: indicators.csv in long form, one row per township, year, kind and indicator,
    with the place's codes at every level: what a model or a join wants."""
    return Resource("figures_long", "figures_long.csv", "csv", "The year's values of indicators.csv in long form: one row per township, year, "
                    "kind and indicator, with codes at every level, unit, qualifier, basis and flags", (
        Column("township_code", "string", "9-digit code of the township (townships.csv); empty when unresolved", pattern=TOWNSHIP_CODE),
        Column("county_code", "string", "6-digit code of its county", pattern=ADCODE),
        Column("prefecture_code", "string", "6-digit code of its prefecture-level division", pattern=ADCODE),
        Column("province_code", "string", "6-digit code of its province-level division", pattern=ADCODE),
        Column("township", "string", "Township"),
        Column("year", "integer", "Year covered", minimum=1949, required=True),
        Column("kind", "string", "Kind of the report (reports.csv)", enum=tuple(k for k in _values(Kind) if k != "other"), required=True),
        Column("indicator", "string", "Indicator key (codebook.csv)", enum=tuple(keys), required=True),
        Column("value", "number", "The year's value (see qualifier and basis)", minimum=0, required=True),
        Column("unit", "string", "The indicator's unit", required=True),
        Column("qualifier", "string", "exact; at_least for 余/多/以上 and for a single mention; approx for 近/约/左右", enum=_values(Qualifier), required=True),
        Column("basis", "string", "stated_total, sum_of_parts or single_mention (a lower bound)", enum=_values(Basis), required=True),
        Column("flags", "array", "Consistency flags on the value, as a JSON array of codes", required=True),
        Column("report_id", "string", "Report the value comes from (reports.csv)", pattern=REPORT_ID, required=True),
    ), primary_key=("report_id", "indicator"), foreign_keys=(TO_REPORTS, TO_TOWNSHIPS))


INDICATOR_ID_COLUMNS = (
    Column("township_code", "string", "9-digit code of the township (the key with year); empty when unresolved", pattern=TOWNSHIP_CODE),
    Column("township", "string", "Township"),
    Column("county", "string", "County-level division"),
    Column("province", "string", "Province-level division"),
    Column("adcode", "string", "6-digit administrative code of the county", pattern=ADCODE),
    Column("year", "integer", "Year covered", minimum=1949, required=True),
    Column("kind", "string", "Kind of the row's report (reports.csv): a township's annual report and its 述法 report of one year are two rows",
           enum=tuple(k for k in _values(Kind) if k != "other"), required=True),
    Column("report_id", "string", "Report every value of the row comes from", pattern=REPORT_ID, required=True),
)


def figure_resources(keys: Sequence[str], labels: Mapping[str, str]) -> tuple[Resource, Resource, Resource]:
    """observations, values and indicators for an indicator table (its keys are an enum, and each
    is a column of indicators.csv): the release writer passes the table it reads, so that a row
    added to parsers/figures/indicators.py is a column and an allowed key at once."""
    observations = Resource("observations", "observations.csv", "csv", "Every figure extracted from the current reports, with the clause it was read from", (
        Column("report_id", "string", "Report the figure comes from (reports.csv)", pattern=REPORT_ID, required=True),
        Column("revision", "integer", "Revision of the report's text", minimum=1, required=True),
        Column("seq", "integer", "Order of the mention in the report (0 first)", minimum=0, required=True),
        # A count no indicator takes is kept under "unclassified" (the reviewer's queue): never canonical, never in values.csv.
        Column("indicator", "string", f"Indicator key (see the indicator pages of the site), or {UNCLASSIFIED}: a count no indicator takes, "
               "kept with its clause for review and never counted", enum=(*keys, UNCLASSIFIED), required=True),
        Column("value", "number", "The figure as a number (万 and Chinese numerals resolved)", minimum=0, required=True),
        Column("unit", "string", "Unit as written: 起, 件, 人次, 份, %, …"),
        Column("qualifier", "string", "exact; at_least for 余/多/以上; approx for 近/约/左右", enum=_values(Qualifier), required=True),
        Column("quote", "string", "The exact clause of the normalised text the figure was read from"),
        Column("quote_start", "integer", "Start offset of the quote in the normalised text (texts/<year>.jsonl.gz)", minimum=0),
        Column("quote_end", "integer", "End offset of the quote in the normalised text", minimum=0),
        Column("section", "string", "Heading of the section the figure stands under"),
        Column("canonical", "boolean", "This mention is counted in the report's value for the indicator (values.csv): the stated total, else the "
               "listed parts (summed), else the largest mention; never a plan, another year, a period or another body's figure"),
        Column("flag_codes", "string", "Consistency flags on this indicator in this report, separated by ;"),
        Column("scope", "string", "What the mention counts: year (the year's activity), part, plan, other_year, period or other_body; only year "
               "and part mentions are ever counted", enum=_values(Scope)),
        Column("status", "string", "The report's status (active: withdrawn reports' figures are not in the current tables)", enum=REPORT_STATUS, required=True),
    ), primary_key=("report_id", "seq"), foreign_keys=(TO_REPORTS,))

    # The year's value of each indicator a report states: the number an analyst adds up (tidy: one row
    # per report and indicator), from Extraction.values as stored per extractor version.
    values = Resource("values", "values.csv", "csv", "The year's value of each indicator a report states, with its unit, qualifier, basis and the clause(s) counted", (
        Column("report_id", "string", "Report the value comes from (reports.csv)", pattern=REPORT_ID, required=True),
        Column("indicator", "string", "Indicator key (see the indicator pages of the site)", enum=tuple(keys), required=True),
        Column("value", "number", "The year's value (万 and Chinese numerals resolved; never a bare number for a lower bound: see qualifier)", minimum=0, required=True),
        Column("unit", "string", "The indicator's unit"),
        Column("qualifier", "string", "exact; at_least for 余/多/以上 (1万余人: 10000, at_least); approx for 近/约/左右", enum=_values(Qualifier), required=True),
        Column("basis", "string", "How the value was chosen: stated_total (a total for the whole year), sum_of_parts (disjoint parts the report "
               "lists) or single_mention", enum=_values(Basis), required=True),
        Column("quote", "string", "The clause(s) of the normalised text counted: several parts are joined by ' … '"),
        Column("quote_start", "integer", "Start offset of the first counted clause in the normalised text (texts/<year>.jsonl.gz)", minimum=0),
        Column("quote_end", "integer", "End offset of the last counted clause in the normalised text", minimum=0),
        Column("flag_codes", "string", "Consistency flags on this value, separated by ; (e.g. total_below_part)"),
    ), primary_key=("report_id", "indicator"), foreign_keys=(TO_REPORTS,))


    indicators = Resource("indicators", "indicators.csv", "csv", "The year's values (values.csv), wide: one row per township, year and kind, "
                          "from one report, a value and a qualifier column per indicator", INDICATOR_ID_COLUMNS + tuple(_indicator_columns(keys, labels)),
                          primary_key=("report_id",), foreign_keys=(TO_REPORTS, TO_TOWNSHIPS))
    return observations, values, indicators


OBSERVATIONS, VALUES, INDICATORS = figure_resources(INDICATOR_KEYS, INDICATOR_LABELS)
FIGURES_LONG = figures_long_resource(INDICATOR_KEYS)


STATUS_HELP = ("on_time (published before 1 April of the next year), late, undated (found, no publication date), found (述法: no deadline "
               "applies), unreadable (found, but its file could not be read: unreadable.csv), not_due (deadline not passed on the release date), not_found (searched back far enough, deadline passed, nothing "
               "found) or not_searched (no source covers the county, or none was read far enough back)")
# townships.csv has a column per year due (and per year for 述法 reports): townships_resource adds them.
TOWNSHIPS = Resource("townships", "townships.csv", "csv", "Every township of the covered counties and, per year, whether its report was found, on time or late", (
    Column("township_code", "string", "9-digit 统计用区划代码 of the township (register: china-division 2.7.0, codes as of 2023-06-30)",
           pattern=TOWNSHIP_CODE, required=True),
    Column("township", "string", "Township name in the register", required=True),
    Column("county_code", "string", "6-digit code of its county", pattern=ADCODE, required=True),
    Column("county", "string", "County-level division"),
    Column("prefecture", "string", "Prefecture-level division (a municipality for its districts)"),
    Column("province", "string", "Province-level division"),
), primary_key=("township_code",))


def townships_resource(years: list[int]) -> Resource:
    statuses = _values(Status)
    return TOWNSHIPS.with_columns([Column(str(y), "string", f"Annual report on {y}: {STATUS_HELP}", enum=statuses, required=True) for y in years]
                                  + [Column(f"{y}_shufa", "string", f"述法 report on {y}: {STATUS_HELP}", enum=statuses, required=True) for y in years])


FRAME = Resource("frame", "frame.csv", "csv", "The sampling frame: every county the project watches (a source covers it) or a report names, "
                 "the sources that cover it, and how far back they were read", (
    Column("county_code", "string", "6-digit code of the county", pattern=ADCODE, required=True),
    Column("county", "string", "County-level division"),
    Column("prefecture", "string", "Prefecture-level division"),
    Column("province", "string", "Province-level division"),
    Column("townships", "integer", "Townships of the county in the register", minimum=0, required=True),
    Column("sources", "array", "Ids of the sources (sources.csv) whose covers include the county, as a JSON array ([] when none)", required=True),
    Column("covered", "boolean", "Some source of the registry covers the county (false: its townships are not_searched)", required=True),
    Column("monitored_since", "datetime", "First successful read of a covering source's listing (UTC); empty: never read"),
    Column("last_listing", "datetime", "Last successful read of a covering source's listing (UTC)"),
    Column("oldest_listed", "date", "Oldest item date any covering listing showed"),
    Column("pages_read", "integer", "Most listing pages one read of a covering source went through", minimum=0),
    Column("reached_end", "boolean", "Some read of a covering listing reached its last page (false: max_pages or an error stopped every read)"),
), primary_key=("county_code",))

COVERAGE = Resource("coverage", "coverage.csv", "csv", "townships.csv in long form: one row per township, report group and year, with the "
                    "status, the deadline rule applied, whether the report was since withdrawn, and the report", (
    Column("township_code", "string", "9-digit code of the township (townships.csv)", pattern=TOWNSHIP_CODE, required=True),
    Column("county_code", "string", "6-digit code of its county (frame.csv)", pattern=ADCODE, required=True),
    Column("report_group", "string", "annual (the township's annual rule-of-law report, any kind of it) or shufa (a 述法 report)",
           enum=tuple(DEADLINE_RULE_CODES), required=True),
    Column("year", "integer", "Year the report covers", minimum=2019, required=True),
    Column("status", "string", STATUS_HELP, enum=_values(Status), required=True),
    Column("withdrawn", "boolean", "Every report giving the status has since been withdrawn (a fact beside the status: a report published on time "
           "and taken down was published on time)", required=True),
    Column("deadline", "date", "The day a report is late from (empty: no deadline applies)"),
    Column("deadline_rule", "string", "The deadline rule applied (per report group; codebook.csv): " + "; ".join(f"{g}: {r}" for g, r in DEADLINE_RULES.items()),
           enum=tuple(DEADLINE_RULES), required=True),
    Column("report_id", "string", "The report that gives the status (the first published); empty when none", pattern=REPORT_ID),
), primary_key=("township_code", "report_group", "year"),
    foreign_keys=(ForeignKey(("township_code",), "townships", ("township_code",)), ForeignKey(("county_code",), "frame", ("county_code",)), TO_REPORTS))

SOURCES = Resource("sources", "sources.csv", "csv", "The government sites the reports were read from (sources.yaml as used), so that source_id resolves", (
    Column("source_id", "string", "Id of the source in sources.yaml", pattern=SOURCE_ID, required=True),
    Column("name", "string", "The site's name", required=True),
    Column("url", "string", "Its first listing page", required=True),
    Column("listing_urls", "string", "Every listing page read, separated by spaces"),
    Column("province", "string", "Province-level division of its county, from the register"),
    Column("county", "string", "County-level division it belongs to"),
    Column("adcode", "string", "6-digit code of its county", pattern=ADCODE),
    Column("covers", "string", "6-digit codes of the counties whose townships it is expected to publish, separated by spaces"),
    Column("in_registry", "boolean", "Still in sources.yaml when the release was cut (false: only earlier reports come from it)", required=True),
    Column("monitored_since", "datetime", "First successful read of its listing (UTC); empty: never read"),
    Column("last_listing", "datetime", "Last successful read of its listing (UTC)"),
    Column("listing_reads", "integer", "Successful reads of its listing", minimum=0),
    Column("pages_read", "integer", "Most listing pages one read went through", minimum=0),
    Column("max_pages", "integer", "Listing pages a read may go through (sources.yaml max_pages)", minimum=1),
    Column("reached_end", "boolean", "Some read reached the listing's last page (false: max_pages or an error stopped every read)"),
    Column("oldest_listed", "date", "Oldest item date its listing showed"),
    Column("stopped_by_max_pages", "boolean", "The last read went through max_pages pages without reaching the listing's last page (older items unseen)"),
), primary_key=("source_id",))

PROVENANCE = Resource("provenance", "provenance.csv", "csv", "Where each revision of the current reports came from: when it was fetched, the "
                      "hashes of the bytes as published (page and attachment), and the extractor that read it", (
    Column("report_id", "string", "Report (reports.csv)", pattern=REPORT_ID, required=True),
    Column("revision", "integer", "Revision (every revision of a current report is listed)", minimum=1, required=True),
    Column("current", "boolean", "This is the report's current revision (the one in the other tables)", required=True),
    Column("fetched_at", "datetime", "When the bytes of this revision were fetched (UTC)", required=True),
    Column("first_seen", "datetime", "When the report was first seen (UTC)", required=True),
    Column("last_checked", "datetime", "When the report was last seen on its source (UTC)", required=True),
    Column("page_url", "string", "The article page", required=True),
    Column("page_sha256", "string", "sha256 of the article page's bytes as published (empty when not recorded)", pattern=SHA256),
    Column("attachment_url", "string", "The attachment (.docx, .pdf …) the text was read from; empty when the page itself is the report"),
    Column("attachment_sha256", "string", "sha256 of the attachment's bytes as published", pattern=SHA256),
    Column("content_type", "string", "Content type the text's bytes were served with"),
    Column("text_sha256", "string", "sha256 of the normalised text (reports.csv sha256)", pattern=SHA256, required=True),
    Column("extractor_version", "string", "Version (hash of code and tables) of the extractor that made this revision's figures; empty: recorded before versions"),
), primary_key=("report_id", "revision"), foreign_keys=(TO_REPORTS,))

TEXTS = Resource("texts", f"{TEXTS_FOLDER}/<year>.jsonl.gz", "jsonl", "One JSON object per current report, one gzip file per year the "
                 "reports cover (texts/unknown.jsonl.gz: year unresolved): the record, its flags, the normalised and the published text", (
    Column("report_id", "string", "Report id (reports.csv)"),
    Column("revision", "integer", "Revision of the text"),
    Column("status", "string", "active (withdrawn reports are in earlier releases)"),
    Column("report", "object", "The full report record: place with its evidence, year, dates with their evidence, kind, level, script"),
    Column("flags", "array", "Consistency and identification flags: code and detail"),
    Column("text", "string", "The normalised text (simplified, half-width digits); quote offsets in observations.csv refer to it"),
    Column("original", "string", "The text as published (traditional characters kept), whitespace and conversion debris cleaned"),
), parquet=False)

# For operators (issue 28): each source's health when the release was cut, from the store's nightly
# source_health rows. Not one of TABLES: a release cut before it has none and stays complete for
# `fazhi verify`; the release writes it (and lists it in datapackage.json) when it can, and the site's
# source health page reads it when it is there.
SOURCES_HEALTH = Resource("sources_health", "sources_health.csv", "csv", "Each source's health over the nights before the release: "
                          "whether its listing answers, what it lists, when it last found something new, and what stops it", (
    Column("source_id", "string", "Id of the source in sources.yaml", pattern=SOURCE_ID, required=True),
    Column("checked", "boolean", "Its listing has been seen answering with report links (or sources.yaml says so)", required=True),
    Column("checked_on", "datetime", "The night a listing of an unchecked source first answered with report links (UTC)"),
    Column("nights", "integer", "Nights recorded (the last 60 at most)", minimum=0, required=True),
    Column("last_success", "datetime", "The last night its listing answered with records (UTC)"),
    Column("last_error_on", "datetime", "The last night it failed (UTC)"),
    Column("last_error", "string", "Why it failed then"),
    Column("items_last", "integer", "Records (dated links) its listing showed the last night", minimum=0),
    Column("items_usual", "integer", "Median records of the earlier good nights", minimum=0),
    Column("nights_since_new", "integer", "Nights since one found a new report link", minimum=0),
    Column("newest", "date", "The newest date beside a report link (else beside any record)"),
    Column("reports_by_year", "string", "Its current reports by the year they cover, as year:count separated by spaces"),
    Column("flags", "string", "Why an operator should look at it (stale, broken, robots.txt, 412, off-host), separated by '; '"),
), primary_key=("source_id",), parquet=False)
# Issue 29: the reports found but not read (their file needs a tool the machine lacked: LibreOffice,
# OCR …), so that a township whose only report is one of them reads ``unreadable``, not
# ``not_found``, and a reader can fetch the file. Not one of TABLES, as sources_health.csv: a release
# cut before it has none and stays complete; from then on every release writes it (empty or not).
UNREADABLE = Resource("unreadable", "unreadable.csv", "csv", "Reports found on a source but not read: their file needs a tool the machine "
                      "that cut the release lacked (LibreOffice, OCR …), or the night's end stopped the tool. No figures come from them; "
                      "coverage.csv gives their township and year the status unreadable when no other report of it was read", (
    Column("source_id", "string", "Id of the source (sources.csv) that lists it", pattern=SOURCE_ID, required=True),
    Column("url", "string", "The report's page (or the file, when the listing links it directly)", required=True),
    Column("file_url", "string", "The attachment that could not be read (empty: url is the file)"),
    Column("title", "string", "Its title, from its page or the listing"),
    Column("township_code", "string", "9-digit code of the township its page or title names (empty: none named)", pattern=TOWNSHIP_CODE),
    Column("year", "integer", "Year the report covers, as its title says (empty: not said)", minimum=1949),
    Column("kind", "string", "Kind of report its title says (as reports.csv kind; shufa: a 述法 report)"),
    Column("published_on", "date", "Publication date its page shows"),
    Column("needs", "string", "What would read it: antiword or LibreOffice, LibreOffice, python-calamine, ofdkit, unar, OCR; "
           "'… (deferred to the next night)' when the night's end stopped that tool", required=True),
    Column("reason", "string", "The one-line failure, naming the file and its format", required=True),
    Column("first_seen", "datetime", "The night it was first found unreadable (UTC)", required=True),
    Column("last_seen", "datetime", "The last night it was found unreadable (UTC)", required=True),
), primary_key=("source_id", "url"), parquet=False)
OPERATOR_TABLES: tuple[Resource, ...] = (SOURCES_HEALTH, UNREADABLE)

# The tables in the order they are written and listed; townships.csv's year columns come with the data.
TABLES: tuple[Resource, ...] = (REPORTS, OBSERVATIONS, VALUES, INDICATORS, FIGURES_LONG, TOWNSHIPS, SOURCES, PROVENANCE, FRAME, COVERAGE)
RESOURCES: tuple[Resource, ...] = (*TABLES, TEXTS)
# Where each bucket of report ids lies in the files written by buckets (texts, reports.csv,
# observations.csv, values.csv): the next release copies the unchanged ones.
BUCKETS = "buckets.json"
# The files every release has, besides texts/ (names in the manifest) and the zip with its .sha256.
METADATA_FILES = ("datapackage.json", "CHANGELOG.md", BUCKETS)


DATASET_TITLE = "Fazhi Atlas 法治地图: township rule-of-law reports and their figures"  # as in CITATION.cff


def citation(version: str, released_on: str, url: str | None = None) -> str:
    """The line to cite one release by: its version and its date (Asia/Shanghai), and where it is
    downloaded when the site's address is known. Written into the release (CHANGELOG, manifest)
    and shown on the downloads page, so a figure can be traced back to the file it came from."""
    year = released_on[:4]
    where = f" {url}" if url else ""
    return f"Fazhi Atlas contributors ({year}). {DATASET_TITLE}, release {version} ({released_on}). Dataset, CC-BY-4.0.{where}"


def table_files() -> list[str]:
    """Every table file of a release: CSV and Parquet copies, in TABLES order."""
    return [name for r in TABLES for name in ([r.path, r.parquet_path] if r.parquet else [r.path])]


def text_file(year: int | None) -> str:
    """The texts file of a report year, as named in the manifest."""
    return f"{TEXTS_FOLDER}/{year if year is not None else 'unknown'}.jsonl.gz"


def pandas_dtypes(resource: Resource) -> dict[str, str]:
    """``pd.read_csv(path, dtype=pandas_dtypes(REPORTS))``: codes and ids as strings (adcode
    "654028" never becomes 654028.0), integers that may be empty as pandas' nullable Int64."""
    kinds = {"string": "string", "integer": "Int64", "number": "float64", "boolean": "boolean"}
    return {c.name: kinds[c.type] for c in resource.columns if c.type in kinds}


