"""Published text → one normal form that extraction and search can rely on.

Readers are shown the original; figures are found in the normal form: simplified characters
(OpenCC t2s), half-width digits and letters, no Word/PDF conversion debris, one paragraph per
line. Chinese punctuation in prose is kept, and half-width clause punctuation in prose becomes
Chinese: it carries the clause structure extraction needs.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache
from typing import Literal

import opencc

from ..models import Document, Heading, Normalised

# Full-width forms that carry numbers or codes; Chinese prose punctuation (，。：；“”) is kept.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_FULL_WIDTH[0xFF05] = ord("%")
_FULL_WIDTH[0x3000] = ord(" ")
_FULL_WIDTH[0x00A0] = ord(" ")
_HAS_FULL_WIDTH = re.compile("[" + "".join(f"\\u{cp:04x}" for cp in sorted(_FULL_WIDTH)) + "]")

_ARTEFACTS = re.compile(r"\[bookmark:[^\]]*\]|\[(?:image|picture): ?[^\]]*\]", re.IGNORECASE)
# A line that is only a page number: "3", "- 3 -", "—3—", "第3页", "第 3 页 共 9 页".
_PAGE_NUMBER_LINE = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}(?:\s*页(?:\s*共\s*\d+\s*页)?)?[-—–\s]*$")
_SPACES = re.compile(r"[ \t\f\v]+")
# Each of these starts with a lookahead on its one character: a look-behind first would be tried at
# every position of the text (three times slower).
_DECIMAL_POINT = re.compile(r"(?=．)(?<=\d)．(?=\d)")
# Half-width clause punctuation in Chinese prose (common in Word exports) becomes its Chinese form,
# so that one punctuation class splits clauses; "1,200" and "16:11" keep theirs.
_PROSE_PUNCTUATION = re.compile(r"(?=[,;:])(?:(?<!\d),|,(?!\d)|;|(?<=[\u4e00-\u9fff）)]):)")
_CHINESE_FORM = {",": "，", ";": "；", ":": "："}

_CN_NUM = "一二三四五六七八九十"
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^[{_CN_NUM}]+、")),
    (2, re.compile(rf"^[（(][{_CN_NUM}]+[）)]")),
    (3, re.compile(r"^\d{1,2}[、.](?!\d)")),
)
MAX_HEADING_CHARS = 60  # longest heading line in the seeds is 38 chars; longer lines are paragraphs
# "一是……。二是……。": enumerated points inside a paragraph, the outline's lowest level.
POINT = re.compile(rf"(?:^|(?<=[。；]))([{_CN_NUM}]+是)[^。；，]{{1,30}}")
POINT_LEVEL = 4
SECTION_MAX_LEVEL = 3  # figures are placed under a section heading, not under an inline 一是


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return str(_t2s().convert(text))


def detect_script(original: str, simplified: str) -> str:
    """Traditional when t2s changed more than 2% of the Han characters (and at least 5)."""
    if original == simplified:  # most reports: a string comparison instead of two passes in Python
        return "simplified"
    han = sum(1 for c in original if "\u4e00" <= c <= "\u9fff")
    changed = sum(1 for a, b in zip(original, simplified) if a != b)
    return "traditional" if han and changed >= 5 and changed / han > 0.02 else "simplified"


_ASTRAL = re.compile("[\\U00010000-\\U0010ffff]")


# Invisible code points outside category Cf that pages (hostile or careless) put inside names and
# figures: Unicode's Default_Ignorable_Code_Point set less its Cf members (DerivedCoreProperties.txt,
# Unicode 15: combining grapheme joiner U+034F, Hangul fillers U+115F/U+1160/U+3164/U+FFA0, Khmer
# inherent vowels U+17B4/U+17B5, Mongolian free variation selectors U+180B-180D/U+180F, the
# variation selectors U+FE00-FE0F and U+E0100-E01EF, the reserved U+2065, U+FFF0-FFF8 and
# U+E0000-E0FFF), and the braille pattern blank U+2800, a blank that is not a space. Typed in as
# ranges: Python's unicodedata has no Default_Ignorable property. A variation selector after an
# ideograph asks for a glyph variant; the ideograph is the same character without it.
INVISIBLE_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2065, 0x2065), (0x2800, 0x2800),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Compatibility forms of ideographs (PDF text layers are full of them: ⽊ U+2F4A for 木): mapped one
# to one onto the unified ideograph, so that a name resolves and no offset moves. NFKC gives the
# 214 Kangxi radicals, NFC the CJK compatibility ideographs (U+F900-FAFF, U+2F800-2FA1F); the CJK
# Radicals Supplement has NFKC forms for two only (⺟ ⻳), so its radicals that are whole simplified
# or traditional characters (⻄ 西, ⻅ 见, ⻓ 长, ⻔ 门, ⻢ 马, ⻥ 鱼, ⻰ 龙, ⻩ 黄 …) are listed here, from
# the Unicode charts; component-only forms (⺌, ⺗ …) name no character and are kept. NFKC is not
# applied to the whole text: it would turn the Chinese punctuation (，：；) the clause splitter
# needs into ASCII, and ① or ㎡ into several characters (shifting every later offset).
RADICAL_SUPPLEMENT = {
    0x2E86: "冂", 0x2E8A: "卜", 0x2E92: "巳", 0x2E95: "彐", 0x2E96: "忄", 0x2E98: "扌", 0x2E9C: "日", 0x2E9D: "月",
    0x2EA0: "民", 0x2EA1: "氵", 0x2EA3: "灬", 0x2EA4: "爫", 0x2EA6: "丬", 0x2EA9: "王", 0x2EAA: "疋", 0x2EAD: "礻",
    0x2EB2: "罒", 0x2EBC: "月", 0x2EC1: "虎", 0x2EC2: "衤", 0x2EC4: "西", 0x2EC5: "见", 0x2EC6: "角", 0x2EC8: "讠",
    0x2EC9: "贝", 0x2ECB: "车", 0x2ECC: "辶", 0x2ECD: "辶", 0x2ECF: "阝", 0x2ED0: "钅", 0x2ED1: "長", 0x2ED3: "长",
    0x2ED4: "门", 0x2ED6: "阝", 0x2ED8: "青", 0x2ED9: "韦", 0x2EDA: "页", 0x2EDB: "风", 0x2EDC: "飞", 0x2EDD: "食",
    0x2EDF: "飠", 0x2EE0: "饣", 0x2EE2: "马", 0x2EE3: "骨", 0x2EE4: "鬼", 0x2EE5: "鱼", 0x2EE6: "鸟", 0x2EE7: "卤",
    0x2EE8: "麦", 0x2EE9: "黄", 0x2EEA: "黾", 0x2EEB: "斉", 0x2EEC: "齐", 0x2EED: "歯", 0x2EEE: "齿", 0x2EEF: "竜",
    0x2EF0: "龙", 0x2EF1: "龜", 0x2EF2: "亀",
}
_COMPATIBLE_IDEOGRAPH = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


@lru_cache(maxsize=1)
def _ideograph_table() -> dict[int, str]:
    table: dict[int, str] = {}
    blocks: tuple[tuple[int, int, Literal["NFC", "NFKC"]], ...] = (
        (0x2E80, 0x2EFF, "NFKC"), (0x2F00, 0x2FDF, "NFKC"), (0xF900, 0xFAFF, "NFC"), (0x2F800, 0x2FA1F, "NFC"))
    for first, last, form in blocks:
        for code in range(first, last + 1):
            mapped = unicodedata.normalize(form, chr(code))
            if mapped != chr(code) and len(mapped) == 1:
                table[code] = mapped
    table.update({code: char for code, char in RADICAL_SUPPLEMENT.items() if code not in table})
    return table


def invisible_code_points() -> list[int]:
    """Every code point normalisation removes: category Cf and INVISIBLE_RANGES."""
    points = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    points.update(c for first, last in INVISIBLE_RANGES for c in range(first, last + 1))
    return sorted(points)


@lru_cache(maxsize=1)
def _format_characters() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every invisible code point (category Cf and INVISIBLE_RANGES), as two character classes:
    those of the Basic Multilingual Plane, and the others.

    Built from unicodedata rather than typed in, so it follows Python's Unicode version; the
    patterns hold escapes (\\U0000202e), not the invisible characters themselves. Split in two
    because a class of BMP characters is a bitmap to the regex engine, while one that also holds
    astral ranges is a list of ranges tried in turn (a 2,185-character report: 6 µs to search, or
    180–360 µs, a tenth of all normalisation)."""
    points = invisible_code_points()

    def character_class(codes: list[int]) -> re.Pattern[str]:
        return re.compile("[" + "".join(f"\\U{c:08x}" for c in codes) + "]")

    return character_class([c for c in points if c <= 0xFFFF]), character_class([c for c in points if c > 0xFFFF])


def strip_format_characters(text: str) -> str:
    """Remove invisible characters (category Cf: zero-width space, joiners, BOM, soft hyphen,
    bidirectional overrides; and the other default-ignorable ones: variation selectors, the
    combining grapheme joiner, Hangul fillers, the braille blank) and map compatibility forms of
    ideographs (Kangxi radicals ⽊ → 木) onto the ideograph.

    They carry no meaning in a report, and hostile or careless pages use them to break what is
    read: 胡吉尔 U+200B 台乡 was read as 台乡, 1 U+200B 2次 as 2, 8 U+034F 1件 as 1, and a U+202E in a
    title reverses the text shown after it. Removed before anything is identified or extracted, so
    every offset (quotes, headings) is an offset into the cleaned text."""
    basic, astral = _format_characters()
    if basic.search(text):  # most texts have none: a search, and no copy
        text = basic.sub("", text)
    if _ASTRAL.search(text) and astral.search(text):  # a class of one range is fast; the astral class is not
        text = astral.sub("", text)
    if _COMPATIBLE_IDEOGRAPH.search(text):
        text = text.translate(_ideograph_table())
    return text


def clean_document(document: Document) -> Document:
    """The document with format characters removed from its title, metadata and attachment names
    too (the body is cleaned by ``normalise``): identification reads the title and the declared
    publisher, and a zero-width space there splits a township's name as well."""
    return document.model_copy(
        update={
            "title": strip_format_characters(document.title) if document.title is not None else None,
            "meta": {key: strip_format_characters(value) for key, value in document.meta.items()},
            "attachments": [a.model_copy(update={"name": strip_format_characters(a.name)}) for a in document.attachments],
        }
    )


def clean_lines(text: str) -> str:
    """Collapse whitespace, drop artefacts, blank lines and page-number lines; one paragraph per line.

    Each substitution runs once over the whole text, in C, and the full-width table only when the
    text has such characters (line by line in Python, this was a sixth of a report's re-extraction).
    The same as line by line: no pattern crosses a line break, and their look-arounds treat a line
    break, a space and the end of a line alike (neither a digit nor a Chinese character)."""
    text = _ARTEFACTS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if _HAS_FULL_WIDTH.search(text):
        text = text.translate(_FULL_WIDTH)
    # Each substitution only where it can change something (a membership test is a fast scan in C;
    # a pattern's scan costs 40 µs or more a report): a run of spaces is one space already when no
    # tab, form feed, vertical tab or double space is in the text.
    if "\t" in text or "  " in text or "\f" in text or "\v" in text:
        text = _SPACES.sub(" ", text)
    if "．" in text:
        text = _DECIMAL_POINT.sub(".", text)
    if "," in text or ";" in text or ":" in text:
        text = _PROSE_PUNCTUATION.sub(lambda m: _CHINESE_FORM[m.group(0)], text)
    return "\n".join(line for raw in text.split("\n") if (line := raw.strip()) and not _PAGE_NUMBER_LINE.match(line))


# The three heading forms as one pattern over the whole text, tried in HEADING_PATTERNS' order at
# each line start (re.M): the first form that fits gives the level, as the line-by-line loop did.
_HEADING_START = re.compile("^(?:" + "|".join(f"(?P<l{level}>{pattern.pattern.removeprefix('^')})" for level, pattern in HEADING_PATTERNS) + ")", re.M)
_HEADING_CUT = re.compile(r"[。；;\n]")
# POINT over the whole text without its look-behind, which the engine would try at every position:
# a pattern that starts with a character class is scanned for that class in C, and the character
# before each match is checked after (no point can start inside a match: none holds 。；\n).
_POINTS = re.compile(rf"[{_CN_NUM}]+是[^。；，\n]{{1,30}}")
POINT_AFTER = "。；\n"


def find_headings(text: str) -> list[Heading]:
    """The outline: section headings (一、 （一） 1、) that start a line, and the enumerated
    points (一是 二是) inside paragraphs, with their spans in ``text``, in text order.

    Two passes of a pattern over the whole text, in C (a loop over the lines trying four patterns
    on each was a twentieth of a report's extraction); a heading and a point never start at the
    same place (a heading starts with its number and 、, （ or a digit; a point with 一是)."""
    headings = []
    for match in _HEADING_START.finditer(text):
        start = match.start()
        cut = _HEADING_CUT.search(text, start)
        head = text[start : cut.start() if cut else len(text)][:MAX_HEADING_CHARS]
        headings.append(Heading(text=head, start=start, end=start + len(head), level=int(match.lastgroup[1:])))  # type: ignore[index]
    points = [Heading(text=p.group(0), start=p.start(), end=p.end(), level=POINT_LEVEL) for p in _POINTS.finditer(text)
              if p.start() == 0 or text[p.start() - 1] in POINT_AFTER]
    return sorted(headings + points, key=lambda h: h.start) if points else headings


def normalise(original: str) -> Normalised:
    """The normal form of a published text, with its script and outline. Format characters go
    first, so every offset into the result (quotes, headings) is an offset into text without them."""
    cleaned = clean_lines(strip_format_characters(original))
    simplified = to_simplified(cleaned)
    return Normalised(
        text=simplified,
        original=cleaned,
        script=detect_script(cleaned, simplified),  # type: ignore[arg-type]
        headings=find_headings(simplified),
    )


def section_at(headings: list[Heading], position: int, max_level: int = SECTION_MAX_LEVEL) -> str | None:
    """The innermost section heading (down to ``max_level``) a character position stands under."""
    current: dict[int, Heading] = {}
    for heading in headings:
        if heading.start > position:
            break
        if heading.level > max_level:
            continue
        current = {lvl: h for lvl, h in current.items() if lvl < heading.level}
        current[heading.level] = heading
    return current[max(current)].text if current else None
