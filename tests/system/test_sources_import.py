"""`fazhi sources import`: candidate rows → unchecked registry entries; listings derived by CMS layout."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from flows.cli import main
from flows.harvest.candidates import plan_import, read_candidates
from flows.harvest.registry import SourcesError, load_sources, parse_sources
from parsers import derive_listing, listing_key

ROOT = Path(__file__).resolve().parents[2]
PORTALS = Path("/work/shared/portals/portals.csv")
HEADER = "province,county,adcode,township,township_code,publisher,host,column_url,column_confidence,example_url,example_title,cms,years_seen,evidence\n"


@pytest.mark.parametrize(("article", "listing", "family"), [
    ("http://www.cqwx.gov.cn/jz/dhx/zwgk_71780/zfxxgkml/fzzfjsndbg/202503/t20250303_14363867.html",
     "http://www.cqwx.gov.cn/jz/dhx/zwgk_71780/zfxxgkml/fzzfjsndbg/", "trs"),
    ("https://www.xx.gov.cn/xx/c101841/202504/fbe4ccb8d7c64483a9ef22b9b8543997.shtml", "https://www.xx.gov.cn/xx/c101841/", "trs"),
    ("http://www.xiangshan.gov.cn/art/2023/2/21/art_1229682928_4183931.html?xxgkhide=1",
     "http://www.xiangshan.gov.cn/col/col1229682928/index.html", "hanweb"),
    ("https://www.hhpb.gov.cn/info/8641/12345.htm", "https://www.hhpb.gov.cn/info/8641.htm", "vsb"),
    ("http://www.xuwen.gov.cn/xxgk/ndfzzfjsbg/content/post_1854461.html", "http://www.xuwen.gov.cn/xxgk/ndfzzfjsbg/", "gd-post"),
    ("http://www.lw.gov.cn/gzlwdbj/gkmlpt/content/10/10094/post_10094863.html", "http://www.lw.gov.cn/gzlwdbj/gkmlpt/index", "gkmlpt"),
    ("http://www.zhaoxian.gov.cn/columns/4bc809b5-2280-4aca-bf79-3796a2d6f737/202601/27/5141831a-497b-4b8e-aa5d-7d12d325d0d6.html",
     "http://www.zhaoxian.gov.cn/columns/4bc809b5-2280-4aca-bf79-3796a2d6f737/", "hebei-columns"),
    ("https://www.pudong.gov.cn/zwgk/fzzfjs-qzf/2025/58/338317.html", "https://www.pudong.gov.cn/zwgk/fzzfjs-qzf/", "shanghai"),
    ("https://www.cznd.gov.cn/html/cznd/2026/ADFIMKLB_0108/22474.html", "https://www.cznd.gov.cn/html/cznd/", "changzhou"),
    ("https://www.hnls.gov.cn/contents/52940/431696.html", "https://www.hnls.gov.cn/contents/52940/", "contents"),
])
def test_each_family_layout_gives_the_column_of_an_article(article: str, listing: str, family: str) -> None:
    derived = derive_listing(article)
    assert derived is not None and (derived.listing, derived.family) == (listing, family)


def test_vsb_offers_the_list_jsp_form_too() -> None:
    derived = derive_listing("http://www.linshu.gov.cn/info/5381/256725.htm")
    assert derived is not None
    assert derived.alternatives == ("http://www.linshu.gov.cn/list.jsp?urltype=tree.TreeTempUrl&wbtreeid=5381",)


@pytest.mark.parametrize("article", [
    "http://www.kmwh.gov.cn/c/2026-02-03/7104348.shtml",        # a date folder, not a column
    "http://yixing.gov.cn/doc/2025/03/04/1301207.shtml",
    "https://xinyang.gov.cn/2025/03-28/570266.html",
    "http://www.quxian.gov.cn/xxgk-show-61348.html",
    "https://www.wanzhi.gov.cn/openness/public/6604601/39783073.html",
    "https://xxgk.shbsq.gov.cn/article.html?infoid=433caefc",
    "http://taoyuan.gov.cn/Item/121714.aspx",
    "ftp://www.x.gov.cn/a/202501/t20250101_1.html",
])
def test_layouts_without_a_column_give_none(article: str) -> None:
    assert derive_listing(article) is None


def test_listing_key_ignores_scheme_www_and_index_page() -> None:
    assert listing_key("http://www.a.gov.cn/col/col12/index.html") == listing_key("https://a.gov.cn/col/col12/")
    assert listing_key("http://a.gov.cn/x/") != listing_key("http://a.gov.cn/y/")


def _registry(tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "# my registry: this comment must survive an import\n"
        "sources:\n"
        "  - id: wuxi-dahe  # a checked one\n"
        "    name: 巫溪县大河乡人民政府\n"
        "    county: 巫溪县\n"
        '    adcode: "500238"\n'
        "    listing:\n"
        "      - http://www.cqwx.gov.cn/jz/dhx/zwgk_71780/zfxxgkml/fzzfjsndbg/\n"
        "    allowed_domains: [cqwx.gov.cn]\n", encoding="utf-8")
    return path


def _candidates(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "cands.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


ROWS = [
    # the existing listing again (https, no www): a duplicate
    "重庆市,巫溪县,500238,大河乡,500238207,巫溪县大河乡人民政府,cqwx.gov.cn,,none,"
    "https://cqwx.gov.cn/jz/dhx/zwgk_71780/zfxxgkml/fzzfjsndbg/202601/t20260128_1.html,t,trs,2025,e",
    # two townships of one county in one Hanweb column: one entry
    "浙江省,上城区,330102,四季青街道,330102014,杭州市上城区四季青街道办事处,www.hzsc.gov.cn,,none,"
    "https://www.hzsc.gov.cn/art/2024/1/15/art_1229539371_4232610.html,t,hanweb,2023,e",
    "浙江省,上城区,330102,,,杭州市上城区人民政府,www.hzsc.gov.cn,,none,"
    "https://www.hzsc.gov.cn/art/2025/1/15/art_1229539371_4232999.html,t,hanweb,2024,e",
    # no column in the URL: left for the finder
    "云南省,五华区,530102,,,昆明市五华区人民政府,www.kmwh.gov.cn,,none,http://www.kmwh.gov.cn/c/2026-02-03/7104348.shtml,t,unknown,2025,e",
    # not a county of the register
    "云南省,某县,539999,,,某县人民政府,www.x.gov.cn,,none,http://www.x.gov.cn/a/202501/t20250101_1.html,t,trs,2024,e",
]


def test_import_appends_unchecked_entries_and_keeps_the_file_as_it_was(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    registry = _registry(tmp_path)
    before = registry.read_text(encoding="utf-8")
    assert main(["sources", "import", str(_candidates(tmp_path, ROWS)), "--sources", str(registry)]) == 0
    out = capsys.readouterr().out
    after = registry.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # comments and the checked entry, byte for byte
    sources = {s.id: s for s in load_sources(registry)}
    assert sources["wuxi-dahe"].checked and sources["wuxi-dahe"].family is None
    hanweb = sources["hzsc-330102"]
    assert hanweb.listing == ["https://www.hzsc.gov.cn/col/col1229539371/index.html"]
    assert (hanweb.family, hanweb.checked, hanweb.adcode, hanweb.covers, hanweb.county) == ("hanweb", False, "330102", ["330102"], "上城区")
    assert hanweb.name == "杭州市上城区人民政府" and "四季青街道" in (hanweb.found_by or "")
    assert hanweb.allowed_domains == ["hzsc.gov.cn"]
    finder = sources["kmwh-530102"]
    assert finder.listing == [] and finder.find_from == ["http://www.kmwh.gov.cn/c/2026-02-03/7104348.shtml"]
    assert finder.pages == finder.find_from and not finder.checked
    assert len(sources) == 3
    assert "line 6: adcode '539999' is not a county code of the register" in out
    assert "already the listing of 'wuxi-dahe'" in out
    # importing again adds nothing and leaves the file alone
    assert main(["sources", "import", str(_candidates(tmp_path, ROWS)), "--sources", str(registry)]) == 0
    assert registry.read_text(encoding="utf-8") == after
    assert "0 entries" in capsys.readouterr().out


def test_dry_run_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    registry = _registry(tmp_path)
    before = registry.read_bytes()
    assert main(["sources", "import", str(_candidates(tmp_path, ROWS)), "--sources", str(registry), "--dry-run"]) == 0
    assert registry.read_bytes() == before
    assert "2 entries would be added" in capsys.readouterr().out


@pytest.mark.parametrize(("content", "message"), [
    ("a,b\n1,2\n", "the header lacks province"),
    (b"\xff\xfe\x00", "not UTF-8"),
    (HEADER + '重庆市,"unclosed\n', "line"),
])
def test_a_bad_candidates_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes,
                                                       message: str) -> None:
    registry = _registry(tmp_path)
    before = registry.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    code = main(["sources", "import", str(bad), "--sources", str(registry)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and str(bad) in err and len(err.strip().splitlines()) == 1
    assert registry.read_bytes() == before


def test_the_registry_accepts_the_new_fields_and_stays_strict() -> None:
    base = "sources:\n  - id: a\n    name: n\n"
    ok = parse_sources(base + "    listing: [http://a.gov.cn/x/]\n    family: trs\n    checked: false\n    found_by: a row\n", "t")
    assert (ok[0].family, ok[0].checked, ok[0].found_by) == ("trs", False, "a row")
    assert parse_sources(base + "    find_from: [http://a.gov.cn/c/1.html]\n", "t")[0].pages == ["http://a.gov.cn/c/1.html"]
    for bad, why in [("    listing: [http://a.gov.cn/]\n    checked: 'no'\n", "checked: true or false"),
                     ("    listing: [http://a.gov.cn/]\n    family: TRS WCM\n", "family"),
                     ("    listing: [http://a.gov.cn/]\n    colour: red\n", "colour"),
                     ("    listing: []\n", "give at least one listing URL"),
                     ("    find_from: [file:///etc/passwd]\n", "find_from")]:
        with pytest.raises(SourcesError, match=why):
            parse_sources(base + bad, "t")


def test_the_real_candidates_import_into_a_copy_of_the_shipped_registry(tmp_path: Path) -> None:
    """Every row of portals.csv is in an entry (as a listing or a page to find it from), each with the
    county's register code in covers; the checked entries stay as they were."""
    rows = read_candidates(PORTALS)
    shipped = [s for s in load_sources(ROOT / "sources.yaml") if s.checked]
    plan = plan_import(rows, shipped)
    assert len(rows) == 187 and not plan.skipped and not plan.disagreements
    assert sum(plan.derived.values()) == 155 and plan.unresolved == 32
    assert plan.derived["trs"] >= 77 and plan.derived["hanweb"] >= 18 and plan.derived["vsb"] == 6
    named = [int(n) for e in plan.entries for n in re.match(r"portals.csv line\(s\) ([\d, ]+):", str(e["found_by"])).group(1).split(", ")]
    assert sorted(named) == sorted(r.line for r in rows)  # each row in exactly one entry
    for entry in plan.entries:
        assert entry["checked"] is False and entry["covers"] == [entry["adcode"]]


def test_the_shipped_registry_carries_every_candidate() -> None:
    """sources.yaml was extended with `fazhi sources import /work/shared/portals/portals.csv`."""
    sources = load_sources(ROOT / "sources.yaml")
    checked = [s for s in sources if s.checked]
    assert len(checked) == 41
    keys = {listing_key(u) for s in sources for u in s.listing}
    pages = {u for s in sources for u in s.find_from}
    with PORTALS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            derived = derive_listing(row["example_url"])
            assert (listing_key(derived.listing) in keys) if derived else (row["example_url"] in pages), row["example_url"]
