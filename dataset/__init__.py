"""The dataset's contract: what a release is, declared once, read by the release and the site.

``format`` declares every file of a release (columns, types, descriptions, constraints, keys,
``FORMAT_VERSION``); ``cells`` makes text cells safe for spreadsheets and back; ``coverage``
says, per township and year, what the release can claim (on time, late, not found…); ``reader``
reads a release back: the manifest as a model, rows typed by the release's own declaration. The release
writer (``flows.release``) and the site (``sitegen``) both read it; ``parsers`` never imports it,
so a change here never re-extracts the archive.
"""

from .cells import CSV_FIELD_LIMIT, MAX_CELL, bound_cell, neutralise_cell, restore_cell
from .coverage import DEADLINE_RULE_CODES, DEADLINE_RULES, CountySearch, ReportFact, coverage, deadline_of, due_years
from .format import (
                     BUCKETS,
                     COVERAGE,
                     FIGURES_LONG,
                     FRAME,
                     METADATA_FILES,
                     OPERATOR_TABLES,
                     PROVENANCE,
                     REPORTS,
                     SOURCES,
                     SOURCES_HEALTH,
                     TABLES,
                     TEXTS,
                     TEXTS_FOLDER,
                     UNREADABLE,
                     Resource,
                     citation,
                     figure_resources,
                     figures_long_resource,
                     table_files,
                     text_file,
                     townships_resource,
)

__all__ = ["BUCKETS", "CSV_FIELD_LIMIT", "MAX_CELL", "bound_cell", "COVERAGE", "DEADLINE_RULES", "DEADLINE_RULE_CODES", "FIGURES_LONG", "FRAME", "METADATA_FILES", "OPERATOR_TABLES",
           "PROVENANCE", "REPORTS", "SOURCES", "SOURCES_HEALTH", "TABLES", "TEXTS", "TEXTS_FOLDER", "UNREADABLE", "CountySearch", "ReportFact", "Resource",
           "citation", "coverage", "deadline_of", "due_years", "figure_resources", "figures_long_resource", "neutralise_cell", "restore_cell",
           "table_files", "text_file", "townships_resource"]
