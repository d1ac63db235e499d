from parsers.read.normalise import clean_lines, find_headings, normalise, section_at
from tests.conftest import seed_text


def test_traditional_report_becomes_simplified_and_keeps_the_original() -> None:
    n = normalise(seed_text("chuanxi"))
    assert n.script == "traditional"
    assert n.text.startswith("船溪乡2022年度法治政府建设工作情况")
    assert n.original.startswith("船溪鄉2022年度法治政府建設工作情況")
    assert "共成功调解矛盾纠纷157起" in n.text


def test_simplified_reports_are_detected_as_simplified() -> None:
    for name in ("hujiertai", "xihu", "xicang", "yongjia"):
        assert normalise(seed_text(name)).script == "simplified", name


def test_word_bookmark_artefact_is_removed() -> None:
    raw = seed_text("xihu")
    assert "[bookmark: _GoBack]" in raw
    assert "[bookmark" not in normalise(raw).text


def test_full_width_digits_and_percent_become_half_width_but_prose_punctuation_stays() -> None:
    assert clean_lines("调解成功率达１００％，共２０起。") == "调解成功率达100%，共20起。"


def test_half_width_clause_punctuation_in_prose_becomes_chinese_but_numbers_keep_theirs() -> None:
    assert clean_lines("共1,200份,受益群众;发布时间:2022-11-29 16:11") == "共1,200份，受益群众；发布时间：2022-11-29 16:11"


def test_whitespace_collapses_and_page_number_lines_go() -> None:
    assert clean_lines("  第一段　 文字  \n\n- 3 -\n\n第二段\r\n12\n") == "第一段 文字\n第二段"


def test_headings_of_three_levels_are_found_with_spans() -> None:
    text = normalise(seed_text("xihu")).text
    headings = [h for h in find_headings(text) if h.level <= 3]
    assert [h.text for h in headings[:3]] == ["一、工作开展情况", "（一）强化法规学习，提升法治意识", "（二）加强组织领导，完善建设机制"]
    assert [h.level for h in headings[:3]] == [1, 2, 2]
    assert all(text[h.start : h.end] == h.text for h in headings)


def test_section_at_gives_the_innermost_heading() -> None:
    n = normalise(seed_text("xihu"))
    position = n.text.index("排查化解矛盾纠纷31起")
    assert section_at(n.headings, position) == "（五）坚持“枫桥经验”，夯实治理基础"


def test_normalise_is_idempotent_on_every_seed() -> None:
    for name in ("hujiertai", "chuanxi", "xihu", "xicang", "yongjia"):
        once = normalise(seed_text(name)).text
        assert normalise(once).text == once


def test_enumerated_points_inside_paragraphs_are_the_lowest_outline_level() -> None:
    text = normalise(seed_text("hujiertai")).text
    points = [h for h in find_headings(text) if h.level == 4]
    assert [p.text for p in points[:3]] == ["一是高度重视思想认识", "二是组织领导坚强有力", "三是工作机制保障有力"]
    assert all(text[p.start : p.end] == p.text for p in points)


def test_figures_are_placed_under_section_headings_not_points() -> None:
    n = normalise(seed_text("hujiertai"))
    assert section_at(n.headings, n.text.index("培育“法律明白人”20人")) == "(四)以普法宣传为基础，燎原法治建设之势"
