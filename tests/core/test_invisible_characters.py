"""Invisible and compatibility characters (issue #31, item 9): removed or mapped before anything
is read, so that a name still resolves and a figure keeps its digits, whatever the category."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import extract_report
from parsers.models import Document
from parsers.read.normalise import INVISIBLE_RANGES, invisible_code_points, normalise, strip_format_characters

INVISIBLE = invisible_code_points()
# Categories whose members are visible text and must survive untouched (letters, digits,
# punctuation, symbols, spaces, combining accents that are not default-ignorable).
KEPT_CATEGORIES = ("Lo", "Lu", "Ll", "Nd", "No", "Nl", "Po", "Ps", "Pe", "Pd", "Pi", "Pf", "Sm", "So", "Sc", "Zs", "Mn")


def test_every_listed_invisible_class_is_removed() -> None:
    named = [0x034F, 0xFE00, 0xFE0F, 0xE0100, 0xE01EF, 0x3164, 0xFFA0, 0x2800, 0x200B, 0x202E, 0xFEFF]
    assert set(named) <= set(INVISIBLE)
    assert all(unicodedata.category(chr(c)) == "Cf" or any(a <= c <= b for a, b in INVISIBLE_RANGES) for c in INVISIBLE)
    assert strip_format_characters("8" + "".join(chr(c) for c in named) + "1件") == "81件"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(INVISIBLE), st.integers(min_value=0, max_value=12))
def test_an_invisible_character_anywhere_in_a_name_or_figure_changes_nothing_read(code: int, at: int) -> None:
    clean = "2024年度，枫桥镇共调解矛盾纠纷81件。"
    at = at % (len(clean) + 1)
    assert normalise(clean[:at] + chr(code) + clean[at:]).text == normalise(clean).text


@settings(max_examples=300, deadline=None)
@given(st.characters(categories=KEPT_CATEGORIES, exclude_characters=[chr(c) for c in INVISIBLE]))
def test_visible_characters_outside_the_ideograph_compatibility_blocks_are_kept(char: str) -> None:
    if 0x2E80 <= ord(char) <= 0x2FDF or 0xF900 <= ord(char) <= 0xFAFF or 0x2F800 <= ord(char) <= 0x2FA1F:
        return  # mapped onto ideographs: the next test
    assert strip_format_characters("甲" + char + "乙") == "甲" + char + "乙"


@given(st.integers(min_value=0x2F00, max_value=0x2FD5))
def test_every_kangxi_radical_becomes_its_ideograph_one_for_one(code: int) -> None:
    mapped = strip_format_characters(chr(code))
    assert len(mapped) == 1 and mapped == unicodedata.normalize("NFKC", chr(code))
    assert "\u4e00" <= mapped <= "\u9fff"


def test_a_township_written_with_a_kangxi_radical_and_a_variation_selector_resolves() -> None:
    # 胡吉尔台乡 is unique in the register; 西湖镇 is not, and its county (乌苏市) decides.
    text = "尼勒克县胡吉尔台乡2024年法治政府建设年度报告\n2024年，胡\ufe0f吉尔台乡坚持依法行政，调解纠纷8\u034f1件。"
    report = extract_report(Document(url="a.txt", text=text, format="txt")).report
    assert report.place.township == "胡吉尔台乡"
    radical = "⻄湖镇2024年法治建设工作情况报告\n2024年，乌苏市⻄湖镇坚持依法行政。"
    assert extract_report(Document(url="b.txt", text=radical, format="txt")).report.place.township == "西湖镇"


def test_quotes_point_into_the_cleaned_text() -> None:
    text = "2024年，某镇组织集中学\u2800法1\ufe002次，开展法治宣传活动2\u034f0场。"
    extraction = extract_report(Document(url="c.txt", text=text, format="txt"))
    assert "开展法治宣传活动20场" in extraction.text
    for o in extraction.observations:
        assert extraction.text[o.start:o.end] == o.quote


def test_a_figure_split_by_a_combining_grapheme_joiner_reads_whole() -> None:
    text = "2024年，某镇坚持依法行政，成功调解矛盾纠纷8\u034f1件，开展法治宣传活动1\u2800\ufe0f2场。"
    values = {(o.indicator, o.value) for o in extract_report(Document(url="d.txt", text=text, format="txt")).observations}
    assert ("disputes_mediated", 81) in values and ("legal_publicity_events", 12) in values
