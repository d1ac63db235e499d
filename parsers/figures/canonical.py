"""The year's value of each indicator, and what every mention counts.

A report states an indicator several times: each activity, sometimes the year's total, sometimes
last year's figure, a three-year tally or next year's target. An analyst who adds townships up
needs one number a report: the year's value, with how it was chosen.

**Scope of a mention** (``scope_of``, from the words around the figure):

- ``plan``: a target or intention (力争, 争取, 目标, 计划开展, 拟, 将继续…, 下一步, 明年), or any figure
  under a heading of plans (下一步工作计划, 下步工作打算, 2025年工作安排 …);
- ``other_year``: a comparison (同比, 较上年, 去年) or a year named before the figure that is not
  the report's year ("2022年的");
- ``period``: several years (“十四五”以来, 近三年, 2021年以来 in a 2024 report, 历年);
- ``other_body``: the county's or city's figure (全县, 全市, 县级); and every figure of a document
  that is not a township's rule-of-law report (``outside_township``: a county's or department's
  report, a news item, a plan — the report's level or kind says so);
- ``part``: a share of the year's value: a half year's or some months' figure (上半年, 1-11月), or
  (set by ``year_values``) one of several parts listed together, or a 累计 over one activity that
  another mention exceeds;
- ``year``: the township's own activity in the year.

**The year's value** (``year_values``), among the ``year`` and ``part`` mentions only (plans,
other years, periods and other bodies are kept as observations, never chosen):

1. ``stated_total``: a mention that states a total (共, 共计, 总计, 合计, 全镇/全乡, 年度; a bare
   累计 or 全年, a total naming a body inside the township — 中心组全年…共计8次 — or a bare total
   with no noun of its own — 合计8次 — only when no other mention exceeds it); the largest if several. A total below another
   mention is kept and flagged ``total_below_mention``; below a listed sum, ``parts_above_total``.
2. ``sum_of_parts``: with no stated total, mentions of the indicator listed together in one clause
   (joined by 、, 和, 及: "委员会会议2次、专题党委会4次" → 6) are disjoint parts and are added, when
   their sum is the largest candidate.
3. ``single_mention``: else the largest mention (a lower bound of the year's value: qualifier ``at_least``).

Mentions in different clauses are never added: "党委会研究法治建设工作5次，政府会议部署…12次"
counts two bodies' meetings. For ``party_meetings_on_rule_of_law``, the party's meetings are
preferred to those naming the government when a report states both. For meetings and study, a
count of mixed business (研究部署法治建设、平安建设等议题21次) and a count followed by its own 其中
figure give way to the count on the subject alone (其中专题研究法治建设4次).

The value carries the column's one unit (``COLUMN_UNITS``) and its qualifier (a sum is
``at_least`` or ``approx`` when a part is). Pure functions: text in, models out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from ..models import Basis, IndicatorValue, Observation, Qualifier, Scope
from .indicators import COLUMN_UNITS, UNCLASSIFIED

# A heading of plans: 下一步/明年/今后 anywhere, or 计划/打算/安排/思路/要点 closing it ("三、2025年工作计划";
# not "（三）强化工作计划落实", a heading of this year's work). Never 举措: "一、主要工作举措" and
# "推进法治政府建设的主要举措和成效" head the year's own work.
PLAN_HEADING = re.compile(r"下一?步|下一?年度?|明年|来年|今后|努力方向|展望|(计划|打算|安排|思路|要点)[。.:：\s]*$")
PLAN_WORDS = re.compile(
    r"力争|争取|目标(是|为|任务是)|预计|下一步|明年|下一年|来年|今后"
    r"|计划(开展|组织|举办|完成|召开|于|全年|年内|在)|拟(开展|组织|举办|召开|于|在)"
    r"|将(继续|进一步|持续|开展|组织|举办|召开|力争|实现|完成|加大|不少于|全年|每年)|确保全年"
)
PLAN_AFTER = re.compile(r"^[^，。；]{0,8}(的目标|为目标|目标)")
OTHER_YEAR_WORDS = re.compile(r"同比|较上年|比上年|较去年|比去年|上年度?|去年|上一年度?|前年|较\d{4}年|比\d{4}年")
CHANGE_AFTER_COMPARISON = re.compile(r"(同比|较上年|比上年|较去年|比去年)[^，。；]{0,4}(增加|增长|减少|下降|提高|上升)[^，。；]{0,3}$")
PERIOD_WORDS = (
    r"十[一二三四五六七八九]五[”’\"]?(期间|以来|时期)|近[一二两三四五六七八九十\d]{1,2}年|(?<![\d年])([两三四五六七八九十]+|\d)年(来|以来|间|里)"
    r"|历年|多年来|[十二]+大以来|成立以来|建[街镇乡]以来"
)
# The last time named before a figure decides its year: "2023年…，今年全年共…" is this year's;
# "近三年来…" several years'; "2021年以来" several years' in a 2024 report, this year's in a 2021 one.
# (led by a lookahead on every alternative's first characters: the engine then leaves most positions of
# a sentence after one character test instead of trying each alternative there, half the time)
TIME_NAMED = re.compile(
    r"(?=[\d十近两三四五六七八九二历多成建今本全当])"
    rf"(?:(?P<period>{PERIOD_WORDS})|(?P<year>(?:19|20)\d{{2}})\s*年度?(?P<since>以来|至今|[至到-]\s*(?:19|20)\d{{2}}年?)?|(?P<this>今年|本年度?|全年|当年))"
)
CITED = re.compile(r"《[^》]*》")  # titles of cited documents (《2023年工作要点》) name no time of the figure
# A closed parenthesis is a remark on the figure before it ("1500余人次（2023年为1320人次），出具…42份"):
# the year it names is not the time of the figures after it.
REMARK = re.compile(r"[（(][^（()）]{0,40}[)）]")
# "比2022年增加6场": the year compared with is that clause's (OTHER_YEAR_WORDS), not the time of the
# figures after it in the sentence ("…，比2022年增加6场，发放读本2400册" is this year's 2400).
COMPARED = re.compile(r"(?:同比|较|比)\s*(?:19|20)\d{2}\s*年度?(?:同期)?")
# The county's or city's figure; not its website or platform, through which the township publishes.
OTHER_BODY = re.compile(
    r"(?=[全县市])(?:全(县|市|区|省|州|盟|旗|国)(?!域)|(县|市)级|(县|市)(委|政府|司法局|法院|检察院)(?!门户|网站|网|平台|官网|公众号)(?!.*(指导|部署|要求)))"
)
STRONG_TOTAL = re.compile(r"共(?!同|建|享|治|商|识|产)|共计|总计|合计|全(乡|镇|街道|街)|年度|本年")
# 全年 says when, not how much: "综治中心全年调处纠纷12起", "宣传车全年巡回宣传15场" count one body's or
# one campaign's activity in the year. Like a bare 累计, it is the year's total only when no other mention exceeds it.
WEAK_TOTAL = re.compile(r"累计|全年")
# A body inside the township: its total ("中心组全年学习…共计8次") is that body's, not the township's,
# and is the year's total only when no other mention exceeds it.
# A bare total, with no noun of its own ("合计8次", "每月开展1次法治讲座，全年共12场"), totals only what its
# sentence named before it: one activity, or the parts listed there.
BARE_TOTAL = re.compile(r"^(全年|年内)?(共计?|合计|总计|累计|总共|一共)(开展|组织|举办|召开|达到?|为)?\s?(近|约|超过?|逾|达)?[\d.,]+[万千]?[余多]?\D{0,3}$")
INNER_BODY = re.compile(r"中心组|综治中心|调委会|调解委员会|司法所|派出所|法庭|领导小组|工作站|服务站|服务室|宣传车|宣讲队|宣讲团|执法队|执法大队|执法中队")
CLAUSE_BREAK = re.compile(r"[，。；！？\n：]")
SENTENCE_BREAK = re.compile(r"[。；！？\n]")
# Part of the year: a half year, a quarter, some months ("1-11月", "截至9月底").
PART_OF_YEAR = re.compile(r"(?=[上下第一二三四\d截])(?:[上下]半年|第?[一二三四1-4]季度|\d{1,2}\s*[-—~至到]\s*\d{1,2}月|截至\d{1,2}月|\d{1,2}月份?以来)")
# The body whose meetings a key counts, preferred when a report also gives another body's: the
# other body's mentions (OTHER_BODY_MEETINGS) are dropped; mentions that name no body (其中专题研究…5次,
# 合计8次) stay.
PREFERRED_BODY: dict[str, re.Pattern[str]] = {
    "party_meetings_on_rule_of_law": re.compile(r"党委|党工委|党组|委员会|领导小组"),
}
OTHER_BODY_MEETINGS: dict[str, re.Pattern[str]] = {
    "party_meetings_on_rule_of_law": re.compile(r"(?<!法治)政府|[乡镇]长|主任|办公会|常务会|联席会"),
}
# Keys that count activities on a subject: a mention whose list of subjects names one without 法
# ("研究部署法治建设、平安建设、营商环境等议题21次") counts more than the subject, and gives way to a
# mention on the subject alone ("其中专题研究法治政府建设工作4次").
SUBJECT_KEYS = frozenset({"party_meetings_on_rule_of_law", "law_study_sessions"})


SUBJECT_VERB = re.compile(r"研究|部署|审议|学习|研讨|听取")


def mixed_subjects(quote: str) -> bool:
    """A quote listing several subjects (、, after the verb that takes them: 研究部署法治建设、平安建设等)
    of which one is not law: a count of mixed business. A list of bodies before the verb
    (党工委会、主任办公会会前学法28次) is not one."""
    verbs = list(SUBJECT_VERB.finditer(quote))
    items = quote[verbs[-1].end() :].split("、") if verbs else []
    return len(items) > 1 and "法" in quote and any("法" not in item for item in items)
NEVER_CANONICAL: frozenset[Scope] = frozenset({"plan", "other_year", "period", "other_body"})


@functools.lru_cache(maxsize=256)
def _under_plan_heading(sections: tuple[str, ...]) -> bool:
    return any(PLAN_HEADING.search(heading) for heading in sections)


def scope_of(context: str, sentence: str, after: str, sections: Sequence[str], year: int | None) -> Scope:
    """What one mention counts, from its clause (``context``: clause start to the number), its
    sentence up to the number, a few characters after it, and the headings it stands under."""
    if _under_plan_heading(tuple(sections)) or PLAN_WORDS.search(sentence) or PLAN_AFTER.match(after):
        return "plan"
    plain = CITED.sub("", sentence) if "《" in sentence else sentence  # each pattern only where its first character is
    if "）" in plain or ")" in plain:
        plain = REMARK.sub("", plain)
    if "比" in plain or "较" in plain:
        plain = COMPARED.sub("", plain)
    if OTHER_YEAR_WORDS.search(context) or CHANGE_AFTER_COMPARISON.search(context):
        return "other_year"
    named = list(TIME_NAMED.finditer(plain))
    last = named[-1] if named else None
    if last and last.group("period"):
        return "period"
    if last and last.group("year") and year is not None and int(last.group("year")) != year:
        return "period" if last.group("since") else "other_year"
    if OTHER_BODY.search(context):
        return "other_body"
    if last and last.group("this"):
        return "year"  # 全年 / 今年 after a half-year clause: the year's
    if PART_OF_YEAR.search(plain):
        return "part"
    return "year"


# What a report is decides whose figures it states: a county's or a department's report (level), a
# news item, a plan or an information-disclosure report (kind "other") gives no township's year figures.
NOT_A_TOWNSHIP_LEVEL = frozenset({"county", "department"})
NOT_A_TOWNSHIP_KIND = frozenset({"other"})


def outside_township(observations: Sequence[Observation]) -> list[Observation]:
    """The figures of a document that is not a township's rule-of-law report: every mention kept (a
    reviewer may read them, observations.csv lists them) but scoped ``other_body`` and never
    canonical, so that no year's value, no values.csv row and no township figure comes from it."""
    return [o.model_copy(update={"scope": "other_body", "canonical": False}) for o in observations]


def _qualifier(parts: Sequence[Mention]) -> Qualifier:
    qualifiers = {o.qualifier for o in parts}
    return "approx" if "approx" in qualifiers else "at_least" if "at_least" in qualifiers else "exact"


def _same_clause(first: Mention, second: Mention, text: str) -> bool:
    if not text:
        return False
    between = text[first.end : second.start] if second.start > first.end else ""
    return not CLAUSE_BREAK.search(between) and second.start - first.end < 40


class Mention(Protocol):
    """What choosing the year's value reads of a mention: an Observation, or the lighter record
    ``extract_figures`` builds before it makes each Observation once, with its final scope."""

    @property
    def indicator(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def unit(self) -> str: ...
    @property
    def qualifier(self) -> Qualifier: ...
    @property
    def quote(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def scope(self) -> Scope: ...


class Marks(NamedTuple):
    """What ``choose_values`` decided: the mentions whose scope became ``part``, the mentions of the
    year's values (canonical), and the values."""

    parts: set[int]
    canonical: set[int]
    values: list[IndicatorValue]

    def scope(self, i: int, mention: Mention) -> Scope:
        return "part" if i in self.parts else mention.scope


def year_values(observations: Sequence[Observation], text: str = "") -> tuple[list[Observation], list[IndicatorValue]]:
    """Mark each indicator's year value among the mentions, and return it with its basis.

    ``text`` is the normalised text the mentions point into; without it, no parts are added up.
    Idempotent: a mention already marked ``part`` (a half year's figure, or a part found by an
    earlier call) is never a stated total nor a single mention's winner, but may be a listed part.
    Each mention whose scope or mark changes is copied once (a copy per change was a tenth of a
    report's extraction)."""
    marks = choose_values(observations, text)
    obs = list(observations)
    for i, o in enumerate(obs):
        scope, canonical = marks.scope(i, o), i in marks.canonical
        if scope != o.scope or canonical != o.canonical:
            obs[i] = o.model_copy(update={"scope": scope, "canonical": canonical})
    return obs, marks.values


def choose_values(obs: Sequence[Mention], text: str = "") -> Marks:
    """``year_values``' decisions, reading the mentions and changing none."""
    marks = Marks(set(), set(), [])
    by_key: dict[str, list[int]] = {}  # each key's mentions, found in one pass (the unclassified queue is no key)
    for i, o in enumerate(obs):
        if o.indicator != UNCLASSIFIED:
            by_key.setdefault(o.indicator, []).append(i)
    for key, mentions in by_key.items():
        eligible = [i for i in mentions if obs[i].scope not in NEVER_CANONICAL]
        preferred, other = PREFERRED_BODY.get(key), OTHER_BODY_MEETINGS.get(key)
        if preferred and other and any(preferred.search(obs[i].quote) for i in eligible):
            eligible = [i for i in eligible if preferred.search(obs[i].quote) or not other.search(obs[i].quote)]
        if key in SUBJECT_KEYS:
            eligible = _on_the_subject(eligible, obs, text)
        if not eligible:
            continue
        value = _choose_one(key, eligible[0], obs, marks) if len(eligible) == 1 else _choose(key, eligible, obs, text, marks)
        marks.canonical.update(value.mentions)
        marks.values.append(value)
    return marks


def _on_the_subject(eligible: list[int], obs: Sequence[Mention], text: str) -> list[int]:
    """Mentions of mixed business give way to mentions on the subject alone; a count followed in
    its sentence by its own 其中 figure ("中心组学习14次，其中学习…法律法规4次") gives way to it."""
    covering = set()
    for before, after in zip(eligible, eligible[1:]):
        if obs[after].quote.startswith("其中") and not SENTENCE_BREAK.search(text[obs[before].end : obs[after].start]):
            covering.add(before)
    kept = [i for i in eligible if i not in covering]
    pure = [i for i in kept if not mixed_subjects(obs[i].quote)]
    return pure or kept


def _choose_one(key: str, i: int, obs: Sequence[Mention], marks: Marks) -> IndicatorValue:
    """``_choose`` for an indicator mentioned once (most of a report's): no list, no other mention to
    exceed a total or to be exceeded, so a 全年/累计 total or a bare total stands as a stated one."""
    if marks.scope(i, obs[i]) == "part":
        return _value(key, [i], obs, "single_mention", ["only_part_of_year"])
    quote = obs[i].quote
    total = STRONG_TOTAL.search(quote) or WEAK_TOTAL.search(quote)
    return _value(key, [i], obs, "stated_total" if total else "single_mention", [])


def _choose(key: str, eligible: list[int], obs: Sequence[Mention], text: str, marks: Marks) -> IndicatorValue:
    # Same-key mentions adjacent in text order within one clause form a listed group.
    position = {i: n for n, i in enumerate(eligible)}
    runs: list[list[int]] = []
    for i in eligible:
        if runs and _same_clause(obs[runs[-1][-1]], obs[i], text) and position[runs[-1][-1]] == position[i] - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    groups = [r for r in runs if len(r) > 1]
    singles = [r[0] for r in runs if len(r) == 1]
    for group in groups:
        marks.parts.update(group)
    largest = max(obs[i].value for i in eligible)
    totals = []
    for i in singles:
        quote = obs[i].quote
        if marks.scope(i, obs[i]) == "part":
            continue
        if STRONG_TOTAL.search(quote) and not INNER_BODY.search(quote) and not BARE_TOTAL.match(quote):
            totals.append(i)
        elif WEAK_TOTAL.search(quote) or STRONG_TOTAL.search(quote):
            if obs[i].value < largest:  # a 累计 over one activity: a part of the year's value
                marks.parts.add(i)
            else:
                totals.append(i)
    sums = [(sum(obs[i].value for i in g), g) for g in groups]
    flags: list[str] = []
    if totals:
        chosen = max(totals, key=lambda i: obs[i].value)
        total = obs[chosen].value
        if any(obs[i].value > total for i in singles if i != chosen) or any(obs[i].value > total for g in groups for i in g):
            flags.append("total_below_mention")
        if any(s > total for s, _ in sums):
            flags.append("parts_above_total")
        return _value(key, [chosen], obs, "stated_total", flags)
    best_single = max((i for i in singles if marks.scope(i, obs[i]) != "part"), key=lambda i: obs[i].value, default=None)
    best_sum = max(sums, key=lambda s: s[0], default=None)
    if best_sum and (best_single is None or best_sum[0] >= obs[best_single].value):
        return _value(key, best_sum[1], obs, "sum_of_parts", flags)
    if best_single is None:  # only parts (a 累计, half a year): the largest stands for the year, flagged
        best_single = max(eligible, key=lambda i: obs[i].value)
        flags.append("only_part_of_year")
    return _value(key, [best_single], obs, "single_mention", flags)


def _value(key: str, mentions: list[int], obs: Sequence[Mention], basis: Basis, flags: list[str]) -> IndicatorValue:
    parts = [obs[i] for i in mentions]
    return IndicatorValue(
        indicator=key,
        value=sum(o.value for o in parts),
        unit=COLUMN_UNITS.get(key, parts[0].unit),
        # The largest single mention is a lower bound of the year's value, never a total: at_least (issue 26); approx stays approx.
        qualifier="at_least" if basis == "single_mention" and _qualifier(parts) == "exact" else _qualifier(parts),
        basis=basis,
        mentions=mentions,
        flags=flags,
    )
