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

import opencc

from .models import Document, Heading, Normalised

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


@lru_cache(maxsize=1)
def _format_characters() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every code point of Unicode category Cf (format characters), as two character classes:
    those of the Basic Multilingual Plane, and the others.

    Built from unicodedata rather than typed in, so it follows Python's Unicode version; the
    patterns hold escapes (\\U0000202e), not the invisible characters themselves. Split in two
    because a class of BMP characters is a bitmap to the regex engine, while one that also holds
    astral ranges is a list of ranges tried in turn (a 2,185-character report: 6 µs to search, or
    180–360 µs, a tenth of all normalisation)."""
    points = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]

    def character_class(codes: list[int]) -> re.Pattern[str]:
        return re.compile("[" + "".join(f"\\U{c:08x}" for c in codes) + "]")

    return character_class([c for c in points if c <= 0xFFFF]), character_class([c for c in points if c > 0xFFFF])


def strip_format_characters(text: str) -> str:
    """Remove Unicode format characters (category Cf): zero-width space, joiners, BOM, soft
    hyphen, bidirectional overrides and isolates (U+202A–202E, U+2066–2069) ….

    They are invisible, carry no meaning in a report, and hostile or careless pages use them to
    break what is read: 胡吉尔 U+200B 台乡 was read as 台乡, 1 U+200B 2次 as 2, and a U+202E in a
    title reverses the text shown after it. Removed before anything is identified or extracted."""
    basic, astral = _format_characters()
    if basic.search(text):  # most texts have none: a search, and no copy
        text = basic.sub("", text)
    if _ASTRAL.search(text) and astral.search(text):  # a class of one range is fast; the astral Cf class is not
        text = astral.sub("", text)
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
    text = _SPACES.sub(" ", text)
    text = _DECIMAL_POINT.sub(".", text)
    text = _PROSE_PUNCTUATION.sub(lambda m: _CHINESE_FORM[m.group(0)], text)
    return "\n".join(line for raw in text.split("\n") if (line := raw.strip()) and not _PAGE_NUMBER_LINE.match(line))


def find_headings(text: str) -> list[Heading]:
    """The outline: section headings (一、 （一） 1、) that start a line, and the enumerated
    points (一是 二是) inside paragraphs, with their spans in ``text``, in text order."""
    headings = []
    offset = 0
    for line in text.split("\n"):
        for level, pattern in HEADING_PATTERNS:
            if pattern.match(line):
                cut = re.search(r"[。；;]", line)
                head = line[: cut.start() if cut else len(line)][:MAX_HEADING_CHARS]
                headings.append(Heading(text=head, start=offset, end=offset + len(head), level=level))
                break
        for point in POINT.finditer(line):
            headings.append(Heading(text=point.group(0), start=offset + point.start(), end=offset + point.end(), level=POINT_LEVEL))
        offset += len(line) + 1
    return sorted(headings, key=lambda h: h.start)


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
