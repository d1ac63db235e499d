"""The re-extraction's speed-ups give the answers of the plain definitions they replaced.

A township's path spellings are looked up as the county's prefix plus the township's own spelling
(the dictionary of every prefixed spelling cost 1 ms a county and thrashed a bounded cache); the
binary sniff counts control bytes with ``bytes.translate`` instead of a Python loop.
"""

import re
from itertools import islice

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.figures.canonical import OTHER_BODY, PART_OF_YEAR, TIME_NAMED
from parsers.identity.identify import BREADCRUMB
from parsers.identity.places import COUNTY_VOICES
from parsers.identity.register import (
    PATH_SEGMENT,
    PATH_WORDS,
    _path_spellings,
    _spellings,
    _township_pinyin,
    load_register,
    township_stem,
    townships_in_path,
    townships_of,
)
from parsers.models import Heading
from parsers.read.formats import _TEXT_BOMS, _looks_binary
from parsers.read.normalise import (
    _ARTEFACTS,
    _CHINESE_FORM,
    _DECIMAL_POINT,
    _FULL_WIDTH,
    _PAGE_NUMBER_LINE,
    _PROSE_PUNCTUATION,
    _SPACES,
    HEADING_PATTERNS,
    MAX_HEADING_CHARS,
    POINT,
    POINT_LEVEL,
    clean_lines,
    find_headings,
)


def _prefixed_spellings(county: str) -> dict[str, set[str]]:
    """The definition as it stood: every spelling of every township, alone and after each of the
    county's spellings of at most four letters."""
    register = load_register()
    spelled = _township_pinyin()
    prefixes = {p for p in _spellings(register.pinyin.get(county, "")) if len(p) <= 4} | {""}
    found: dict[str, set[str]] = {}
    for township in townships_of(county):
        syllables = spelled.get(township.code, "").split()
        stem = township_stem(township.name)
        stem_syllables = " ".join(syllables[: len(stem)]) if len(stem) < len(township.name) else ""
        own = {s for s in _spellings(" ".join(syllables)) if len(s) >= 3} | {s for s in _spellings(stem_syllables) if len(s) >= 4}
        for spelling in own:
            for prefix in prefixes:
                found.setdefault(prefix + spelling, set()).add(township.code)
    return found


def _expected(url_segments: list[str], counties: list[str]) -> list[tuple[str, str]]:
    by_segment: dict[str, set[str]] = {}
    for county in counties:
        spellings = _prefixed_spellings(county)
        for segment in url_segments:
            if segment in spellings:
                by_segment.setdefault(segment, set()).update(spellings[segment])
    return sorted((next(iter(codes)), segment) for segment, codes in by_segment.items() if len(codes) == 1)


def _sample_counties(step: int) -> list[str]:
    return list(islice(sorted(load_register().counties), 0, None, step))


def test_every_prefixed_spelling_of_sampled_counties_finds_what_the_full_dictionary_found() -> None:
    checked = 0
    for county in _sample_counties(60):
        for spelling in _prefixed_spellings(county):
            if not PATH_SEGMENT.fullmatch(spelling) or spelling in PATH_WORDS:
                continue
            url = f"https://www.example.gov.cn/zwgk/{spelling}/art_1.html"
            assert sorted(townships_in_path(url, [county])) == _expected([spelling], [county]), (county, spelling)
            checked += 1
    assert checked > 1000  # the sample covers real spellings, prefixed and not


def test_segments_shared_by_two_counties_and_near_misses_decide_as_before() -> None:
    counties = _sample_counties(97)
    for first, second in zip(counties, counties[1:]):
        spellings = [s for s in islice(_prefixed_spellings(first), 0, 40) if PATH_SEGMENT.fullmatch(s) and s not in PATH_WORDS]
        # The spellings themselves, each one letter short and one letter long (no township's, mostly).
        segments = sorted({*spellings, *(s[:-1] for s in spellings if len(s) > 3), *(s + "x" for s in spellings)})
        url = "http://www.example.gov.cn/" + "/".join(segments) + "/index.html"
        assert sorted(townships_in_path(url, [first, second])) == _expected([s for s in segments if s not in PATH_WORDS], [first, second])


def test_path_spellings_are_kept_for_every_county_of_the_register() -> None:
    """A bounded cache smaller than the register rebuilt most counties' spellings at national scale."""
    maxsize = _path_spellings.cache_info().maxsize
    assert maxsize is None or maxsize >= len(load_register().counties)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600).filter(lambda b: b"\x00" not in b and not b.startswith(_TEXT_BOMS)))
def test_binary_sniff_counts_control_bytes_as_the_loop_did(head: bytes) -> None:
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    assert _looks_binary(head) == (controls > max(8, len(head) // 50))


def test_binary_sniff_at_the_threshold() -> None:
    text = "法治政府建设年度报告\t第一部分\r\n".encode() * 20
    assert not _looks_binary(text)
    assert not _looks_binary(b"a" * 450 + b"\x01" * 9)  # 9 control bytes in 459: max(8, 9) not exceeded
    assert _looks_binary(b"a" * 450 + b"\x1f" * 10)  # 10 > 9
    assert not _looks_binary(b"a" * 450 + b"\t\n\x0b\x0c\r" * 10)  # tab to carriage return are text


# The extraction rules' speed-ups (issue 25's "keep" goal): each against the definition it replaced.

# Characters the outline, time, body and voice patterns turn on, and some they do not.
_RULE_CHARS = list("一二三十是、（）()。；;，,:\n\r 1２٣.．\t\f第页共-—法镇县区旗委政府人民全我本十近两四五历多成建今年当上下半季度月截至到以来间里大立街乡级司法院门户网站首当您位>»＞→")
_rule_text = st.lists(st.sampled_from(_RULE_CHARS + ["一是", "二、", "（三）", "1.", "2023年", "十四五", "以来", "区政府", "全县", "首页", "  "]),
                      max_size=30).map("".join)


def _headings_line_by_line(text: str) -> list[Heading]:
    """The outline as it was found: four patterns tried on each line."""
    headings, offset = [], 0
    for line in text.split("\n"):
        for level, pattern in HEADING_PATTERNS:
            if pattern.match(line):
                cut = re.search(r"[。；;]", line)
                head = line[: cut.start() if cut else len(line)][:MAX_HEADING_CHARS]
                headings.append(Heading(text=head, start=offset, end=offset + len(head), level=level))
                break
        headings += [Heading(text=p.group(0), start=offset + p.start(), end=offset + p.end(), level=POINT_LEVEL) for p in POINT.finditer(line)]
        offset += len(line) + 1
    return sorted(headings, key=lambda h: h.start)


@settings(max_examples=400, deadline=None)
@given(_rule_text)
def test_the_outline_over_the_whole_text_is_the_outline_line_by_line(text: str) -> None:
    assert find_headings(text) == _headings_line_by_line(text)


def _without_lead(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern without its first-character lookahead: what it was before."""
    lead = re.match(r"\(\?=\[[^\]]*\]\)", pattern.pattern)
    assert lead, f"{pattern.pattern} has no first-character lookahead"
    return re.compile(pattern.pattern[lead.end():], pattern.flags)


LED = [TIME_NAMED, PART_OF_YEAR, OTHER_BODY, BREADCRUMB, *COUNTY_VOICES.values()]


@settings(max_examples=400, deadline=None)
@given(_rule_text)
def test_a_first_character_lookahead_changes_no_match(text: str) -> None:
    for pattern in LED:
        plain = _without_lead(pattern)
        assert [(m.span(), m.groups()) for m in pattern.finditer(text)] == [(m.span(), m.groups()) for m in plain.finditer(text)], pattern.pattern


@settings(max_examples=400, deadline=None)
@given(_rule_text)
def test_substitutions_skipped_when_nothing_to_replace_change_nothing(text: str) -> None:
    """clean_lines runs a substitution only when the text holds what it replaces: the same as always."""
    expected = _ARTEFACTS.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).translate(_FULL_WIDTH)
    expected = _SPACES.sub(" ", expected)
    expected = _DECIMAL_POINT.sub(".", expected)
    expected = _PROSE_PUNCTUATION.sub(lambda m: _CHINESE_FORM[m.group(0)], expected)
    expected = "\n".join(line for raw in expected.split("\n") if (line := raw.strip()) and not _PAGE_NUMBER_LINE.match(line))
    assert clean_lines(text) == expected


def test_the_lookahead_test_sees_a_lookahead_that_misses_a_first_character() -> None:
    """A lead that leaves out a first character (全 of 全县) would drop matches: the check above sees it."""
    narrow = re.compile(r"(?=[县我本])" + COUNTY_VOICES["县"].pattern.split(")", 1)[1])
    assert [m.span() for m in narrow.finditer("全县推进")] != [m.span() for m in _without_lead(COUNTY_VOICES["县"]).finditer("全县推进")]
