"""The indicator table: what each figure is called, how reports phrase it, in which units.

Data only. Each row is tried in order against every figure in a report; the first row that fits
names the figure. A row looks at three stretches of text around a figure such as
"……,接收信访案件34件,已化解28件,……":
- ``context``: from the clause start (or the previous figure) to the number: "已化解";
- ``sentence``: from the sentence start to the number, for words said once per sentence: "信访";
- ``after``: what follows the unit up to the next punctuation: "调委会" in "10个调委会".
``context`` (and ``after`` when given) must match, ``sentence`` must match when given, and
``exclude`` must not match the context. When ``after`` names the thing counted, the quote runs
to the end of its match. Adding an indicator is adding a row and a test.
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


INDICATORS: tuple[Indicator, ...] = (
    Indicator("mediation_success_rate_pct", "矛盾纠纷调解成功率", ("%",), r"成功率", sentence=r"调解|纠纷"),
    Indicator("petitions_received", "受理信访件数", ("件", "起", "批次"), r"(接收|受理|接待|收到)[^，。；]{0,6}信访"),
    Indicator("petitions_resolved", "化解/办结信访件数", ("件", "起"), r"(已化解|化解|办结)$", sentence=r"信访", exclude=r"正在"),
    Indicator("disputes_mediation_success", "调解成功件数", ("起", "件"), r"调解成功$", sentence=r"^(?!.*(诉源|信访))"),
    Indicator("disputes_mediated", "调解矛盾纠纷件数", ("起", "件", "宗"), r"(调解|调处|化解)[^，。；]{0,24}纠纷", exclude=r"信访|诉源|司法确认"),
    Indicator("hotline_12345_cases", "12345热线受理件数", ("件", "条", "个"), r"12345"),
    Indicator("materials_distributed", "发放宣传资料份数", ("份", "册", "张"), r"发[放送]?[^，。；]{0,10}(资料|材料|宣传品|手册|传单|明白纸)"),
    Indicator("people_reached", "受众人数", ("人次", "人"), r"受益|受教育|覆盖|惠及|宣讲人数|参与群众|教育群众"),
    Indicator("legal_literate_persons_trained", "培育“法律明白人”人数", ("人", "名"), r"法律明白人", exclude=r"培训|学法"),
    Indicator("legal_advisor_opinions", "法律顾问提供法律意见次数", ("次", "件", "条"), r"法律意见", sentence=r"法律顾问"),
    Indicator("contracts_reviewed", "审查合同件数", ("件", "份"), r"(审查|审核)[^，。；]{0,8}合同"),
    Indicator("party_meetings_on_rule_of_law", "研究部署法治建设会议次数", ("次",), r"(研究|部署)[^，。；]{0,6}法治(建设|政府|工作)"),
    Indicator("info_disclosed_items", "主动公开政府信息条数", ("条",), r"公开[^，。；]{0,8}信息"),
    Indicator("enforcement_training", "执法培训次数/课时", ("次", "课时", "期", "场次"), r"执法[^，。；]{0,12}培训|培训[^，。；]{0,6}执法"),
    Indicator(
        "law_study_sessions",
        "集中学法次数",
        ("次", "场次", "期"),
        r"学法|学习[^，。；]{0,12}(法律|法规|法治|宪法|条例)|(法律|法规|法治|宪法)[^，。；]{0,6}学习",
        exclude=r"讲法|培训|考试",
    ),
    Indicator(
        "legal_publicity_events",
        "普法宣传活动场次",
        ("场次", "次", "场", "期"),
        r"普法|法治宣传|法律宣传|宪法宣传|宣讲|宣传活动|法治讲座",
        exclude=r"培训|学法|学习|下发|要点|文件|方案|稿件|宣誓",
    ),
    Indicator("mediators", "人民调解员人数", ("人", "名"), r"调解员$", exclude=r"其中|专职|兼职|培训"),
    Indicator("mediation_committees", "人民调解委员会个数", ("个",), r"", after=r"^[^，。；、和]{0,6}(调委会|调解委员会)"),
)

INDICATOR_KEYS: tuple[str, ...] = tuple(row.key for row in INDICATORS)
INDICATOR_LABELS: dict[str, str] = {row.key: row.label for row in INDICATORS}
UNITS: tuple[str, ...] = tuple(sorted({u for row in INDICATORS for u in row.units}, key=len, reverse=True))

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
