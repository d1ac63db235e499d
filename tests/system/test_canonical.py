"""The year's value of each indicator: scope of every mention, basis, flags, one unit a column.

The sentences are written for these tests in the style of township reports (not copied from the
seeds or the dev set), so that the rules are tested on phrasing they were not written from.
"""

from __future__ import annotations

import pytest

from parsers import extract_report
from parsers.figures.canonical import NEVER_CANONICAL, mixed_subjects, year_values
from parsers.figures.extract import extract_figures
from parsers.models import Document, IndicatorValue, Observation
from parsers.read.normalise import normalise
from tests.conftest import seed_path


def figures(text: str, year: int | None = 2024) -> tuple[list[Observation], dict[str, IndicatorValue]]:
    observations, values = extract_figures(normalise(text), year)
    return observations, {v.indicator: v for v in values}


def scopes(text: str, year: int | None = 2024) -> list[tuple[str, float, str]]:
    return [(o.indicator, o.value, o.scope) for o in figures(text, year)[0] if o.indicator != "unclassified"]


# --- scope of a mention ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("力争全年共开展普法宣传活动100场次以上。", "plan"),
        ("明年计划组织集中学法12次。", "plan"),
        ("下一步，我镇将继续开展普法进村活动30场。", "plan"),
        ("拟开展法治讲座6场。", "plan"),
        ("全年开展普法宣传活动50场次的目标。", "plan"),
        ("同比2023年的共调解矛盾纠纷150起。", "other_year"),
        ("较上年多开展普法活动8场。", "other_year"),
        ("2023年共调处矛盾纠纷88起。", "other_year"),
        ("“十四五”以来累计开展普法活动300余场次。", "period"),
        ("近三年共化解矛盾纠纷500余件。", "period"),
        ("2021年以来，累计发放宣传资料5万余份。", "period"),
        ("全县共调解矛盾纠纷3200起。", "other_body"),
        ("今年以来，共开展普法宣传活动26场次。", "year"),
        ("2024年以来，共开展普法宣传活动26场次。", "year"),
        ("同比2023年有所增加，今年全年共调解矛盾纠纷168起。", "year"),
        ("依据《2023年普法工作要点》，开展普法宣传活动35场次。", "year"),
    ],
)
def test_the_scope_of_a_mention_follows_its_words(text: str, expected: str) -> None:
    (observation,) = figures(text)[0]
    assert observation.scope == expected


def test_a_year_in_a_remark_in_parentheses_is_not_the_time_of_the_figures_after_it() -> None:
    text = "为群众提供法律咨询600余次（2023年为510次），出具法律意见书18份。"
    assert scopes(text) == [("legal_consultations", 600, "year"), ("legal_advisor_opinions", 18, "year")]


def test_a_figure_under_a_plan_heading_is_a_plan_also_under_a_subheading() -> None:
    text = "一、工作成效\n全年开展普法宣传活动40场次。\n三、2025年工作计划\n（一）深化普法宣传\n开展普法宣传活动60场次。\n"
    assert scopes(text) == [("legal_publicity_events", 40, "year"), ("legal_publicity_events", 60, "plan")]


def test_without_the_report_year_a_named_year_decides_nothing() -> None:
    assert scopes("2023年共调处矛盾纠纷88起。", year=None) == [("disputes_mediated", 88, "year")]


# --- never canonical --------------------------------------------------------------------------


NEVER = (
    "一、主要成效\n今年共开展普法宣传活动30场次。同比2023年的共调解矛盾纠纷150起。近三年累计发放宣传资料9万份。"
    "全县共化解矛盾纠纷2100起。\n二、下一步工作计划\n力争全年共开展普法宣传活动100场次以上，组织集中学法20次。\n"
)


def test_plans_other_years_periods_and_other_bodies_are_never_the_years_value() -> None:
    observations, values = figures(NEVER)
    assert {o.scope for o in observations} == {"year", "plan", "other_year", "period", "other_body"}
    assert all(not o.canonical for o in observations if o.scope in NEVER_CANONICAL)
    assert set(values) == {"legal_publicity_events"}  # the only indicator stated for this year
    assert values["legal_publicity_events"].value == 30


def test_an_indicator_stated_only_in_a_plan_has_no_year_value() -> None:
    observations, values = figures("二、下步工作打算\n全年计划开展法治讲座10场。\n")
    assert observations and not values


# --- basis ------------------------------------------------------------------------------------


def test_a_stated_total_wins_over_its_activities() -> None:
    text = "开展“宪法进万家”活动8场次，开展民法典宣传活动12场次。全年共开展各类普法宣传活动36场次。"
    _, values = figures(text)
    v = values["legal_publicity_events"]
    assert (v.value, v.basis, v.flags) == (36, "stated_total", [])


def test_a_tally_over_one_activity_is_a_part_not_the_years_total() -> None:
    text = "围绕重点人群开展精准普法50余场。结合重要节点累计开展法律宣讲15次。"
    observations, values = figures(text)
    assert [o.scope for o in observations] == ["year", "part"]
    v = values["legal_publicity_events"]
    assert (v.value, v.qualifier, v.basis) == (50, "at_least", "single_mention")


def test_a_tally_that_no_mention_exceeds_is_the_years_total() -> None:
    _, values = figures("累计发放宣传手册3000份。")
    assert (values["materials_distributed"].value, values["materials_distributed"].basis) == (3000, "stated_total")


def test_parts_listed_together_are_added_when_no_total_is_stated() -> None:
    text = "全年召开依法治镇委员会会议3次、法治建设专题党委会2次，推动任务落实。"
    observations, values = figures(text)
    v = values["party_meetings_on_rule_of_law"]
    assert (v.value, v.basis, v.mentions) == (5, "sum_of_parts", [0, 1])
    assert [o.canonical for o in observations] == [True, True]
    assert [o.scope for o in observations] == ["part", "part"]


def test_committees_joined_by_he_are_added() -> None:
    _, values = figures("建成2个社区调委会和9个村调委会，实现调解组织全覆盖。")
    assert (values["mediation_committees"].value, values["mediation_committees"].basis) == (11, "sum_of_parts")


def test_mentions_in_different_clauses_are_not_added() -> None:
    text = "党委会研究法治建设工作3次，政府常务会议部署法治政府建设工作9次。"
    _, values = figures(text)
    v = values["party_meetings_on_rule_of_law"]
    assert (v.value, v.basis) == (3, "single_mention")  # the party's meetings, not the government's, not 12


def test_a_sum_keeps_the_weakest_qualifier() -> None:
    _, values = figures("发放宣传资料2000余份、宣传手册300份。")
    v = values["materials_distributed"]
    assert (v.value, v.qualifier, v.basis) == (2300, "at_least", "sum_of_parts")


def test_a_quan_nian_on_one_bodys_or_campaigns_count_gives_way_to_the_larger_count() -> None:
    """全年 says when, not how much: the 司法所's year, the 宣传车's year, are not the township's."""
    text = "乡司法所全年调处矛盾纠纷9起。乡村两级调解组织调处矛盾纠纷58起。普法大篷车全年巡回宣传11场，开展各类普法活动47场。"
    _, values = figures(text)
    assert (values["disputes_mediated"].value, values["disputes_mediated"].basis) == (58, "single_mention")
    assert (values["legal_publicity_events"].value, values["legal_publicity_events"].basis) == (47, "single_mention")
    _, values = figures("全年调处矛盾纠纷64件。镇综治中心全年直接调处纠纷19件。")
    assert (values["disputes_mediated"].value, values["disputes_mediated"].basis) == (64, "stated_total")  # exceeded by none


def test_a_total_of_a_body_inside_the_township_gives_way_to_the_larger_count() -> None:
    text = "镇党委理论学习中心组全年开展法治专题学习共计6次；坚持会前学法，全年会前学法27次。"
    _, values = figures(text)
    assert (values["law_study_sessions"].value, values["law_study_sessions"].basis) == (27, "stated_total")  # its 全年 exceeded by none


def test_a_count_of_mixed_business_gives_way_to_its_rule_of_law_qizhong() -> None:
    text = "镇党委会议全年研究部署法治建设、信访维稳、疫情防控等工作共19次，其中专题研究法治建设3次。"
    observations, values = figures(text)
    assert [(o.value, o.canonical) for o in observations] == [(19, False), (3, True)]
    assert values["party_meetings_on_rule_of_law"].value == 3
    text = "全年召开党委会9次研究部署法治建设、环境整治等工作，其中专题研究法治建设工作2次。"  # the subjects after the count
    assert figures(text)[1]["party_meetings_on_rule_of_law"].value == 2
    text = "党委中心组全年开展学习18次，其中学习宪法和法律法规5次。"
    assert figures(text)[1]["law_study_sessions"].value == 5


def test_a_bare_total_of_one_activity_gives_way_to_a_larger_count() -> None:
    text = "举办法治讲座5场、法律知识竞赛4场，共计9场。围绕重点人群开展各类普法活动40场。"  # the 9 totals two kinds only
    _, values = figures(text)
    assert (values["legal_publicity_events"].value, values["legal_publicity_events"].basis) == (40, "single_mention")
    text = "镇党委会专题研究法治工作2次，镇政府常务会研究依法行政工作3次，合计5次。"  # a bare total of its parts, exceeded by none
    assert (figures(text)[1]["party_meetings_on_rule_of_law"].value, figures(text)[1]["party_meetings_on_rule_of_law"].basis) == (5, "stated_total")


def test_a_list_of_bodies_is_no_mixed_business() -> None:
    assert mixed_subjects("研究部署法治建设、乡村振兴等工作8次")
    assert not mixed_subjects("党委会、主任办公会会前学法共计26次")
    assert not mixed_subjects("集中学习习近平法治思想和宪法、民法典等内容6次")


def test_the_governments_meetings_give_way_but_a_party_meetings_total_or_qizhong_does_not() -> None:
    text = "镇党委会专题研究法治工作2次，镇政府常务会研究依法行政工作4次，合计6次。"
    assert (figures(text)[1]["party_meetings_on_rule_of_law"].value, figures(text)[1]["party_meetings_on_rule_of_law"].basis) == (6, "stated_total")
    text = "镇党委召开会议23次，其中专题研究法治政府建设4次；召开依法治镇委员会会议1次。"
    assert figures(text)[1]["party_meetings_on_rule_of_law"].value == 4


# --- flags ------------------------------------------------------------------------------------


def test_a_stated_total_below_another_mention_is_kept_and_flagged() -> None:
    text = "我镇共开展普法宣传15余次。开展各类专题法治宣传活动25余次。"
    _, values = figures(text)
    v = values["legal_publicity_events"]
    assert (v.value, v.basis, v.flags) == (15, "stated_total", ["total_below_mention"])


def test_parts_above_a_stated_total_are_flagged() -> None:
    text = "全年共开展普法活动10场次。开展法治讲座6场次、普法宣传活动8场次。"
    _, values = figures(text)
    v = values["legal_publicity_events"]
    assert v.value == 10 and "parts_above_total" in v.flags


def test_report_flags_carry_the_value_flags() -> None:
    document = Document(url="mem://r", title="某镇2024年法治政府建设年度报告", text="2024年，我镇共开展普法宣传15余次。开展各类专题法治宣传活动25余次。", format="txt")
    extraction = extract_report(document)
    assert any(f.code == "total_below_mention" for f in extraction.flags)


# --- one unit a column ------------------------------------------------------------------------


def test_people_in_ren_and_in_renci_are_two_columns() -> None:
    _, values = figures("受益群众3000余人次。覆盖群众1万余人。")
    assert (values["people_reached"].value, values["people_reached"].unit) == (3000, "人次")
    persons = values["people_reached_persons"]
    assert (persons.value, persons.unit, persons.qualifier) == (10000, "人", "at_least")


def test_training_hours_are_not_added_to_training_sessions() -> None:
    _, values = figures("组织执法人员参加执法培训3次。全年共开展执法人员法治培训40课时。")
    assert (values["enforcement_training"].value, values["enforcement_training"].unit) == (3, "次")
    assert (values["enforcement_training_hours"].value, values["enforcement_training_hours"].unit) == (40, "课时")


def test_equivalent_counting_words_share_the_columns_unit() -> None:
    _, values = figures("调处婚姻家庭纠纷6起、邻里纠纷4宗、土地纠纷3件。")
    v = values["disputes_mediated"]
    assert (v.value, v.unit, v.basis) == (13, "件", "sum_of_parts")


# --- the seeds, end to end --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, key, value, qualifier, basis, flags",
    [
        ("xicang", "party_meetings_on_rule_of_law", 6, "exact", "sum_of_parts", []),
        ("xicang", "legal_publicity_events", 40, "at_least", "single_mention", []),
        ("yongjia", "mediation_committees", 12, "exact", "sum_of_parts", []),
        ("yongjia", "people_reached_persons", 10000, "at_least", "single_mention", []),
        ("xihu", "party_meetings_on_rule_of_law", 5, "at_least", "single_mention", []),  # a single mention: a lower bound
        ("xihu", "enforcement_training_hours", 68, "exact", "stated_total", []),
        ("chuanxi", "legal_publicity_events", 20, "at_least", "stated_total", ["total_below_mention"]),
    ],
)
def test_the_cases_of_the_issue_on_the_seeds(name: str, key: str, value: float, qualifier: str, basis: str, flags: list[str]) -> None:
    from parsers import read_document

    path = seed_path(name)
    values = {v.indicator: v for v in extract_report(read_document(path.read_bytes(), str(path))).values}
    v = values[key]
    assert (v.value, v.qualifier, v.basis, v.flags) == (value, qualifier, basis, flags)


def test_year_values_is_idempotent_and_points_at_its_mentions() -> None:
    text = "全年召开依法治镇委员会会议3次、法治建设专题党委会2次。开展普法活动12场。"
    normalised = normalise(text)
    observations, values = extract_figures(normalised, 2024)
    again, values_again = year_values(observations, normalised.text)
    assert again == observations and values_again == values
    for v in values:
        assert all(observations[i].indicator == v.indicator and observations[i].canonical for i in v.mentions)


def test_a_half_years_figure_is_a_part_and_alone_is_flagged() -> None:
    observations, values = figures("上半年开展普法活动10场。")
    assert observations[0].scope == "part"
    assert (values["legal_publicity_events"].value, values["legal_publicity_events"].flags) == (10, ["only_part_of_year"])
    observations, values = figures("1-11月累计调解纠纷220件。全年共调解矛盾纠纷236件。")
    assert [o.scope for o in observations] == ["part", "year"]
    assert (values["disputes_mediated"].value, values["disputes_mediated"].basis) == (236, "stated_total")


def test_the_release_table_carries_the_sum_of_parts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """indicators.csv shows 西仓镇's meetings as 6 (2 + 4 listed together), 永加乡's committees as 12."""
    import csv

    from flows import release, store
    from flows.records import Night
    from parsers.models import Source
    from tests.helpers import NOW, all_seeds

    with store.open_store(tmp_path / "fazhi.sqlite") as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        info = release.cut_release(conn, tmp_path / "releases", [Source(id="demo", name="演示", listing=["http://demo.gov.cn/"])], NOW)
    assert info is not None
    with (tmp_path / "releases" / info.version / "indicators.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["township"]: row for row in csv.DictReader(handle)}
    assert float(rows["西仓镇"]["party_meetings_on_rule_of_law"]) == 6
    assert float(rows["永加乡"]["mediation_committees"]) == 12
    assert float(rows["永加乡"]["people_reached_persons"]) == 10000 and rows["永加乡"]["people_reached"] == ""


def test_plan_words_in_a_report_of_the_past_year_do_not_make_a_plan() -> None:
    text = "一、工作成效\n（二）强化工作计划落实\n紧扣“八五”普法目标任务，开展普法宣传活动30场次。\n"
    assert scopes(text) == [("legal_publicity_events", 30, "year")]
    plan = "四、下一年推进法治政府建设的主要安排\n（一）精准普法\n目标是开展普法宣传活动40场次。\n"
    assert scopes(plan) == [("legal_publicity_events", 40, "plan")]


def test_a_bare_total_after_its_parts_is_the_stated_total() -> None:
    observations, values = figures("开展法治讲座5场、普法宣传活动20场，共计25场。")
    assert [(o.indicator, o.value) for o in observations] == [("legal_publicity_events", 5), ("legal_publicity_events", 20), ("legal_publicity_events", 25)]
    v = values["legal_publicity_events"]
    assert (v.value, v.basis, v.flags) == (25, "stated_total", [])


def test_a_heading_of_the_years_measures_is_not_a_plan() -> None:
    """"主要工作举措" heads what was done; only the heading of next year's work makes plans."""
    text = ("关于2024年度法治政府建设工作情况的报告\n一、主要工作举措\n全年召开党委会专题研究法治工作5次，组织集中学法12次。\n"
            "二、下一步工作计划\n力争开展普法宣传活动不少于40场次。\n")
    observations, _ = extract_figures(normalise(text), 2024)
    scopes = {o.value: o.scope for o in observations}
    assert scopes[5] == "year" and scopes[12] == "year" and scopes[40] == "plan"


def test_a_year_compared_with_governs_only_its_own_clause() -> None:
    """"比2022年增加6场" names the year compared with; the figures after it in the sentence are still this year's."""
    text = "全年开展法治讲座18场，比2022年增加6场，发放法律读本2400册，解答法律咨询310人次。"
    assert scopes(text) == [("legal_publicity_events", 18, "year"), ("materials_distributed", 2400, "year"),
                            ("legal_consultations", 310, "year")]
    assert scopes("较2022年的96件，全年调处矛盾纠纷80件。") == [("disputes_mediated", 80, "year")]
    assert scopes("全年调处矛盾纠纷80件，较2022年的96件有所下降。")[0][2] == "year"
    assert scopes("2022年为4次，全年召开党委会专题研究法治工作6次。") == [("party_meetings_on_rule_of_law", 6, "year")]


def test_a_higher_bodys_website_is_the_channel_not_the_body() -> None:
    """The township publishes through the county's portal: its own figure, not the county's."""
    assert scopes("全年依托县政府门户网站主动公开政府信息132条。") == [("info_disclosed_items", 132, "year")]
    assert scopes("全年通过市政府网站主动公开信息75条。") == [("info_disclosed_items", 75, "year")]
    assert scopes("县政府全年主动公开政府信息5200条。") == [("info_disclosed_items", 5200, "other_body")]


# --- A look-alike or another level's document gives no township figures (issue 25) -----------------


@pytest.mark.parametrize(
    "title, township",
    [
        ("永嘉县人民政府关于2024年度法治政府建设情况的报告", False),  # a county's report: level county
        ("西湖镇2025年普法宣传工作方案", False),  # a plan: kind other
        ("西湖镇2024年法治政府建设年度报告", True),  # the township's own report
    ],
)
def test_only_a_township_report_gives_township_figures(title: str, township: bool) -> None:
    body = "2024年，镇党委召开法治专题会议5次，开展法治宣传活动20场次，选出人民陪审员5人。"
    extraction = extract_report(Document(url="http://demo.gov.cn/a.html", title=title, text=f"{title}\n{body}", format="txt"))
    assert len(extraction.observations) == 3  # every mention is kept for a reader
    if township:
        assert {v.indicator for v in extraction.values} == {"party_meetings_on_rule_of_law", "legal_publicity_events"}
    else:
        assert extraction.values == []
        assert all(o.scope == "other_body" and not o.canonical for o in extraction.observations)
