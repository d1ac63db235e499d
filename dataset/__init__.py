"""The dataset's contract: what a release is, declared once, read by the release and the site.

``format`` declares every file of a release (columns, types, descriptions, constraints, keys,
``FORMAT_VERSION``); ``cells`` makes text cells safe for spreadsheets and back; ``coverage``
says, per township and year, what the release can claim (on time, late, not found…). The release
writer (``flows.release``) and the site (``sitegen``) both read it; ``parsers`` never imports it,
so a change here never re-extracts the archive.
"""

from .cells import CSV_FIELD_LIMIT, MAX_CELL, bound_cell, neutralise_cell, restore_cell
from .coverage import ReportFact, coverage, due_years
from .format import BUCKETS, METADATA_FILES, PROVENANCE, REPORTS, Resource, SOURCES, TABLES, TEXTS, TEXTS_FOLDER, citation, figure_resources, table_files, text_file, townships_resource

__all__ = ["BUCKETS", "CSV_FIELD_LIMIT", "MAX_CELL", "bound_cell", "METADATA_FILES", "PROVENANCE", "REPORTS", "ReportFact", "Resource", "SOURCES", "TABLES", "TEXTS", "TEXTS_FOLDER", "citation", "coverage", "due_years", "figure_resources", "neutralise_cell", "restore_cell", "table_files", "text_file", "townships_resource"]
