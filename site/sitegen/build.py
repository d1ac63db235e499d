"""Read a release, write the generated pages into docs_dir, run the MkDocs build."""

from __future__ import annotations

import csv
import gc
import gzip
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import weakref
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from dataset import CSV_FIELD_LIMIT as _CSV_FIELD_LIMIT
from dataset.cells import neutralise_cell, restore_cell
from dataset.format import SOURCES_HEALTH, TEXTS_FOLDER, UNREADABLE
from dataset.reader import read_manifest
from parsers.figures.indicators import INDICATOR_KEYS

from .reading.buckets import BucketedRows, BucketedTexts, _report_id, read_index
from .render import feeds, finder, pages
from .render.blocks import HtmlBlocks
from .render.figures import FigureIndex, ObservationRows, ValueIndex
from .render.townships import BOM, TownshipData, clone_or_copy
from .stats import SiteStats
from .tables import rankings
from .tables.accountability import (
    Coverage,
    read_coverage,
    render_area_table,
    render_missing_lists,
    render_status_table,
    render_year_counts,
    status_from_report,
    year_counts,
    year_lines,
    year_panels,
)
from .tables.health import render_source_health
from .tables.statuses import icon_css

csv.field_size_limit(_CSV_FIELD_LIMIT)  # explicit: a release cell over csv's default 131,072 fails the reader, not a night

# The configuration, hand-written pages and assets are package data: an installed fazhi (a wheel,
# a work-pool image) builds the site without the repository.
PACKAGE_ROOT = Path(__file__).resolve().parent
MKDOCS_YML = PACKAGE_ROOT / "mkdocs.yml"
HAND_WRITTEN = PACKAGE_ROOT / "pages"
ASSETS = PACKAGE_ROOT / "assets"


class SiteBuildError(RuntimeError):
    """The site could not be built; the message says which step failed."""


def _read_csv(path: Path) -> list[dict[str, Any]]:
    """Rows with their cells' true text: the release neutralises text cells that a spreadsheet
    would take for a formula (dataset.cells); numbers never start with the mark."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{name: restore_cell(cell) if cell else cell for name, cell in row.items()} for row in csv.DictReader(handle)]


def _sha256(path: Path) -> str:
    """Read in blocks: a national release zip is hundreds of MB."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifests(releases: Path) -> list[dict[str, Any]]:
    found = []
    for folder in releases.iterdir():
        if folder.is_dir() and not folder.name.startswith(".") and (folder / "manifest.json").exists():
            manifest = read_manifest(folder).model_dump()  # validated: a damaged manifest is named, not a KeyError
            zip_path = folder / f"fazhi-{manifest['version']}.zip"
            recorded = zip_path.with_name(zip_path.name + ".sha256")  # written when the release was cut
            manifest["zip_sha256"] = (recorded.read_text(encoding="utf-8").split()[0] if recorded.exists()
                                      else _sha256(zip_path) if zip_path.exists() else "")
            manifest["zip_bytes"] = zip_path.stat().st_size if zip_path.exists() else 0
            found.append(manifest)
    return sorted(found, key=lambda m: m["created"])


class TextIndex:
    """Where each report's line starts in its texts; a report's record (texts, flags) is read
    when its page is written, so the build never holds every text of the country at once.

    A release's texts are texts/<year>.jsonl.gz (reports.jsonl before): gzip can't seek, so they
    are decompressed once into a temporary file that the pages (and forked workers) read by offset,
    removed when the index goes."""

    def __init__(self, folder: Path) -> None:
        self.offsets: dict[str, int] = {}
        if (folder / "reports.jsonl").exists():
            self.path = folder / "reports.jsonl"
            with self.path.open("rb") as handle:
                self._index(handle)
            return
        descriptor, name = tempfile.mkstemp(prefix="fazhi-texts-", suffix=".jsonl")
        self.path = Path(name)
        self._remove = weakref.finalize(self, _unlink_quietly, name)
        with os.fdopen(descriptor, "wb") as out:
            for path in sorted((folder / TEXTS_FOLDER).glob("*.jsonl.gz")):
                with gzip.open(path, "rb") as handle:
                    self._index(handle, out)

    def _index(self, lines: Iterable[bytes], copy: BinaryIO | None = None) -> None:
        offset = copy.tell() if copy is not None else 0
        for line in lines:
            self.offsets[_report_id(line)] = offset
            offset += len(line)
            if copy is not None:
                copy.write(line)

    def record(self, report_id: str) -> dict[str, Any]:
        with self.path.open("rb") as handle:
            handle.seek(self.offsets[report_id])
            return dict(json.loads(handle.readline()))


def _unlink_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def write_docs(releases: Path, version: str, docs: Path, blocks: HtmlBlocks | None = None) -> tuple[int, TownshipData]:
    """Generate the Markdown pages of ``version`` into ``docs`` (emptied first): home, indexes,
    provinces, counties, indicators, downloads. Returns their count and what the township pages
    (rendered later, by sitegen.townships) are made of. ``blocks``: holds the status tables while
    Markdown runs (sitegen.blocks); without it they are written into the Markdown itself."""
    folder = releases / version
    reports = _read_csv(folder / "reports.csv")
    by_id = {r["report_id"]: r for r in reports}
    primary = _primary_reports(reports)
    has_values = (folder / "values.csv").exists()
    index = read_index(folder)
    bucketed = [BucketedRows.of(folder, name, index) for name in ("observations.csv", *(["values.csv"] if has_values else []))]
    figure_tables = [t for t in bucketed if t is not None] if all(bucketed) else None
    # The year's values (values.csv, one per report and indicator) when the release has them:
    # what a township's figures, its "17 项数字" and the indicator pages show. Older releases: the
    # canonical mentions of observations.csv.
    values: FigureIndex | ValueIndex | None = None
    if has_values:
        values = (ValueIndex.of(folder / "values.csv", figure_tables[1], by_id, primary) if figure_tables is not None else None) \
            or FigureIndex(folder / "values.csv", by_id, primary, per_year=True)
    # observations.csv then holds only the mentions shown on the pages being rendered: read by
    # bucket when the release's index fits it, not indexed whole (3.4 million rows at 40,000 townships).
    figures: FigureIndex | ObservationRows
    if values is not None and figure_tables is not None:
        figures = ObservationRows(figure_tables[0])
    else:
        figures = FigureIndex(folder / "observations.csv", by_id, None if has_values else primary, per_year=not has_values)
    counted = values or figures
    assert isinstance(counted, (FigureIndex, ValueIndex))
    bucketed_texts = BucketedTexts.of(folder, index)
    texts = bucketed_texts or TextIndex(folder)

    def preload() -> None:
        if bucketed_texts is not None:
            bucketed_texts.load_all()
        for table in figure_tables or []:
            table.split_all()

    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    manifest = read_manifest(folder).model_dump()
    changelog = (folder / "CHANGELOG.md").read_text(encoding="utf-8")

    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    shutil.copytree(HAND_WRITTEN, docs, dirs_exist_ok=True)
    if ASSETS.exists():
        shutil.copytree(ASSETS, docs / "assets", dirs_exist_ok=True)
    write_release_css(docs / "assets" / "release.css", str(manifest["version"]), citation_of(manifest).released_on)

    written = 0

    def write(path: str, content: str) -> None:
        nonlocal written
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        written += 1

    hold = blocks.hold if blocks is not None else (lambda html: html)
    groups, loose = pages.group_townships(reports)
    cite = citation_of(manifest)
    years, register = read_coverage(folder / "townships.csv", _date(cite.released_on))
    # The other townships of a county townships.csv lists in part: a row on their county's page and
    # a finder entry leading there, no page of their own (a county's first report no longer adds
    # 32 pages to the night's upload: issue 32).
    not_searched = _not_searched(register, years)
    register = {**register, **not_searched}
    places = _places(groups, register)
    figure_counts = dict(counted.counted)
    in_scope = list(places.values())  # townships.csv, and townships with reports it does not list
    status_years = years or sorted({int(r["year"]) for rows in groups.values() for r in rows if str(r.get("year") or "").isdigit()})
    by_province = _by_province(in_scope)
    loose_by_county, unresolved = _route_loose(loose, by_province)
    # The year shown first: the latest whose reports were due (a year of only 未到期 says nothing yet).
    due = [y for y, c in year_counts(in_scope, status_years).items() if any(n for s, n in c.items() if s != "not_due")]
    latest = max(due or status_years) if status_years else None
    provinces = [(p, pages.child_link(p), [t for ts in cs.values() for t in ts]) for p, cs in by_province.items()]  # by code (_by_province)
    home_areas = [(p, "townships/" + link, ts) for p, link, ts in provinces]
    # The changelog's entries link to township pages by URL (relative to the home page): those
    # pages are rendered outside MkDocs, which knows no docs file to resolve a link against.
    link_of = {r["report_id"]: pages.township_url(code) for code, rows in groups.items() for r in rows}
    write("index.md", pages.render_home(manifest, changelog, len(groups), [int(r["year"]) for r in reports if str(r.get("year") or "").isdigit()],
                                        zip_link(version), status_html=render_year_counts(year_counts(in_scope, status_years)),
                                        areas_html=hold(year_panels(status_years, "y", latest, lambda y: render_area_table(home_areas, y, "省级行政区"))),
                                        link_of=link_of))
    write("townships/index.md", pages.render_township_index(len(in_scope), len(by_province), render_year_counts(year_counts(in_scope, status_years)),
                                                            hold(year_panels(status_years, "y", latest, lambda y: render_area_table(provinces, y, "省级行政区"))),
                                                            len(loose)))
    write(pages.UNRESOLVED_PATH, pages.render_unresolved(unresolved))
    county_areas = [(county, f"townships/{pages.child_link(province)}{pages.child_link(county)}", townships)
                    for province, counties in by_province.items() for county, townships in counties.items()]
    province_by_county = {id(ts): province for province, counties in by_province.items() for ts in counties.values()}
    write("rankings.md", hold_markdown(rankings.render_rankings(home_areas, county_areas, status_years, latest,
                                                                lambda area: province_by_county[id(area[2])]), hold))
    totals_of: dict[tuple[str, str], list[tuple[str, str, str, float, int, bool]]] = {}  # county → its indicator totals per year and unit
    for (key, year, unit), by_county in counted.county_totals.items():
        for where, (amount, reported, bound) in by_county.items():
            totals_of.setdefault(where, []).append((key, year, unit, amount, reported, bound))
    for province, counties in by_province.items():
        everyone = [t for ts in counties.values() for t in ts]
        areas = [(county, pages.child_link(county), townships) for county, townships in counties.items()]
        write(pages.province_path(province), pages.render_province(province, hold(render_year_counts(year_counts(everyone, status_years))),
                                                                   hold(year_panels(status_years, "y", latest,
                                                                                    lambda y, areas=areas: render_area_table(areas, y, "县级行政区")))))  # type: ignore[misc]
        for county, townships in counties.items():
            here = pages.county_path(province, county)

            def link(t: Coverage, here: str = here) -> str | None:
                if t.code in not_searched and t.code not in groups:
                    return None  # 未纳入检索 and no report: no page of its own (its row is here)
                return pages.to_root(here) + pages.township_url(t.code)

            missing = year_panels(status_years, "y", latest, lambda y, townships=townships, link=link: render_missing_lists(townships, y, link))  # type: ignore[misc]
            write(here, pages.render_county(province, county, hold(render_year_counts(year_counts(townships, status_years)) + missing),
                                            hold(render_status_table(townships, status_years, link)), loose_by_county.get((province, county), []),
                                            hold(pages.render_county_totals(totals_of.get((province, county), []), len(townships), here))))
    _write_feeds(docs, releases, by_id, {**link_of, **{r["report_id"]: pages.archive_html_path(r) for r in loose}}, by_province)
    write("indicators/index.md", pages.render_indicator_index(counted.counts))
    register_sizes = {(province, county): len(townships) for province, counties in by_province.items() for county, townships in counties.items()}
    totals_by_year: dict[tuple[str, str], dict[str, Any]] = {}  # grouped once: filtering all totals per page was 2 s at 40,000 townships
    for (k, y, unit), found in counted.county_totals.items():
        totals_by_year.setdefault((k, y), {})[unit] = found
    for key in INDICATOR_KEYS:
        year_units = counted.year_units.get(key, {})
        write(f"indicators/{key}.md", pages.render_indicator(key, year_units))
        for year in year_units:
            totals = totals_by_year.get((key, year), {})
            largest = counted.by_year.get(key, {}).get(year, [])
            write(pages.indicator_year_path(key, year), pages.render_indicator_year(
                key, year, sorted(year_units), by_id, largest, year_units[year], totals, register_sizes, hold=hold, cite=cite))
            ranked = [item for unit in year_units[year] for item in pages.rank_values(largest, by_id, unit)]
            _write_csv(docs / pages.indicator_year_csv_path(key, year), pages.CSV_HEADER, pages.indicator_year_csv_rows(key, year, ranked, cite))
    write("downloads.md", pages.render_downloads(_manifests(releases), package, archive_url()))
    health = folder / SOURCES_HEALTH.path
    write("sources-health.md", render_source_health(_read_csv(health) if health.is_file() else None))
    # Every township of townships.csv gets a page and a search entry, reports or not (a small page
    # for one never found: 辰阳镇 must be findable by name and code to be held to account).
    pages_of = {**{code: [] for code in register if code not in not_searched}, **groups}
    pages_of = {code: pages_of[code] for code in sorted(pages_of)}
    county_of = {t.code: ts for counties in by_province.values() for ts in counties.values() for t in ts}
    comparisons = {code: rankings.render_township_comparison(register[code], county_of[code], status_years)
                   for code in pages_of if code in register and code in county_of}
    # Reports found but not read (issue 29): their township's page says so, and what they need.
    unread_of: dict[str, list[dict[str, Any]]] = {}
    if (folder / UNREADABLE.path).is_file():  # a release cut before unreadable.csv has none
        for row in _read_csv(folder / UNREADABLE.path):
            if row.get("township_code"):
                unread_of.setdefault(row["township_code"], []).append(row)
    data = TownshipData(groups=pages_of, raw_figures=figures.raw, parse_figures=figures.rows, text_of=texts.record, build_id=build_id(), version=version,
                        raw_values=values.raw if values else None, parse_values=values.rows if values else None, figure_tables=figure_tables, preload=preload,
                        places={code: _place(places[code]) for code in pages_of}, loose=loose, comparisons=comparisons,
                        finder=finder_entries({code: _place(places[code]) for code in pages_of},
                                              {code: _place(places[code]) for code in not_searched if code not in pages_of}),
                        medians=counted.county_medians,
                        summaries={code: year_lines(status_years, register.get(code), rows, figure_counts, unread_of.get(code, ()))
                                   for code, rows in pages_of.items()})
    return written, data


def finder_entries(with_page: dict[str, pages.Place], without: dict[str, pages.Place]) -> finder.Entries:
    """What the township finder (sitegen.finder) holds: every township of the national register,
    whether its county is on the site or not, so that a county's first report changes no piece;
    townships with a page and not in the register too; and where each county's page is, with its
    townships that have none (one small file: all that changes when a county joins the site)."""
    from parsers.identity.register import load_register

    register = load_register()
    places = {code: pages.Place(code=code, name=t.name, county=register.counties.get(t.county, ("", ""))[0],
                                province=register.provinces.get(code[:2] + "0000", ""))
              for code, t in register.townships.items()}
    places.update({code: place for code, place in with_page.items() if code not in places})
    urls: dict[str, str] = {}
    for place in [*with_page.values(), *without.values()]:
        urls.setdefault(place.code[:6], pages.county_path(place.province, place.county)[: -len("index.md")])
    listed: dict[str, tuple[list[str], list[str]]] = {county: ([], []) for county in urls}
    for code in sorted(with_page):
        listed[code[:6]][0].append(code)
    for code in sorted(without):
        listed[code[:6]][1].append(code)
    # The shorter list of the two: a county listed in part has few pages, a covered one none without.
    counties = {county: (urls[county], *((without_page, False) if len(without_page) <= len(paged) else (paged, True)))
                for county, (paged, without_page) in listed.items()}
    return finder.Entries(places=sorted(places.values(), key=lambda p: p.code), counties=counties)


def hold_markdown(markdown: str, hold: Any) -> str:
    """A page whose year panels are one HTML block: the block held out of Markdown (sitegen.blocks)."""
    head, marker, rest = markdown.partition('<nav class="fazhi-year-nav"')
    return head + hold(marker + rest.rstrip("\n")) + "\n" if marker else markdown


def citation_of(manifest: dict[str, Any]) -> pages.Citation:
    """The release a page is cited by: its version, its date, and the site's address if known."""
    return pages.Citation(version=str(manifest["version"]), released_on=str(manifest.get("released_on") or str(manifest.get("created", ""))[:10]),
                          site_url=os.environ.get("FAZHI_SITE_URL", ""))


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """A page's rows as CSV for a spreadsheet: UTF-8 with BOM (Excel), text cells neutralised
    (dataset.cells: a quote starting with = is never run as a formula)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows([neutralise_cell(cell) for cell in row] for row in rows)


FEED_RELEASES = 60  # change logs read for the feeds: two months of nights; older entries have long been read


def _write_feeds(docs: Path, releases: Path, by_id: dict[str, dict[str, Any]], link_of: dict[str, str],
                 by_province: dict[str, dict[str, list[Coverage]]]) -> None:
    """feed.xml (the site's new and revised reports) and one per county page, beside it."""
    history = []
    for m in reversed(_manifests_by_date(releases)[-FEED_RELEASES:]):
        log = releases / m["version"] / "CHANGELOG.md"
        history.append((m["version"], m["created"], log.read_text(encoding="utf-8") if log.exists() else ""))
    site = os.environ.get("FAZHI_SITE_URL", "").rstrip("/")
    (docs / "feed.xml").write_text(feeds.render_feed("法治地图：新增和修订的报告", "urn:fazhi-atlas:feed", "feed.xml", "./",
                                                     feeds.newest(history, feeds.SITE_ENTRIES), by_id, link_of, to_root="",
                                                     base=f"{site}/" if site else ""), encoding="utf-8")
    by_county: dict[tuple[str, str], list[feeds.Entry]] = {}
    for entry in feeds.newest(history, 10**9):
        row = by_id.get(entry.report_id)
        if row is not None:
            by_county.setdefault((row.get("province") or pages.UNKNOWN_PROVINCE, row.get("county") or pages.UNKNOWN_COUNTY), []).append(entry)
    for province, counties in by_province.items():
        for county, townships in counties.items():
            page = pages.county_path(province, county)
            code = next((t.county_code for t in townships if t.county_code), "") or f"{province}/{county}"
            target = docs / page[: -len("index.md")] / "feed.xml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(feeds.render_feed(f"法治地图：{county}（{province}）新增和修订的报告", f"urn:fazhi-atlas:feed:{code}", "feed.xml", "./",
                                                by_county.get((province, county), [])[: feeds.COUNTY_ENTRIES], by_id, link_of,
                                                to_root=pages.to_root(page), built=history[0][1] if history else "",
                                                base=f"{site}/{quote(page[: -len('index.md')])}" if site else ""), encoding="utf-8")


def _manifests_by_date(releases: Path) -> list[dict[str, Any]]:
    """Every release's manifest, oldest first, without hashing zips (the feeds need dates only)."""
    found = []
    for folder in releases.iterdir():
        if folder.is_dir() and not folder.name.startswith(".") and (folder / "manifest.json").exists():
            found.append(read_manifest(folder).model_dump())
    return sorted(found, key=lambda m: m["created"])


def write_release_css(path: Path, version: str, released_on: str = "") -> None:
    """The release's version (and date) for the citation line and the footer of every page
    (``.fazhi-version``, ``.fazhi-footer-version``), kept out of the pages themselves so that a page
    whose data did not change is reused as it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = "".join(c for c in version if c.isalnum() or c in ".-_")  # a CSS string: no quote or backslash can end it
    day = "".join(c for c in released_on if c.isdigit() or c == "-")
    dated = f"（{day}）" if day else ""
    path.write_text(f'.fazhi-version {{ display: none; }}\n.fazhi-cite::after {{ content: "数据集版本 {safe}。"; }}\n'
                    f'.fazhi-footer-version {{ font-size: 0; }}\n'
                    f'.fazhi-footer-version::after {{ content: "数据集版本 {safe}{dated}"; font-size: 0.64rem; }}\n'
                    f'.fazhi-cite-version::after {{ content: "数据集版本 {safe}{dated}"; }}\n' + icon_css(), encoding="utf-8")


def _primary_reports(reports: list[dict[str, Any]]) -> set[str]:
    """One report per township and year (its earliest-published annual report, as its year line
    reads it): the one whose figures count in a county's totals, so that a township whose report
    two portals published is counted once. 述法 reports are an official's, not the township's."""
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for r in reports:
        if not pages.on_township_page(r) or r.get("kind") == "shufa" or r.get("status") == "withdrawn":
            continue
        where = (r["township_code"], str(r.get("year") or ""))
        if where not in chosen or (r.get("published_on") or "9999") < (chosen[where].get("published_on") or "9999"):
            chosen[where] = r
    return {r["report_id"] for r in chosen.values()}


def _not_searched(listed: dict[str, Coverage], years: list[int]) -> dict[str, Coverage]:
    """The other townships of a county that townships.csv lists only in part (a county no source
    covers, present because a report names one of its townships), from the register, each year
    未纳入检索: on their county's page and in search, never counted as 未找到."""
    from parsers.identity.register import load_register

    register = load_register()
    sample_of = {t.county_code: t for t in listed.values() if t.county_code in register.counties}  # its names, as the release gives them
    found: dict[str, Coverage] = {}
    for code, township in register.townships.items():
        if township.county in sample_of and code not in listed:
            sample = sample_of[township.county]
            found[code] = Coverage(code=code, name=township.name, county_code=township.county, county=sample.county, prefecture=sample.prefecture,
                                   province=sample.province, annual={y: "not_searched" for y in years},
                                   shufa={y: "not_searched" for y in years})
    return found


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _by_province(townships: list[Coverage]) -> dict[str, dict[str, list[Coverage]]]:
    """Province → county → its townships, provinces and counties in the order of their codes
    (北京 11 first, as official tables list them; a name's Unicode order means nothing)."""
    found: dict[str, dict[str, list[Coverage]]] = {}
    for t in sorted(townships, key=lambda t: t.code):
        found.setdefault(t.province or pages.UNKNOWN_PROVINCE, {}).setdefault(t.county or pages.UNKNOWN_COUNTY, []).append(t)
    return found


def _route_loose(loose: list[dict[str, Any]], by_province: dict[str, dict[str, list[Coverage]]]) -> tuple[dict[tuple[str, str], list[dict[str, Any]]], list[dict[str, Any]]]:
    """Reports on no township page: a county's or department's report, or a document of another
    kind, goes to its county's page when the site has one; the rest (no township code, no known
    county) to the page of unresolved reports."""
    by_county: dict[tuple[str, str], list[dict[str, Any]]] = {}
    unresolved = []
    for row in loose:
        where = (row.get("province") or "", row.get("county") or "")
        county_level = row.get("level") in ("county", "department") or row.get("kind") == "other"
        if county_level and where[1] in by_province.get(where[0], {}):
            by_county.setdefault(where, []).append(row)
        else:
            unresolved.append(row)
    return by_county, unresolved


def _places(groups: dict[str, list[dict[str, Any]]], register: dict[str, Coverage]) -> dict[str, Coverage]:
    """Every township with a page, as townships.csv lists it; one it does not list (a release
    without townships.csv, or a township outside the covered counties) from its reports."""
    found = dict(register)
    for code, rows in groups.items():
        if code not in found:
            first = rows[0]
            annual = {int(r["year"]): status_from_report(r) for r in rows if str(r.get("year") or "").isdigit() and r.get("kind") != "shufa"}
            found[code] = Coverage(code=code, name=first.get("township") or code, county_code=first.get("adcode") or "",
                                   county=first.get("county") or pages.UNKNOWN_COUNTY, prefecture="",
                                   province=first.get("province") or pages.UNKNOWN_PROVINCE, annual=annual, shufa={})
    return found


def _place(coverage: Coverage) -> pages.Place:
    return pages.Place(code=coverage.code, name=coverage.name, county=coverage.county or pages.UNKNOWN_COUNTY,
                       province=coverage.province or pages.UNKNOWN_PROVINCE)


def archive_url() -> str | None:
    """Where past releases' zips live when the site does not carry them (FAZHI_RELEASE_URL, a
    template with {version}: the nightly workflow points it at the GitHub release assets)."""
    return os.environ.get("FAZHI_RELEASE_URL") or None


def build_id() -> str:
    """Changes when anything that shapes a page other than its data changes: a township page of
    the previous site is reused only under the same build_id."""
    import jieba  # segments the search entries that a reused township page keeps
    import material

    from .engine import VERSION

    versions = f"{VERSION} {getattr(material, '__version__', '')} {getattr(jieba, '__version__', '')}"
    digest = hashlib.sha256(f"{versions} {os.environ.get('FAZHI_SITE_URL', '')}".encode())
    for path in sorted([MKDOCS_YML, *Path(__file__).parent.rglob("*.py"), *ASSETS.rglob("*"), *(PACKAGE_ROOT / "overrides").rglob("*")]):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def zip_link(version: str) -> str:
    """Where a release's zip is read, from the site's root: FAZHI_RELEASE_URL's place, else the site."""
    url = archive_url()
    return url.format(version=version) if url else f"downloads/{version}/fazhi-{version}.zip"


def publish_downloads(releases: Path, version: str, site_dir: Path) -> None:
    """Every release's change log, its zip unless it lives at FAZHI_RELEASE_URL, and the latest
    release's manifest.json and datapackage.json, cloned (copy-on-write) or copied into the built
    site: never hard links, so an edit in the published folder never reaches the release.

    The release's single files (tables, texts) are not republished: each night's release changed
    most of them, so a night with one new report sent 28 files of downloads (issue 32), and at
    national size they are 1.5 GB, more than GitHub Pages publishes. They are in the zip."""
    for m in _manifests(releases):
        target = site_dir / "downloads" / m["version"]
        target.mkdir(parents=True, exist_ok=True)
        source = releases / m["version"]
        if archive_url() is None:
            clone_or_copy(source / f"fazhi-{m['version']}.zip", target / f"fazhi-{m['version']}.zip")
            if (source / f"fazhi-{m['version']}.zip.sha256").exists():
                shutil.copy2(source / f"fazhi-{m['version']}.zip.sha256", target)
        # Served as plain text: the changelog quotes titles from government sites. UTF-8 with a
        # byte-order mark: a server that names no charset (fazhi serve) would show mojibake.
        changelog = (source / "CHANGELOG.md").read_bytes()
        (target / "CHANGELOG.txt").write_bytes(changelog if changelog.startswith(BOM) else BOM + changelog)
        if m["version"] == version:
            for name in ("datapackage.json", "manifest.json"):
                clone_or_copy(source / name, target / name)


class _RaisedAnyway(logging.Filter):
    """MkDocs logs "Error building page …" and then raises the error itself: the raised error is
    what the caller reports (one line, e.g. a full disk), so the log line would only say it twice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Error building page")


def build_site(releases: Path, version: str, site_dir: Path, docs_dir: Path, *, strict: bool = False, previous: Path | None = None) -> SiteStats:
    """Generate the pages of ``version`` and build them with MkDocs into ``site_dir`` (emptied
    first); township pages unchanged since ``previous`` (an earlier build) are copied from it.
    Returns what the build did (its number of pages first)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2; see README
    from .engine import MkDocsException, build, load_config
    from .render.townships import TownshipPages

    started = time.perf_counter()
    blocks = HtmlBlocks()
    count, townships = write_docs(releases, version, docs_dir, blocks)
    generated = time.perf_counter()
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it sets DEBUG on import and logs its dictionary loading to stderr
    quiet = _RaisedAnyway()
    logging.getLogger("mkdocs.commands.build").addFilter(quiet)
    try:
        # Absolute: MkDocs resolves a relative docs_dir against mkdocs.yml's folder, not the
        # working directory the user gave the path in.
        config = load_config(config_file=str(MKDOCS_YML), docs_dir=str(docs_dir.resolve()), site_dir=str(site_dir.resolve()), strict=strict)
        plugin = TownshipPages(townships, previous=previous)
        config.plugins["fazhi/townships"] = plugin
        config.plugins["fazhi/blocks"] = blocks
        build(config)
    except MkDocsException as exc:
        raise SiteBuildError(f"mkdocs build of release {version} failed: {exc}") from exc
    finally:
        logging.getLogger("mkdocs.commands.build").removeFilter(quiet)
    built = time.perf_counter()
    pages_built = count + len(townships.groups)
    publish_downloads(releases, version, site_dir)
    stats = plugin.stats
    del plugin, config, townships, blocks
    gc.collect()  # the config and its plugins hold each other: a served flow builds every night in one process
    return SiteStats(pages=pages_built, rendered=stats.rendered, reused=stats.reused, archives_written=stats.archives_written,
                     archives_reused=stats.archives_reused, workers=stats.workers, generate_s=round(generated - started, 1),
                     mkdocs_s=round(built - generated - stats.seconds, 1), townships_s=round(stats.seconds, 1),
                     downloads_s=round(time.perf_counter() - built, 1))
