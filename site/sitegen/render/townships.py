"""Township pages, rendered with the theme's own template outside MkDocs' page loop.

A national release has ~40,000 township pages. Through MkDocs each costs ~20 ms (Markdown of
large HTML blocks, then the search plugin parsing the page again), which is 15 minutes for the
country. These pages are all alike and already HTML (``pages.render_township``), so this plugin
renders them at the end of the build with Material's ``main.html`` and MkDocs' own page context
(same header, nav, search box, palette as every other page), on every core (forked workers), and
writes the township finder's pieces (sitegen.finder: names and codes, never the full texts).

On an incremental night most townships did not change: a page whose inputs (its report rows,
revision included, and its figures) and build (theme, configuration, this code) are the same as
in the previous site is hard-linked from it instead of rendered (``previous``: the site being replaced). Archive texts are
named by report revision, so they never change once written and are copied the same way.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..engine import BasePlugin, File, Files, MkDocsConfig, Navigation, Page, event_priority, get_context, get_toc
from ..formatting import html_text
from ..reading.buckets import BucketedRows
from ..reading.digests import FigureDigests, write_record
from . import archive, finder, pages
from .archive import archive_entry, bundle_bytes, mentions_of
from .pages import Key, Row, bundle_of, bundle_path  # Key, Row: type aliases (a township code, a CSV row)

FORK_FROM = 200  # townships: below this, forking workers costs more than it saves
FINGERPRINTS = ".fazhi-pages.json"  # in the built site: each township page's input hash, for the next build
BUILD_KEY = ".build_id"  # in FINGERPRINTS: the build that wrote it (no page path starts with a dot)


@dataclass
class TownshipData:
    """What the township pages are made of, grouped once by the build (see build.write_docs)."""

    groups: dict[Key, list[Row]]
    raw_figures: Callable[[str], bytes]  # report_id → its rows of observations.csv as written
    parse_figures: Callable[[bytes], list[Row]]  # those bytes → the rows
    text_of: Callable[[str], Row]  # report_id → its reports.jsonl record (text, original, flags)
    build_id: str = ""  # changes when the theme, mkdocs.yml or sitegen's code change
    places: dict[Key, pages.Place] = field(default_factory=dict)  # code → names and county
    summaries: dict[Key, list[str]] = field(default_factory=dict)  # code → its lines per report year (accountability)
    comparisons: dict[Key, str] = field(default_factory=dict)  # code → how it compares with its county (rankings), HTML
    medians: dict[tuple[str, str], pages.Medians] = field(default_factory=dict)  # (province, county) → its medians per indicator, year, unit
    loose: list[Row] = field(default_factory=list)  # reports on no township page: their archives are written too
    raw_values: Callable[[str], bytes] | None = None  # report_id → its rows of values.csv (None: the release has none)
    parse_values: Callable[[bytes], list[Row]] | None = None
    version: str = ""  # the release: cited on the archived texts' pages
    figure_tables: list[BucketedRows] | None = None  # observations.csv (and values.csv) by bucket, when the release's index fits them
    finder: finder.Entries | None = None  # what the township finder holds (None: the pages' places)
    preload: Callable[[], None] | None = None  # reads every text and figure bucket once: before a build that renders every page forks

    def place(self, key: Key) -> pages.Place:
        found = self.places.get(key)
        if found is not None:
            return found
        first = self.groups[key][0]
        return pages.Place(code=key, name=first.get("township") or key, county=first.get("county") or pages.UNKNOWN_COUNTY,
                           province=first.get("province") or pages.UNKNOWN_PROVINCE)

    def fingerprint(self, key: Key, figures: list[str]) -> str:
        """A township page's inputs: its rows, place and year lines (a year falls due and reads
        未找到 with no report changed), and its reports' figures as written (``figures``: their
        digests, sitegen.digests). Texts and flags belong to a report revision, which is in the rows."""
        place = self.place(key)
        medians = sorted(self.medians.get((place.province, place.county), {}).items())  # its county's: a neighbour's new figure moves them
        inputs = [self.build_id, key, self.groups[key], place, self.summaries.get(key, []), self.comparisons.get(key, ""), medians, figures]
        return hashlib.sha256(json.dumps(inputs, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:32]


@dataclass
class RenderStats:
    rendered: int = 0
    reused: int = 0
    archives_written: int = 0
    archives_reused: int = 0
    workers: int = 1
    seconds: float = 0.0

    def add(self, other: RenderStats) -> None:
        self.rendered += other.rendered
        self.reused += other.reused
        self.archives_written += other.archives_written
        self.archives_reused += other.archives_reused


@dataclass
class _Job:
    """Everything a forked worker needs, inherited by fork rather than pickled."""

    data: TownshipData
    config: MkDocsConfig
    nav: Navigation
    files: list[File]
    template: Any
    site: Path
    previous: Path | None
    previous_prints: dict[str, str]
    digests: FigureDigests


_JOB: _Job | None = None


class TownshipPages(BasePlugin):  # type: ignore[type-arg, no-untyped-call]
    """Added to the MkDocs configuration by sitegen.build (not by mkdocs.yml): it needs the release."""

    def __init__(self, data: TownshipData, previous: Path | None = None, workers: int | None = None) -> None:
        self.data = data
        self.previous = previous if previous is not None and (previous / FINGERPRINTS).exists() else None
        self.workers = workers or min(os.cpu_count() or 1, 8)
        self.stats = RenderStats()
        self._nav: Navigation | None = None
        self._files: Files | None = None
        self._env: Any = None

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self._nav, self._files = nav, files
        return nav

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self._env = env
        return env

    @event_priority(50)  # before the search plugin writes its index (default priority 0): sitemap.xml is added to first
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self._nav is not None and self._files is not None and self._env is not None
        started = time.perf_counter()
        (Path(config.site_dir) / "archive").mkdir(parents=True, exist_ok=True)
        (Path(config.site_dir) / "archive" / archive.STYLESHEET).write_text(archive.stylesheet(self.data.version), encoding="utf-8")
        (Path(config.site_dir) / "archive" / "index.html").write_text(archive.VIEWER, encoding="utf-8")
        previous_prints = _read_prints(self.previous)
        if previous_prints.get(BUILD_KEY) != self.data.build_id and self.data.preload is not None:
            self.data.preload()  # no page can be reused: every bucket is needed, read once rather than once per worker
        raws = [self.data.raw_figures, *([self.data.raw_values] if self.data.raw_values else [])]
        digests = FigureDigests(raws, self.data.figure_tables, self.previous if previous_prints else None)
        report_digests: dict[str, str] = {}
        loose_prints = _loose_archives(self.data, Path(config.site_dir), self.previous, previous_prints, digests, self.stats, report_digests)
        global _JOB
        _JOB = _Job(self.data, config, self._nav, list(self._files.documentation_pages()), self._env.get_template("main.html"),
                    Path(config.site_dir), self.previous, previous_prints, digests)
        keys = list(self.data.groups)
        counties = _by_county(keys)
        try:
            if self.workers > 1 and len(keys) >= FORK_FROM and "fork" in multiprocessing.get_all_start_methods():
                chunks = [counties[i::self.workers] for i in range(self.workers)]
                # The build's objects (rows, indexes, offsets: GBs at 40,000 townships) moved out of the
                # collector's reach before the fork: a worker's collections would otherwise touch, and
                # so copy, every page of the heap it shares with the parent.
                gc.freeze()
                try:
                    with multiprocessing.get_context("fork").Pool(self.workers) as pool:
                        results = pool.map(_render_chunk, chunks)
                finally:
                    gc.unfreeze()
                self.stats.workers = self.workers
            else:
                results = [_render_chunk(counties)]
        finally:
            _JOB = None
        prints: dict[str, str] = {}
        bundle_prints: dict[str, str] = {}
        for stats, chunk_prints, chunk_bundles, chunk_digests in results:
            self.stats.add(stats)
            prints.update(chunk_prints)
            bundle_prints.update(chunk_bundles)
            report_digests.update(chunk_digests)
        (Path(config.site_dir) / FINGERPRINTS).write_text(json.dumps({**prints, **bundle_prints, **loose_prints, BUILD_KEY: self.data.build_id}, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        write_record(Path(config.site_dir), digests.record(report_digests))
        # Townships are found through the finder's pieces (sitegen.finder), not Material's one index.
        write_finder(Path(config.site_dir), self.data.finder or finder.Entries(places=[self.data.place(key) for key in self.data.groups],
                                                                              counties=_counties_of(self.data)))
        if config.site_url:
            _add_to_sitemap(Path(config.site_dir), config.site_url, sorted(prints))
        self.stats.seconds = time.perf_counter() - started


def write_finder(site: Path, entries: finder.Entries) -> None:
    """The township finder's pieces and its list of the counties on the site (sitegen.finder)
    under search/townships/."""
    folder = site / finder.FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in finder.pieces(entries.places).items():
        (folder / f"{name}.json").write_text(content, encoding="utf-8")
    (folder / f"{finder.ON_SITE}.json").write_text(finder.on_site(entries.counties), encoding="utf-8")


def _counties_of(data: TownshipData) -> dict[str, tuple[str, list[str], bool]]:
    counties: dict[str, tuple[str, list[str], bool]] = {}
    for key in data.groups:
        place = data.place(key)
        counties.setdefault(key[:6], (pages.county_path(place.province, place.county)[: -len("index.md")], [], False))
    return counties


def _add_to_sitemap(site: Path, site_url: str, urls: list[str]) -> None:
    """MkDocs lists only its own pages in sitemap.xml: the township pages are added (38,600 and
    the ~3,000 others stay under the protocol's 50,000 URLs a file), and the .gz copy rewritten."""
    sitemap = site / "sitemap.xml"
    if not sitemap.exists():
        return
    base = site_url if site_url.endswith("/") else site_url + "/"
    entries = "".join(f"    <url>\n         <loc>{html.escape(base + quote(url))}</loc>\n    </url>\n" for url in urls)
    text = sitemap.read_text(encoding="utf-8").replace("</urlset>", entries + "</urlset>", 1)
    sitemap.write_text(text, encoding="utf-8")
    (site / "sitemap.xml.gz").write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def _read_prints(previous: Path | None) -> dict[str, str]:
    if previous is None:
        return {}
    try:
        return dict(json.loads((previous / FINGERPRINTS).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}  # an unreadable record: render everything, nothing is lost


FICLONE = 0x40049409  # Linux's ioctl that shares a file's blocks copy-on-write (Btrfs, XFS, bcachefs)


def clone_or_copy(source: Path, target: Path) -> None:
    """A copy-on-write clone where the file system makes one (no bytes copied), else a copy; never
    a hard link: the site's downloads are served and may be edited where they are published, and
    an edit to a hard link is an edit to the release it shares an inode with."""
    import fcntl

    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    with source.open("rb") as src, target.open("wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
            return
        except OSError:
            pass
        shutil.copyfileobj(src, dst, 1 << 20)
    shutil.copystat(source, target)


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link when both sites are on one filesystem (no bytes copied), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _by_county(keys: list[Key]) -> list[list[Key]]:
    """Townships by county (their code's first six digits): a worker renders whole counties, so
    that it writes each of a county's archive bundles (sitegen.archive) once, alone."""
    found: dict[str, list[Key]] = {}
    for key in keys:
        found.setdefault(key[:6], []).append(key)
    return list(found.values())


@dataclass
class _County:
    """One county's work in a worker: its reports' texts and figures, read once for the pages and
    the bundles."""

    data: TownshipData
    records: dict[str, Row] = field(default_factory=dict)
    read: dict[str, list[bytes]] = field(default_factory=dict)  # rows read to hash them
    figures: dict[str, tuple[list[Row], list[Row] | None]] = field(default_factory=dict)

    def record(self, report_id: str) -> Row:
        if report_id not in self.records:
            self.records[report_id] = self.data.text_of(report_id)
        return self.records[report_id]

    def of(self, report_id: str) -> tuple[list[Row], list[Row] | None]:
        """A report's mentions (observations.csv) and year values (values.csv, None without it)."""
        if report_id not in self.figures:
            data, read = self.data, self.read.get(report_id)
            observations = data.parse_figures(read[0] if read else data.raw_figures(report_id))
            values = None
            if data.parse_values and data.raw_values:
                values = data.parse_values(read[1] if read and len(read) > 1 else data.raw_values(report_id))
            self.figures[report_id] = (observations, values)
        return self.figures[report_id]


def _render_chunk(counties: list[list[Key]]) -> tuple[RenderStats, dict[str, str], dict[str, str], dict[str, str]]:
    job = _JOB
    assert job is not None
    stats, prints, bundles, report_digests = RenderStats(), dict[str, str](), dict[str, str](), dict[str, str]()
    for keys in counties:
        county = _County(job.data)
        for key in keys:
            _township(job, county, key, stats, prints, report_digests)
        rows = [r for key in keys for r in job.data.groups[key]]
        bundles.update(_write_bundles(job.data, job.site, job.previous, job.previous_prints, rows, report_digests, county, stats))
    return stats, prints, bundles, report_digests


def _township(job: _Job, county: _County, key: Key, stats: RenderStats, prints: dict[str, str], report_digests: dict[str, str]) -> None:
    """One township page: linked from the previous site when its inputs are the same, else rendered."""
    rows = job.data.groups[key]
    url = pages.township_url(key)
    ids = [r["report_id"] for r in rows]
    digests = [job.digests.of(i, county.read) for i in ids]
    report_digests.update(zip(ids, digests))
    fingerprint = job.data.fingerprint(key, digests)
    prints[url] = fingerprint
    # Same inputs, same bytes (the fingerprint holds the build_id: the same code wrote them).
    if job.previous is not None and job.previous_prints.get(url) == fingerprint and _link_all(job.previous, job.site, [url + "index.html"]):
        stats.reused += 1
        return
    figures = [county.of(i) for i in ids]
    observations = [o for found, _ in figures for o in found]
    year_values = [v for _, values in figures for v in values or []] if job.data.parse_values and job.data.raw_values else None
    place = job.data.place(key)
    page = pages.render_township(place, rows, observations, {i: county.record(i).get("flags") or [] for i in ids},
                                 {i: county.record(i)["text"] for i in ids}, job.data.summaries.get(key, []), year_values,
                                 job.data.comparisons.get(key, ""), job.data.medians.get((place.province, place.county)))
    target = job.site / url / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_render(job, page), encoding="utf-8", errors="xmlcharrefreplace")
    stats.rendered += 1


def _write_bundles(data: TownshipData, site: Path, previous: Path | None, previous_prints: dict[str, str], rows: list[Row],
                   report_digests: dict[str, str], county: _County | None, stats: RenderStats) -> dict[str, str]:
    """The archive bundles of ``rows`` (sitegen.archive: one per county and year), each linked from
    the previous site when its reports (rows, revisions included) and their figures (digests) are
    the same, else written. Returns their fingerprints, by path. ``report_digests``: every row's."""
    grouped: dict[str, list[Row]] = {}
    for r in rows:
        grouped.setdefault(bundle_of(r), []).append(r)
    prints = {}
    for bundle, members in sorted(grouped.items()):
        members.sort(key=lambda r: (r["report_id"], str(r.get("revision"))))
        path = bundle_path(bundle)
        inputs = [data.build_id, members, [report_digests[r["report_id"]] for r in members]]
        prints[path] = fingerprint = hashlib.sha256(json.dumps(inputs, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:32]
        if previous is not None and previous_prints.get(path) == fingerprint and _link_all(previous, site, [path]):
            stats.archives_reused += len(members)
            continue
        reader = county or _County(data)
        entries = {}
        for r in members:
            observations, values = reader.of(r["report_id"])
            counted, others = mentions_of(r["report_id"], observations, values)
            entries[f"{r['report_id']}-{r.get('revision')}"] = archive_entry(r, str(reader.record(r["report_id"])["text"]), counted, others)
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bundle_bytes(entries))
        stats.archives_written += len(members)
    return prints


def _loose_archives(data: TownshipData, site: Path, previous: Path | None, previous_prints: dict[str, str], digests: FigureDigests,
                    stats: RenderStats, report_digests: dict[str, str]) -> dict[str, str]:
    """The archive bundles of the reports on no township page (county, department and unresolved
    reports: thousands at 40,000 townships), reused from the previous site as township pages'
    are. Returns their fingerprints, by path; their figures' digests go into ``report_digests``."""
    for r in data.loose:
        report_digests[r["report_id"]] = digests.of(r["report_id"])
    return _write_bundles(data, site, previous, previous_prints, data.loose, report_digests, None, stats)


def _link_all(previous: Path, site: Path, paths: list[str]) -> bool:
    """Hard-link (else copy) each of ``paths`` from the previous site into this one; False, with
    nothing left behind, when one is missing there (the page is then rendered). No existence
    checks first: at 40,000 townships they were 440,000 more system calls a night."""
    made: list[Path] = []
    for path in paths:
        source, target = previous / path, site / path
        try:
            try:
                os.link(source, target)
            except FileNotFoundError:
                if not source.exists():
                    raise
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(source, target)
        except FileNotFoundError:
            for done in made:
                done.unlink()
            return False
        except FileExistsError:
            continue  # never written through: a copy onto a link would change the previous site's file
        except OSError:
            shutil.copy2(source, target)  # another file system: no links
        made.append(target)
    return True


BOM = b"\xef\xbb\xbf"  # before UTF-8 text a server may serve with no charset (the changelog)


def _render(job: _Job, township: pages.TownshipPage) -> str:
    """The page through Material's main.html with MkDocs' own context, as _build_page does it."""
    file = File.generated(job.config, township.url + "index.md", content="")
    page = Page(township.title, file, job.config)
    # Material writes page.meta.description into an attribute as it is (MkDocs' templates do not autoescape).
    page.meta = {"description": html_text(township.description)} if township.description else {}
    if township.feed:  # main.html links it (<link rel="alternate feed">) and escapes both itself
        page.meta.update(feed=township.feed, feed_title=township.feed_title)
    page.content = township.content
    page.toc = get_toc([{"level": 2, "id": anchor, "name": name, "children": []} for anchor, name in township.toc])
    page.active = True
    context = get_context(job.nav, job.files, job.config, page)
    return compact(str(job.template.render(context)))


_INDENT = re.compile(r"\n[ \t]+")


def compact(html_page: str) -> str:
    """The theme's indentation dropped (a newline stays where it was: whitespace between inline
    elements is kept): ~4 KB a page, 170 MB of 40,000 township pages (issue 32: the site must fit
    1 GB). A page with preformatted text (none of the township pages has) is left as it is."""
    return html_page if "<pre" in html_page or "<textarea" in html_page else _INDENT.sub("\n", html_page)

