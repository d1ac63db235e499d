"""A real MkDocs build of a release; what comes from government sites comes out as text."""

import gzip
import json
import os
import re
from pathlib import Path

import pytest
from sitegen.build import MKDOCS_YML
from sitegen.render import pages

from tests.helpers import build_seed_site


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seed_site(tmp_path_factory.mktemp("site"))


def test_every_township_has_a_page_with_its_figures(built_site: Path) -> None:
    page = (built_site / "townships/431223200/index.html").read_text(encoding="utf-8")
    assert "船溪乡2022年度法治政府建设工作情况" in page
    assert 'title="乡、村两级调解组织共成功调解矛盾纠纷157起"' in page
    assert ">157</a>" in page
    for township in ("654028208", "654202108", "623026102", "220382203"):
        assert (built_site / "townships" / township / "index.html").exists(), township


def test_qualifiers_are_shown(built_site: Path) -> None:
    page = (built_site / "townships/654028208/index.html").read_text(encoding="utf-8")
    assert "≥6,500" in page


def test_hostile_title_is_shown_as_text(built_site: Path) -> None:
    page = (built_site / "townships/220382203/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    assert "{{ config }}" in page or "&#123;&#123; config &#125;&#125;" in page


def test_home_downloads_and_indicator_pages_exist(built_site: Path) -> None:
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "downloads/2026.11.22/fazhi-2026.11.22.zip" in home
    assert (built_site / "downloads/2026.11.22/fazhi-2026.11.22.zip").exists()
    assert (built_site / "downloads/2026.11.22/CHANGELOG.txt").exists()
    indicator = (built_site / "indicators/materials_distributed/2024/index.html").read_text(encoding="utf-8")  # one year per page
    assert "发放宣传资料份数" in indicator and "20,000" in indicator
    assert re.search(r'<html[^>]+lang="zh"', home)


def test_full_texts_are_kept_out_of_the_search_index(built_site: Path) -> None:
    docs = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    indexed = "".join(d["title"] + d["text"] for d in docs).replace("\u200b", "")  # jieba's word breaks
    assert "船溪乡" in (built_site / "search/townships/n-8239.json").read_text(encoding="utf-8")
    assert "成立了以乡主要负责人为组长的法治建设工作领导小组" not in indexed


def test_site_dir_is_never_the_sources_folder() -> None:
    """A bare `mkdocs build` deletes site_dir first: it must never be a folder of sources."""
    top_level = (Path(__file__).parents[2] / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^site_dir: public$", top_level, re.MULTILINE)
    assert re.search(r"^INHERIT: site/sitegen/mkdocs.yml$", top_level, re.MULTILINE)
    packaged = MKDOCS_YML.read_text(encoding="utf-8")
    assert re.search(r"^site_dir: \.\./\.\./public ", packaged, re.MULTILINE)


def test_the_top_level_mkdocs_yml_loads_for_mkdocs_own_commands(tmp_path: Path) -> None:
    """It inherits the packaged file; its own paths (the theme overrides) resolve from the clone."""
    from mkdocs.config import load_config

    config = load_config(config_file=str(Path(__file__).parents[2] / "mkdocs.yml"), docs_dir=str(tmp_path))
    assert config.theme.dirs[0] == str(Path(__file__).parents[2] / "site" / "sitegen" / "overrides")
    assert config.theme["language"] == "zh" and config.site_name == "法治地图 Fazhi Atlas"


@pytest.mark.parametrize(
    "value, shown",
    [("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"), ("a|b", "a\\|b"), ("[x](javascript:y)", "\\[x\\]\\(javascript:y\\)"), ("两行\n文字", "两行 文字")],
)
def test_text_escapes_markdown_and_html(value: str, shown: str) -> None:
    assert pages.text(value) == shown


def test_only_http_links_are_emitted() -> None:
    assert pages.safe_url("javascript:alert(1)") is None
    assert pages.safe_url("https://a.gov.cn/x?a=1&b=2") == "https://a.gov.cn/x?a=1&amp;b=2"


def test_province_and_county_index_pages_lead_to_the_township(built_site: Path) -> None:
    top = (built_site / "townships/index.html").read_text(encoding="utf-8")
    assert 'href="湖南省/"' in top or 'href="%E6%B9%96%E5%8D%97%E7%9C%81/"' in top
    county = (built_site / "townships/湖南省/辰溪县/index.html").read_text(encoding="utf-8")
    assert "船溪乡" in county and 'href="../../../townships/431223200/"' in county


def test_each_report_s_text_is_archived_once_in_its_county_and_year_s_bundle(built_site: Path) -> None:
    """The texts as read (simplified) in per-county-and-year bundles; the text as published is in the
    release (texts/<year>.jsonl.gz), not repeated on the site."""
    from tests.helpers import archived_reports

    archived = archived_reports(built_site)
    assert len(archived) == 5 and not list((built_site / "archive").glob("*.txt"))
    assert any(r["text"].startswith("船溪乡2022年度法治政府建设工作情况") for r in archived.values())
    assert all(p.name.split(".")[0].split("-")[0].isdigit() for p in (built_site / "archive" / "b").glob("*.json.gz"))


def test_indicator_pages_have_a_static_chart_and_a_sortable_table(built_site: Path) -> None:
    page = (built_site / "indicators/materials_distributed/2024/index.html").read_text(encoding="utf-8")
    assert "<svg" in page and 'class="fazhi-cards fazhi-sortable"' in page
    assert "assets/sort.js" in page


def test_nothing_is_fetched_from_the_internet_by_a_reader(built_site: Path) -> None:
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', html), page


def test_markup_template_syntax_and_table_breakers_in_a_body_and_a_quote_stay_text(built_site: Path) -> None:
    page = (built_site / "townships/623026102/index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "<b onmouseover" not in page
    from tests.helpers import archived_reports

    body = next(r["text"] for r in archived_reports(built_site).values() if "<img src=x onerror=alert(3)>" in r["text"])  # data, shown with textContent
    assert 'href="javascript:' not in page and 'src="javascript:' not in page
    assert "{% include" in body and "49" not in body.split("7*7", 1)[1][:20]  # kept as written, never evaluated
    assert "调解矛盾纠纷12起" in page  # the figure is there, quote and all


def test_the_finders_pieces_hold_each_township_under_its_first_character_and_its_province_code() -> None:
    """One piece per first character of a name and one per code's first two digits; names as
    given (finder.js puts them in with textContent); the same places give the same bytes."""
    from sitegen.render import finder

    hostile = pages.Place(code="431223999", name="船溪乡<img src=x onerror=alert(1)>", county="辰溪县", province="湖南省")
    places = [pages.Place(code="431223200", name="船溪乡", county="辰溪县", province="湖南省"), hostile,
              pages.Place(code="431223100", name="辰阳镇", county="辰溪县", province="湖南省"),
              pages.Place(code="654202108", name="西湖镇", county="乌苏市", province="新疆维吾尔自治区")]
    built = finder.pieces(places)
    assert sorted(built) == ["c-43", "c-65", "k-4e4c", "k-8fb0", "n-8239", "n-897f", "n-8fb0"]  # 船 U+8239, 辰 U+8FB0, 西 U+897F, 乌 U+4E4C
    assert [e[0] for e in json.loads(built["k-8fb0"])["t"]] == ["431223100", "431223200", "431223999"]  # 辰溪县's townships
    assert json.loads(built["n-8239"]) == {"v": 1, "t": [["431223200", "船溪乡", "辰溪县", "湖南省"], ["431223999", hostile.name, "辰溪县", "湖南省"]]}
    assert [e[0] for e in json.loads(built["c-43"])["t"]] == ["431223100", "431223200", "431223999"]
    assert finder.pieces(reversed(places)) == built


def test_the_next_night_renders_only_the_township_that_changed(tmp_path: Path) -> None:
    """publish_latest builds beside the old site and reuses its unchanged township pages; what it
    reuses is byte for byte what a fresh build renders."""
    from datetime import timedelta

    from sitegen.build import build_site

    from flows import publish, release, store
    from flows.records import Night
    from flows.store.layout import DataLayout
    from parsers.models import Source
    from tests.helpers import NOW, all_seeds, harvested, seed_text

    layout, out = DataLayout(root=tmp_path / "data"), tmp_path / "public"
    sources = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/"])]
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        release.cut_release(conn, layout.releases, sources, NOW)
    first = publish.publish_latest(layout, out)
    assert first is not None and first.stats is not None
    # Five townships with reports; the other townships of their counties (未纳入检索: these sources cover
    # no county, so the counties are in the release only through those reports) have a row on their county's page only.
    townships = len(list(out.glob("townships/[0-9]*/index.html")))
    assert townships == 5 and (first.stats.rendered, first.stats.reused) == (townships, 0)
    later = NOW + timedelta(days=1)
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, Night.of(later, [harvested("chuanxi", seed_text("chuanxi") + "\n全年共办理法律援助案件31件。")]))
        second = release.cut_release(conn, layout.releases, sources, later)
    assert second is not None
    again = publish.publish_latest(layout, out)
    assert again is not None and again.stats is not None
    assert (again.stats.rendered, again.stats.reused) == (1, townships - 1)
    from tests.helpers import archived_reports

    assert any("法律援助案件31件" in r["text"] for r in archived_reports(out).values())
    assert not list(tmp_path.glob(".public.*"))  # the staging and retired sites are gone
    fresh = tmp_path / "fresh"
    build_site(layout.releases, second.version, fresh, tmp_path / "docs")
    for page in fresh.glob("townships/[0-9]*/index.html"):
        assert (out / page.relative_to(fresh)).read_bytes() == page.read_bytes(), page


def test_a_large_retired_site_is_removed_by_a_detached_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From DETACHED_FROM township pages the night does not wait for the old site's files to be
    unlinked: the site is in place when publish_latest returns, the retired copy goes in the
    background, and one left by a remover that died is removed by the next build."""
    import time
    from datetime import timedelta

    from flows import publish, release, store
    from flows.records import Night
    from flows.store.layout import DataLayout
    from parsers.models import Source
    from tests.helpers import NOW, all_seeds, harvested, seed_text

    monkeypatch.setattr(publish, "DETACHED_FROM", 1)
    layout, out = DataLayout(root=tmp_path / "data"), tmp_path / "public"
    sources = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/list.html"])]
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        release.cut_release(conn, layout.releases, sources, NOW)
    assert publish.publish_latest(layout, out) is not None
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, Night.of(NOW + timedelta(days=1), [harvested("chuanxi", seed_text("chuanxi") + "\n全年共办理法律援助案件31件。")]))
        release.cut_release(conn, layout.releases, sources, NOW + timedelta(days=1))
    assert publish.publish_latest(layout, out) is not None
    from tests.helpers import archived_reports

    assert any("法律援助案件31件" in r["text"] for r in archived_reports(out).values())
    assert not (tmp_path / ".public.old").exists()
    deadline = time.monotonic() + 30
    while list(tmp_path.glob(".public.old-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(tmp_path.glob(".public.*"))  # removed by the detached process
    # A retired site whose remover died (no such pid) goes at the next build; one of a live remover stays.
    dead, live = tmp_path / ".public.old-999999999-1", tmp_path / f".public.old-{os.getpid()}-2"
    for leftover in (dead, live):
        leftover.mkdir()
        (leftover / publish.MARKER).write_text("2026.01.01\n", encoding="utf-8")
    monkeypatch.setattr(publish, "DETACHED_FROM", 10**9)
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, Night.of(NOW + timedelta(days=2), [harvested("chuanxi", seed_text("chuanxi") + "\n全年共办理法律援助案件32件。")]))
        release.cut_release(conn, layout.releases, sources, NOW + timedelta(days=2))
    assert publish.publish_latest(layout, out) is not None
    assert not dead.exists() and live.exists()


def test_older_zips_can_live_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from sitegen.build import build_site

    from flows import release, store
    from flows.records import Night
    from parsers.models import Source
    from tests.helpers import NOW, all_seeds

    sources = [Source(id="demo", name="演示", listing=["http://demo.gov.cn/"])]
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds()[:3]))
        first = release.cut_release(conn, tmp_path / "releases", sources, NOW)
        store.merge(conn, Night.of(NOW + timedelta(days=1), all_seeds()[3:]))
        second = release.cut_release(conn, tmp_path / "releases", sources, NOW + timedelta(days=1))
    assert first is not None and second is not None
    monkeypatch.setenv("FAZHI_RELEASE_URL", "https://example.org/releases/data-{version}/fazhi-{version}.zip")
    build_site(tmp_path / "releases", second.version, tmp_path / "public", tmp_path / "docs")
    downloads = (tmp_path / "public/downloads/index.html").read_text(encoding="utf-8")
    assert f'href="https://example.org/releases/data-{first.version}/fazhi-{first.version}.zip"' in downloads
    assert f'href="https://example.org/releases/data-{second.version}/fazhi-{second.version}.zip"' in downloads  # the latest too: 1.4 GB at national size
    home = (tmp_path / "public/index.html").read_text(encoding="utf-8")
    assert f'href="https://example.org/releases/data-{second.version}/fazhi-{second.version}.zip"' in home
    assert not list((tmp_path / "public/downloads").rglob("*.zip"))
    assert (tmp_path / f"public/downloads/{first.version}/CHANGELOG.txt").exists()
    assert sorted(p.name for p in (tmp_path / f"public/downloads/{second.version}").iterdir()) == ["CHANGELOG.txt", "datapackage.json", "manifest.json"]


def test_the_site_carries_the_zips_and_no_single_table_of_the_release(built_site: Path) -> None:
    """The tables and texts are in the zip, listed with their fields; republished under
    downloads/<version>/ they were most of a night's upload (issue 32)."""
    from flows.release.zipped import sha256_of

    latest = built_site / "downloads/2026.11.22"
    assert sorted(p.name for p in latest.iterdir()) == ["CHANGELOG.txt", "datapackage.json", "fazhi-2026.11.22.zip",
                                                        "fazhi-2026.11.22.zip.sha256", "manifest.json"]
    assert (latest / "fazhi-2026.11.22.zip.sha256").read_text().split()[0] == sha256_of(latest / "fazhi-2026.11.22.zip")
    downloads = (built_site / "downloads/index.html").read_text(encoding="utf-8")
    assert "<code>reports.csv</code>" in downloads and 'href="../downloads/2026.11.22/reports.csv"' not in downloads
    assert 'href="../downloads/2026.11.22/manifest.json"' in downloads


def test_township_pages_rendered_by_forked_workers_are_the_same(tmp_path: Path, built_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from sitegen.render import townships

    from tests.helpers import build_seed_site_with_stats

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the plugin renders in-process")
    monkeypatch.setattr(townships, "FORK_FROM", 1)
    again, stats = build_seed_site_with_stats(tmp_path)
    pages_built = sorted(p.relative_to(built_site) for p in built_site.glob("townships/[0-9]*/index.html"))
    assert stats.workers >= 2 and stats.rendered == len(pages_built) > 5  # every listed township has a page
    for page in pages_built:
        assert (again / page).read_bytes() == (built_site / page).read_bytes(), page


@pytest.mark.parametrize("keep", [20, 500])
def test_the_figure_index_reads_back_what_a_csv_reader_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: int) -> None:
    """Offsets, not rows: each report's rows come back as csv.DictReader reads them (quoted commas,
    quotes and line breaks included); counts and largest values are those of a full sort."""
    import csv
    import heapq

    from sitegen.render.figures import FigureIndex

    header = ["report_id", "revision", "indicator", "value", "unit", "qualifier", "quote", "quote_start", "quote_end", "section", "canonical", "flag_codes"]
    rows = []
    for n in range(700):
        report = f"{n // 7:016x}"
        quote = ["调解纠纷12起", 'a "quoted", clause', "两行\n的引文", "逗号,与|竖线"][n % 4]
        rows.append([report, "1", ["mediation_cases", "legal_lectures"][n % 2], str(n % 37), "起", "exact", quote, "0", "1", "", "true" if n % 3 else "false", ""])
    path = tmp_path / "observations.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    from sitegen.render import figures

    monkeypatch.setattr(figures, "KEEP", keep)  # 20: the heap is full and evicts; 500: it keeps every value
    known = {f"{n:016x}" for n in range(0, 100, 2) if n != 4}  # some reports unknown: left out of the indicator figures
    index = FigureIndex(path, known)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        expected = [{figures.RENAMED.get(k, k): v for k, v in r.items()} for r in csv.DictReader(handle)]  # the site's names
    for report in {r["report_id"] for r in expected}:
        assert index.of_report(report) == [r for r in expected if r["report_id"] == report]
    assert index.of_report("f" * 16) == [] and index.raw("f" * 16) == b""
    for indicator in ("mediation_cases", "legal_lectures"):
        chosen = [r for r in expected if r["indicator"] == indicator and r["canonical"] == "true" and r["report_id"] in known]
        assert index.counts[indicator] == len(chosen)
        assert len(index.largest[indicator]) == min(keep, len(chosen))
        assert index.largest[indicator] == heapq.nlargest(keep, chosen, key=lambda r: float(r["value"]))


def test_indicator_pages_rank_the_year_s_values_not_their_parts(tmp_path: Path) -> None:
    """With values.csv beside observations.csv, an indicator's counts and largest values are the
    year's values: 西仓镇's meetings are 2 + 4 = 6 (two canonical parts), not a 4 and a 2."""
    import csv

    from sitegen.render.figures import FigureIndex

    def write(name: str, header: list[str], rows: list[list[str]]) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows([header, *rows])
        return path

    observations = write("observations.csv", ["report_id", "revision", "indicator", "value", "unit", "qualifier", "quote", "quote_start", "quote_end",
                                              "section", "canonical", "flag_codes", "scope"],
                         [["a", "1", "party_meetings_on_rule_of_law", "2", "次", "exact", "委员会会议2次", "0", "8", "", "true", "", "part"],
                          ["a", "1", "party_meetings_on_rule_of_law", "4", "次", "exact", "专题党委会4次", "9", "16", "", "true", "", "part"],
                          ["b", "1", "party_meetings_on_rule_of_law", "5", "次", "exact", "党委会5次", "0", "5", "", "true", "", "year"]])
    values = write("values.csv", ["report_id", "indicator", "value", "unit", "qualifier", "basis", "quote", "quote_start", "quote_end", "flag_codes"],
                   [["a", "party_meetings_on_rule_of_law", "6", "次", "exact", "sum_of_parts", "委员会会议2次 … 专题党委会4次", "0", "16", ""],
                    ["b", "party_meetings_on_rule_of_law", "5", "次", "exact", "single_mention", "党委会5次", "0", "5", ""]])
    index = FigureIndex(values, {"a", "b"})  # what sitegen.build ranks indicator pages by, when the release has values.csv
    assert index.counts == {"party_meetings_on_rule_of_law": 2} and index.counted == {"a": 1, "b": 1}
    assert [(r["report_id"], r["value"], r["quote"]) for r in index.largest["party_meetings_on_rule_of_law"]] == [
        ("a", "6", "委员会会议2次 … 专题党委会4次"), ("b", "5", "党委会5次")]
    mentions = FigureIndex(observations, {"a", "b"})
    assert len(mentions.of_report("a")) == 2  # the township page still shows every mention
    assert mentions.counts == {"party_meetings_on_rule_of_law": 3}  # the parts, counted one by one: why values.csv is read


def test_with_a_site_url_the_sitemap_lists_the_township_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip
    from urllib.parse import quote

    monkeypatch.setenv("FAZHI_SITE_URL", "https://example.org/fazhi/")
    site = build_seed_site(tmp_path)
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>https://example.org/fazhi/{quote('townships/431223200/')}</loc>" in sitemap
    assert "<loc>https://example.org/fazhi/indicators/</loc>" in sitemap  # MkDocs' own pages stay
    assert sitemap.count("<loc>") == len(set(re.findall(r"<loc>([^<]+)</loc>", sitemap)))  # no page twice
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode("utf-8") == sitemap
    page = (site / "townships/431223200/index.html").read_text(encoding="utf-8")
    assert 'rel="canonical" href="https://example.org/fazhi/townships/' in page


def _copy_release_with(tmp_path: Path, extra: list[dict[str, str]]) -> tuple[Path, str]:
    """The seed release, copied, with ``extra`` reports (each a copy of 西湖镇's row with the
    given fields changed) added to reports.csv and its texts: the shapes the seeds lack."""
    import csv
    import shutil

    seed = build_seed_site(tmp_path / "seed").parent / "releases"
    version = next(p.name for p in seed.iterdir() if p.is_dir())
    releases = tmp_path / "releases"
    shutil.copytree(seed, releases)
    folder = releases / version
    with (folder / "reports.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    base = next(r for r in rows if r["township"] == "西湖镇")
    texts = folder / "texts" / "2024.jsonl.gz"
    record = next(json.loads(line) for line in gzip.decompress(texts.read_bytes()).decode("utf-8").splitlines() if base["report_id"] in line)
    with gzip.open(texts, "at", encoding="utf-8") as jsonl:  # a gzip member more: one stream to any reader
        for changes in extra:
            rows.append({**base, **changes})
            jsonl.write(json.dumps({**record, "report_id": changes["report_id"]}, ensure_ascii=False) + "\n")
    rows.sort(key=lambda r: r["report_id"])
    with (folder / "reports.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return releases, version


def test_townships_are_keyed_by_code_and_unresolved_or_county_reports_stay_off_township_pages(tmp_path: Path) -> None:
    from sitegen.build import build_site

    releases, version = _copy_release_with(tmp_path, [
        # Another 西湖镇, in another county: its own page.
        {"report_id": "a000000000000001", "township_code": "360202100", "county": "昌江区", "province": "江西省", "adcode": "360202",
         "title": "昌江区西湖镇2024年法治政府建设报告"},
        # No township code: listed as unresolved, never merged into 乌苏市's 西湖镇 by name.
        {"report_id": "a000000000000002", "township_code": "", "title": "某镇2024年度法治建设报告（未识别）"},
        # The county's own report and a document of another kind: on the county page only.
        {"report_id": "a000000000000003", "township_code": "", "township": "", "level": "county", "title": "乌苏市2024年法治政府建设年度报告"},
        {"report_id": "a000000000000004", "kind": "other", "title": "西湖镇关于印发普法工作要点的通知"},
    ])
    out = tmp_path / "public"
    build_site(releases, version, out, tmp_path / "docs", strict=True)
    wusu = (out / "townships/654202108/index.html").read_text(encoding="utf-8")
    other = (out / "townships/360202100/index.html").read_text(encoding="utf-8")
    assert "<title>西湖镇（乌苏市）" in wusu and "<title>西湖镇（昌江区）" in other
    assert "昌江区西湖镇2024年法治政府建设报告" in other and "昌江区西湖镇" not in wusu
    for title in ("某镇2024年度法治建设报告（未识别）", "乌苏市2024年法治政府建设年度报告", "西湖镇关于印发普法工作要点的通知"):
        assert title not in wusu, title
    unresolved = (out / "townships/unresolved/index.html").read_text(encoding="utf-8")
    assert "某镇2024年度法治建设报告（未识别）" in unresolved
    county = (out / "townships/新疆维吾尔自治区/乌苏市/index.html").read_text(encoding="utf-8")
    assert "乌苏市2024年法治政府建设年度报告" in county and "西湖镇关于印发普法工作要点的通知" in county
    from tests.helpers import archived_reports

    assert re.search(r'href="\.\./\.\./\.\./archive/\?b=c654202-2024&amp;r=a000000000000003-1"', county)  # a bundle apart from the townships'
    assert 'href="../../archive/?b=c654202-2024&amp;r=a000000000000002-1"' in unresolved  # its county known, its township not
    assert {"a000000000000002-1", "a000000000000003-1"} <= set(archived_reports(out))


def _article(page: str) -> str:
    """The visible text of a page's article (of the whole fragment if it has none), tags dropped."""
    body = re.search(r"<article.*?</article>", page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body.group(0) if body else page))


def test_a_township_page_opens_with_one_line_per_report_year(built_site: Path) -> None:
    page = (built_site / "townships/431223200/index.html").read_text(encoding="utf-8")
    years = re.search(r'<ul class="fazhi-years"[^>]*>(.*?)</ul>', page, re.S)
    assert years is not None
    lines = [re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<li>(.*?)</li>", years.group(1))]
    assert lines[0] == "2025年度：未找到" and "2022年度：2022-11-29 发布，按时；5 项数字" in lines
    assert '<span class="fazhi-status fazhi-status--on_time fazhi-status--bare">按时</span>' in years.group(1)  # coloured, its icon from CSS
    assert [int(line[:4]) for line in lines] == list(range(2025, 2018, -1))  # every year due, missing ones too
    assert page.index('class="fazhi-years"') < page.index('id="reports"')  # before anything else
    undated = (built_site / "townships/654202108/index.html").read_text(encoding="utf-8")
    assert re.search(r"<li>2024年度：<span[^>]*>发布日期不详</span>；\d+ 项数字</li>", undated)
    shufa = (built_site / "townships/654028208/index.html").read_text(encoding="utf-8")
    # 尼勒克县 is covered by no source here (未纳入检索); a 述法 report has no deadline: found, neither on time nor late
    assert re.sub(r"<[^>]+>", "", shufa).count("2024年度：未纳入检索；述法报告已发布；") == 1


def _counts_row(year: int, *cells: int) -> str:
    """A row of the per-year table as rendered: the total, then each status's count and share."""
    total, *counts = cells
    shares = "".join(rf"<td>{n}<small>（\d+%）</small></td>" for n in counts)
    return rf'<th scope="row">{year}年度</th><td>{total}</td>{shares}'


def test_county_province_and_home_pages_count_who_published_per_year(built_site: Path) -> None:
    county = (built_site / "townships/湖南省/辰溪县/index.html").read_text(encoding="utf-8")
    # 辰溪县 is covered: its 23 townships are all listed, 22 of them without a 2022 report (on time, late, not found).
    assert re.search(_counts_row(2022, 23, 1, 0, 22), county)
    assert "辰阳镇" in county and "431223100" in county
    table = re.search(r'<div class="fazhi-sortable fazhi-status-table fazhi-filterable".*?</table>', county, re.S)
    assert table is not None and table.group(0).count('class="fazhi-sort"') == 10  # name, code, 7 years, count of 未找到
    assert county.count("<tr><td>") >= 23
    home = (built_site / "index.html").read_text(encoding="utf-8")
    # 2024: 永加乡 (only signed: a signature date is not a publication date) and 西湖镇 undated, 23 not found in
    # 辰溪县 and the reports' own covered counties; the townships of counties no source covers 未纳入检索, left out of
    # the on-time rate (0 of 25 searched).
    assert re.search(_counts_row(2024, 95, 0, 0, 2, 23, 70) + r"<td>0%</td>", home)
    # Per province (home) and per county (province page): one panel per year, the latest due shown first, sortable.
    assert '<tr><td><a href="townships/湖南省/">湖南省</a></td><td>23</td><td>0</td><td>0</td><td>0</td><td>23</td><td>0</td><td>0%</td></tr>' in home  # 按时 逾期 不详 未找到 未纳入 按时率
    province = (built_site / "townships/新疆维吾尔自治区/index.html").read_text(encoding="utf-8")
    assert re.search(_counts_row(2024, 46, 0, 0, 1, 0, 45), province)  # 西湖镇 undated; the rest of 新疆's two counties (no source covers them) not searched
    assert '<tr><td><a href="乌苏市/">乌苏市</a></td>' in province and 'aria-label="选择年度"' in province and 'id="y2025"' in province
    assert not any("FAZHIBLOCK" in p.read_text(encoding="utf-8") for p in built_site.rglob("*.html"))  # every held table put back
    methodology = (built_site / "methodology/index.html").read_text(encoding="utf-8")
    assert 'id="deadline"' in methodology and "4月1日" in methodology


def test_each_counted_figure_has_an_anchor_a_permalink_and_its_quote_shown(built_site: Path) -> None:
    page = (built_site / "townships/431223200/index.html").read_text(encoding="utf-8")
    item = re.search(r'<li id="(f-disputes_mediated-2022)" class="fazhi-evidence__counted">(.*?)</li>', page, re.S)
    assert item is not None
    assert f'href="#{item.group(1)}"' in item.group(2)  # its permalink
    assert "“乡、村两级调解组织共成功调解矛盾纠纷157起”" in _article(item.group(2))  # shown, not only a tooltip
    assert 'href="#f-disputes_mediated-2022"' in page.split('class="fazhi-figures"')[1]  # the table's value leads there
    # 普法宣传活动场次: the counted 20余次 apart from the other mention (30余次), which is marked as not counted.
    legal = re.search(r'<li id="f-legal_publicity_events-2022".*?</details>', page, re.S)
    assert legal is not None and "计入" in legal.group(0)
    mentions = legal.group(0).split('<details class="fazhi-mentions">')
    assert "我乡共开展普法宣传20余次" in mentions[0] and "开展各类专题法治宣传活动30余次" in mentions[1] and "未计入" in mentions[1]


def test_flags_are_chinese_sentences_without_internal_codes(built_site: Path) -> None:
    page = (built_site / "townships/431223200/index.html").read_text(encoding="utf-8")
    flags = page.split('id="flags"')[1].split('id="fulltext"')[0]
    assert "普法宣传活动场次在报告中出现了不同的数值" in flags
    assert not re.search(r"several_values|total_below_mention|legal_publicity_events|<code>", flags)


def test_the_changelog_carries_a_byte_order_mark(built_site: Path) -> None:
    for path in built_site.glob("downloads/*/CHANGELOG.txt"):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf"), path
        raw.decode("utf-8")


def test_small_ones_404_descriptions_linked_changes_and_no_regex_in_search(built_site: Path) -> None:
    missing = (built_site / "404.html").read_text(encoding="utf-8")
    assert "找不到这个页面" in missing and "Not found" not in _article(missing)
    descriptions = {re.search(r'<meta name="description" content="([^"]*)"', (built_site / p).read_text(encoding="utf-8")).group(1)  # type: ignore[union-attr]
                    for p in ("index.html", "townships/431223200/index.html", "townships/湖南省/辰溪县/index.html", "townships/index.html",
                              "indicators/index.html", "indicators/disputes_mediated/index.html", "downloads/index.html", "methodology/index.html")}
    assert len(descriptions) == 8
    assert any("船溪乡（辰溪县）" in d and "2022年度：2022-11-29 发布，按时" in d for d in descriptions)
    home = (built_site / "index.html").read_text(encoding="utf-8")
    changes = home.split('id="20261122"')[1].split("</ul>")[0]
    assert '<a href="townships/431223200/">船溪乡2022年度法治政府建设工作情况' in changes
    docs = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    indexed = "".join(d["title"] + d["text"] for d in docs).replace("\u200b", "")
    assert "提取规则" not in indexed and "(?:" not in indexed and "\\d" not in indexed
    assert not any(d["location"].startswith("townships/4") for d in docs)  # townships are in the finder's pieces
    piece = json.loads((built_site / "search/townships/c-43.json").read_text(encoding="utf-8"))["t"]
    assert ["431223200", "船溪乡", "辰溪县", "湖南省"] in piece
    from urllib.parse import unquote

    county = [d for d in docs if unquote(d["location"]).startswith("townships/湖南省/辰溪县/")]
    assert len(county) == 1 and "辰溪县" in county[0]["title"].replace("\u200b", "")  # found by name; its tables add no entries


def test_every_township_page_is_small(built_site: Path) -> None:
    import gzip

    for page in built_site.glob("townships/[0-9]*/index.html"):
        assert len(gzip.compress(page.read_bytes())) <= 60 * 1024, page


def test_the_years_values_come_from_values_csv_when_the_release_has_it(tmp_path: Path) -> None:
    """A release with values.csv (the year's value per report × indicator): the township page
    shows that value, how it was counted, and counts its values, not the canonical mentions."""
    import csv

    from sitegen.build import build_site

    releases, version = _copy_release_with(tmp_path, [])
    folder = releases / version
    with (folder / "reports.csv").open(encoding="utf-8-sig", newline="") as handle:
        chuanxi = next(r for r in csv.DictReader(handle) if r["township"] == "船溪乡")
    with (folder / "values.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["report_id", "indicator", "value", "unit", "qualifier", "basis", "quote", "quote_start", "quote_end", "flag_codes"])
        writer.writerow([chuanxi["report_id"], "disputes_mediated", "161", "起", "exact", "sum_of_parts", "调解纠纷100起 … 调解纠纷61起", "1", "9", ""])
        writer.writerow([chuanxi["report_id"], "legal_publicity_events", "30", "次", "at_least", "stated_total", "开展各类专题法治宣传活动30余次", "1", "9", ""])
    out = tmp_path / "public"
    build_site(releases, version, out, tmp_path / "docs", strict=True)
    page = (out / "townships/431223200/index.html").read_text(encoding="utf-8")
    assert "<li>2022年度：2022-11-29 发布，" + '<span class="fazhi-status fazhi-status--on_time fazhi-status--bare">按时</span>；2 项数字</li>' in page
    item = re.search(r'<li id="f-disputes_mediated-2022".*?</li>', page, re.S)
    assert item is not None and "161" in item.group(0) and "计入方式：报告所列各分项之和" in item.group(0)
    assert ">161</a>" in page and ">157</a>" not in page  # the year's value, not the mention
    indicator = (out / "indicators/disputes_mediated/2022/index.html").read_text(encoding="utf-8")  # the year's page
    assert re.search(r'data-label="数值"><a href="[^"]+#f-disputes_mediated-2022">161</a><', indicator) and "157" not in indicator.split("各县合计")[0]


def test_fazhi_serve_answers_a_missing_page_with_the_sites_chinese_404(built_site: Path) -> None:
    import functools
    import threading
    import urllib.error
    import urllib.request
    from http.server import ThreadingHTTPServer

    from flows.publish.preview import SiteHandler

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SiteHandler, directory=str(built_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/townships/999999999/", timeout=10)
        assert missing.value.code == 404
        assert "找不到这个页面" in missing.value.read().decode("utf-8")
        changelog = next(built_site.glob("downloads/*/CHANGELOG.txt")).relative_to(built_site)
        with urllib.request.urlopen(f"{base}/{changelog}", timeout=10) as reply:
            assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    finally:
        server.shutdown()
        server.server_close()


def test_link_previews_carry_each_pages_title_and_description(built_site: Path) -> None:
    page = (built_site / "townships/431223200/index.html").read_text(encoding="utf-8")
    assert '<meta property="og:title" content="船溪乡（辰溪县） - 法治地图 Fazhi Atlas">' in page
    og = re.search(r'<meta property="og:description" content="([^"]*)"', page)
    description = re.search(r'<meta name="description" content="([^"]*)"', page)
    assert og is not None and description is not None and og.group(1) == description.group(1)
    hostile = (built_site / "townships/220382203/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in hostile.split("</head>")[0]
