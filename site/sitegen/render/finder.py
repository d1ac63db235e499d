"""The township finder's index, in pieces: one JSON file per first character of a name, one per
first character of a county's name and one per province (the code's first two digits), fetched by ``assets/finder.js`` only when a reader
types in the search box, and only the piece the query needs.

Why not Material's search for townships: its worker fetches one ``search_index.json`` and builds
a lunr index of every entry before it answers (lunr scores across the whole corpus, so it cannot
be given part of it). At 40,000 townships that index was 14.8 MB and the first result came after
6.7 s on this machine. Townships are found by a name's beginning or a code's digits, which a
piece keyed by the query's first character (or first two digits) answers exactly; Material's
search keeps the site's other pages (provinces, counties, indicators, methodology).

A piece holds no status or year: a night's new report changes no piece (only a township new to
the site does), so an incremental publish sends none. Pure: places in, file contents out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from .pages import Place

FOLDER = "search/townships"  # in the built site, beside Material's search/search_index.json
CODE_DIGITS = 2  # a code piece per province: ~1,300 townships, ~15 KB gzip at national size
VERSION = 1  # the pieces' shape, read by finder.js
ON_SITE = "on-site"  # the counties on the site: search/townships/on-site.json


@dataclass
class Entries:
    """The finder's contents: every township it finds (the whole register: pieces that do not change
    when a county joins the site), and the counties on the site, county code (6 digits) → (its
    page, from the root; its townships without a page of their own (未纳入检索), or with one; which)."""

    places: list[Place] = field(default_factory=list)
    counties: dict[str, tuple[str, list[str], bool]] = field(default_factory=dict)


def on_site(counties: dict[str, tuple[str, list[str], bool]]) -> str:
    """``{"v": 1, "c": {county code: [page, [codes], 0 or 1]}}``: the codes are the county's
    townships without a page of their own (0) or, when that list would be the longer, those with
    one (1). finder.js links a township whose county is here to its page (or to its county's page
    when it has none) and one whose county is not as text alone (未纳入检索)."""
    return json.dumps({"v": VERSION, "c": {code: [url, codes, int(paged)] for code, (url, codes, paged) in sorted(counties.items())}},
                      ensure_ascii=False, separators=(",", ":"))


def name_piece(name: str) -> str:
    """The piece of names starting with ``name``'s first character: its code point in hex (finder.js
    computes the same from the query: ``codePointAt(0).toString(16)``)."""
    return f"n-{ord(name[0]):x}"


def county_piece(county: str) -> str:
    """The piece of the townships whose county's name starts with ``county``'s first character:
    a county's name lists its townships (``辰溪县`` → its 23)."""
    return f"k-{ord(county[0]):x}"


def code_piece(code: str) -> str:
    return f"c-{code[:CODE_DIGITS]}"


def pieces(places: Iterable[Place]) -> dict[str, str]:
    """File name (without .json) → its JSON: ``{"v": 1, "t": [[code, name, county, province], …]}``,
    townships in code order, so a piece's bytes change only when its townships do."""
    grouped: dict[str, list[list[str]]] = {}
    for place in sorted(places, key=lambda p: p.code):
        entry = [place.code, place.name, place.county, place.province]
        if place.name:
            grouped.setdefault(name_piece(place.name), []).append(entry)
        if place.county:
            grouped.setdefault(county_piece(place.county), []).append(entry)
        if place.code[:CODE_DIGITS].isdigit() and len(place.code) >= CODE_DIGITS:
            grouped.setdefault(code_piece(place.code), []).append(entry)
    return {key: json.dumps({"v": VERSION, "t": entries}, ensure_ascii=False, separators=(",", ":")) for key, entries in sorted(grouped.items())}
