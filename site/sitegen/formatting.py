"""Values and untrusted text as the site shows them, in one place that every page module and the
charts share (charts and pages both format; neither imports the other for it)."""

from __future__ import annotations

import html
from typing import Any

from parsers.read.normalise import strip_format_characters


def html_text(value: Any) -> str:
    """Untrusted text for a raw-HTML context: every markup character escaped, and no format
    characters (a U+202E in a title would reverse the rest of the line it is shown in; releases
    cut before normalisation removed them may still hold some)."""
    return html.escape(strip_format_characters("" if value is None else str(value)), quote=True)


def format_value(value: Any, qualifier: str = "exact", unit: str = "") -> str:
    number = float(value)
    shown = f"{number:,.0f}" if number == int(number) else f"{number:,.1f}"
    prefix = {"at_least": "≥", "approx": "≈"}.get(qualifier, "")
    return f"{prefix}{shown}{'%' if unit == '%' else ''}"
