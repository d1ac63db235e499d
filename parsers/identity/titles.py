"""What a title says about a document: is it a rule-of-law report, and of which kind.

Rules are data, tried in order; the first that matches decides. Exclusions come first because
portals file look-alikes in the same column (政府信息公开工作年度报告 is an annual report, but
about information disclosure; 工作要点 and 实施方案 are plans, not reports).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..models import Kind, Link, LinkDecision
from ..read.normalise import strip_format_characters, to_simplified


class TitleRule(NamedTuple):
    pattern: re.Pattern[str]
    take: bool
    kind: Kind
    reason: str


# A report with next year's plan appended (…情况及2026年…工作要点的报告, …总结和2025年工作计划) is
# still the year's report: the report rules come before the plan rule, after the notices.
TITLE_RULES: tuple[TitleRule, ...] = (
    # Look-alikes that carry a report's very name, so before the report rules: an explanation of a
    # report (政策解读, 图解, 一图读懂), and a content farm's compilation of reports (范文, 精选, 通用5篇).
    TitleRule(re.compile(r"解读|图解|一图读懂|读懂|答记者问"), False, "other", "a 解读 of a report, not the report"),
    TitleRule(re.compile(r"范文|精选|通用\d*篇|[\d一二三四五六七八九十]+篇|篇[一二三]|模板|范本|大全|汇编|合集|心得体会|写作"), False, "other",
              "a content farm's compilation, not a government's report"),
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
    # A headline: a place, a colon and a slogan ("某镇：推动法治政府建设走深走实"); a report's title
    # says 报告, 总结 or 情况 (those rules come first).
    TitleRule(re.compile(r"^[\u4e00-\u9fff]{2,12}[：:](?!.*(?:报告|总结|情况|述法|年报))"), False, "other", "a news headline, not a report"),
)
# A reporter's byline or dateline: "（通讯员 某某）3月15日，", "本报讯", "记者 某某报道". An editor's
# name is not one: portals print 编辑 on their own articles too.
NEWS_BYLINE = re.compile(r"通讯员|本报讯|记者\s*[\u4e00-\u9fff]{2,3}\s*(?:报道|摄|[)）]|\d|[，,])|[网报台]讯\s*[(（]|讯\s*[(（]记者")
# A journalist writes of the township in the third person (该镇); a report speaks of itself (我镇, 本镇, 镇党委).
THIRD_PERSON = re.compile(r"该(?:镇|乡|街道)")
FIRST_PERSON = re.compile(r"[我本](?:镇|乡|街道)")
# What a text's opening says about its kind when the title does not (or there is none).
TEXT_RULES: tuple[tuple[re.Pattern[str], Kind], ...] = (
    # A news item opens with its date and what happened: "7月5日，…召开…".
    (re.compile(r"^\s*(\d{1,2}月\d{1,2}日|近日|日前)[，,]?[^。\n]{0,40}(召开|举办|举行|开展|组织)"), "other"),
    # A reporter's byline or dateline anywhere in the opening: "（通讯员 某某）3月15日，", "本报讯", "记者 某某".
    (NEWS_BYLINE, "other"),
    # A plan says what it is for and that it is made: "…结合我镇实际，特制定本方案。"
    (re.compile(r"(?:特|现)?制定(?:本|如下)(?:实施)?(?:方案|计划|要点|规划)|(?:方案|计划|要点)如下[:：]"), "other"),
    # A content farm's page: a compilation of several reports, with its own apparatus.
    (re.compile(r"篇一[:：\s]|范文|下载文档|文档下载|全文阅读已结束|VIP|会员免费"), "other"),
    # An official's first-person account of their own duties, even without 述法 in the excerpt.
    (re.compile(r"本人[^。]{0,30}(履行|职责|履职)|个人履行|个人述法|履职情况\n"), "shufa"),
    (re.compile(r"政府信息公开(工作)?年度报告"), "other"),
    (re.compile(r"法治政府建设|依法治(镇|乡|街|县|区)|法治建设|法治(镇|乡|街道)建设"), "government_annual_report"),
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
            if kind == "government_annual_report" and THIRD_PERSON.search(opening) and not FIRST_PERSON.search(opening):
                return "other"  # about the township's rule-of-law work, written by someone else (该镇)
            return kind
    return "unknown"
