"""Candidate publishers (portals.csv) → unchecked sources.yaml entries, appended to the registry.

Each row names a publisher, its county (adcode) and township (code) from the register, and one
article URL of its report. The listing is derived from that URL by its CMS family's layout
(parsers.sites.portals), never taken on trust from the row: the row's own ``column_url`` is only
compared with it (``ImportPlan.disagreements``). Rows are grouped into one entry per (listing,
county): several townships of a county published in one column are one crawl that covers the
county. Rows whose URL carries no column become entries with ``find_from`` pages and no listing:
the night (or ``fazhi sources find``) looks for their column on the portal.

Decisions the issue leaves open, taken here:
- the registry file is appended to as text, never re-dumped: its comments and the order and
  spelling of the checked entries stay exactly as they were; the whole file is parsed again with
  the new entries before it is replaced (atomically), so an import never leaves a broken registry;
- an entry is a duplicate when its listing is one of an existing entry's (same column under
  http/https, www./bare host, index.html or not) or, for an entry without a listing, when an
  existing entry already looks on that host for that county: importing twice adds nothing;
- ``covers`` is the row's county (``adcode``): a township's report is one of its county's; a
  county government's column is expected to hold its townships' reports too (the sampling frame
  counts the county's townships as searched);
- ids are ``<host>-<code>`` (the township's 9-digit code, else the county's), stable across imports.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flows.harvest.registry import SourcesError, load_sources, parse_sources
from parsers import Source, county_name, derive_listing, listing_key, no_column_reason, township_name

REQUIRED_COLUMNS = ("province", "county", "adcode", "township", "township_code", "publisher", "host", "example_url")
MAX_CSV_BYTES = 16 * 1024 * 1024
IMPORTED_RATE = 0.5  # as every entry of the shipped registry: one request every two seconds per portal


class CandidatesError(ValueError):
    """The candidates file can't be imported as it is (the message names the file and the row)."""


@dataclass(frozen=True)
class Candidate:
    line: int  # the row's line in the CSV (the header is line 1)
    province: str
    county: str
    adcode: str
    township: str
    township_code: str
    publisher: str
    host: str
    column_url: str
    example_url: str
    example_title: str
    cms: str


@dataclass
class ImportPlan:
    """What an import adds, and what it leaves out and why."""

    entries: list[dict[str, object]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per row or group left out
    derived: Counter[str] = field(default_factory=Counter)  # rows with a derived listing, by family
    unresolved: int = 0  # rows left for the finder (no listing derivable from their URL)
    disagreements: list[str] = field(default_factory=list)  # rows whose column_url differs from the derived listing


def read_candidates(path: Path) -> list[Candidate]:
    """The rows of a candidates CSV (UTF-8, with a header naming at least REQUIRED_COLUMNS)."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise CandidatesError(f"{path}: can't read the candidates file ({exc.strerror or exc})") from exc
    if len(body) > MAX_CSV_BYTES:
        raise CandidatesError(f"{path}: larger than {MAX_CSV_BYTES // (1024 * 1024)} MB; a candidates list is far smaller")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CandidatesError(f"{path}: not UTF-8 (byte 0x{body[exc.start]:02x} at offset {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CandidatesError(f"{path}: not a candidates file: the header lacks {', '.join(missing)}")
    rows = []
    try:
        for row in reader:
            if None in row:
                raise CandidatesError(f"{path}: line {reader.line_num}: more fields than the header names")
            rows.append(Candidate(
                line=reader.line_num, province=_cell(row, "province"), county=_cell(row, "county"), adcode=_cell(row, "adcode"),
                township=_cell(row, "township"), township_code=_cell(row, "township_code"), publisher=_cell(row, "publisher"),
                host=_cell(row, "host"), column_url=_cell(row, "column_url"), example_url=_cell(row, "example_url"),
                example_title=_cell(row, "example_title"), cms=_cell(row, "cms")))
    except csv.Error as exc:
        raise CandidatesError(f"{path}: line {reader.line_num}: not CSV ({exc})") from exc
    return rows


def _cell(row: dict[str, str | None], name: str) -> str:
    return (row.get(name) or "").strip()


def plan_import(rows: list[Candidate], existing: list[Source], name: str = "portals.csv") -> ImportPlan:
    """The entries the rows add to a registry holding ``existing`` (pure: no file is touched)."""
    plan = ImportPlan()
    taken_listings = {listing_key(url): s.id for s in existing for url in s.listing}
    taken_finds = {(host_of(url), s.adcode): s.id for s in existing for url in s.find_from}
    used_ids = {s.id for s in existing}
    groups: dict[tuple[str, str], list[tuple[Candidate, str | None, str, str]]] = {}
    for row in rows:
        where = f"{name} line {row.line}"
        problem = _row_problem(row)
        if problem:
            plan.skipped.append(f"{where}: {problem}")
            continue
        derived = derive_listing(row.example_url)
        if derived is not None:
            plan.derived[derived.family] += 1
            if row.column_url and listing_key(row.column_url) not in {listing_key(u) for u in (derived.listing, *derived.alternatives)}:
                plan.disagreements.append(f"{where}: the row's column_url {row.column_url} differs from the derived {derived.listing}")
            key = ("listing:" + listing_key(derived.listing), row.adcode)
            groups.setdefault(key, []).append((row, derived.listing, derived.family, f"derived by the {derived.family} layout ({derived.rule})"))
        else:
            plan.unresolved += 1
            key = ("host:" + host_of(row.example_url), row.adcode)
            groups.setdefault(key, []).append((row, None, "", no_column_reason(row.example_url)))
    for (_kind, adcode), members in groups.items():
        first, listing, family, how = members[0]
        lines = ", ".join(str(m[0].line) for m in members)
        if listing is not None and (other := taken_listings.get(listing_key(listing))):
            plan.skipped.append(f"{name} line(s) {lines}: {listing} is already the listing of '{other}'")
            continue
        if listing is None and (other := taken_finds.get((host_of(first.example_url), adcode))):
            plan.skipped.append(f"{name} line(s) {lines}: '{other}' already looks for {first.host}'s column of county {adcode}")
            continue
        entry = _entry(members, listing, family, how, lines, name, used_ids)
        used_ids.add(str(entry["id"]))
        plan.entries.append(entry)
    return plan


def _row_problem(row: Candidate) -> str | None:
    if not re.fullmatch(r"\d{6}", row.adcode) or county_name(row.adcode) is None:
        return f"adcode {row.adcode!r} is not a county code of the register"
    if row.township_code and township_name(row.township_code) is None:
        return f"township_code {row.township_code!r} is not a township code of the register"
    if row.township_code and not row.township_code.startswith(row.adcode):
        return f"township_code {row.township_code} is not in county {row.adcode}"
    if not row.publisher:
        return "no publisher"
    parts = urlsplit(row.example_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"example_url {row.example_url[:200]!r} is not an http(s) URL"
    return None


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def id_stem(host: str) -> str:
    labels = [label for label in host.split(".") if label not in ("www", "gov", "cn", "com", "org", "net")]
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(reversed(labels[:3])).lower()).strip("-")[:40] or "portal"


def _entry(members: list[tuple[Candidate, str | None, str, str]], listing: str | None, family: str, how: str, lines: str, name: str,
           used_ids: set[str]) -> dict[str, object]:
    rows = [m[0] for m in members]
    first = rows[0]
    # The publisher named: the county government's when the county publishes itself among the rows,
    # else the first row's (the others are named in found_by).
    county_level = [r for r in rows if not r.township_code]
    publisher = (county_level or rows)[0].publisher
    code = first.township_code if len(rows) == 1 and first.township_code else first.adcode
    base = f"{id_stem(host_of(first.example_url))}-{code}"
    entry_id, n = base, 2
    while entry_id in used_ids:
        entry_id, n = f"{base}-{n}", n + 1
    others = sorted({r.publisher for r in rows} - {publisher})
    found_by = f"{name} line(s) {lines}: " + (f"listing {how}" if listing else f"no listing: {how}") + f", from {first.example_url}"
    if others:
        found_by += f"; also publishes here: {'、'.join(others)}"
    entry: dict[str, object] = {
        "id": entry_id,
        "name": publisher[:200],
        "county": county_name(first.adcode),
        "adcode": first.adcode,
        "covers": [first.adcode],
    }
    if listing:
        entry["listing"] = [listing]
        entry["family"] = family
    else:
        entry["find_from"] = list(dict.fromkeys(r.example_url for r in rows))[:20]
    entry["checked"] = False
    entry["found_by"] = found_by[:1000]
    entry["allowed_domains"] = sorted({host_of(r.example_url) for r in rows})
    entry["rate_per_second"] = IMPORTED_RATE
    return entry


def _scalar(value: object) -> str:
    """A YAML scalar: JSON's string form is a valid double-quoted YAML scalar (escapes included)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


_PLAIN = re.compile(r"[a-z][a-z0-9.-]*")  # families and host names: read back by YAML as the same string
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def render_entries(entries: list[dict[str, object]], heading: str) -> str:
    """The entries as YAML under the registry's ``sources:`` list, in the shipped file's style."""
    out = [f"\n  # {heading}"] if entries else []
    for entry in entries:
        out.append(f"  - id: {entry['id']}")
        for key, value in entry.items():
            if key == "id":
                continue
            if key in ("listing", "find_from"):
                out.append(f"    {key}:")
                out += [f"      - {url}" if _plain_url(str(url)) else f"      - {_scalar(url)}" for url in value]  # type: ignore[attr-defined]
            elif isinstance(value, list):
                out.append(f"    {key}: [{', '.join(_scalar(v) for v in value)}]")
            else:
                out.append(f"    {key}: {_scalar(value)}")
    return "\n".join(out) + ("\n" if out else "")


def _plain_url(url: str) -> bool:
    """A URL that YAML reads back unchanged without quotes (no ' #', no ': ', no leading indicator)."""
    return bool(re.fullmatch(r"https?://[A-Za-z0-9._~:/?=&%+\-;,@!$()*\[\]]+", url)) and " #" not in url and ": " not in url and "[" not in url


@dataclass(frozen=True)
class ImportResult:
    plan: ImportPlan
    written: bool


def import_candidates(csv_path: Path, sources_path: Path, *, dry_run: bool = False) -> ImportResult:
    """Append the candidates' new entries to ``sources_path`` (unless ``dry_run``), atomically and only
    when the whole registry with them still loads."""
    existing = load_sources(sources_path)
    plan = plan_import(read_candidates(csv_path), existing, csv_path.name)
    if not plan.entries or dry_run:
        return ImportResult(plan, False)
    text = sources_path.read_text(encoding="utf-8-sig")
    heading = (f"Imported from {csv_path.name} by `fazhi sources import`: unchecked (checked: false) until a night sees "
               "their listing answer with report links; listings derived from an article URL, or find_from pages to look for it")
    new_text = text.rstrip("\n") + "\n" + render_entries(plan.entries, heading)
    try:
        parse_sources(new_text, str(sources_path))
    except SourcesError as exc:  # a bug here, never a half-written registry
        raise CandidatesError(f"{csv_path}: the entries made from it would break {sources_path}: {exc}") from exc
    handle, temporary = tempfile.mkstemp(dir=sources_path.parent, prefix=".sources-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(new_text)
        os.chmod(temporary, sources_path.stat().st_mode & 0o777)
        os.replace(temporary, sources_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return ImportResult(plan, True)
