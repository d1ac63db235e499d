"""The store: one writer, one SQLite file, and the raw bytes beside it.

Takes the night's harvests (``flows.records.Night``) and merges them in one transaction
(``database.merge``): a report keeps its identity across fetches, a changed text is a new
revision, a vanished page is marked withdrawn, never deleted. ``schema`` holds the migrations,
``keys`` a report's identity (URL key, report id), ``read`` what the release and re-extraction
read (``current_*``, the fingerprint); ``raw`` keeps every fetched body by its sha256; ``layout``
names the folders of a data directory; ``lock`` makes sure one process writes; ``unreadable`` and
``health`` keep the reports no converter could read and each source's nights. The names below are the store's API (``from flows import store``).
"""

from .database import (
    CONFLICT_FLAG,
    OBSERVATION_ROW,
    VALUE_ROW,
    ExtractionRows,
    SourceReads,
    SourceState,
    attachment_validators,
    extraction_rows,
    known_keys,
    listing_reads,
    merge,
    migrate,
    open_reader,
    open_store,
    place_key,
    reidentified,
    source_state,
    validators,
    write_figures,
    write_figures_many,
)
from .keys import AMBIGUOUS_PARAMETERS, VOLATILE_PARAMETERS, report_id, url_key
from .read import (
    OBSERVATION_COLUMNS,
    PROVENANCE_COLUMNS,
    VALUE_COLUMNS,
    current_observation_tuples,
    current_observations,
    current_report_facts,
    current_report_places,
    current_report_records,
    current_reports,
    current_text_keys,
    current_texts,
    current_value_tuples,
    extractor_counts,
    fingerprint,
    leaving_out,
    revision_provenance,
    revision_values,
)
from .schema import FACTS_V6, FIGURES_V5, FRAME_V7, IDENTITY_V3, LINKS_V2, MIGRATIONS, SCHEMA_V1, SCHEMA_VERSION, SOURCE_HEALTH_V8, TOWNSHIP_CODE_V4
from .unreadable import UNREADABLE_V9, UNREADABLE_V10, UnreadableReport, keep_unreadable, still_unread, unreadable_reports

__all__ = [
    "leaving_out",
    "SCHEMA_V1", "LINKS_V2", "IDENTITY_V3", "TOWNSHIP_CODE_V4", "FIGURES_V5", "FACTS_V6", "FRAME_V7", "SOURCE_HEALTH_V8", "MIGRATIONS", "SCHEMA_VERSION", "VOLATILE_PARAMETERS",
    "AMBIGUOUS_PARAMETERS", "url_key", "report_id", "open_store", "migrate", "known_keys", "validators", "attachment_validators",
    "open_reader", "SourceState", "source_state",
    "ExtractionRows", "OBSERVATION_ROW", "VALUE_ROW", "extraction_rows", "write_figures", "write_figures_many", "merge", "place_key",
    "CONFLICT_FLAG", "reidentified", "current_reports", "OBSERVATION_COLUMNS", "current_observation_tuples", "VALUE_COLUMNS", "current_value_tuples", "current_report_records",
    "current_report_facts", "current_report_places", "current_text_keys", "current_texts", "PROVENANCE_COLUMNS", "revision_provenance", "current_observations", "extractor_counts", "fingerprint",
    "SourceReads", "listing_reads", "revision_values", "UNREADABLE_V9", "UNREADABLE_V10", "UnreadableReport", "keep_unreadable", "still_unread",
    "unreadable_reports",
]

from .health import STALE_NIGHTS, checked_sources, record_health, source_status  # noqa: E402 (source health, issue 28)

__all__ += ["STALE_NIGHTS", "checked_sources", "record_health", "source_status"]
