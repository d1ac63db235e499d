"""The indicator table: what each figure is called, how reports phrase it, in which units.

Data only. Each row is tried in order against every figure in a report; the first row that fits
names the figure. A row looks at three stretches of text around a figure such as
"……,接收信访案件34件,已化解28件,……":
- ``context``: from the clause start (or the previous figure) to the number: "已化解";
- ``sentence``: from the sentence start to the number, for words said once per sentence: "信访";
- ``after``: what follows the unit up to the next punctuation: "调委会" in "10个调委会".
``context`` (and ``after`` when given) must match, ``sentence`` must match when given, and
``exclude`` must not match the last item of the context (after its last 、: "带头讲法、组织……学法6次"
is a study session even though 讲法 is excluded). When ``after`` names the thing counted, the quote runs
to the end of its match. ``maximum`` is the largest value plausible for one township in a year:
larger values are kept and flagged (checks.py). Adding an indicator is adding a row and a test.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Indicator(NamedTuple):
    key: str
    label: str  # Chinese label shown on the site
    units: tuple[str, ...]
    context: str
    sentence: str | None = None
    exclude: str | None = None
    after: str | None = None
    maximum: float = 100_000  # above this, a value is implausible for one township in one year (flagged, kept)


# In the order the site shows them; a key may have several rows (several ways reports say it). The design's keys come first; the last six are added
# because reports commonly state them (never rename a key: releases and users depend on them).
INDICATORS: tuple[Indicator, ...] = (
    Indicator("disputes_mediated", "调解矛盾纠纷件数", ("起", "件", "宗"), r"(调解|调处|化解)[^，。；]{0,24}纠纷",
              exclude=r"信访|诉源|司法确认", maximum=5_000),
    Indicator("disputes_mediation_success", "调解成功件数", ("起", "件"), r"调解成功$", sentence=r"^(?!.*(诉源|信访))", maximum=5_000),
    Indicator("mediation_success_rate_pct", "矛盾纠纷调解成功率", ("%",), r"成功率", sentence=r"调解|纠纷", maximum=100),
    Indicator("petitions_received", "受理信访件数", ("件", "起", "批次"), r"(接收|受理|接待|收到)[^，。；]{0,6}信访", maximum=2_000),
    Indicator("petitions_resolved", "化解/办结信访件数", ("件", "起"), r"(已化解|化解|办结)$", sentence=r"信访", exclude=r"正在", maximum=2_000),
    Indicator("legal_publicity_events", "普法宣传活动场次", ("场次", "次", "场", "期"),
              r"普法|法治宣传|法律宣传|宪法宣传|宣讲|宣传活动|法治讲座|(法律咨询|庭审)[^，。；]{0,10}活动",
              exclude=r"培训|学法|学习|下发|要点|文件|方案|稿件|宣誓|党课", maximum=2_000),
    Indicator("people_reached", "受众人数", ("人次", "人"), r"受益|受教育|覆盖|惠及|宣讲人数|参与群众|教育群众", maximum=1_000_000),
    Indicator("materials_distributed", "发放宣传资料份数", ("份", "册", "张"), r"发[放送]?[^，。；]{0,10}(资料|材料|宣传品|手册|传单|明白纸)",
              maximum=500_000),
    Indicator("legal_literate_persons_trained", "培育“法律明白人”人数", ("人", "名"), r"法律明白人", exclude=r"培训|学法", maximum=5_000),
    Indicator("legal_literate_persons_trained", "培育“法律明白人”人数", ("人", "名"), r"(培养|培育)[^，。；]{0,8}(骨干|明白人)",
              sentence=r"法律明白人", maximum=5_000),
    Indicator("legal_advisor_opinions", "法律顾问提供法律意见次数", ("次", "件", "条"), r"法律意见", sentence=r"法律顾问", maximum=2_000),
    Indicator("contracts_reviewed", "审查合同件数", ("件", "份"), r"(审查|审核)[^，。；]{0,8}合同", maximum=5_000),
    Indicator("party_meetings_on_rule_of_law", "研究部署法治建设会议次数", ("次",), r"(研究|部署)[^，。；]{0,6}法治(建设|政府|工作)", maximum=200),
    Indicator("party_meetings_on_rule_of_law", "研究部署法治建设会议次数", ("次",), r"依法治(乡|镇|县|村|理)[^，。；]{0,10}会议", maximum=200),
    Indicator("party_meetings_on_rule_of_law", "研究部署法治建设会议次数", ("次",), r"专题党委会$", sentence=r"法治|依法治", maximum=200),
    Indicator("info_disclosed_items", "主动公开政府信息条数", ("条",), r"公开[^，。；]{0,8}信息", maximum=20_000),
    Indicator("hotline_12345_cases", "12345热线受理件数", ("件", "条", "个"), r"12345", maximum=20_000),
    Indicator("law_study_sessions", "集中学法次数", ("次", "场次", "期"),
              r"学法|学习[^，。；]{0,12}(法律|法规|法治|宪法|条例)|(法律|法规|法治|宪法|条例)[^，。；]{0,6}学习",
              exclude=r"讲法|培训|考试", maximum=500),
    Indicator("law_study_sessions", "集中学法次数", ("次", "场次"), r"学习$", sentence=r"法治思想|法律法规|宪法", exclude=r"培训|考试", maximum=500),
    Indicator("enforcement_training", "执法培训次数/课时", ("次", "课时", "期", "场次"), r"执法[^，。；]{0,12}培训|培训[^，。；]{0,6}执法", maximum=500),
    Indicator("mediators", "人民调解员人数", ("人", "名"), r"调解员$", exclude=r"其中|专职|兼职|培训", maximum=2_000),
    Indicator("mediation_committees", "人民调解委员会个数", ("个",), r"", after=r"^[^，。；、和]{0,6}(调委会|调解委员会)", maximum=200),
    Indicator("legal_consultations", "提供法律咨询次数", ("次", "人次", "件"),
              r"(提供|解答|开展|接待)[^，。；]{0,6}法律咨询|法律咨询[^，。；]{0,6}(服务|解答)", exclude=r"合同审查|法治体检", maximum=20_000),
    Indicator("joint_enforcement_actions", "联合执法行动次数", ("次",), r"联合执法|执法行动", maximum=1_000),
    Indicator("violations_handled", "查处违法行为起数", ("起", "件"), r"查处[^，。；]{0,8}(违法|案件)", maximum=5_000),
    Indicator("info_disclosure_requests", "办理信息公开申请件数", ("件",), r"信息公开申请|依申请公开", maximum=1_000),
    Indicator("major_decisions_reviewed", "审议/审查重大事项项数", ("项", "件"), r"(审议|审查)[^，。；]{0,16}(重大|三重一大)[^，。；]{0,12}事项",
              maximum=1_000),
    Indicator("law_demo_households", "学法用法示范户数", ("户",), r"示范户", maximum=5_000),
)

INDICATOR_KEYS: tuple[str, ...] = tuple(dict.fromkeys(row.key for row in INDICATORS))
INDICATOR_LABELS: dict[str, str] = {row.key: row.label for row in reversed(INDICATORS)}
UNITS: tuple[str, ...] = tuple(sorted({u for row in INDICATORS for u in row.units}, key=len, reverse=True))

BY_KEY: dict[str, Indicator] = {row.key: row for row in reversed(INDICATORS)}  # the first row of a key
COMPILED: tuple[tuple[Indicator, re.Pattern[str], re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None], ...] = tuple(
    (
        row,
        re.compile(row.context),
        re.compile(row.sentence) if row.sentence else None,
        re.compile(row.exclude) if row.exclude else None,
        re.compile(row.after) if row.after else None,
    )
    for row in INDICATORS
)
