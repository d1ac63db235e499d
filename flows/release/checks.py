"""Checks across the tables of a release that a Frictionless schema cannot express (issue 26):
`fazhi verify` runs them after the files are checked against the manifest.

The schema (datapackage.json) already refuses what one row shows wrong: an unknown enum value, a
negative count, a malformed code, a dangling foreign key, a year after the release's. Here: a quote's
offsets against its text, on_time against the date and the deadline, adcode against the township
code, revisions that exist, indicators.csv against values.csv, provenance hashes against reports,
text ids against reports, units allowed per indicator, a rate above 100, and each Parquet copy
against its CSV. Each problem is one line naming the file, the row's key and what is wrong.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from dataset import TEXTS_FOLDER, deadline_of, restore_cell
from flows.release.files import iter_texts
from parsers import COLUMN_UNITS, INDICATORS

ALLOWED_UNITS: dict[str, frozenset[str]] = {}
for _row in INDICATORS:
    ALLOWED_UNITS[_row.key] = ALLOWED_UNITS.get(_row.key, frozenset()) | frozenset(_row.units) | {COLUMN_UNITS.get(_row.key, "")}
RATES = frozenset({"mediation_success_rate_pct"})
MAX_PROBLEMS = 50  # per check: a broken release says what is wrong without printing a million lines


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {k: restore_cell(v) if v else v for k, v in row.items()}


def _number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def check_tables(folder: Path, release_year: int | None = None) -> list[str]:
    """Every cross-table problem of the release in ``folder`` (empty when none)."""
    problems: list[str] = []

    def say(where: str, what: str) -> None:
        if sum(p.startswith(f"{folder / where}:") for p in problems) < MAX_PROBLEMS:
            problems.append(f"{folder / where}: {what}")

    reports = {r["report_id"]: r for r in _rows(folder / "reports.csv")}
    for rid, r in reports.items():
        code, adcode = r.get("township_code", ""), r.get("adcode", "")
        if code and adcode and code[:6] != adcode:
            say("reports.csv", f"report {rid}: adcode {adcode} is not its township code's first 6 digits ({code})")
        year, published, on_time = r.get("year", ""), r.get("published_on", ""), r.get("on_time", "")
        if on_time and (not year.isdigit() or not published):
            say("reports.csv", f"report {rid}: on_time={on_time} without a year and a publication date")
        elif on_time and year.isdigit() and published:
            try:
                expected = date.fromisoformat(published) < deadline_of(int(year))
            except ValueError:
                expected = None
            if expected is not None and on_time != ("true" if expected else "false"):
                say("reports.csv", f"report {rid}: on_time={on_time}, but published {published} and the deadline is {deadline_of(int(year))}")
        if release_year is not None and year.isdigit() and int(year) > release_year:
            say("reports.csv", f"report {rid}: year {year} is after the release's ({release_year})")
    revisions: dict[str, set[int]] = {}
    for p in _rows(folder / "provenance.csv"):
        revisions.setdefault(p["report_id"], set()).add(int(p["revision"]))
        of = reports.get(p["report_id"])
        if of is None:
            say("provenance.csv", f"report {p['report_id']} is not in reports.csv")
        elif p["current"] == "true" and (p["revision"] != of["revision"] or p["text_sha256"] != of["sha256"]):
            say("provenance.csv", f"report {p['report_id']}: its current revision {p['revision']} (text {p['text_sha256'][:12]}…) is not "
                                  f"reports.csv's ({of['revision']}, {of['sha256'][:12]}…)")
    for rid, r in reports.items():
        if revisions and int(r["revision"]) not in revisions.get(rid, set()):
            say("reports.csv", f"report {rid}: revision {r['revision']} is not in provenance.csv")
    texts: dict[str, str] = {}
    for record in iter_texts(folder):
        rid = str(record.get("report_id"))
        if rid not in reports:
            say(TEXTS_FOLDER, f"report {rid} of the texts is not in reports.csv")
        elif record.get("revision") != int(reports[rid]["revision"]):
            say(TEXTS_FOLDER, f"report {rid}: text of revision {record.get('revision')}, reports.csv has {reports[rid]['revision']}")
        texts[rid] = str(record.get("text", ""))
    for o in _rows(folder / "observations.csv"):
        key = f"report {o['report_id']} mention {o['seq']}"
        if o["report_id"] in reports and o["revision"] != reports[o["report_id"]]["revision"]:
            say("observations.csv", f"{key}: revision {o['revision']} is not the report's ({reports[o['report_id']]['revision']})")
        _check_figure(say, "observations.csv", key, o["indicator"], o["value"], o["unit"], allowed=ALLOWED_UNITS)
        _check_quote(say, "observations.csv", key, o["quote"], o["quote_start"], o["quote_end"], texts.get(o["report_id"]), exact=True)
    values: dict[tuple[str, str], dict[str, str]] = {}
    for v in _rows(folder / "values.csv"):
        key = f"report {v['report_id']} {v['indicator']}"
        values[(v["report_id"], v["indicator"])] = v
        _check_figure(say, "values.csv", key, v["indicator"], v["value"], v["unit"], allowed={k: frozenset({u}) for k, u in COLUMN_UNITS.items()})
        _check_quote(say, "values.csv", key, v["quote"], v["quote_start"], v["quote_end"], texts.get(v["report_id"]), exact=False)
    for i in _rows(folder / "indicators.csv"):
        code, adcode = i.get("township_code", ""), i.get("adcode", "")
        if code and adcode and code[:6] != adcode:
            say("indicators.csv", f"report {i['report_id']}: adcode {adcode} is not its township code's first 6 digits ({code})")
        for indicator in (k for k in i if f"{k}_qualifier" in i):
            value = values.get((i["report_id"], indicator))
            if (i[indicator] or None) != (value["value"] if value else None) or (value and i[f"{indicator}_qualifier"] != value["qualifier"]):
                say("indicators.csv", f"report {i['report_id']} {indicator}: {i[indicator] or 'empty'} ({i[f'{indicator}_qualifier'] or '—'}), "
                                      f"values.csv has {value['value'] + ' (' + value['qualifier'] + ')' if value else 'none'}")
    for f in _rows(folder / "figures_long.csv"):
        value = values.get((f["report_id"], f["indicator"]))
        if value is None or (value["value"], value["qualifier"], value["unit"]) != (f["value"], f["qualifier"], f["unit"]):
            say("figures_long.csv", f"report {f['report_id']} {f['indicator']}: {f['value']} is not values.csv's")
        if f["township_code"] and f["county_code"] != f["township_code"][:6]:
            say("figures_long.csv", f"report {f['report_id']}: county_code {f['county_code']} is not its township code's first 6 digits")
    problems += check_parquet(folder)
    return problems


def _check_figure(say: Any, where: str, key: str, indicator: str, value: str, unit: str, allowed: dict[str, frozenset[str]]) -> None:
    if indicator in allowed and unit not in allowed[indicator]:
        say(where, f"{key}: unit {unit!r} is not one of {indicator}'s ({', '.join(sorted(allowed[indicator]))})")
    number = _number(value)
    if indicator in RATES and number is not None and number > 100:
        say(where, f"{key}: a rate of {value} %, above 100")


def _check_quote(say: Any, where: str, key: str, quote: str, start: str, end: str, text: str | None, exact: bool) -> None:
    if not start and not end:
        return
    if not (start.isdigit() and end.isdigit()) or int(start) > int(end):
        say(where, f"{key}: quote offsets {start}–{end} are reversed or not numbers")
        return
    if text is None:
        return
    if int(end) > len(text):
        say(where, f"{key}: quote offsets {start}–{end} run past the text's end ({len(text)} characters)")
    elif exact and text[int(start):int(end)] != quote:
        say(where, f"{key}: the text at {start}–{end} is not the quote")


def check_parquet(folder: Path) -> list[str]:
    """Each Parquet copy holds its CSV's rows, typed as declared (datapackage.json): a value written
    into a .parquet file alone (−5 where the CSV says 5) is found."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from dataset.format import Column, Resource
    from flows.release.parquet import _csv_read_options, _true_text

    problems = []
    try:
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [f"{folder / 'datapackage.json'}: unreadable"]
    for resource in package.get("resources", []):
        if resource.get("format") != "csv":
            continue
        path = folder / resource["path"]
        parquet = path.with_suffix(".parquet")
        if not parquet.is_file():
            continue
        fields = resource["schema"]["fields"]
        declared = Resource(resource["name"], resource["path"], "csv", "", tuple(
            Column(f["name"], f["type"], "", required=bool(f.get("constraints", {}).get("required"))) for f in fields))
        try:
            schema, convert = _csv_read_options(declared)
            from_csv = pcsv.read_csv(path, convert_options=convert)
            from_csv = _true_text(from_csv.columns, schema)
            copy = pq.read_table(parquet)
            if not copy.cast(schema).equals(from_csv):
                problems.append(f"{parquet}: differs from {path.name}")
        except (pa.ArrowException, OSError, ValueError) as exc:
            problems.append(f"{parquet}: unreadable against {path.name} ({str(exc)[:200]})")
    return problems
