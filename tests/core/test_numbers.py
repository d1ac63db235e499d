import pytest

from parsers.figures.numbers import Number, parse_chinese_numeral, parse_number


@pytest.mark.parametrize(
    "text, value, qualifier",
    [
        ("20场次", 20, "exact"),
        ("6500余份", 6500, "at_least"),
        ("2万份", 20000, "exact"),
        ("1万余人", 10000, "at_least"),
        ("1.2万人次", 12000, "exact"),
        ("近300人", 300, "approx"),
        ("约50次", 50, "approx"),
        ("300人左右", 300, "approx"),
        ("200人以上", 200, "at_least"),
        ("40多场", 40, "at_least"),
        ("1,200份", 1200, "exact"),
        ("十二次", 12, "exact"),
        ("二十三件", 23, "exact"),
        ("两次", 2, "exact"),
        ("一百零五人", 105, "exact"),
        ("超3000人次", 3000, "at_least"),
        ("不少于12次", 12, "at_least"),
        ("多达500份", 500, "at_least"),
        ("近千人", 1000, "approx"),
        ("两千余份", 2000, "at_least"),
        ("5000余本", 5000, "at_least"),
        ("1.5万余人次", 15000, "at_least"),
    ],
)
def test_parse_number(text: str, value: float, qualifier: str) -> None:
    assert parse_number(text) == Number(value=value, qualifier=qualifier)


@pytest.mark.parametrize("text, value", [("二〇二五", 2025), ("十", 10), ("十四", 14), ("三十", 30), ("九", 9)])
def test_parse_chinese_numeral(text: str, value: int) -> None:
    assert parse_chinese_numeral(text) == value


def test_parse_number_without_a_number_is_an_error() -> None:
    with pytest.raises(ValueError, match="no number"):
        parse_number("法治建设")


@pytest.mark.parametrize("text, value, qualifier", [("3千份", 3000, "exact"), ("20至30人", 20, "at_least"), ("20-30场", 20, "at_least")])
def test_thousands_multiplier_and_ranges(text: str, value: float, qualifier: str) -> None:
    assert parse_number(text) == Number(value=value, qualifier=qualifier)


@pytest.mark.parametrize("text, value", [("九十七点八", 97.8), ("百", 100), ("九十五", 95), ("99.5", 99.5), ("八十点零五", 80.05)])
def test_percent_written_in_words(text: str, value: float) -> None:
    from parsers.figures.numbers import percent_value

    assert percent_value(text) == pytest.approx(value)
