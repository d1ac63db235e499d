"""What a title says about a document: is it a rule-of-law report, and of which kind.

Rules are data, tried in order; the first that matches decides. Exclusions come first because
portals file look-alikes in the same column (政府信息公开工作年度报告 is an annual report, but
about information disclosure; 工作要点 and 实施方案 are plans, not reports).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .models import Kind, Link, LinkDecision
from .normalise import strip_format_characters, to_simplified


class TitleRule(NamedTuple):
    pattern: re.Pattern[str]
    take: bool
    kind: Kind
    reason: str


# A report with next year's plan appended (…情况及2026年…工作要点的报告, …总结和2025年工作计划) is
# still the year's report: the report rules come before the plan rule, after the notices.
TITLE_RULES: tuple[TitleRule, ...] = (
    TitleRule(re.compile(r"政府信息公开.{0,6}(年度|年报|告年度报)"), False, "other", "政府信息公开工作年度报告 (information disclosure, not rule of law)"),
    TitleRule(re.compile(r"上半年|半年(工作)?总结|第[一二三四]季度"), False, "other", "a half-year or quarterly summary, not the year's report"),
    TitleRule(re.compile(r"通知|公告|意见|办法|通报"), False, "other", "a plan, notice or rule, not a report"),
    TitleRule(re.compile(r"述法|述职述廉|履行推进法治建设第一责任人职责"), True, "shufa", "述法 (an official's report on rule-of-law duties)"),
    TitleRule(re.compile(r"法治政府建设.{0,16}(年度报告|情况报告|工作报告|报告|工作情况|情况|工作总结|总结)"), True, "government_annual_report", "法治政府建设 annual report"),
    TitleRule(re.compile(r"法治(建设|乡镇|街道).{0,8}(工作情况|情况报告|年度报告|工作报告|总结)|依法治(镇|乡|街|区|县).{0,8}(工作情况|报告|总结)"), True, "rule_of_law_work_report", "法治建设工作情况 report"),
    TitleRule(re.compile(r"法治.{0,12}工作总结|依法行政.{0,8}(工作报告|情况报告|工作总结|工作情况)"), True, "work_summary", "rule-of-law work summary"),
    # News of a rule-of-law meeting or event: a look-alike in the column, not the report (news on
    # anything else is simply not a rule-of-law report). Anchored: unanchored, the look-ahead was
    # tried at every position, each scanning to the end (a 1 MB title took hours); same matches.
    TitleRule(re.compile(r"^(?=.*(法治|普法|依法|法律|宪法)).*(召开|举办|举行|开展.{0,20}活动$|推进会|部署会|培训会|座谈会)"), False, "other", "a news item, not a report"),
    TitleRule(re.compile(r"工作要点|实施方案|工作计划|方案$|方案》?$"), False, "other", "a plan, notice or rule, not a report"),
)
# What a text's opening says about its kind when the title does not (or there is none).
TEXT_RULES: tuple[tuple[re.Pattern[str], Kind], ...] = (
    # A news item opens with its date and what happened: "7月5日，…召开…".
    (re.compile(r"^\s*(\d{1,2}月\d{1,2}日|近日|日前)[，,]?[^。\n]{0,40}(召开|举办|举行|开展|组织)"), "other"),
    # An official's first-person account of their own duties, even without 述法 in the excerpt.
    (re.compile(r"本人[^。]{0,30}(履行|职责|履职)|个人履行|个人述法|履职情况\n"), "shufa"),
    (re.compile(r"政府信息公开(工作)?年度报告"), "other"),
    (re.compile(r"法治政府建设|依法治(镇|乡|街|县|区)|法治建设"), "government_annual_report"),
)


def classify_title(title: str) -> TitleRule | None:
    """The first rule whose pattern the (simplified) title matches, or None."""
    compact = re.sub(r"\s+", "", title)
    for rule in TITLE_RULES:
        if rule.pattern.search(compact):
            return rule
    return None


YEAR = re.compile(r"(19|20)\d{2}|[〇零一二三四五六七八九]{4}年")
# Who reports: a title that names its publisher ("大河乡人民政府关于法治政府建设的情况报告") is an
# article even without a year (the year is in its text); a bare column name is not.
PUBLISHER = re.compile(r"[\u4e00-\u9fff]{1,12}(乡|镇|街道|办事处|人民政府|政府|党委|党工委|县|区|市|旗)")
# Portals shorten listing titles ("关于2024年度法治政府建设…") and keep the whole one elsewhere.
SHORTENED = re.compile(r"(…|\.{2,}|。{2,}|．{2,})$")
def is_shortened(title: str) -> bool:
    return bool(SHORTENED.search(re.sub(r"\s+", "", title)))


REPORT_STEM = re.compile(r"法治政府建设|法治建设|法治乡镇|法治街道|依法治(乡|镇|街|理)|述法")


def decide_link(link: Link) -> LinkDecision:
    """Take a listed link if its title looks like a rule-of-law report; say why either way.

    A title without a year is taken when it names its publisher (the year is then read from the
    text, and the harvest's content gates decide whether it is a report); without a publisher it
    is the column itself (a breadcrumb or navigation link such as 法治政府建设年度报告). A title the
    portal shortened (ending in …) is taken when what is left names a rule-of-law report and no
    exclusion: the article's own title and text decide.
    """
    title = to_simplified(strip_format_characters(link.title))  # "法治\u200b政府建设" hides nothing
    compact = re.sub(r"\s+", "", title)
    rule = classify_title(title)
    if rule is None and SHORTENED.search(compact) and REPORT_STEM.search(compact):
        return LinkDecision(link=link, take=True, reason="shortened title: decided by the article's own title and text")
    if rule is None:
        return LinkDecision(link=link, take=False, reason="title does not look like a rule-of-law report")
    if rule.take and not YEAR.search(title):
        stem = rule.pattern.search(compact)
        if stem and PUBLISHER.search(compact[: stem.start()]):
            return LinkDecision(link=link, take=True, reason=f"{rule.reason}; no year in the title: read from the text")
        return LinkDecision(link=link, take=False, reason="no year in the title: a column or navigation link")
    return LinkDecision(link=link, take=rule.take, reason=rule.reason)


def kind_of(title: str) -> Kind:
    """The kind a title says (``other`` for the look-alikes the rules reject), else unknown."""
    rule = classify_title(title)
    return rule.kind if rule else "unknown"


def kind_of_text(opening: str) -> Kind:
    """The kind the opening of a text says, for a document whose title says none."""
    for pattern, kind in TEXT_RULES:
        if pattern.search(opening):
            return kind
    return "unknown"
