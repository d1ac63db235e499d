"""Normalised text → indicator observations, each with the exact clause it came from.

Every number followed by a unit (or a percentage in words: 百分之九十五点六) is a candidate figure;
the indicator table (``parsers.figures.indicators``) names it from the words around it:

- the words before it in its clause (学法6次); when they name nothing, the verb before and the
  noun after it (召开4次法治专题党委会, the quote running to the noun), and that predicate also names
  the unnamed items listed before it (党委会3次、政府常务会议2次专题研究部署法治建设工作); for the next
  item of a list of one kind, the verb said once before the list (调处婚姻纠纷6起、邻里纠纷4起); for
  a bare total after figures of one sentence, their indicator (法治讲座5场、普法活动20场，共计25场).
- the counts after the first of a 分别/各 list (开展讲座、竞赛分别为11场、2场); a table row flattened
  to "法治宣传活动|38|场次" (the cell border is no part of the name's words).
- Never figures: sub-counts (a clause that starts with 其中 or follows 其中：, and the next items of
  its list, when the figure before is one of the table's; after a count the table does not name, or
  a count of mixed business, 党委会议31次，其中专题研究法治工作3次, the 其中 figure is the
  indicator's own; a 其中 inside a sentence with no figure before it divides activities named
  without a count), ranges said of each village (各村…3至5次), figures inside
  parentheses, standing rules (每月1次, 每季度听取一次), ordinals (第二十次, 十届十五次全会), and
  numbers of more than 12 digits. Years, dates and document numbers never carry one of the table's units.

A count no row names (and that is none of the above, nor a slogan's numeral in quotation marks, the
indefinite 一 of 作为一项任务, 一次性, nor a percentage) is kept as an observation of indicator
``unclassified``: the reviewer's queue, never a year's value (docs/extraction.md). Rows may look for
a figure's subject beyond its clause (``Indicator.subject``: the headings above, the sentence before,
the clause after), and a list's later item of the same kind (部署会3次、推进会5次) takes the first's key.

Each figure gets its scope (``parsers.figures.canonical.scope_of``: this year's, a plan, another year, a
period, another body's, part of the year) and the year's value of each indicator is chosen from
them (``parsers.figures.canonical.year_values``). Linear in the text's length: break positions are found
once and bisected, headings walked once, numbers never start inside another number.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from ..models import Heading, IndicatorValue, Normalised, Observation, Qualifier, Scope
from ..read.normalise import SECTION_MAX_LEVEL
from .canonical import choose_values, mixed_subjects, scope_of
from .indicators import COMPILED, UNCLASSIFIED, UNITS, Compiled
from .numbers import NUMBER, NUMBER_START, PERCENT_WORDS, percent_value, qualifier_of, to_value

TOTAL_ONLY = re.compile(r"^(全年|年内)?(共计?|合计|总计|累计|总共|一共)(开展|组织|举办|召开|达到?|为)?[ ]?$")
# A space may stand between a number and its unit (text taken from a PDF: "开展普法活动 12 场次"),
# and a cell border where a table was flattened to text lines ("法治宣传活动|38|场次", "调解纠纷 | 56 | 起").
# A number and its unit, or a percentage in words (百分之九十五点六: the unit before the number).
FIGURE = re.compile(
    rf"{NUMBER_START}(?:{PERCENT_WORDS}"
    rf"|(?<![\d.,第届〇零一二两三四五六七八九十百千])(?<!第 ){NUMBER.pattern}[ \t]?(?:\|[ \t]?)?(?P<unit>{'|'.join(map(re.escape, UNITS))})(?P<post2>以上|左右)?)"
)
CELL_BORDER = "| \t"  # the border and padding between a table row's name and its number, no part of the name's words
# "开展法治讲座、知识竞赛分别为11场、2场", "宣传活动各10场、4场": the items after the first are counts of the same kind.
RESPECTIVELY = re.compile(r"(分别|各)(为|是|达|有)?$")
CLAUSE_BREAK = re.compile(r"[，。；！？\n：]")  # not 、: it joins the objects of one verb (调处宅基地、婚姻家庭等纠纷)
SENTENCE_BREAK = re.compile(r"[。；！？\n]")
LEADING = "、，,；：:“”\"' "
# The number of a list item at the start of a clause ("1.", "2、", "（3）", "③"), never a figure's words.
LIST_MARKER = re.compile(r"(?:\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[)）]|[①-⑳])\s*")
JOINERS = "和及"  # "…调委会和11个村调委会": stripped from a quote only right before its number
SUBCOUNT = re.compile(r"^其中")
SUBCOUNT_COLON = re.compile(r"其中[：:]\s*$")  # "其中：进社区…": the colon ends the clause before the figure


def _inside_parentheses(sentence: str) -> bool:
    """An opening parenthesis not closed before the figure (found from the right, in C)."""
    return max(sentence.rfind("("), sentence.rfind("（")) > max(sentence.rfind(")"), sentence.rfind("）"))


# A real report states fewer than 300 figures (the longest seed: 72). Past this many, a text is a
# table dump or a hostile page: reading on would only cost memory (500,000 figures took 1.3 GB),
# so the first ones are kept and the report is flagged (``figures_capped``).
MAX_FIGURES = 2000
SENTENCE_WINDOW = 400  # characters looked back for a sentence's words: real sentences are shorter
PARAGRAPH_BREAK = re.compile(r"\n")
PARAGRAPH_WINDOW = 600
# Standing rules, not counts: 每月1次, 每季度听取一次, 每两月1次, 每人每年.
RATE = re.compile(r"每(?:[一二两三四五六七八九十\d]{0,2}个?(?:年|月|季度?|周|星期|半年|天|日|旬)|人|次)[^，。；\d]{0,14}$")
# A page's view counter in its furniture: "浏览:76次", "阅读次数： 120", "点击量 35次".
VIEWS = re.compile(r"(浏览|点击|阅读|访问|查看)(次数|人次|量|数)?[ ]?[:：]?[ ]?$")
VIEWS_CONTEXT = 6  # a counter follows its label (and colon) at once: a longer clause before the number is prose
RATE_REACH = 24  # 每 + its period (≤ 4) + 14 characters: how far back RATE can match from a figure
# "各村开展进村入户宣传3至5次": a range said of each village or unit is a norm, not a count.
EACH = re.compile(r"各(村|社区|居|组|单位|部门|站所|网格)|每")
# Ordinals without 第: 十届十五次全会, 二十届三中全会.
# The items of a list of them are ordinals too: 六届二次、三次、四次全会.
ORDINAL_AFTER = re.compile(r"(?:、[\d〇一二两三四五六七八九十]{1,3}次)*(全会|全体会议|全体(扩大)?会议|代表大会|党代会)")
# The rest of a figure's clause and the clause after it, within its sentence (the subject of 召开党委会 said after it).
NEXT_CLAUSES = re.compile(r"[^。；！？\n，]*(?:，[^。；！？\n，]*)?")
NEXT_WINDOW = 60
# A later list item longer than this names its own subject (工作推进会, 专题推进会; not 安全生产专题会).
LIST_ITEM_MAX = 5
# A later list item that names a body or a subject of its own does not inherit the first item's.
OWN_SUBJECT = re.compile(r"党委|党工委|党组|政府|办公|常务|班子|中心组|支部|法|学习|研讨|培训|党课")
# The indefinite 一 ("作为一项重要任务", "一个时期", "一起部署"): no count of one thing.
ARTICLE_UNITS = frozenset({"个", "项", "起", "条", "名", "人", "户", "本", "张", "件", "份"})
# The noun a count can be followed by (召开4次法治专题党委会): up to the next punctuation, 、 or number.
POST_NOUN = re.compile(r"[^，。；！？\n：、（(\d]{1,16}")


class Breaks:
    """The ends of every match of a break pattern, found once: each figure then finds the last
    break before it by bisection, so extraction stays linear in the text's length (rescanning
    from the start for every figure made a 1 MB text take minutes)."""

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.ends = [m.end() for m in pattern.finditer(text)]

    def last(self, floor: int, position: int) -> int:
        """The end of the last break in text[floor:position], else ``floor``."""
        i = bisect.bisect_right(self.ends, position) - 1
        return self.ends[i] if i >= 0 and self.ends[i] > floor else floor


class Sections:
    """The section heading each figure stands under, for figures visited in text order: one walk
    through the headings for the whole text (asking ``section_at`` for each figure rescans them
    all, quadratic in a text with many headings). Same rule as ``normalise.section_at``."""

    def __init__(self, headings: list[Heading]) -> None:
        self.headings = [h for h in headings if h.level <= SECTION_MAX_LEVEL]
        self.next = 0
        self.open: dict[int, Heading] = {}
        self.cached: tuple[str, ...] | None = ()
        self.cached_joined: str | None = ""

    def at(self, position: int) -> str | None:
        while self.next < len(self.headings) and self.headings[self.next].start <= position:
            heading = self.headings[self.next]
            self.open = {lvl: h for lvl, h in self.open.items() if lvl < heading.level}
            self.open[heading.level] = heading
            self.next += 1
            self.cached = self.cached_joined = None
        return self.open[max(self.open)].text if self.open else None

    def joined(self) -> str:
        """The open headings as one string (for a row's ``subject``), at the last position asked about."""
        if self.cached_joined is None:
            self.cached_joined = "|".join(self.chain())
        return self.cached_joined

    def chain(self) -> tuple[str, ...]:
        """The open headings, outermost first, at the last position asked about."""
        if self.cached is None:
            self.cached = tuple(self.open[level].text for level in sorted(self.open))
        return self.cached


_BY_UNIT: tuple[tuple[Compiled, ...], dict[str, tuple[Compiled, ...]]] = ((), {})


def _rows_for(unit: str) -> tuple[Compiled, ...]:
    """The table's rows that count in ``unit``, in table order: worked out once per unit for the
    table in effect (a table replaced at run time, e.g. a row added, is indexed anew)."""
    global _BY_UNIT
    table, index = _BY_UNIT
    if table is not COMPILED:
        table, index = _BY_UNIT = (COMPILED, {})
    rows = index.get(unit)
    if rows is None:
        rows = index[unit] = tuple(c for c in table if unit in c.row.units)
    return rows


def _name(unit: str, context: str, sentence: str, paragraph: str, after: str, topic: "Topic | None" = None) -> tuple[str, int] | None:
    """The key of the first row that fits, and how far past the unit its quote runs. ``topic``: the
    words a row's ``subject`` is looked for in (the headings above, the sentence before, the
    figure's sentence and the clause after it)."""
    for c in _rows_for(unit):
        if not c.context.search(context):
            continue
        if c.subject and (topic is None or not c.subject.search(topic.text)):
            continue
        if c.sentence and not c.sentence.search(sentence):
            continue
        if c.paragraph and not c.paragraph.search(paragraph):
            continue
        if c.exclude and c.exclude.search(context.rsplit("、", 1)[-1]):
            continue
        tail = c.after.search(after) if c.after else None
        if c.after and tail is None:
            continue
        return c.row.key, tail.end() if tail else 0
    return None


class Topic:
    """Where a figure's subject may be said when its own clause names only the kind of thing
    counted (召开专题会议5次, 开展专题学习4次): the headings it stands under, the sentence before,
    its own sentence, and the rest of its clause and the clause after it (先后2次召开党委会，专题研究
    法治政府建设). Not further: a subject two clauses on belongs to another figure. Worked out only
    when a row with a ``subject`` is tried (most figures are named before)."""

    __slots__ = ("args", "_text")

    def __init__(self, text: str, sentences: Breaks, sentence_start: int, sentence: str, end: int, headings: str) -> None:
        self.args = (text, sentences, sentence_start, sentence, end, headings)
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            text, sentences, sentence_start, sentence, end, headings = self.args
            before = sentences.last(max(0, sentence_start - 1 - SENTENCE_WINDOW), max(0, sentence_start - 1))
            rest = NEXT_CLAUSES.match(text, end, end + NEXT_WINDOW)
            self._text = f"{headings}|{text[before:sentence_start]}{sentence}{rest.group(0) if rest else ''}"
        return self._text


def _same_kind(listed: str, item: str) -> bool:
    """Whether a list's later item counts the same kind of thing as the named item before it: the
    same head noun (the last character: 部署会/推进会, 婚姻纠纷/邻里纠纷), and no body or subject of
    its own (党委会22次 after 法治专题会3次 names another body's meetings)."""
    return bool(item) and _head(item) == _head(listed) and len(item) <= LIST_ITEM_MAX and not OWN_SUBJECT.search(item)


def _head(noun: str) -> str:
    """The head noun's last character, 会议 read as 会 (领导小组会议3次、专题推进会2次: one kind)."""
    return noun[-2] if noun.endswith("会议") else noun[-1]


def _not_a_count(figure: re.Match[str], sentence: str, text: str) -> bool:
    """Numbers with a counting word that count nothing: a slogan's numeral inside quotation marks
    (“三项制度”, “最多跑一次”, “四个意识”), the indefinite 一 (作为一项重要任务, 一个时期, 一起部署) and
    一次性.
    Kept out of the unclassified queue."""
    num = figure.group("num")
    if num is None or num[0].isdigit():
        return False
    if sentence.rfind("“") > sentence.rfind("”"):
        return True
    if text.startswith("性", figure.end()):  # 一次性告知: an adjective
        return True
    return num == "一" and figure.group("unit") in ARTICLE_UNITS


def _skipped(context: str, sentence: str, after: str) -> bool:
    """Figures that are never counts: rates, ordinals, figures inside parentheses. A rate is read
    on its whole clause, not from the figure before (每两个月一次: 两个 cut the clause; the 每 before
    a number is the rate's period), within a tail as long as RATE can reach."""
    # (the context is a suffix of the sentence, so the sentence's tail holds every rate the context does)
    if _inside_parentheses(sentence) or sentence.endswith("每") or RATE.search(sentence[-RATE_REACH:]):
        return True
    if len(context.rsplit(" ", 1)[-1]) <= VIEWS_CONTEXT and VIEWS.search(sentence[-12:]):
        return True  # the page's counter (浏览:76次), no count of the report's
    return bool(ORDINAL_AFTER.match(after))


def _counts_in(key: str, unit: str) -> bool:
    """Whether some row of ``key`` counts in ``unit`` (a list's next count must count the same thing)."""
    return any(key == c.row.key for c in _rows_for(unit))


def _sub_count(text: str, clause_start: int, context: str, previous: str | None, previous_quote: str = "", sentence_start: int | None = None) -> bool:
    """A 其中 clause ("其中法治讲座8场", "其中：进社区…15次、进学校…7次") counts part of the figure
    before it, and is left out, when that figure is one of the table's (``previous`` is "named") or
    itself a sub-count. After a figure the table does not count ("党委会议31次，其中专题研究法治工作3次"),
    the 其中 figure is the indicator's own count, and so it is when only the 其中 clause speaks of law
    ("中心组学习20次，其中专题学习宪法6次": the 20 was named by its sentence, its own words have no 法).
    ``previous``: the state of the figure before in the same sentence ("named", "unnamed", "sub"),
    None when there is none; ``previous_quote``: its quote when it was named. With no figure before
    it in its sentence, a 其中 inside the sentence (after ``sentence_start``: "开展“法律进X”“法律进Y”活动，其中…7场、…26场")
    divides activities named without a count, and is counted; one that opens a sentence ("。其中婚姻纠纷20起")
    divides the figure of the sentence before."""
    if not context.startswith("其中") and "其中" not in text[max(0, clause_start - 4) : clause_start]:
        return False  # the common case, without a regex
    if not (SUBCOUNT.match(context) or SUBCOUNT_COLON.search(text, max(0, clause_start - 4), clause_start)):
        return False
    if previous == "named" and "法" in context and ("法" not in previous_quote or mixed_subjects(previous_quote)):
        return False  # after a count of mixed business (法治建设、平安建设等议题21次), the 其中 on law is the count
    if previous is None and sentence_start is not None and text[sentence_start:clause_start].strip(LEADING) not in ("", "其中"):
        return False
    return previous != "unnamed"


def _unit(figure: re.Match[str]) -> str:
    return figure.group("unit") or "%"  # no unit group: a percentage in words


def _value(figure: re.Match[str]) -> float:
    pct = figure.group("pct")
    return percent_value(pct) if pct else to_value(figure.group("num"), figure.group("mult"))


def _qualifier(figure: re.Match[str]) -> Qualifier:
    post = "以上" if figure.group("range") else figure.group("post") or figure.group("post2")
    return qualifier_of(figure.group("pre"), post)


class _Figure(NamedTuple):
    """A mention before its year's value is chosen: each becomes an Observation once, with its
    final scope and mark (building it, then copying it to mark it, was a tenth of the extraction)."""

    indicator: str
    value: float
    unit: str
    qualifier: Qualifier
    quote: str
    start: int
    end: int
    section: str | None
    scope: Scope


def _observations(found: list[_Figure], text: str) -> tuple[list[Observation], list[IndicatorValue]]:
    """The mentions as Observations, the year's values chosen among them (``canonical.year_values``)."""
    marks = choose_values(found, text)
    return [
        Observation(indicator=f.indicator, value=f.value, unit=f.unit, qualifier=f.qualifier, quote=f.quote, start=f.start, end=f.end,
                    section=f.section, canonical=i in marks.canonical, scope=marks.scope(i, f))
        for i, f in enumerate(found)
    ], marks.values


class _Pending(NamedTuple):
    """An unnamed figure that a predicate after the last item of its list may still name."""

    figure: re.Match[str]
    clause_start: int
    context: str
    sentence: str
    paragraph: str
    topic: Topic

    @property
    def end(self) -> int:
        return self.figure.end()


def _carry_back(pending: list[_Pending], key: str, noun: str, text: str, sections: Sections, year: int | None) -> list[_Figure]:
    """The items before the last of a list ("党委会3次、政府常务会议2次专题研究部署法治建设工作"), named
    by the predicate after it when that names them as the same key; each quote is its own clause."""
    carried = []
    for item in pending:
        unit = _unit(item.figure)
        named = _name(unit, item.context + noun, item.sentence + noun, item.paragraph, "", item.topic)
        if named is None or named[0] != key:
            return []  # the list is not one of this key's items
        start, end = item.clause_start, item.figure.end()
        carried.append(
            _Figure(
                indicator=key,
                value=_value(item.figure),
                unit=unit,
                qualifier=_qualifier(item.figure),
                quote=text[start:end],
                start=start,
                end=end,
                section=sections.at(start),
                scope=scope_of(item.context, item.sentence, noun[:12], sections.chain(), year),
            )
        )
    return carried


def extract_observations(normalised: Normalised, year: int | None = None) -> list[Observation]:
    """Every figure the indicator table can name, with the year's values marked ``canonical`` (not
    the unclassified counts ``extract_figures`` also returns)."""
    return [o for o in extract_figures(normalised, year)[0] if o.indicator != UNCLASSIFIED]


def extract_figures(normalised: Normalised, year: int | None = None) -> tuple[list[Observation], list[IndicatorValue]]:
    """Every figure the indicator table can name, in text order, with quote, span and scope.

    A figure is named from the words before it (学法6次); when they name nothing, from the verb
    before it and the noun after it (召开4次法治专题党委会), the quote then running to the noun.
    ``year`` is the year the report covers, when known: a figure of another year is never the
    year's value (``parsers.figures.canonical``)."""
    text = normalised.text
    found: list[_Figure] = []
    previous_end = 0
    sentences, clauses = Breaks(SENTENCE_BREAK, text), Breaks(CLAUSE_BREAK, text)
    paragraphs = Breaks(PARAGRAPH_BREAK, text)
    sections = Sections(normalised.headings)
    listed: tuple[str, str] | None = None  # key and clause words of the last figure, for the next item of its list
    state: tuple[int, str] = (-1, "")  # end and state ("named", "unnamed", "sub") of the figure before
    # Unnamed figures of the list so far, for a predicate said after its last item (党委会3次、政府常务会议2次专题研究…法治).
    pending: list[_Pending] = []
    unnamed: list[_Figure] = []  # counts no row named, in text order: the unclassified queue
    for figure in FIGURE.finditer(text):
        if len(found) + len(unnamed) >= MAX_FIGURES:
            break
        start, end = figure.span()
        sentence_start = sentences.last(max(0, start - SENTENCE_WINDOW), start)
        floor = previous_end
        clause_start = clauses.last(max(sentence_start, floor), start)
        previous_end = end
        previous = state[1] if state[0] > sentence_start else None
        state = (end, "unnamed")
        while clause_start < start and (text[clause_start] in LEADING or text[clause_start] in JOINERS and clause_start + 1 == start):
            clause_start += 1
        if marker := LIST_MARKER.match(text, clause_start, start):  # "2.受理…": the item's number is no part of the clause
            clause_start = marker.end()
        context, sentence = text[clause_start:start].rstrip(CELL_BORDER), text[sentence_start:start]
        after = text[end : end + 20]
        if _skipped(context, sentence, after) or (figure.group("range") and EACH.search(context)):
            pending = []
            continue
        gap = text[floor:clause_start]
        in_list = gap.strip(LEADING) == "" and "、" in gap
        # the named figure before and the rest of its clause: its subjects may follow it (党委会7次研究部署法治建设、平安建设等工作)
        previous_quote = text[found[-1].start : clause_start] if previous == "named" and found else ""
        if _sub_count(text, clause_start, context, previous, previous_quote, sentence_start) or (previous == "sub" and in_list):
            state, listed, pending = (end, "sub"), None, []  # the next items of its list are sub-counts too
            continue
        paragraph = text[paragraphs.last(max(0, start - PARAGRAPH_WINDOW), start) : start]
        unit = _unit(figure)
        section = sections.at(start)
        topic = Topic(text, sentences, sentence_start, sentence, end, sections.joined())
        named = _name(unit, context, sentence, paragraph, after, topic)
        noun = POST_NOUN.match(after) if named is None else None
        carried_back: list[_Figure] = []
        if noun and noun.group(0):
            named = _name(unit, context + noun.group(0), sentence + noun.group(0), paragraph, text[end + noun.end() : end + noun.end() + 20], topic)
            named = (named[0], noun.end()) if named else None
            if named and in_list and pending and pending[-1].end == floor:
                carried_back = _carry_back(pending, named[0], noun.group(0), text, sections, year)
        if named is None and listed and in_list and len(context) >= 2 and context[-2:] in listed[1]:
            # "调处婚姻纠纷6起、邻里纠纷4起": the verb said once governs every item of a list of one
            # kind of thing (the items share their head noun, 纠纷); "合同19份、征求意见59件" do not.
            # (joined by its 、: a row that reads across list items, 调处…、…纠纷, still fits; one that names a
            # single item, 法治…专题会, does not take 安全生产专题会 for its own)
            carried = _name(unit, f"{listed[1]}、{context}", sentence, paragraph, after, topic)
            named = carried if carried and carried[0] == listed[0] else None
        if named is None and listed and in_list and _same_kind(listed[1], context) and _counts_in(listed[0], unit):
            # "法治建设专题部署会3次、工作推进会5次": a later item of the same kind of thing (one head noun,
            # 会) with no subject or body of its own takes the subject of the item that named one.
            named = (listed[0], 0)
        if named is None and listed and in_list and not context and RESPECTIVELY.search(listed[1]) and _counts_in(listed[0], unit):
            named = (listed[0], 0)  # "分别为11场、2场、3场": one verb and one 分别 for every count of the list (in the key's units)
        if named is None and found and found[-1].end > sentence_start and TOTAL_ONLY.match(context):
            # "法治讲座5场、普法活动20场，共计25场": a bare total adds up the figures before it.
            key = found[-1].indicator
            named = (key, 0) if _counts_in(key, unit) else None
        elif named is None and TOTAL_ONLY.match(context) and clause_start > sentence_start:
            # "每月开展1次法治讲座，全年共12场": a bare total with no count before it in its sentence (a rate
            # is none) totals what the sentence's words before it name.
            named = _name(unit, text[sentence_start:clause_start].rstrip(LEADING), sentence, paragraph, "", topic)
            named = (named[0], 0) if named else None
        if named is None:
            listed = None
            pending = (pending if in_list and pending and pending[-1].end == floor else []) + [
                _Pending(figure, clause_start, context, sentence, paragraph, topic)
            ]
            if unit != "%" and not _not_a_count(figure, sentence, text):  # a count no row names waits in the reviewer's queue
                tail = noun.end() if noun else 0
                unnamed.append(
                    _Figure(
                        indicator=UNCLASSIFIED, value=_value(figure), unit=unit, qualifier=_qualifier(figure),
                        quote=text[clause_start : end + tail], start=clause_start, end=end + tail, section=section,
                        scope=scope_of(context, sentence, text[end + tail : end + tail + 12], sections.chain(), year),
                    )
                )
            continue
        pending = []
        found += carried_back
        key, tail = named
        state = (end + tail, "named")
        listed = (key, listed[1] if listed and listed[0] == key and in_list else context)
        previous_end = end + tail
        found.append(
            _Figure(
                indicator=key,
                value=_value(figure),
                unit=unit,
                qualifier=_qualifier(figure),
                quote=text[clause_start : end + tail],
                start=clause_start,
                end=end + tail,
                section=section,
                scope=scope_of(context, sentence, text[end + tail : end + tail + 12], sections.chain(), year),
            )
        )
    if unnamed:
        # An item a predicate after its list named later (carried back) is no longer unclassified: its
        # named quote starts at its clause, as the queued one's does.
        named_starts = {o.start for o in found}
        found = sorted([*found, *(o for o in unnamed if o.start not in named_starts)], key=lambda o: o.start)
    return _observations(found, text)
