"""The dataset's contract: what a release is, declared once, read by the release and the site.

``format`` declares every file of a release (columns, types, descriptions, constraints, keys,
``FORMAT_VERSION``); ``cells`` makes text cells safe for spreadsheets and back; ``coverage``
says, per township and year, what the release can claim (on time, late, not found…). The release
writer (``flows.release``) and the site (``sitegen``) both read it; ``parsers`` never imports it,
so a change here never re-extracts the archive.
"""

from .cells import neutralise_cell, restore_cell
from .coverage import CountySearch, DEADLINE_RULE_CODES, DEADLINE_RULES, ReportFact, coverage, deadline_of, due_years
from .format import COVERAGE, FIGURES_LONG, FRAME, figures_long_resource, BUCKETS, METADATA_FILES, PROVENANCE, REPORTS, Resource, SOURCES, TABLES, TEXTS, TEXTS_FOLDER, citation, figure_resources, table_files, text_file, townships_resource

__all__ = ["FIGURES_LONG", "figures_long_resource", "COVERAGE", "CountySearch", "DEADLINE_RULE_CODES", "DEADLINE_RULES", "FRAME", "deadline_of", "BUCKETS", "METADATA_FILES", "PROVENANCE", "REPORTS", "ReportFact", "Resource", "SOURCES", "TABLES", "TEXTS", "TEXTS_FOLDER", "citation", "coverage", "due_years", "figure_resources", "neutralise_cell", "restore_cell", "table_files", "text_file", "townships_resource"]
