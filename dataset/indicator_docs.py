"""What each indicator counts, in words an analyst can cite: English name, definition, what
counts and what does not. The codebook (dataset/codebook.py) joins it with the indicator table
(parsers/figures/indicators.py: key, Chinese label, unit), so a key added there without its entry here
fails the tests (tests/system/test_dataset.py)."""

from __future__ import annotations

from typing import NamedTuple


class IndicatorDoc(NamedTuple):
    name_en: str
    definition: str
    counts: str
    excludes: str


INDICATOR_DOCS: dict[str, IndicatorDoc] = {
    "disputes_mediated": IndicatorDoc(
        "Disputes mediated", "Civil disputes (矛盾纠纷) the township's mediation bodies mediated in the year, in cases.",
        "调解/调处/化解 … 纠纷, 人民调解案件; cases in 起, 件 or 宗",
        "petitions (信访), litigation-source (诉源) or court-confirmed cases, administrative reconsideration, enforcement cases"),
    "disputes_mediation_success": IndicatorDoc(
        "Disputes mediated successfully", "Of the disputes mediated, those settled (调解成功).",
        "调解成功 / 成功调解 … cases", "petitions and litigation-source cases"),
    "mediation_success_rate_pct": IndicatorDoc(
        "Mediation success rate (%)", "Share of mediated disputes settled, as stated by the report (never computed).",
        "调解成功率, 化解率 in a sentence on mediation or disputes", "rates of other things (结案率 of courts, 满意率)"),
    "petitions_received": IndicatorDoc(
        "Petitions received", "Petition cases (信访) the township received or handled in the year.",
        "接收/受理/接待/办理 … 信访, 来信来访 in 件 or 起", "visiting groups (批次), cases where the township only assisted (参与/协助/配合)"),
    "petitions_resolved": IndicatorDoc(
        "Petitions resolved", "Petition cases resolved or closed (化解/办结) in the year.",
        "已化解, 办结 … 信访 cases", "cases still in progress (正在化解)"),
    "legal_publicity_events": IndicatorDoc(
        "Legal publicity events", "Public legal-education events (普法宣传活动, 法治讲座, 宣讲) the township held.",
        "普法/法治宣传/宪法宣传 events in 场次, 次, 场 or 期", "trainings and study of officials, documents issued, oaths, notice boards, banners, online posts"),
    "people_reached": IndicatorDoc(
        "People reached (person-times)", "Attendance of legal publicity, in person-times (人次).",
        "受益/受教育/覆盖/惠及 … 人次", "counts in persons (人): see people_reached_persons; the two are never added"),
    "materials_distributed": IndicatorDoc(
        "Materials distributed", "Printed legal-education materials handed out (资料, 手册, 明白纸 …).",
        "发放/赠送/分发 … 资料 in 份, 册, 本, 张 or 件", "materials posted or made (张贴, 悬挂, 制作)"),
    "legal_literate_persons_trained": IndicatorDoc(
        "Legally literate persons (法律明白人) cultivated", "Villagers cultivated as 法律明白人 in the year.",
        "培育/培养 法律明白人 … 人", "trainings of them, totals on record (现有, 共有)"),
    "legal_advisor_opinions": IndicatorDoc(
        "Legal adviser opinions", "Legal opinions given by the township's legal adviser (法律顾问).",
        "出具/提供 法律意见 … 件 or 份", "—"),
    "contracts_reviewed": IndicatorDoc(
        "Contracts reviewed", "Contracts reviewed for legality (合同审查).", "审查/审核 … 合同 … 件 or 份", "—"),
    "party_meetings_on_rule_of_law": IndicatorDoc(
        "Party committee meetings on the rule of law",
        "Meetings of the township's Party committee (党委, 党工委, 党组) or its rule-of-law leading group that studied rule-of-law building "
        "(研究法治建设的党委（党组）会议).",
        "党委会/专题会/领导小组会议 研究/部署/审议 法治 … 次", "government executive meetings (政府常务会, 乡镇长办公会), study sessions (学习, 学法)"),
    "info_disclosed_items": IndicatorDoc(
        "Government information disclosed", "Items of government information the township disclosed on its own initiative (主动公开).",
        "主动公开 … 信息 … 条", "disclosure on request (依申请公开): see info_disclosure_requests"),
    "hotline_12345_cases": IndicatorDoc(
        "12345 hotline cases", "Cases from the 12345 government service hotline handled.", "12345 … 件", "—"),
    "law_study_sessions": IndicatorDoc(
        "Law study sessions of officials", "Sessions where the township's officials studied law (集中学法, 法治讲座 for officials).",
        "机关/干部 … 学法, 法治讲座 … 次", "public publicity events (legal_publicity_events)"),
    "enforcement_training": IndicatorDoc(
        "Law-enforcement trainings", "Trainings of law-enforcement staff.", "执法 … 培训 … 次 or 期", "training hours (enforcement_training_hours)"),
    "mediators": IndicatorDoc(
        "People's mediators", "People's mediators (人民调解员) of the township.", "调解员 … 人", "subsets (其中专职), trainings"),
    "mediation_committees": IndicatorDoc(
        "People's mediation committees", "People's mediation committees (人民调解委员会) in the township.", "调委会, 人民调解委员会 … 个", "—"),
    "legal_consultations": IndicatorDoc(
        "Legal consultations", "Legal consultations given to residents.", "提供/解答/接待 法律咨询 … 次 or 人次",
        "contract reviews, 法治体检 of enterprises"),
    "joint_enforcement_actions": IndicatorDoc(
        "Joint enforcement actions", "Joint law-enforcement operations (联合执法).", "联合执法, 执法行动 … 次", "—"),
    "violations_handled": IndicatorDoc(
        "Violations investigated", "Illegal acts or cases investigated and dealt with (查处).", "查处 … 违法/案件 … 件 or 起", "—"),
    "info_disclosure_requests": IndicatorDoc(
        "Information disclosure requests handled", "Requests for government information handled (依申请公开).",
        "信息公开申请, 依申请公开 … 件", "information disclosed on the township's own initiative"),
    "major_decisions_reviewed": IndicatorDoc(
        "Major decisions reviewed", "Major decisions or matters (重大事项, 三重一大) reviewed for legality before adoption.",
        "审议/审查 … 重大 … 事项 … 项 or 件", "—"),
    "law_demo_households": IndicatorDoc(
        "Law-study model households", "Households recognised as 学法用法示范户.", "示范户 … 户", "—"),
    "people_reached_persons": IndicatorDoc(
        "People reached (persons)", "Attendance of legal publicity, in persons (人).", "受益/覆盖 … 人", "person-times (人次): see people_reached"),
    "enforcement_training_hours": IndicatorDoc(
        "Law-enforcement training hours", "Class hours (课时) of law-enforcement training.", "执法 … 培训 … 课时", "numbers of trainings"),
}

YEAR_VALUE_RULE = ("The year's value (values.csv, indicators.csv, figures_long.csv) is one number per report and indicator: the total the report "
                   "states for the whole year (basis stated_total), else the sum of the disjoint parts it lists (sum_of_parts), else the largest "
                   "single mention (single_mention, qualifier at_least: a lower bound, never a total). Mentions of plans, other years, multi-year "
                   "periods and other bodies are never counted. qualifier: exact; at_least for 余/多/以上 and for single mentions; approx for "
                   "近/约/左右.")

# Labels as they stood before releases recorded them (manifest "indicator_labels", format 3): the
# change log of the first release cut with this code compares against these, so a corrected label
# is a line of it even when the parent release does not say its labels.
LABELS_BEFORE_RECORDED: dict[str, str] = {
    "party_meetings_on_rule_of_law": "研究部署法治建设会议次数",  # → 研究法治建设的党委（党组）会议次数 (issue 26): the key counts party meetings
}
