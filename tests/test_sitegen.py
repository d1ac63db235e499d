"""A real MkDocs build of a release; what comes from government sites comes out as text."""

import json
import re
from pathlib import Path

import pytest

from flows import release, store
from parsers.models import Source
from sitegen import pages
from sitegen.build import MKDOCS_YML, build_site
from tests.helpers import NOW, all_seeds, harvested

HOSTILE_TITLE = '永加乡2024年<script>alert(1)</script>[x](javascript:alert(2)) | {{ config }}'


@pytest.fixture
def built_site(tmp_path: Path) -> Path:
    items = all_seeds()
    items[-1] = harvested("yongjia", title=HOSTILE_TITLE)
    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, items, [], NOW)
        info = release.cut_release(conn, tmp_path / "releases", [Source(id="demo", name="演示", listing=["http://demo.gov.cn/"])], NOW)
    assert info is not None
    out = tmp_path / "public"
    build_site(tmp_path / "releases", info.version, out, tmp_path / "docs", strict=True)
    return out


def test_every_township_has_a_page_with_its_figures(built_site: Path) -> None:
    page = (built_site / "townships/湖南省/辰溪县/船溪乡/index.html").read_text(encoding="utf-8")
    assert "船溪乡2022年度法治政府建设工作情况" in page
    assert 'title="乡、村两级调解组织共成功调解矛盾纠纷157起"' in page
    assert ">157</span>" in page
    for township in ("新疆维吾尔自治区/尼勒克县/胡吉尔台乡", "新疆维吾尔自治区/乌苏市/西湖镇", "未识别省份/未识别县/西仓镇", "吉林省/双辽市/永加乡"):
        assert (built_site / "townships" / township / "index.html").exists(), township


def test_qualifiers_are_shown(built_site: Path) -> None:
    page = (built_site / "townships/新疆维吾尔自治区/尼勒克县/胡吉尔台乡/index.html").read_text(encoding="utf-8")
    assert "≥6,500" in page


def test_hostile_title_is_shown_as_text(built_site: Path) -> None:
    page = (built_site / "townships/吉林省/双辽市/永加乡/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    assert "{{ config }}" in page or "&#123;&#123; config &#125;&#125;" in page


def test_home_downloads_and_indicator_pages_exist(built_site: Path) -> None:
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "downloads/2026.11.22/fazhi-2026.11.22.zip" in home
    assert (built_site / "downloads/2026.11.22/fazhi-2026.11.22.zip").exists()
    assert (built_site / "downloads/2026.11.22/CHANGELOG.txt").exists()
    indicator = (built_site / "indicators/materials_distributed/index.html").read_text(encoding="utf-8")
    assert "发放宣传资料份数" in indicator and "20,000" in indicator
    assert re.search(r'<html[^>]+lang="zh"', home)


def test_full_texts_are_kept_out_of_the_search_index(built_site: Path) -> None:
    docs = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    indexed = "".join(d["title"] + d["text"] for d in docs).replace("\u200b", "")  # jieba's word breaks
    assert "船溪乡" in indexed
    assert "成立了以乡主要负责人为组长的法治建设工作领导小组" not in indexed


def test_site_dir_is_never_the_sources_folder() -> None:
    config = MKDOCS_YML.read_text(encoding="utf-8")
    assert re.search(r"^site_dir: public$", config, re.MULTILINE)


@pytest.mark.parametrize(
    "value, shown",
    [("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"), ("a|b", "a\\|b"), ("[x](javascript:y)", "\\[x\\]\\(javascript:y\\)"), ("两行\n文字", "两行 文字")],
)
def test_text_escapes_markdown_and_html(value: str, shown: str) -> None:
    assert pages.text(value) == shown


def test_only_http_links_are_emitted() -> None:
    assert pages.safe_url("javascript:alert(1)") is None
    assert pages.safe_url("https://a.gov.cn/x?a=1&b=2") == "https://a.gov.cn/x?a=1&amp;b=2"
