"""Numbers as reports write them → value and qualifier.

"6500余份" (and "210 余件", a space before 余) is at least 6,500; "近300人" about 300; "2万份" 20,000; "十二次" 12; "1.2万人次"
12,000. One parser for all of them, so the extractor and the date readers agree.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..models import Qualifier

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
MULTIPLIERS = {"万": 10_000, "千": 1_000, "亿": 100_000_000}
AT_LEAST = ("余", "多", "以上", "超过", "超", "逾", "不少于", "多达")
APPROX = ("近", "约", "左右", "大约", "将近")

# Bounded: a count has a few digits; a run of thousands (a hostile page) is no number, and
# int() refuses strings of more than 4,300 digits.
CN_NUMERAL = "[〇零一二两三四五六七八九十百千]{1,12}"
ARABIC = r"\d{1,3}(?:,\d{3}){1,4}(?:\.\d{1,6})?|\d{1,12}(?:\.\d{1,6})?"
# A range ("20至30人", "20-30人") states at least its lower end.
RANGE_TAIL = rf"(?:(?P<range>至|到|-|—|~|～)(?:{ARABIC})(?:万|千|亿)?)?"
PRE_WORDS = ("超过", "不少于", "多达", "大约", "将近", "逾", "超", "近", "约")
# The characters a number (with its 超过/约 …) can start with: a lookahead on them lets the regex
# engine leave most positions of a text after one character test (a third of extraction's time).
NUMBER_START = "(?=[\\d〇零一二两三四五六七八九十百千" + "".join(sorted({w[0] for w in PRE_WORDS})) + "])"
NUMBER = re.compile(
    rf"(?P<pre>{'|'.join(PRE_WORDS)})?(?P<num>{ARABIC}|{CN_NUMERAL})(?P<mult>万|千|亿)?(?:[ \t]?(?P<post>余|多))?{RANGE_TAIL}"
)


# A percentage in words ("百分之九十七点八", "百分之百"), read by ``percent_value``.
CN_DECIMAL = "点[〇零一二三四五六七八九]{1,6}"
PERCENT_WORDS = rf"百分之(?P<pct>{ARABIC}|{CN_NUMERAL}(?:{CN_DECIMAL})?)"


class Number(NamedTuple):
    value: float
    qualifier: Qualifier


def parse_chinese_numeral(text: str) -> int:
    """十二 → 12, 二十三 → 23, 一百零五 → 105, 二〇二五 → 2025 (digit by digit)."""
    if not any(c in CN_UNITS for c in text):
        return int("".join(str(CN_DIGITS[c]) for c in text))
    total, digit = 0, 0
    for char in text:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        else:
            total += (digit or 1) * CN_UNITS[char]
            digit = 0
    return total + digit


def percent_value(text: str) -> float:
    """The number after 百分之: "九十七点八" → 97.8, "百" → 100, "99.5" → 99.5."""
    if text[0].isdigit():
        return float(text.replace(",", ""))
    whole, _, decimals = text.partition("点")
    fraction = "".join(str(CN_DIGITS[c]) for c in decimals)
    return parse_chinese_numeral(whole) + (float("0." + fraction) if fraction else 0.0)


def to_value(num: str, mult: str | None = None) -> float:
    value = float(num.replace(",", "")) if num[0].isdigit() else float(parse_chinese_numeral(num))
    return value * MULTIPLIERS[mult] if mult else value


def qualifier_of(before: str | None, after: str | None) -> Qualifier:
    if (before and before in AT_LEAST) or (after and after in AT_LEAST):
        return "at_least"
    if (before and before in APPROX) or (after and after in APPROX):
        return "approx"
    return "exact"


def parse_number(text: str) -> Number:
    """The number a short phrase states: '1万余' → (10000, at_least), '近300' → (300, approx)."""
    m = NUMBER.search(text)
    if not m:
        raise ValueError(f"no number in {text!r}")
    trailing = text[m.end():].strip()
    after = m.group("post") or next((q for q in ("以上", "左右") if trailing.endswith(q)), None)
    if m.group("range"):
        after = "以上"
    return Number(to_value(m.group("num"), m.group("mult")), qualifier_of(m.group("pre"), after))
