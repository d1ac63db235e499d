"""Names of places → administrative codes, from a real code table.

The table is the one the ``cpca`` package ships (adcodes.csv: 3,500 provinces, prefectures and
counties with their codes). It is read straight from the installed package's files, without
importing cpca (which would load pandas and a segmenter for nothing).
"""

from __future__ import annotations

import csv
import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple


class Division(NamedTuple):
    adcode: str  # 6 digits
    name: str


class CodeTable(NamedTuple):
    counties: dict[str, list[Division]]  # name → every county-level division of that name
    by_code: dict[str, str]  # adcode → name (provinces, prefectures, counties)
    county_pattern: re.Pattern[str]


MIN_COUNTY_NAME = 3  # two-character names (城区, 郊区, 矿区) are ordinary words in report prose


def _table_path() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package (administrative code table) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def code_table() -> CodeTable:
    counties: dict[str, list[Division]] = {}
    by_code: dict[str, str] = {}
    with _table_path().open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code, name = row["adcode"][:6], row["name"]
            by_code[code] = name
            if not code.endswith("00") and len(name) >= MIN_COUNTY_NAME:
                counties.setdefault(name, []).append(Division(code, name))
    names = sorted(counties, key=len, reverse=True)
    return CodeTable(counties, by_code, re.compile("|".join(map(re.escape, names))))


def province_of(adcode: str) -> str | None:
    return code_table().by_code.get(adcode[:2] + "0000")


def prefecture_of(adcode: str) -> str | None:
    return code_table().by_code.get(adcode[:4] + "00")


def county_name(adcode: str) -> str | None:
    return code_table().by_code.get(adcode)


def find_county(text: str) -> tuple[Division | None, str | None]:
    """The first county-level name in ``text`` and its division; a name shared by several
    counties is resolved only when the text also names the province or prefecture.

    Returns (division, matched name); division is None when the name is ambiguous.
    """
    table = code_table()
    for match in table.county_pattern.finditer(text):
        name = match.group(0)
        candidates = table.counties[name]
        if len(candidates) == 1:
            return candidates[0], name
        context = [c for c in candidates if _named_above(c.adcode, text)]
        return (context[0] if len(context) == 1 else None), name
    return None, None


def _named_above(adcode: str, text: str) -> bool:
    for parent in (prefecture_of(adcode), province_of(adcode)):
        if parent and (parent in text or parent[:2] in text):
            return True
    return False
