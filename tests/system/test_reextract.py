"""Rules that replay: a changed extractor reaches every stored report, from the bytes as fetched."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from flows import release, store
from flows.cli import cmd_reextract, main
from flows.records import FetchRecord, Harvested, Night, RunSummary
from flows.release import changes, cut, figurepass, frame
from flows.release.files import iter_texts
from flows.store.layout import DataLayout
from parsers import extract_report, read_document
from parsers.figures import indicators as indicator_table
from parsers.models import IndicatorValue, Source
from parsers.version import extractor_version
from tests.conftest import SEED_NAMES, DemoNight, copy_demo_data, seed_text
from tests.helpers import NOW, harvested

SOURCE = Source(id="demo", name="演示", listing=["http://demo.gov.cn/list.html"])
# A rule the table does not have: problems put right after an inspection (整改问题2个). 西仓镇 states one.
NEW_ROW = indicator_table.Indicator("problems_rectified", "整改问题个数", ("个", "项", "条"), r"整改[^，。；,]{0,6}问题", maximum=1_000)
STATED = re.compile(r"整改[^，。；,]{0,6}问题(\d+)[个项条]")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def add_indicator_row(monkeypatch: pytest.MonkeyPatch, row: indicator_table.Indicator) -> None:
    """The table with one more row, everywhere it is read (the extractor and the release import it by name)."""
    from parsers.figures import checks, extract

    compiled = (*indicator_table.COMPILED, indicator_table.Compiled(row, re.compile(row.context), None, None, None, None))
    monkeypatch.setattr(indicator_table, "INDICATORS", (*indicator_table.INDICATORS, row))
    for module in (indicator_table, extract):
        monkeypatch.setattr(module, "COMPILED", compiled)
    for module in (indicator_table, checks):
        monkeypatch.setattr(module, "BY_KEY", {**indicator_table.BY_KEY, row.key: row})
    for module in (cut, figurepass, changes, frame):  # every release module that names the indicators
        if hasattr(module, "INDICATOR_KEYS"):
            monkeypatch.setattr(module, "INDICATOR_KEYS", (*module.INDICATOR_KEYS, row.key))
        monkeypatch.setattr(module, "INDICATOR_LABELS", {**module.INDICATOR_LABELS, row.key: row.label})


def fetched_seed(layout: DataLayout, name: str) -> tuple[Harvested, FetchRecord]:
    """A seed report as a night stores it: its bytes in the raw store, its fetch in the log."""
    body = seed_text(name).encode("utf-8")
    sha = layout.raw().save(body)
    url = f"http://demo.gov.cn/{name}.txt"
    item = Harvested(source_id="demo", url_key=store.url_key(url), url=url, sha256=sha, fetched_at=NOW,
                     extraction=extract_report(read_document(body, url, "text/plain")))
    log = FetchRecord(source_id="demo", url=url, url_key=store.url_key(url), fetched_at=NOW, status=200, sha256=sha, content_type="text/plain")
    return item, log


def stored_night(root: Path) -> DataLayout:
    """A store of the five seeds merged as a night merges them, and its first release."""
    layout = DataLayout(root=root)
    fetched = [fetched_seed(layout, name) for name in SEED_NAMES]
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, Night.of(NOW, [item for item, _ in fetched], [log for _, log in fetched]))
        from flows.reextract import record_sources

        record_sources(conn, [SOURCE], NOW)
        assert release.cut_release(conn, layout.releases, [SOURCE], NOW) is not None
    return layout


def latest(layout: DataLayout) -> Path:
    version = release.latest_version(layout.releases)
    assert version is not None
    return layout.releases / version


def test_every_module_of_parsers_is_declared_extraction_or_not() -> None:
    """The version hashes an allow-list: a new module must be put in one set or the other."""
    from parsers import version

    top = Path(version.__file__).parent
    modules = {p.relative_to(top).as_posix() for p in top.rglob("*.py")}
    assert modules == version.EXTRACTION | version.NOT_EXTRACTION, modules ^ (version.EXTRACTION | version.NOT_EXTRACTION)
    assert not version.EXTRACTION & version.NOT_EXTRACTION


def test_editing_a_module_outside_extraction_leaves_the_version_unchanged(tmp_path: Path) -> None:
    """Scoring, listing pages and the version module itself change no record: editing them must
    not re-extract the archive; editing a rule, a model or the register must."""
    import shutil

    from parsers import version

    package = tmp_path / "parsers"
    shutil.copytree(Path(version.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = version.digest_of(package)
    assert before == version.code_digest()
    for name in sorted(version.NOT_EXTRACTION):
        (package / name).write_text((package / name).read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    (package / "notes.txt").write_text("not code", encoding="utf-8")  # a stray file at the top is not hashed either
    assert version.digest_of(package) == before
    for name in ("figures/extract.py", "models.py", "identity/register.py", "data/register.tsv.gz"):
        edited = package / name
        original = edited.read_bytes()
        edited.write_bytes(original + b"\n")
        assert version.digest_of(package) != before, name
        edited.write_bytes(original)


def test_the_extractor_version_follows_the_indicator_table(monkeypatch: pytest.MonkeyPatch) -> None:
    before = extractor_version()
    assert re.fullmatch(r"[0-9a-f]{12}", before)
    add_indicator_row(monkeypatch, NEW_ROW)
    assert extractor_version() != before
    monkeypatch.undo()
    assert extractor_version() == before


def test_a_new_indicator_row_reaches_every_stored_report_in_the_next_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    layout = stored_night(tmp_path / "data")
    first = latest(layout)
    assert not [r for r in rows(first / "values.csv") if r["indicator"] == NEW_ROW.key]
    old_version = extractor_version()

    add_indicator_row(monkeypatch, NEW_ROW)
    assert cmd_reextract(layout.root, workers=2) == 0  # a process pool on both cores
    out = capsys.readouterr().out
    assert f"{old_version} → {extractor_version()}: 5 of 5 revision(s) extracted again" in out

    second = latest(layout)
    assert second != first
    reports = {r["report_id"]: r for r in rows(second / "reports.csv")}
    texts = {r["report_id"]: r["text"] for r in iter_texts(second)}
    values = {(r["report_id"], r["indicator"]): r for r in rows(second / "values.csv")}
    stating = {rid: float(m.group(1)) for rid, text in texts.items() if (m := STATED.search(text))}
    assert {reports[rid]["township"] for rid in stating} == {"西仓镇"}
    for rid, number in stating.items():  # every stored report that states it, with its quote
        value = values[(rid, NEW_ROW.key)]
        # one mention, no stated total: a lower bound of the year's value (issue 26)
        assert float(value["value"]) == number and (value["qualifier"], value["basis"]) == ("at_least", "single_mention")
        assert texts[rid][int(value["quote_start"]) : int(value["quote_end"])] == value["quote"]
    wide = {r["report_id"]: r for r in rows(second / "indicators.csv")}
    assert {rid for rid, r in wide.items() if r[NEW_ROW.key]} == set(stating)
    changelog = (second / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"extractor {old_version} → {extractor_version()}" in changelog
    assert re.search(rf"- figure changed by the rules: .*西仓镇.*`{next(iter(stating))}` {NEW_ROW.key}: — → 2 \(at_least\)\n", changelog)
    assert f"- indicator added: {NEW_ROW.key} ({NEW_ROW.label})" in changelog
    assert "revised" not in changelog  # no text changed
    manifest = release.read_manifest(layout.releases, second.name)
    assert manifest["extractor_version"] == extractor_version() and manifest["reports_by_extractor"] == {extractor_version(): 5}
    assert manifest["code_version"].startswith("0.1.0")

    # What the earlier rules made is kept beside the new figures.
    with sqlite3.connect(layout.store_path) as conn:
        made = dict(conn.execute("SELECT extractor, count(*) FROM observations GROUP BY extractor").fetchall())
        queued = dict(conn.execute("SELECT extractor, count(*) FROM observations WHERE indicator = 'unclassified' GROUP BY extractor").fetchall())
        # The new row names counts the old rules kept in the unclassified queue: they move from the queue to the row.
        assert set(made) == {old_version, extractor_version()} and made[extractor_version()] == made[old_version]
        assert queued[extractor_version()] == queued[old_version] - len(stating)
        assert conn.execute("SELECT count(*) FROM extractions WHERE extractor = ?", (old_version,)).fetchone()[0] == 5

    # Nothing left to do: no re-extraction, no release.
    assert cmd_reextract(layout.root, workers=2) == 0
    assert "already extracted with it" in capsys.readouterr().out and latest(layout) == second

    # The rule taken back: the earlier rules again, and the figure leaves the next release.
    monkeypatch.undo()
    assert extractor_version() == old_version
    assert cmd_reextract(layout.root, workers=1) == 0
    third = latest(layout)
    assert not [r for r in rows(third / "values.csv") if r["indicator"] == NEW_ROW.key]
    assert re.search(rf"- figure changed by the rules: .*西仓镇.* {NEW_ROW.key}: 2 \(at_least\) → —\n", (third / "CHANGELOG.md").read_text(encoding="utf-8"))


def test_rules_and_text_are_told_apart_in_the_change_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = stored_night(tmp_path / "data")
    add_indicator_row(monkeypatch, NEW_ROW)
    body = seed_text("chuanxi").replace("矛盾糾紛157起", "矛盾糾紛160起").encode("utf-8")
    assert body != seed_text("chuanxi").encode("utf-8")
    sha = layout.raw().save(body)
    url = "http://demo.gov.cn/chuanxi.txt"
    item = Harvested(source_id="demo", url_key=store.url_key(url), url=url, sha256=sha, fetched_at=NOW + timedelta(days=1),
                     extraction=extract_report(read_document(body, url, "text/plain")))
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, Night.of(NOW + timedelta(days=1), [item], [FetchRecord(source_id="demo", url=url, url_key=item.url_key, fetched_at=NOW + timedelta(days=1), status=200,
                                               sha256=sha, content_type="text/plain")]))
    assert cmd_reextract(layout.root, workers=1) == 0
    changelog = (latest(layout) / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"- figure changed: .*船溪乡.* disputes_mediated: 157 → 160", changelog)  # its text changed
    assert re.search(r"- figure changed by the rules: .*西仓镇.* problems_rectified: — → 2", changelog)
    assert not re.search(r"by the rules: .*船溪乡", changelog)


def test_a_revision_whose_bytes_are_gone_keeps_its_figures_and_says_why_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    layout = stored_night(tmp_path / "data")
    with sqlite3.connect(layout.store_path) as conn:
        rid, sha = conn.execute("SELECT v.report_id, v.raw_sha256 FROM revisions v JOIN reports r USING (report_id) WHERE r.url LIKE '%xicang%'").fetchone()
    layout.raw().path(sha).unlink()
    before = rows(latest(layout) / "values.csv")
    add_indicator_row(monkeypatch, NEW_ROW)
    assert cmd_reextract(layout.root, workers=1) == 2
    err = capsys.readouterr().err
    assert f"http://demo.gov.cn/xicang.txt: its bytes ({sha}) are not in the raw store" in err
    after = rows(latest(layout) / "values.csv")
    assert [r for r in after if r["report_id"] == rid] == [r for r in before if r["report_id"] == rid]  # as they were
    assert len({r["report_id"] for r in after}) == 5
    assert cmd_reextract(layout.root, workers=1) == 0  # tried once with these rules, not every night


def test_the_year_s_values_are_stored_and_released_with_basis_quote_and_qualifier(tmp_path: Path) -> None:
    item = harvested("xicang")
    ex = item.extraction
    meetings = [i for i, o in enumerate(ex.observations) if o.indicator == "party_meetings_on_rule_of_law"]
    assert len(meetings) >= 2
    parts = [ex.observations[i] for i in meetings[:2]]
    values = [
        IndicatorValue(indicator="party_meetings_on_rule_of_law", value=sum(o.value for o in parts), unit="次", qualifier="exact",
                       basis="sum_of_parts", mentions=meetings[:2], flags=["parts_above_total"]),
        IndicatorValue(indicator="people_reached", value=10000, unit="人", qualifier="at_least", basis="stated_total", mentions=[meetings[0]]),
    ]
    item = item.model_copy(update={"extraction": ex.model_copy(update={"values": values})})
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, [item]))
        info = release.cut_release(conn, tmp_path / "releases", [SOURCE], NOW)
    assert info is not None
    folder = Path(info.path)
    released = {r["indicator"]: r for r in rows(folder / "values.csv")}
    assert set(released) == {"party_meetings_on_rule_of_law", "people_reached"}  # the stored values, not the mentions
    summed = released["party_meetings_on_rule_of_law"]
    assert (summed["value"], summed["basis"]) == (f"{sum(o.value for o in parts):g}", "sum_of_parts")
    assert summed["flag_codes"].split(";")[0] == "parts_above_total"  # the value's own flags, then the report's on this indicator
    assert summed["quote"] == " … ".join(o.quote for o in parts)
    assert (int(summed["quote_start"]), int(summed["quote_end"])) == (parts[0].start, parts[1].end)
    wide = rows(folder / "indicators.csv")[0]
    assert (wide["people_reached"], wide["people_reached_qualifier"]) == ("10000", "at_least")  # never a bare 10000
    assert wide["disputes_mediated"] == "" and wide["disputes_mediated_qualifier"] == ""
    header = next(csv.reader((folder / "observations.csv").open(encoding="utf-8-sig")))
    assert {"quote_start", "quote_end", "flag_codes"} <= set(header) and not {"start", "end", "flags"} & set(header)
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert [f["name"] for f in next(r for r in package["resources"] if r["name"] == "values")["schema"]["fields"]] == next(
        csv.reader((folder / "values.csv").open(encoding="utf-8-sig")))


def test_the_release_validates_with_frictionless(tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    layout = stored_night(tmp_path / "data")
    report = frictionless.validate(str(latest(layout) / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:5]


def test_a_store_of_the_previous_schema_migrates_and_its_figures_replay(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A store written before versions were recorded: its figures survive the migration under
    extractor '', its release fingerprint is unchanged (no release by itself), and a re-extraction
    reads its revisions again from the raw store."""
    layout = DataLayout(root=tmp_path / "data")
    item, log = fetched_seed(layout, "chuanxi")
    conn = sqlite3.connect(layout.store_path)
    conn.executescript(f"BEGIN; {store.MIGRATIONS[0]}; {store.MIGRATIONS[1]}; PRAGMA user_version = 2; COMMIT;")
    rid = store.report_id("demo", item.url_key)
    ex = item.extraction
    conn.execute("INSERT INTO reports (report_id, source_id, url_key, url, first_seen, last_seen, current_revision) VALUES (?, 'demo', ?, ?, ?, ?, 1)",
                 (rid, item.url_key, item.url, NOW.isoformat(), NOW.isoformat()))
    conn.execute("INSERT INTO revisions VALUES (?, 1, ?, ?, ?, ?, '[]', ?, ?)",
                 (rid, "old-sha", item.sha256, NOW.isoformat(), ex.report.model_dump_json(), ex.text, ex.original))
    conn.executemany("INSERT INTO observations VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(rid, seq, o.indicator, o.value, o.unit, o.qualifier, o.quote, o.start, o.end, o.section, int(o.canonical)) for seq, o in enumerate(ex.observations)])
    conn.execute("INSERT INTO fetch_log (source_id, url, url_key, fetched_at, status, sha256, content_type) VALUES ('demo', ?, ?, ?, 200, ?, 'text/plain')",
                 (log.url, log.url_key, NOW.isoformat(), log.sha256))
    conn.commit()
    old_fingerprint = __import__("hashlib").sha256(f"{rid}:1:active\n".encode()).hexdigest()
    conn.close()

    with store.open_store(layout.store_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        assert store.fingerprint(conn) == old_fingerprint
        assert conn.execute("SELECT count(*) FROM observations WHERE extractor = ''").fetchone()[0] == len(ex.observations)
        legacy = dict(conn.execute("SELECT indicator, value FROM year_values WHERE extractor = ''").fetchall())
        assert legacy["disputes_mediated"] == 157
    assert main(["reextract", "--data", str(layout.root), "--workers", "1"]) == 0
    assert "unrecorded → " in capsys.readouterr().out
    with store.open_store(layout.store_path) as conn:
        assert conn.execute("SELECT extractor FROM revision_extractors").fetchone()[0] == extractor_version()
        assert store.fingerprint(conn) != old_fingerprint  # re-extracted figures: a release
    values = {r["indicator"]: r["value"] for r in rows(latest(layout) / "values.csv")}
    assert values["disputes_mediated"] == "157"


def test_the_next_night_after_a_rule_change_re_extracts_the_demo_store_from_its_bytes(demo_night: DemoNight, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The demo night stores pages, a .docx and a PDF attachment; the night after a new rule reads
    them all again from the raw store (nothing is fetched again) and releases the new figure."""
    from flows.nightly import nightly

    first = demo_night.summary  # the shared demo night, its data copied for this second night
    assert isinstance(first, RunSummary) and first.failures == [] and first.release is not None
    data, out = copy_demo_data(demo_night, tmp_path / "data"), tmp_path / "public"
    demo_portals = demo_night.portals
    for portal in demo_portals.values():
        portal.requests.clear()

    add_indicator_row(monkeypatch, NEW_ROW)
    second = nightly(sources_file=demo_night.sources_file, data_dir=data, out_dir=out)
    assert second.failures == [] and (second.new, second.revised, second.reports_fetched) == (0, 0, 0)
    assert second.release is not None
    fetched = {path for portal in demo_portals.values() for _, path, _ in portal.requests} - {"/robots.txt"}
    assert fetched == {"/zwgk/fzzfjsndbg/index.html", "/zwgk/fzzfjsndbg/index_1.html", "/col/col4521/index.html", "/fzzfjs/ndbg.htm"}  # listings only
    folder = Path(second.release.path)
    township = {r["report_id"]: r["township"] for r in rows(folder / "reports.csv")}
    new_values = {township[r["report_id"]]: r["value"] for r in rows(folder / "values.csv") if r["indicator"] == NEW_ROW.key}
    assert new_values == {"西仓镇": "2"}
    changelog = (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"- figure changed by the rules: .*西仓镇.* {NEW_ROW.key}: — → 2", changelog)
    assert "identification changed" not in changelog
    # Read again from the raw store (pages, and the .docx and PDF with the pages that link them),
    # the reports are identified exactly as the night that fetched them did.
    assert (folder / "reports.csv").read_bytes() == (Path(first.release.path) / "reports.csv").read_bytes()
    assert release.read_manifest(data / "releases", folder.name)["reports_by_extractor"] == {extractor_version(): 5}
    with sqlite3.connect(data / "fazhi.sqlite") as conn:
        assert {r[0] for r in conn.execute("SELECT extractor FROM revision_extractors")} == {extractor_version()}


def test_reextract_without_a_store_is_a_clear_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["reextract", "--data", str(tmp_path / "nothing")]) == 2
    assert f"{tmp_path / 'nothing' / 'fazhi.sqlite'}: no store here" in capsys.readouterr().err
    assert not (tmp_path / "nothing").exists()  # nothing created on the way


def test_the_reextract_benchmark_quick_mode_prints_its_figures() -> None:
    """benchmarks/reextract.py end to end (figures are not asserted: speed belongs to the benchmark)."""
    import subprocess
    import sys

    root = Path(__file__).parents[2]
    run = subprocess.run([sys.executable, "benchmarks/reextract.py", "--quick"], capture_output=True, text=True, timeout=600, cwd=root)
    assert run.returncode == 0, run.stderr
    assert re.search(r"reextract, \d+ processes\s+400\s", run.stdout)  # 200 townships × 2 years, all read again
    assert re.search(r"CPU per report: main process [\d.]+ ms, workers [\d.]+ ms", run.stdout)
    assert re.search(r"release after it\s+400\s", run.stdout)


@pytest.mark.usefixtures("prefect_harness")
def test_a_re_extraction_that_stops_does_not_stop_the_night(demo_sources_file: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from flows import nightly as night

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("worker processes run extractor abc, this process def")

    monkeypatch.setattr(night, "reextract", broken)
    state = night.nightly(sources_file=demo_sources_file, data_dir=tmp_path / "data", out_dir=tmp_path / "public", return_state=True)
    summary = state.result(raise_on_failure=False)  # the run summary, as `fazhi nightly` reads it
    assert state.is_failed()  # the operator hears of it (exit 2) ...
    assert (summary.new, summary.release is not None) == (5, True)  # ... and tonight's reports are merged and released
    assert [f.reason for f in summary.failures] == ["re-extraction stopped: worker processes run extractor abc, this process def"]


def test_a_report_identified_before_the_register_gets_its_township_code_by_re_extraction(tmp_path: Path) -> None:
    """Stored by an earlier version that named places by text: re-extraction places it in the
    register, and the report's key columns (township_code, place_key) follow its new record."""
    from parsers.models import Place

    layout = DataLayout(root=tmp_path / "data")
    item, log = fetched_seed(layout, "chuanxi")
    old_place = Place(township="船溪乡", county="辰溪县", province="湖南省", adcode="431223")  # no code: before the register
    old = item.extraction.model_copy(update={"report": item.extraction.report.model_copy(update={"place": old_place})})
    item = item.model_copy(update={"extraction": old})
    with store.open_store(layout.store_path) as conn:
        store.merge(conn, Night.of(NOW, [item], [log]))
        conn.execute("UPDATE revision_extractors SET extractor = 'older'")
        assert tuple(conn.execute("SELECT township_code, place_key FROM reports").fetchone()) == (None, "湖南省|辰溪县|船溪乡|2022")
    assert main(["reextract", "--data", str(layout.root), "--workers", "1", "--no-release"]) == 0
    with store.open_store(layout.store_path) as conn:
        assert tuple(conn.execute("SELECT township_code, place_key FROM reports").fetchone()) == ("431223200", "431223200|2022")


@pytest.mark.parametrize("full", [sqlite3.OperationalError("database or disk is full"), OSError(28, "No space left on device")],
                         ids=["sqlite", "oserror"])
def test_a_disk_full_during_reextract_is_one_line_and_keeps_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys,  # type: ignore[no-untyped-def]
                                                                       full: Exception) -> None:
    import flows.reextract

    layout = stored_night(tmp_path / "data")
    before = store.fingerprint(sqlite3.connect(layout.store_path))
    add_indicator_row(monkeypatch, NEW_ROW)

    def disk_full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise full
    monkeypatch.setattr(flows.reextract, "_run", disk_full)
    assert main(["reextract", "--data", str(layout.root), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: reextract stopped: ") and "Traceback" not in err
    assert "full" in err or "No space left" in err
    conn = sqlite3.connect(layout.store_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok" and store.fingerprint(conn) == before
