"""The pure core: bytes and text in, pydantic models out. No network, disk, clock or Prefect.

``classify_page`` parses a fetched page once and says what it is (a report, a stub pointing to its
attachment, an error or challenge page, not a report), carrying the parsed Document on;
``read_document`` turns a file's bytes into a Document; ``extract_report`` turns a Document into
the record ``fazhi extract`` prints and the nightly flow stores.

``__all__`` is the package's public face: ``flows/`` imports these names from ``parsers`` and
nothing from its modules (tests/system/test_one_parse.py), so a module can be split or renamed inside.
"""

from __future__ import annotations

from .evaluate import CanonicalRow, GoldRow, evaluate, evaluate_canonical, parse_canonical_gold, parse_gold, render_canonical, render_evaluation
from .figures.canonical import NOT_A_TOWNSHIP_KIND, NOT_A_TOWNSHIP_LEVEL, outside_township
from .figures.checks import check_observations
from .figures.extract import MAX_FIGURES, extract_figures
from .figures.indicators import COLUMN_UNITS, INDICATOR_KEYS, INDICATOR_LABELS, INDICATORS, UNCLASSIFIED
from .identity.identify import identify_report
from .identity.places import covered_counties
from .identity.register import county_name, load_register, prefecture_of, province_of, township_name, townships_of
from .identity.titles import decide_link
from .identity_eval import IdentityScore, render_identity, score_identity
from .models import (
    Converted,
    Document,
    Extraction,
    Flag,
    IndicatorValue,
    Link,
    LinkDecision,
    ListingPage,
    Observation,
    OcrInfo,
    Report,
    Source,
    web_url_problem,
)
from .read.classify import (
    Classified,
    ListingRead,
    classify_attachment,
    classify_listing,
    classify_page,
    read_document,
    with_listing_date,
    with_listing_title,
)
from .read.documents import UnreadableDocument
from .read.formats import NEEDS, Converter, NeedsTool, sniff_format, suffix_of, unsafe_member
from .read.normalise import clean_document, normalise
from .sites.finder import REDIRECT, PageView, county_of_site, link_score, read_page, year_key
from .sites.portals import Derived, derive_listing, detect_family, listing_key, no_column_reason
from .version import EXTRACTOR_VERSION, extractor_version

__all__ = [
    # fetched bytes → what they are, parsed once
    "Classified", "ListingRead", "UnreadableDocument", "classify_attachment", "classify_listing", "classify_page", "read_document",
    "sniff_format", "with_listing_date", "with_listing_title", "decide_link",
    # formats read through the shell's converters (flows/harvest/convert.py)
    "NEEDS", "Converted", "Converter", "NeedsTool", "OcrInfo", "suffix_of", "unsafe_member", "OCR_FLAG", "ocr_flag",
    # a document → its record
    "EXTRACTOR_VERSION", "MAX_FIGURES", "extract_report", "extractor_version",
    # the shared vocabulary (parsers.models)
    "Document", "Extraction", "IndicatorValue", "Link", "LinkDecision", "ListingPage", "Observation", "Report", "Source", "web_url_problem",
    # what the release and the registry read: indicator columns, places
    "COLUMN_UNITS", "INDICATORS", "INDICATOR_KEYS", "INDICATOR_LABELS", "UNCLASSIFIED", "county_name", "covered_counties", "load_register", "prefecture_of",
    "province_of", "townships_of", "township_name",
    # portals: an article URL → its listing, by the CMS family's layout
    "Derived", "derive_listing", "detect_family", "listing_key", "no_column_reason",
    # finder: one portal page → its links, report links, whether it is a column (flows/harvest/find.py walks)
    "REDIRECT", "PageView", "county_of_site", "link_score", "read_page", "year_key",
    # scoring against hand-labelled gold sets (training scores)
    "CanonicalRow", "GoldRow", "IdentityScore", "evaluate", "evaluate_canonical", "parse_canonical_gold", "parse_gold", "render_canonical",
    "render_evaluation", "render_identity", "score_identity",
]


def _capped(observations: list[Observation]) -> list[Flag]:
    if len(observations) < MAX_FIGURES:
        return []
    return [Flag(code="figures_capped", detail=f"only the first {MAX_FIGURES} figures were read: a real report states a few hundred at most")]


OCR_FLAG = "ocr_text"  # a report-wide flag: every figure of the report was read from OCR'd text


def ocr_flag(ocr: OcrInfo | None) -> list[Flag]:
    """The record says its text came from OCR, with which engine and how sure it was: a figure may
    carry a misread digit (the site says so beside the figures)."""
    if ocr is None:
        return []
    return [Flag(code=OCR_FLAG, detail=f"text read by OCR ({ocr.engine} {ocr.version}) on {ocr.pages} page(s), mean confidence {ocr.confidence:.3f}: "
                 "check a figure against the original")]


def extract_report(document: Document, source: Source | None = None) -> Extraction:
    """Normalise, identify and extract one document (format characters removed from all of it first)."""
    document = clean_document(document)
    normalised = normalise(document.text)
    report, flags = identify_report(document, normalised, source)
    observations, values = extract_figures(normalised, report.year)
    if report.kind in NOT_A_TOWNSHIP_KIND or report.level in NOT_A_TOWNSHIP_LEVEL:
        # A look-alike (news, 解读, plan) or a county's or department's own report: its figures are
        # kept as read, for a reviewer (marked other_body, never canonical), but none becomes a
        # township's year value.
        if values:
            flags = [*flags, Flag(code="not_township_figures",
                                  detail=f"{len(values)} year values withheld: a {report.level} document of kind {report.kind}")]
        observations, values = outside_township(observations), []
    return Extraction(
        report=report,
        text=normalised.text,
        original=normalised.original,
        observations=observations,
        flags=[*flags, *check_observations(observations, values), *_capped(observations), *ocr_flag(document.ocr)],
        values=values,
    )
