"""Document + source context → who wrote the report, about which year, published when, of what kind.

The place is a row of the register (parsers.identity.places weighs the names found in the title, the
publisher, the 信息公开 block, the signature and the body); an unresolved place stays unresolved and
is flagged: a guessed county would put a township's figures on the wrong page. The level says whose
report it is (a township's, a county government's, a department's); the kind, what it is.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal
from urllib.parse import urlsplit

from ..figures.numbers import parse_chinese_numeral
from ..models import Document, Flag, Level, Normalised, Report, Source
from ..read.normalise import to_simplified
from .places import Field, identify_place
from .register import find_names
from .titles import kind_of, kind_of_text

# A title's year: 2024年, 2024年度, or a bare 2024 before the report's name (2024法治政府建设…).
YEAR_IN_TITLE = re.compile(r"(20\d{2})\s*(?:年|(?=度|法治|依法|述法|工作))")
# The year reported on opens a sentence ("2024年以来，…", "2021年度，在县委…"); a year inside one
# ("紧扣2023年度短板弱项") is another year's business.
YEAR_IN_TEXT = re.compile(r"(?:^|(?<=[\n。；，,:：?？]))[\s?？]*(?:今年|在)?(20\d{2})\s*年?(?:以来|来|度|全年|，|,|我|是|上半年|下半年)")
# The sentence that hands the report over names its year outright: "现将2024年度法治政府建设情况报告如下".
YEAR_REPORTED = re.compile(r"现将(?:[^。，]{0,12}?)(20\d{2})\s*年度?[^。]{0,40}?(?:报告|汇报|总结|说明)如下")
# A year opening a sentence about an award or a ranking ("2018年，在全市考核中位列第一", "2019年荣获…称号")
# is the history of a title the township holds, not the year reported on.
AWARD = re.compile(r"考核中|评比|评为|荣获|获评|被评|被命名|命名为|位列|表彰|授予|称号|先进单位|示范(?:镇|乡|街道|单位)")
CHINESE_YEAR = re.compile(r"(二[〇零○O][一二三四五六七八九〇零○O]{2})\s*年")
CHINESE_DIGITS = str.maketrans("〇零○O一二三四五六七八九", "0000123456789")
THIS_YEAR = re.compile(r"今年|本年度|一年来")
# Not a cited document's number (〔2024〕), nor the end of a plan period ("(2021-2025年)", 2021—2025年).
ANY_YEAR = re.compile(r"(?<![〔\[(（《\d\-—–~～至到])(20\d{2})\s*年(?!\d{1,2}月)")
_DATE = r"[\s\]】|:：]{0,8}(20\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
# Dates the page furniture gives, most telling first: publication, then a bare 日期/时间, then the
# document's own date (成文日期), which the page shows when it shows no other.
STATED_DATES = (
    re.compile(r"(?:发布时间|发布日期|发表日期|发表时间|公开日期)" + _DATE),
    re.compile(r"(?<![成文生])(?:日期|时间)" + _DATE),
    re.compile(r"(?:成文日期|成文时间|发文日期|公文生成日期|生成日期)" + _DATE),
)
FURNITURE_DATE = re.compile(r"(?<![\d/-])(20\d{2})\s*[-/]\s*(\d{1,2})\s*[-/]\s*(\d{1,2})(?![\d/-])")
# A byline above the body: the publisher, then the date in 年月日 ("清水县人民政府 2024年01月08日"). Only lines
# before the body's first are read, so a signature (publisher, date, after the body) is never one.
BYLINE_DATE = re.compile(r"^\s*[\u4e00-\u9fff]{2,30}(?:人民政府|政府|办事处|党委|党工委|镇|乡|街道|局|委员会|办公室|司法所)\s+(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
BODY_LINE = 60  # the first line this long is the body: furniture lines are short
ARABIC_DATE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CHINESE_DATE = re.compile(r"([二〇零一三四五六七八九]{4})年([十一二三四五六七八九]{1,3})月([十一二三四五六七八九]{1,3})日")
ISO_DATE = re.compile(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
OFFICIAL = re.compile(r"(党[工]?委副?书记|人大主席|副?乡长|副?镇长|街道办事处主任|[^\s，。]{0,6}?主任|副?书记)")
# A publisher that is a county department, not a township or the county government.
DEPARTMENT = re.compile(r"[\u4e00-\u9fff]{2,}(局|委员会|办公室|(?<![县区市旗党])委|办|中心|法院|检察院)(?=20\d{2}|关于|法治|$|\s)")
# The four parts the 督察工作规定 prescribes for a 法治政府建设年度报告 start with this heading.
GOVERNMENT_REPORT_OUTLINE = re.compile(r"推进法治政府建设的?主要举措")
DEADLINE = (4, 1)  # reports on year Y are due on the website before 1 April of Y+1 (督察工作规定, 2019)
HEAD_CHARS = 300
WRAPPED_LINE = 15  # a line at least this long, ending without punctuation, was wrapped by a converter
SENTENCE_ENDS = ("。", "：", ":", "；", ";", "！", "？", "!", "?", "）", ")", "”", "」")
OPENING_CHARS = 600  # a report names itself in its first paragraph, below any page furniture
FURNITURE_CHARS = 600  # page furniture (信息公开 block, 日期 line) sits above the body's first paragraphs
TITLE_LINES = 25
TITLE_LIKE = re.compile(r"(20\d{2}|[〇零一二三四五六七八九]{4}).*(报告|总结|方案|要点|计划|情况|述职|年度报|年报)|述法|述职报告")
TITLE_TAIL = re.compile(r"(报告|总结|情况|汇报)$")
FURNITURE_LINE = re.compile(r"^[\[【|•·]|^\s*(首页|当前位置|您当前|位置|日期|发布|时间|来源|索引号|信息来源|文号|点击|主题分类|组配分类)|>|索引号|发布机构|[:：]\s*$")
DISCLOSURE_PUBLISHER = re.compile(r"(?:发布机构|发文机关|信息来源|来源|作者|发布单位|公开主体)\s*[:：]\s*([^\s|]{2,30})")
# A county-level government or one of its bodies as the author (no township named before it).
COUNTY_GOVERNMENT = re.compile(r"(县|区|市|旗)(人民政府|委|政府)")
# A township as the author even when its name is not (or no longer) the register's: a 镇/乡/街道
# followed by its government or by the report's year (某县新名镇2025年…).
TOWNSHIP_AUTHOR = re.compile(r"(?:(?![各全本我该于关的和与及乡镇街])[\u4e00-\u9fff]){2,6}(镇|乡|街道|苏木)(人民政府|政府|党委|党工委|办事处|20\d{2}|关于)")
# (led by a lookahead on the first characters of both alternatives: most positions fail on one test)
BREADCRUMB = re.compile(r"(?=[\s首当您位>»＞→])(?:^\s*(?:首页|当前位置|您当前的位置|您的位置|位置)|[>»＞→]\s*[\u4e00-\u9fff])")
# A county's name before a township's in 某某县新名镇: cut, so the township's own name is kept.
COUNTY_PREFIX = re.compile(r"^.*?(?:自治县|县|市|区|旗)(?=[\u4e00-\u9fff]{2,}(?:镇|乡|街道|苏木)$)")
SITE_NAME = re.compile(r"^[^\d]{2,24}(人民政府|政府|门户网站|政府网|网站|信息公开|政务公开)(门户网站|网站)?$")
# The last characters SITE_NAME accepts: a line ending otherwise (after its whitespace) is not compacted to be tried.
SITE_NAME_ENDS = ("府", "站", "网", "开")
WHITESPACE = re.compile(r"\s+")
# A county government as the subject: a name before 县/区/市/旗 + 人民政府 ("洛宁县人民政府坚持…"); the
# county's bodies named as the township's leadership ("在区委区政府的坚强领导下") are not one.
COUNTY_SUBJECT = re.compile(r"(?<![委\u4e00-\u9fff])(?:(?!委)[\u4e00-\u9fff]){2,8}(县|区|市|旗)(人民政府|政府)(?!办)")
# The adverbials a report's opening sentence starts with before its subject: the year, the
# leadership it worked under, the documents it followed, a purpose ("为…"), "一年来".
ADVERBIAL = re.compile(r"^(?:20\d{2}年度?(?:以来|来)?|(?:今年|一年|近年|本年度|年初)以来|今年|一年来|过去的?一年|.*(?:以来|期间|之际)|"
                       r"[在按根依围紧对结为以坚聚][^，]*(?:下|中|上|要求|部署|精神|目标|指导|契机|为主线|为统领|为引领|为抓手|为重点|原则)|"
                       r"(?:为|按照|根据|依据|围绕|对照|紧扣|紧紧围绕)[^，]*|(?:全年|年内|年度内|本年))$")
# A township speaking of itself as the subject: 我镇, 本乡, 镇党委, 街道党工委, or the bare noun as
# subject ("街道按照…要求"); 乡镇 (a county's word for all its townships) is not one.
TOWNSHIP_AS_SUBJECT = re.compile(r"^(?:我|本|全)?(?:镇|乡|街道|苏木)(?!镇|长|道办)(?=[\u4e00-\u9fff])")
COUNTY_AS_SUBJECT = re.compile(r"^(?:我|本|全)(?:县|区|市|旗)(?![委长])|^(?:县|区|市|旗)(?:人民)?政府")
TOWNSHIP_VOICE = re.compile(r"(我|本|全)(镇|乡|街道|街)(?![长道办])")
COUNTY_VOICE = re.compile(r"(我|本|全)(县|区|市|旗)(?![委长])")
TAIL_LINES = 4
# A 镇/乡/街道 the register does not hold (new, renamed) right after its county's name, as the subject:
# "奉节县新名镇坚持依法行政" is the township's voice, not the county's (not 各乡镇, 城乡, 乡村).
UNKNOWN_TOWNSHIP_AFTER = re.compile(r"(?![各全本我该])(?:(?!乡镇|城乡|乡村)[\u4e00-\u9fff]){1,5}?(?:镇|乡|街道|苏木)(?![镇村长级])")
REPORTS_AS_FOLLOWS = re.compile(r"[，。,][^，。,]*(报告|总结|汇报|说明)如下[:：]$")
# A news headline: a place, a colon, a slogan that may hold commas ("某镇：法治护航，点亮乡村振兴之光").
HEADLINE = re.compile(r"^[\u4e00-\u9fff]{2,12}(镇|乡|街道|街|苏木|县|区|市)[：:][^：:]{4,}$")
HEADLINE_MAX = 40
# The body is read for places up to here: a report names itself and its county early; scanning
# whole reports (5,000+ characters) cost more than the 2 ms a report may take, for nothing found.
BODY_CHARS = 2000


def title_from_text(text: str) -> str | None:
    """The first line, joined with a short second line that continues it (titles wrap in Word).
    Page furniture above it (breadcrumbs 您现在所在的位置：…>…, 发布时间 lines, blank lines) is no
    title: a breadcrumb taken for one made a township's news item a county department's."""
    lines = text.split("\n")
    while len(lines) > 1 and (not lines[0].strip() or FURNITURE_LINE.match(lines[0].strip()) or BREADCRUMB.search(lines[0])):
        lines = lines[1:]
    first = lines[0].strip() if lines else ""
    if HEADLINE.match(first) and len(first) <= HEADLINE_MAX and "。" not in first:
        return first  # "某镇：法治护航，点亮乡村振兴之光": a news headline, commas and all
    if not first or len(first) > 60 or first.endswith(("：", ":", "。")) or re.search(r"[，。；]", first):
        return None  # a sentence, not a title
    if len(lines) > 1 and len(lines[1]) <= 12 and not re.search(r"[，。：:（(]", lines[1]):
        return first + lines[1].strip()
    return first


def _valid_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def identify_year(title: str | None, text: str) -> tuple[int | None, str | None]:
    if title:
        m = YEAR_IN_TITLE.search(title)
        if m:
            return int(m.group(1)), m.group(0)
        m = CHINESE_YEAR.search(title)  # 二〇二四年度
        if m:
            return int(m.group(1).translate(CHINESE_DIGITS)), m.group(0)
    m = YEAR_REPORTED.search(text[:OPENING_CHARS * 2])
    if m:
        return int(m.group(1)), m.group(0)
    head = text[:HEAD_CHARS * 2]
    for m in YEAR_IN_TEXT.finditer(head):
        sentence_end = head.find("。", m.end())
        if not AWARD.search(head[m.end(): sentence_end if sentence_end >= 0 else len(head)]):
            return int(m.group(1)), m.group(0)
    # No sentence states the year: the year the opening speaks of most (2024年共签批…), outside
    # cited documents' titles and numbers.
    years = [int(y) for y in ANY_YEAR.findall(text[:HEAD_CHARS * 3])]
    if years:
        year = max(set(years), key=lambda y: (years.count(y), -years.index(y)))
        return year, f"{year}年"
    return None, None


def identify_published(meta: dict[str, str], text: str) -> tuple[date | None, str | None]:
    """Publication date: declared metadata, a 发布时间 line (or 日期, or the document's 成文日期), a
    bare dashed date in the furniture. Never the date under the signature (identify_signed): a
    report signed in March may go online in May (issue 26)."""
    found, evidence, _ = identify_published_source(meta, text)
    return found, evidence


PublishedSource = Literal["page_metadata", "page_text", "listing", "url"]
LISTED = "listed"  # Document.meta key: the date the listing showed beside the link (flows/harvest/source.py puts it there)

# Dates a portal writes into an article's path: /2024/0315/, /2024/03/15/, t20240315_123.html (TRS),
# a bare 20240315. Eight digits are a date only when nothing but a non-digit stands on either side
# and they make a real day of 2000–2099: an article number (P020240315512…, 20241345) is not one.
URL_DATES = (
    re.compile(r"/(20\d{2})/(\d{2})(\d{2})(?=/)"),
    re.compile(r"/(20\d{2})/(\d{1,2})/(\d{1,2})(?=/)"),
    re.compile(r"(?<![0-9])(20\d{2})(\d{2})(\d{2})(?![0-9])"),
)


def date_in_url(url: str) -> tuple[date, str] | None:
    """The date an article's URL path states, with the text it was read from; None when it states
    none, or two that disagree (a folder of one day, an article named for another: no date is sure)."""
    path = urlsplit(url).path
    found: dict[date, str] = {}
    for pattern in URL_DATES:
        for m in pattern.finditer(path):
            if day := _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3))):
                found.setdefault(day, m.group(0))
    if len(found) != 1:
        return None
    (day, text), = found.items()
    return day, text


def published_elsewhere(meta: dict[str, str], url: str) -> tuple[date | None, str | None, PublishedSource | None]:
    """When the page states no publication date: the date the listing showed beside its link, else
    the date in its URL. The page's own date always comes first (identify_published_source)."""
    listed = meta.get(LISTED)
    if listed:
        m = ISO_DATE.search(listed)
        if m and (day := _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
            return day, f"listing: {listed}", "listing"
    in_url = date_in_url(url)
    if in_url:
        return in_url[0], f"URL: {in_url[1]}", "url"
    return None, None, None


def identify_published_source(meta: dict[str, str], text: str) -> tuple[date | None, str | None, PublishedSource | None]:
    """identify_published, with where the date came from: the page's metadata, or a date line of
    the page's furniture (发布时间, 成文日期, a bare dashed date above the body)."""
    if meta.get("published"):
        m = ISO_DATE.search(meta["published"])
        if m and (found := _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
            return found, f"meta: {meta['published']}", "page_metadata"
    for pattern in STATED_DATES:
        for m in pattern.finditer(text[:FURNITURE_CHARS]):
            if found := _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3))):
                return found, m.group(0).strip(), "page_text"
    # A date in the furniture above the body with no label (2025-02-08 08:53 | 浏览次数): portals
    # print the publication date so; prose writes 年月日, so a dashed date there is the page's.
    prose = False  # a byline stands above the body's first sentence
    for line in text[:FURNITURE_CHARS].split("\n"):
        if len(line) >= BODY_LINE:
            break
        m = FURNITURE_DATE.search(line) or (None if prose else BYLINE_DATE.match(line))
        prose = prose or "。" in line or "，" in line
        if m and "索引号" not in line and (found := _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
            return found, m.group(0).strip(), "page_text"
    return None, None, None


def identify_signed(text: str) -> date | None:
    """The date under the signature (落款): when the report was signed, not when it went online."""
    # The signature's date stands on a line of its own; a date inside the last sentences is prose.
    for line in reversed(text.split("\n")[-TAIL_LINES:]):
        for pattern, convert in ((ARABIC_DATE, int), (CHINESE_DATE, parse_chinese_numeral)):
            m = pattern.fullmatch(line.strip())
            if m and (found := _valid_date(convert(m.group(1)), convert(m.group(2)), convert(m.group(3)))):
                return found
    return None


def on_time(year: int | None, published: date | None) -> bool | None:
    if year is None or published is None:
        return None
    return published < date(year + 1, *DEADLINE)


def find_title(text: str) -> str | None:
    """The document's title in a text that may begin with page furniture (site name, breadcrumbs).

    The first of the opening lines that reads like a report's title (a year or 法治, and a word
    such as 报告/总结/方案); else the first line, joined with a short second line that continues it.
    """
    lines = [line.strip() for line in text.split("\n")[:TITLE_LINES]]
    if lines and SITE_NAME.match(re.sub(r"\s+", "", lines[0])):
        # The page header (某某区人民政府) above the document: the site's name, not the title.
        rest = text.split("\n", 1)[1] if "\n" in text else ""
        return find_title(rest) if rest else None
    for i, line in enumerate(lines):
        if TITLE_LIKE.search(line) and len(line) <= 80 and not FURNITURE_LINE.match(line) and not line.endswith(("：", ":", "。")):
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if following and len(following) <= 12 and TITLE_TAIL.search(following) and not re.search(r"[，。：:]", following):
                return line + following
            return line
    return title_from_text(text)


def unwrap(text: str) -> str:
    """Lines a PDF or Word conversion broke inside a sentence joined again (永加\n乡人民政府), so that a
    name cut by the wrap is found; a line ending a sentence or a heading keeps its break."""
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        previous = out[-1]
        if len(previous) >= WRAPPED_LINE and not previous.endswith(SENTENCE_ENDS) and line[:1] and "\u4e00" <= line[0] <= "\u9fff":
            out[-1] = previous + line
        else:
            out.append(line)
    return "\n".join(out)


def page_fields(title: str | None, publisher: str, text: str) -> list[Field]:
    """The parts of a page that may name its place, most telling first. Short parts are read
    without their whitespace (a title or a signature split over lines is one name)."""
    lines = text.split("\n")
    disclosure = " ".join(m.group(1) for m in DISCLOSURE_PUBLISHER.finditer(text[:FURNITURE_CHARS]))
    signature = "".join(lines[-TAIL_LINES:]) if len(lines) > TAIL_LINES else ""
    # The site's name at the top of the page (某某县人民政府 门户网站): the header states the county.
    header = " ".join(compact for line in lines[:TITLE_LINES]
                      if line.rstrip().endswith(SITE_NAME_ENDS) and SITE_NAME.match(compact := WHITESPACE.sub("", line)))
    # Breadcrumbs (首页 > 政务公开 > 某某镇 > 法治政府建设): the column the page sits in names its owner.
    crumbs = " ".join(line for line in lines[:TITLE_LINES] if len(line) <= 120 and BREADCRUMB.search(line))
    fields = [
        Field("title", WHITESPACE.sub("", title or "")),
        Field("header", header),
        Field("breadcrumb", crumbs),
        Field("publisher", WHITESPACE.sub("", publisher)),
        Field("disclosure", disclosure),
        Field("signature", WHITESPACE.sub("", signature)),
        Field("opening", unwrap(text[:OPENING_CHARS])),
        Field("body", unwrap(text[OPENING_CHARS:BODY_CHARS])),
    ]
    return [f for f in fields if f.text]


def _names_a_place(part: str) -> Level | None:
    """township, county or department when ``part`` (a title, a publisher) names its author; else None."""
    mentions = find_names(part)
    if any(m.kind == "township" and m.strength >= 0.9 for m in mentions) or TOWNSHIP_AUTHOR.search(part):
        return "township"
    # A county, or a government above it (a prefecture's, a province's: the levels above the
    # county are not the project's business, and are kept out of the township pages with them).
    if any(m.kind in ("county", "prefecture", "province") for m in mentions) or COUNTY_GOVERNMENT.search(part):
        return "department" if DEPARTMENT.search(part) else "county"
    return None


def opening_sentence(text: str) -> str:
    """The body's first sentence: the first line long enough to be prose (furniture lines are short),
    or an addressee line's next ("县委、县政府：" then the body), up to its first 。"""
    for line in text[:OPENING_CHARS * 2].split("\n"):
        line = line.strip(" ?？\u3000")
        # Prose: a header naming the authors (中共某镇委员会 某镇人民政府) has no clause punctuation.
        # An opening paragraph may end with its "现将…报告如下：" (a colon, but prose: no addressee line).
        if len(line) >= 30 and not FURNITURE_LINE.match(line) \
                and (not line.endswith(("：", ":")) or REPORTS_AS_FOLLOWS.search(line)) and re.search(r"[，。；,]", line):
            return line.split("。", 1)[0]
    return ""


def opening_subject(text: str) -> tuple[Level | None, str]:
    """Whose report it is by the subject of its first sentence: the clause after the year and the
    leadership it worked under ("2023年，在区委区政府的坚强领导下，某某街道坚持…"). A township of the
    register or a 镇/乡/街道 speaking of itself → township; a county government or 我县/全区 → county;
    else None. Returns the level and the clause, which is the evidence."""
    for clause in re.split(r"[，,]", opening_sentence(text))[:4]:
        clause = clause.strip()
        if not clause or ADVERBIAL.match(clause):
            continue
        head = clause[:20]
        mentions = find_names(head)
        first = min((m for m in mentions), key=lambda m: m.start, default=None)
        if first is not None and first.start <= 2 and first.kind == "township" and first.strength >= 0.9:
            return "township", clause
        if TOWNSHIP_AS_SUBJECT.match(clause) or TOWNSHIP_AUTHOR.match(head):
            return "township", clause
        county = COUNTY_SUBJECT.match(head)
        if COUNTY_AS_SUBJECT.match(clause) or (county and not TOWNSHIP_AUTHOR.search(county.group(0))):
            return "county", clause
        if first is not None and first.start <= 2 and first.kind in ("county", "prefecture", "province"):
            # "洛宁县坚持依法行政" (no township after the county's name) is the county's own voice;
            # "北京市门头沟区雁翅镇…" names a chain of places ending in a township.
            end = first.end
            while True:
                following = [m for m in mentions if m.start == end]
                if any(m.kind == "township" for m in following):
                    return "township", clause
                if not following:
                    break
                end = max(m.end for m in following)
            if not TOWNSHIP_AUTHOR.match(head[end:]) and not UNKNOWN_TOWNSHIP_AFTER.match(head, end):
                return "county", clause
        return None, clause
    return None, ""


def identify_level(title: str | None, publisher: str, text: str) -> Level:
    return identify_level_with_evidence(title, publisher, text)[0]


def identify_level_with_evidence(title: str | None, publisher: str, text: str) -> tuple[Level, str]:
    """township, county or department, and what said so: the title's places, else the publisher
    naming a township, else the subject of the opening sentence (a township, a county's 人民政府),
    else how the opening speaks of itself (我镇 or 我县), else the publisher. A county portal's
    office publishes its townships' reports, so a publisher that names only the county decides last."""
    by_title = _names_a_place(title or "")
    if by_title:
        return by_title, f"title: {title}"
    by_publisher = _names_a_place(publisher) if publisher else None
    if by_publisher == "township":
        return "township", f"publisher: {publisher}"
    # The page's furniture names its publisher (来源:某某镇人民政府, 发布机构：…) where the page's meta
    # does not: a township's own page, even when its news item opens with a county body's visit.
    for stated in DISCLOSURE_PUBLISHER.finditer(text[:FURNITURE_CHARS]):
        if _names_a_place(stated.group(1)) == "township":
            return "township", f"furniture: {stated.group(0)}"
    subject, clause = opening_subject(text)
    if subject:
        return subject, f"opening subject: {clause[:40]}"
    head = text[:HEAD_CHARS]
    # The opening as page_fields reads it (one scan serves both), its first HEAD_CHARS characters.
    townships = [m.start for m in find_names(unwrap(text[:OPENING_CHARS])) if m.kind == "township" and m.strength >= 0.9 and m.start < HEAD_CHARS]
    county_subject = COUNTY_SUBJECT.search(head)
    if county_subject and not any(at < county_subject.start() for at in townships) and not TOWNSHIP_VOICE.search(head):
        return "county", f"opening: {county_subject.group(0)}"
    if townships:
        return "township", "opening names a township"
    voice = TOWNSHIP_VOICE.search(text[:HEAD_CHARS * 2])
    if voice:
        return "township", f"opening: {voice.group(0)}"
    voice = COUNTY_VOICE.search(head)
    if voice:
        return "county", f"opening: {voice.group(0)}"
    if by_publisher:
        return by_publisher, f"publisher: {publisher}"
    return "township", "default"


def stated_township_name(title: str | None, publisher: str, text: str) -> str | None:
    """The township's name as the page gives it (某某镇 of 某某镇人民政府 / 某某镇2025年…), for a report
    whose township is not a register row (new, renamed): kept beside the unresolved place."""
    for part in (title or "", publisher, text[:OPENING_CHARS]):
        m = TOWNSHIP_AUTHOR.search(re.sub(r"\s+", "", part))
        if m:
            name = m.group(0)[: m.start(2) - m.start(0)]
            return COUNTY_PREFIX.sub("", name) or name
    return None


def document_title(document: Document, text: str) -> str | None:
    """The page's title, unless it is only the site's name (an <h1> logo such as 某某县人民政府):
    then the title the text shows."""
    title = to_simplified(document.title) if document.title else None
    if title and SITE_NAME.match(re.sub(r"\s+", "", title)):
        return find_title(text)
    return title or find_title(text)


def identify_report(document: Document, normalised: Normalised, source: Source | None = None) -> tuple[Report, list[Flag]]:
    """One decision over all the page's evidence: its source entry (adcode, covers), its URL's host,
    its furniture (header, 来源, 信息公开 block), title, opening sentence's subject and signature.
    What decided the level and the kind is recorded beside the place's own evidence."""
    text = normalised.text
    title = document_title(document, text)
    publisher = to_simplified(document.meta.get("publisher", ""))
    level, level_evidence = identify_level_with_evidence(title, publisher, text)
    place, flags = identify_place(page_fields(title, publisher, text), source, want_township=level == "township", url=document.url)
    if level == "township" and place.township is None and not place.candidates and not TOWNSHIP_VOICE.search(text[:HEAD_CHARS * 2]) \
            and not level_evidence.startswith("opening subject"):
        level, level_evidence = "unknown", "no township of the register named, and no township speaking of itself"
    if level == "township" and place.township is None:
        stated = stated_township_name(title, publisher, text)
        if stated:
            place = place.model_copy(update={"name_in_text": stated})
    year, year_evidence = identify_year(title, text)
    published, published_evidence, published_source = identify_published_source(document.meta, text)
    if published is None:
        published, published_evidence, published_source = published_elsewhere(document.meta, document.url)
    signed = identify_signed(text)
    if year is None and published is not None and THIS_YEAR.search(text[:HEAD_CHARS * 2]):
        # "今年以来" and no year written: the year it was published in, or the one before if it was
        # published in the first half (a report on last year, published by 1 April).
        year = published.year if published.month > 6 else published.year - 1
        year_evidence = f"今年 in a text published {published.isoformat()}"
        flags.append(Flag(code="year_inferred", detail=f"no year written; {year} from 今年 and the publication date"))
    kind = kind_of(title or "")
    kind_evidence = f"title: {title}" if kind != "unknown" else ""
    if kind == "unknown":
        kind = kind_of_text(text[:HEAD_CHARS * 2])
        kind_evidence = "opening" if kind != "unknown" else ""
    if kind == "unknown" and any(GOVERNMENT_REPORT_OUTLINE.search(h.text) for h in normalised.headings):
        kind, kind_evidence = "government_annual_report", "outline: 推进法治政府建设的主要举措"
    if year is None and kind == "other" and published is not None:
        # A news item (or notice) is about the days it was written in: its year is its date's.
        year, year_evidence = published.year, f"a news item dated {published.isoformat()}"
    if year is None:
        flags.append(Flag(code="year_unresolved", detail="no year in title or opening lines"))
    official = None
    if kind == "shufa":
        m = OFFICIAL.search(title or "") or OFFICIAL.search(text.split("\n", 1)[0])
        official = m.group(1) if m else None
    report = Report(
        url=document.url,
        title=title,
        place=place,
        year=year,
        year_evidence=year_evidence,
        published_on=published,
        published_evidence=published_evidence,
        published_on_source=published_source,
        signed_on=signed,
        on_time=on_time(year, published),
        kind=kind,
        kind_evidence=kind_evidence or None,
        official=official,
        level=level,
        level_evidence=level_evidence or None,
        script=normalised.script,
        source_id=source.id if source else None,
    )
    return report, flags
