from parsers.figures.checks import check_observations
from parsers.figures.extract import extract_observations
from parsers.read.normalise import normalise


def flags(text: str) -> dict[str, str]:
    return {f.code: f.detail for f in check_observations(extract_observations(normalise(text)))}


def test_success_larger_than_total_is_flagged_not_corrected() -> None:
    found = flags("全年共调解矛盾纠纷20起，调解成功25起，调解成功率100%。")
    assert found["part_exceeds_whole"] == "disputes_mediation_success 25 > disputes_mediated 20"


def test_a_stated_rate_more_than_two_points_off_is_flagged() -> None:
    found = flags("共成功调解矛盾纠纷157起，调解成功154起，调解成功率均达95%。")
    assert found["rate_mismatch"] == "mediation_success_rate_pct 95% but 154/157 = 98.1%"
    assert "rate_mismatch" not in flags("共成功调解矛盾纠纷157起，调解成功154起，调解成功率均达98%。")


def test_resolved_petitions_above_received_are_flagged() -> None:
    assert "part_exceeds_whole" in flags("接收信访案件10件，已化解12件。")


def test_a_value_implausible_for_a_township_is_flagged() -> None:
    found = flags("全年调解矛盾纠纷90000起。")
    assert found["implausible_value"].startswith("disputes_mediated 90000 起 is above 5000")


def test_several_different_values_of_one_indicator_are_flagged() -> None:
    assert flags("开展普法活动8场次。开展宪法宣传10场次。")["several_values"] == "legal_publicity_events: 8, 10"


def test_a_consistent_report_has_no_flags() -> None:
    assert flags("全年调解矛盾纠纷20起，调解成功20起，调解成功率100%。发放宣传资料500份。") == {}


def test_the_year_values_are_checked_when_given() -> None:
    """A sum of parts (several canonical mentions) is compared as the sum, and value flags surface."""
    from parsers.models import IndicatorValue, Observation

    def obs(key: str, value: float) -> Observation:
        return Observation(indicator=key, value=value, unit="件", qualifier="exact", quote=f"{key}{value:g}件", start=0, end=1, canonical=True)

    observations = [obs("disputes_mediated", 6), obs("disputes_mediated", 5), obs("disputes_mediation_success", 10)]
    whole = IndicatorValue(indicator="disputes_mediated", value=11, unit="件", qualifier="exact", basis="sum_of_parts", mentions=[0, 1],
                           flags=["total_below_mention"])
    part = IndicatorValue(indicator="disputes_mediation_success", value=10, unit="件", qualifier="exact", basis="single_mention", mentions=[2])
    codes = [f.code for f in check_observations(observations, [whole, part])]
    assert "part_exceeds_whole" not in codes  # 10 of 11, not of the last part (5)
    assert "total_below_mention" in codes
    assert "part_exceeds_whole" in [f.code for f in check_observations(observations)]  # without the values: mention by mention
