"""What each indicator's number counts, and what it does not, in plain Chinese for a reader.

The extraction rules (parsers.figures.indicators) say how a number is *found*; a journalist needs what it
*means*. One sentence each way, written from the rules' own comments (what they exclude and why),
so that a reader can say "调解矛盾纠纷件数 counts disputes a township mediated, not petitions or
court cases". A key missing here (a release made by newer rules) shows a neutral sentence instead
of failing the build.
"""

from __future__ import annotations

from typing import NamedTuple


class Definition(NamedTuple):
    counts: str  # what the number counts
    excludes: str  # what it does not count


DEFINITIONS: dict[str, Definition] = {
    "disputes_mediated": Definition("乡镇（含村、社区调解组织）在该年度调解、调处或化解的矛盾纠纷件数。",
                                    "不含信访件、诉源治理和司法确认案件、行政复议和诉讼案件，也不含排查但未调解的纠纷。"),
    "disputes_mediation_success": Definition("调解矛盾纠纷中调解成功的件数。", "不含调解未成功或仍在调解中的纠纷，不含信访件。"),
    "mediation_success_rate_pct": Definition("报告写明的矛盾纠纷调解成功率（百分比）。", "不是由本站计算的比例；报告未写明时不填。"),
    "petitions_received": Definition("乡镇受理、接待或办理的信访件数（按件计）。", "不含按批次、人次计的来访，也不含乡镇只是参与、协助处理的他人信访件。"),
    "petitions_resolved": Definition("已化解或办结的信访件数。", "不含正在办理中的信访件。"),
    "law_study_sessions": Definition("面向机关干部、工作人员的集中学法、法治讲座次数。", "不含面向群众的普法宣传活动，也不含党课。"),
    "legal_publicity_events": Definition("面向群众的普法宣传活动、法治讲座、法律咨询活动和公开庭审观摩的场次。",
                                         "不含干部培训和学法、文件印发、宣传栏、横幅、网上推送等非现场活动。"),
    "materials_distributed": Definition("发放的普法宣传资料、手册、读本、明白纸等的份数。", "不含张贴的宣传栏、横幅和展板。"),
    "people_reached": Definition("普法宣传等活动覆盖的受众人次（一人参加两次计两人次）。", "不含以“人”计的数字（见“受众人数（人）”）。"),
    "people_reached_persons": Definition("普法宣传等活动覆盖的受众人数（以“人”计）。", "不含以“人次”计的数字（见“受众人次”）。"),
    "legal_consultations": Definition("向群众提供法律咨询的次数或人次。", "不含法律顾问向政府提供的法律意见。"),
    "legal_advisor_opinions": Definition("法律顾问为政府提供法律意见、审查意见的次数。", "不含向群众提供的法律咨询。"),
    "contracts_reviewed": Definition("经合法性审查（多为法律顾问审查）的合同件数。", "不含未经审查签订的合同，也不含规范性文件。"),
    "major_decisions_reviewed": Definition("经合法性审查或集体审议的重大行政决策、重大事项项数。", "不含一般性议题和日常事务。"),
    "party_meetings_on_rule_of_law": Definition("党委、政府会议专题研究部署法治建设的次数。", "不含一般工作会议。"),
    "enforcement_training": Definition("组织行政执法人员培训的次数。", "不含一般的干部学法活动。"),
    "enforcement_training_hours": Definition("行政执法人员培训的课时或学时。", "不是培训次数。"),
    "info_disclosed_items": Definition("主动公开的政府信息条数。", "不含依申请公开的信息。"),
    "info_disclosure_requests": Definition("办理的政府信息公开申请件数。", "不含主动公开的信息。"),
    "joint_enforcement_actions": Definition("开展联合执法行动的次数。", "不含单一部门的日常巡查。"),
    "violations_handled": Definition("查处违法行为的起数。", "不含仅口头劝导、未立案查处的情形。"),
    "law_demo_households": Definition("评选或培育的学法用法示范户户数。", "不含示范村、示范社区。"),
    "legal_literate_persons_trained": Definition("培育的“法律明白人”人数。", "不含参加普法活动的一般群众。"),
    "mediation_committees": Definition("人民调解委员会的个数。", "不含调解员人数（见“人民调解员人数”）。"),
    "mediators": Definition("人民调解员人数。", "不含调解委员会个数。"),
}

UNKNOWN = Definition("报告中写明的该项数字。", "本站尚未为这一指标写出说明；请阅读每个数值旁的原文。")


def definition(key: str) -> Definition:
    return DEFINITIONS.get(key, UNKNOWN)
