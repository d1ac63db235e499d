"""Document + source context → who wrote the report, about which year, published when, of what kind.

Places are looked for in order of trust: the source's registry entry, the publisher the page
declares (发布机构, 信息来源), the title, the signature at the end, then the opening lines. An
unresolved place stays unresolved and is flagged: a guessed county would put a township's
figures on the wrong page.
"""

from __future__ import annotations

import re
from datetime import date

from .models import Document, Evidence, Flag, Level, Normalised, Place, Report, Source
from .normalise import to_simplified
from .numbers import parse_chinese_numeral
from .places import Division, county_name, find_county, province_of
from .titles import kind_of

TOWNSHIP = re.compile(
    r"(?P<name>[\u4e00-\u9fff]{1,10}?(?:民族乡|乡|镇|街道|苏木))(?=人民政府|政府|党委|办事处|\d|关于|法治|述法|[\s，。：:（(]|$)"
)
NOT_A_NAME = re.compile(r"^(全|我|本|该|各|每|乡|镇|城|市|县|区|在|对|的|和|与|及)")
YEAR_IN_TITLE = re.compile(r"(20\d{2})\s*年")
YEAR_IN_TEXT = re.compile(r"(20\d{2})\s*年(?:以来|度|全年|，|,|我|是|，我)")
STATED_DATE = re.compile(r"(?:发布时间|发布日期|发文日期|日期)\s*[:：]\s*(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
ARABIC_DATE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CHINESE_DATE = re.compile(r"([二〇零一三四五六七八九]{4})年([十一二三四五六七八九]{1,3})月([十一二三四五六七八九]{1,3})日")
ISO_DATE = re.compile(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
OFFICIAL = re.compile(r"(党[工]?委副?书记|人大主席|副?乡长|副?镇长|街道办事处主任|[^\s，。]{0,6}?主任|副?书记)")
# A publisher that is a county department, not a township or the county government.
DEPARTMENT = re.compile(r"[\u4e00-\u9fff]{2,}(局|委员会|办公室|委|办|中心|法院|检察院)(?=20\d{2}|关于|法治|$|\s)")
# The four parts the 督察工作规定 prescribes for a 法治政府建设年度报告 start with this heading.
GOVERNMENT_REPORT_OUTLINE = re.compile(r"推进法治政府建设的?主要举措")
DEADLINE = (4, 1)  # reports on year Y are due on the website before 1 April of Y+1 (督察工作规定, 2019)
HEAD_CHARS = 300
TAIL_LINES = 4


def title_from_text(text: str) -> str | None:
    """The first line, joined with a short second line that continues it (titles wrap in Word)."""
    lines = text.split("\n")
    first = lines[0].strip() if lines else ""
    if not first or len(first) > 60 or first.endswith(("：", ":", "。")):
        return None
    if len(lines) > 1 and len(lines[1]) <= 12 and not re.search(r"[，。：:（(]", lines[1]):
        return first + lines[1].strip()
    return first


def _valid_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_township(text: str, county: str | None = None) -> str | None:
    for match in TOWNSHIP.finditer(text):
        name = match.group("name")
        if county and county in name:
            name = name.split(county, 1)[1]
        name = re.sub(r"^.*?(?:省|自治区|自治州|地区|盟|市|县|区|旗)(?=.{2,})", "", name) if len(name) > 6 else name
        if len(name) >= 2 and not NOT_A_NAME.match(name):
            return name
    return None


def identify_place(candidates: list[tuple[str, str]], source: Source | None) -> tuple[Place, list[Flag]]:
    """Township, county, province and code from (where, text) candidates in order of trust."""
    evidence: list[Evidence] = []
    division: Division | None = None
    if source and source.adcode and county_name(source.adcode):
        division = Division(source.adcode, county_name(source.adcode) or "")
        evidence.append(Evidence(source="registry", quote=f"{source.id}: {source.adcode}"))
    elif source and source.county:
        division, _ = find_county(source.county)
        if division:
            evidence.append(Evidence(source="registry", quote=f"{source.id}: {source.county}"))
    ambiguous = None
    if division is None:
        for where, text in candidates:
            found, name = find_county(text)
            if found:
                division = found
                evidence.append(Evidence(source=where, quote=name or found.name))
                break
            ambiguous = ambiguous or name
    township = None
    for where, text in candidates:
        township = find_township(text, division.name if division else None)
        if township:
            evidence.append(Evidence(source=where, quote=township))
            break
    flags = []
    if township is None:
        flags.append(Flag(code="township_unresolved", detail="no township named in publisher, title, signature or opening"))
    if division is None:
        why = f"{ambiguous} names several counties" if ambiguous else "no county in registry entry, publisher, title or text"
        flags.append(Flag(code="county_unresolved", detail=f"{township or 'report'}: {why}"))
    place = Place(
        township=township,
        county=division.name if division else None,
        province=province_of(division.adcode) if division else None,
        adcode=division.adcode if division else None,
        evidence=evidence,
    )
    return place, flags


def identify_year(title: str | None, text: str) -> tuple[int | None, str | None]:
    if title:
        m = YEAR_IN_TITLE.search(title)
        if m:
            return int(m.group(1)), m.group(0)
    m = YEAR_IN_TEXT.search(text[:HEAD_CHARS])
    return (int(m.group(1)), m.group(0)) if m else (None, None)


def identify_published(meta: dict[str, str], text: str) -> tuple[date | None, str | None]:
    """Publication date: declared metadata, a 发布时间 line, then the date under the signature."""
    if meta.get("published"):
        m = ISO_DATE.search(meta["published"])
        if m and (found := _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
            return found, f"meta: {meta['published']}"
    m = STATED_DATE.search(text[:HEAD_CHARS])
    if m and (found := _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
        return found, m.group(0)
    tail = "\n".join(text.split("\n")[-TAIL_LINES:])
    for pattern, convert in ((ARABIC_DATE, int), (CHINESE_DATE, parse_chinese_numeral)):
        matches = list(pattern.finditer(tail))
        if matches:
            m = matches[-1]
            found = _valid_date(convert(m.group(1)), convert(m.group(2)), convert(m.group(3)))
            if found:
                return found, m.group(0)
    return None, None


def on_time(year: int | None, published: date | None) -> bool | None:
    if year is None or published is None:
        return None
    return published < date(year + 1, *DEADLINE)


def identify_level(place: Place, publisher_and_title: list[str]) -> Level:
    """township when a township wrote it; department when a county bureau did; else county."""
    if place.township:
        return "township"
    if any(DEPARTMENT.search(t) for t in publisher_and_title):
        return "department"
    return "county" if place.county else "unknown"


def identify_report(document: Document, normalised: Normalised, source: Source | None = None) -> tuple[Report, list[Flag]]:
    text = normalised.text
    title = to_simplified(document.title) if document.title else title_from_text(text)
    lines = text.split("\n")
    candidates = [
        ("publisher", to_simplified(document.meta.get("publisher", ""))),
        ("title", title or ""),
        ("signature", "\n".join(lines[-TAIL_LINES:])),
        ("opening", text[:HEAD_CHARS]),
    ]
    place, flags = identify_place([(w, t) for w, t in candidates if t], source)
    year, year_evidence = identify_year(title, text)
    published, published_evidence = identify_published(document.meta, text)
    if year is None:
        flags.append(Flag(code="year_unresolved", detail="no year in title or opening lines"))
    kind = kind_of(title or "")
    if kind == "unknown":
        kind = kind_of(text[:HEAD_CHARS])
    if kind == "unknown" and any(GOVERNMENT_REPORT_OUTLINE.search(h.text) for h in normalised.headings):
        kind = "government_annual_report"
    official = None
    if kind == "shufa":
        m = OFFICIAL.search(title or "") or OFFICIAL.search(text.split("\n", 1)[0])
        official = m.group(1) if m else None
    level = identify_level(place, [t for _, t in candidates[:2]])
    report = Report(
        url=document.url,
        title=title,
        place=place,
        year=year,
        year_evidence=year_evidence,
        published_on=published,
        published_evidence=published_evidence,
        on_time=on_time(year, published),
        kind=kind,
        official=official,
        level=level,
        script=normalised.script,
        source_id=source.id if source else None,
    )
    return report, flags
