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
larger values are kept and flagged (checks.py). ``paragraph``, when given, must match the text
from the paragraph's start to the number (a 专题党委会 is a rule-of-law meeting when its paragraph
is about 法治, even if its own sentence is not). ``subject``, when given, must match the figure's
topic: the headings above it, the sentence before, its own sentence and the clause after it (a
专题会议 whose subject, 法治建设, the report states elsewhere). Adding an indicator is adding a row and a test.

One unit a column: every key has one unit (``COLUMN_UNITS``), and the counting words a row accepts
are that unit or words that count the same thing (起/件/宗 are cases; 次/场/场次/期 are events;
份/册/本/张/件 are items handed out). Words that count something else get their own key: people
reached in 人次 (``people_reached``) and in 人 (``people_reached_persons``) are not added up, nor
are enforcement trainings (次) and their hours (``enforcement_training_hours``, 课时).
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
    paragraph: str | None = None
    subject: str | None = None


# Not publicity events: trainings and study, documents, oaths, notice boards and banners, online posts.
# An official's own talks in a first-person report (本人…开展法治宣讲3次) are 讲法, not the township's events.
# Talks to the township's own cadres (书记为机关干部集中授课, 宣讲团为镇村干部宣讲) are no publicity for the public either.
CADRES = r"(机关|干部|职工|公职人员|工作人员|在编人员|班子成员|党员)"
# The public in an audience: "面向企业职工和群众" is publicity although 职工 is in it.
PUBLIC = r"(群众|村民|居民|师生|学生|青少年|企业|商户|游客|老年人|妇女|儿童)"
# A lecture whose topic (the sentence before, its own sentence and clause after, the headings) is the
# cadres' own study is their study ("健全领导干部学法制度。…开展法治讲座5场"; "专题学习4次、法治讲座3场次，实现干部
# 学习全覆盖"), unless the topic names the public or the places it is taken to (then it is publicity).
CADRE_STUDY_TOPIC = (rf"(?s)^(?!.*(?:{PUBLIC}|进村|入户|村组|村居|校园|集市|走进|普法宣传|全民|社会|公众))"
                     r".*(学法制度|领导干部学法|干部学法|会前学法|集中学法|干部[^，。；|]{0,6}学习|中心组|学习贯彻习近平法治思想)")
PUBLICITY_NOT = (r"培训|学法|学习|下发|要点|文件|方案|稿件|宣誓|党课|出刊|刊出|刊发|宣传栏|简报|专栏|板报|横幅|展板|推送|转发|推文|本人[^，。；]{0,12}(宣讲|讲)"
                 rf"|(为|给|向|面向)(?![^，。；]{{0,12}}{PUBLIC})[^，。；]{{0,10}}{CADRES}")
# Words that make a publicity event's subject the law, said near it (PUBLICITY rows with a subject).
PUBLICITY_SUBJECT = r"普法|法治宣传|法律宣传|法治教育|法治文化|法治宣讲|法律|宪法|民法典|送法|释法|以案说法|法律进|法治进"
# Publicity of another subject: safety, fire, drowning, theory, a congress's spirit, customs, health …
OTHER_PUBLICITY = (r"安全|防火|防汛|溺水|消防|理论|精神|党史|移风易俗|文明|卫生|健康|防疫|疫情|环保|生态|政策|森林|地质|燃气|交通"
                   r"|医保|社保|征兵|国防|人口|计生|垃圾")  # not 禁毒, 反诈, 扫黑: their laws make them legal publicity near a law subject
# Words that make a meeting's or a study's subject the rule of law, wherever the report says it: in the
# figure's clause, the clause after it, the sentence before, or a heading above (Indicator.subject).
LAW_SUBJECT = r"法治|依法治|依法行政|法律|法规|普法|执法|宪法|民法典|法制|合法性|涉法"
# A meeting named by its kind (专题会议, 党委专题会), with no subject of its own between the verb and the kind.
# Other meetings may be listed after it, and the count be their total ("召开专题部署会、推进会共5次").
TOPICAL_MEETING = r"(专题(会议?|党(工)?委会(议)?|部署会|推进会|研究会|调度会)|党(工)?委专题会(议)?)(?:(?:、[^，。；、]{1,4}会议?)+(?:共计?|合计|累计|总计))?$"
PRINTED = r"(资料|材料|宣传品|手册|小册子|宣传册|读本|折页|彩页|传单|明白纸|画册)"  # things printed to be handed out
# A cited title (《中华人民共和国土地管理法》) counts as one word between a verb and what it governs.
TITLE_OR_CHAR = r"(?:《[^》]{0,40}》|[^，。；《])"

# In the order the site shows them; a key may have several rows (several ways reports say it). The design's keys come first; the others are added
# because reports commonly state them (never rename a key: releases and users depend on them). A row that names a figure more narrowly
# comes before a broader row of another key (staff talks before public publicity).
INDICATORS: tuple[Indicator, ...] = (
    # 调处/调解 alone ("接案调处153起") mediates disputes: the noun is the verb's own (化解 alone may be a petition's).
    Indicator("disputes_mediated", "调解矛盾纠纷件数", ("起", "件", "宗"), r"(调解|调处|化解)[^，。；]{0,24}纠纷|(人民调解|调解|调处)[^，。；]{0,6}案件|^人民调解$|(?<!成功)(调解|调处)$",
              exclude=r"信访|诉源|司法确认|复议|诉讼|执法", maximum=5_000),
    Indicator("disputes_mediation_success", "调解成功件数", ("起", "件", "宗"), r"(调解|调处|化解)成功$|^成功(调解|调处|化解)$", sentence=r"^(?!.*(诉源|信访))",
              maximum=5_000),
    Indicator("mediation_success_rate_pct", "矛盾纠纷调解成功率", ("%",), r"成功率|(调解|化解)率", sentence=r"调解|纠纷", maximum=100),
    # Cases, not visits: 接待群众来访156批次 counts visiting groups (a 接访 scheme), another unit.
    Indicator("petitions_received", "受理信访件数", ("件", "起"), r"(接收|受理|接待|收到|办理|处理)[^，。；]{0,6}(信访|来信来访|来访)",
              exclude=r"参与|协助|配合", maximum=2_000),  # the adviser's part in another's cases (参与处理信访案件6件)
    Indicator("petitions_resolved", "化解/办结信访件数", ("件", "起"), r"(已化解|化解|办结)$|(化解|办结)[^，。；]{0,6}信访", sentence=r"信访|来访", exclude=r"正在",
              maximum=2_000),
    # "排查矛盾纠纷120次，化解110件": the verb alone, its disputes named earlier in the sentence.
    Indicator("disputes_mediated", "调解矛盾纠纷件数", ("起", "件", "宗"), r"^(成功)?(调解|调处|化解)(成功)?$",
              sentence=r"^(?!.*(信访|诉源|司法确认|来访)).*纠纷", maximum=5_000),
    # A lecture or class organised for the township's own cadres ("组织街道在编人员开展了…7场专题法治讲座") is their
    # study; not one they give (授课, 辅导, 宣讲: 讲法 by officials, no count of the table).
    Indicator("law_study_sessions", "集中学法次数", ("次", "场次", "场", "期"), r"(普法|法治|法律|法制|民法典|宪法|法规|条例)[^，。；]{0,8}(讲座|课|课堂|讲堂)$",
              sentence=rf"(组织|为|给|面向|对)[^，。；]{{0,10}}{CADRES}", exclude=r"党课|讲课|授课|讲授|辅导|宣讲", maximum=500),
    # The audience said in the clause after: "组织开展法治专题讲座3场，参训干部120人次".
    Indicator("law_study_sessions", "集中学法次数", ("次", "场次", "场", "期"), r"(普法|法治|法律|法制|民法典|宪法|法规|条例)[^，。；]{0,8}(讲座|课|课堂|讲堂)$",
              after=rf"^(?=，(参训|参加|听课|参与|覆盖)[^，。；]{{0,6}}{CADRES})", exclude=r"党课|讲课|授课|讲授|辅导|宣讲", maximum=500),
    # The topic is the cadres' study (CADRE_STUDY_TOPIC): the sentence before, the list it stands in or the clause after.
    Indicator("law_study_sessions", "集中学法次数", ("次", "场次", "场", "期"), r"(普法|法治|法律|法制|民法典|宪法|法规|条例)[^，。；]{0,8}(讲座|课|课堂|讲堂)$",
              subject=CADRE_STUDY_TOPIC, exclude=r"党课|讲课|授课|讲授|辅导|宣讲", maximum=500),
    # Talks and classes for cadres and staff are their study, not publicity for the public.
    Indicator("law_study_sessions", "集中学法次数", ("次", "场次", "场", "期"),
              r"(机关|干部|职工|公职人员|工作人员)[^，。；]{0,10}(普法|法治|法律)[^，。；]{0,8}(讲座|课)$", exclude=r"党课|讲课|授课|讲授|辅导|宣讲",
              maximum=500),
    # "落实领导干部学法制度，…，开展法治专题讲座4场": a lecture in a sentence on the cadres' own study.
    Indicator("law_study_sessions", "集中学法次数", ("次", "场次", "场", "期"), r"(普法|法治|法律)[^，。；]{0,8}讲座$",
              sentence=r"领导干部|机关干部|干部职工|公职人员|学法", exclude=r"党课|讲课|授课|讲授", maximum=500),
    Indicator("legal_publicity_events", "普法宣传活动场次", ("场次", "次", "场", "期"),
              r"普法|法治宣传|法律宣传|宪法宣传|(法律|法治|宪法|民法典)[^，。；]{0,6}宣讲|法治讲座|法律咨询[^，。；]{0,10}活动"
              r"|(法律|法治|宪法|送法|释法|普法|民法典)[^，。；]{0,10}(活动|大集|宣传|演出|巡演|展演|放映|展览|巡展)"
              r"|(法律|法治|释法|普法|宪法|民法典)[^，。；]{0,10}(讲座|讲堂|课堂|竞赛|竞答|汇演|文艺)|送法(下乡|上门|进)"
              r"|(?:^|[“\"])(法律|送法|普法|法治)进[^”\"]{1,8}[”\"]$",  # a campaign named “法律进X” right before its count
              exclude=PUBLICITY_NOT, maximum=2_000),
    # Publicity or talks named without their subject (宣传活动10次, 宣讲9次): legal publicity only when the figure's own
    # sentence, the one before or the innermost heading says so (the report's outer heading, 法治政府建设, says it of
    # everything), and not publicity of another subject (安全生产宣传活动, 理论宣讲, 防溺水宣讲: OTHER_PUBLICITY).
    Indicator("legal_publicity_events", "普法宣传活动场次", ("场次", "次", "场", "期"), r"宣讲|宣传活动",
              subject=rf"({PUBLICITY_SUBJECT})[^|]*(\|[^|]*)?$", exclude=rf"{PUBLICITY_NOT}|{OTHER_PUBLICITY}", maximum=2_000),
    # A trial attended by the public; attended by cadres (a sentence on their study) it is neither publicity nor a labelled study.
    Indicator("legal_publicity_events", "普法宣传活动场次", ("场次", "次", "场", "期"), r"庭审[^，。；]{0,10}活动",
              sentence=r"^(?!.*(领导干部|机关干部|干部职工|公职人员|国家工作人员|学法))",
              after=rf"^(?!，(参与|参加|旁听|到场)[^，。；]{{0,6}}{CADRES})", exclude=PUBLICITY_NOT, maximum=2_000),  # nor when the clause after names cadres
    # "深入村组开展普法宣传，共计开展活动32场次": activities named by no subject of their own, the subject said
    # in the clause or sentence before (or a heading above).
    Indicator("legal_publicity_events", "普法宣传活动场次", ("场次", "次", "场", "期"), r"(开展|组织|举办)(各类|系列|专题|主题|宣传|相关)?活动$",
              subject=r"普法|法治宣传|法律宣传|宪法|民法典|送法|法律进|法治进", exclude=PUBLICITY_NOT, maximum=2_000),
    # "全年开展集中宣传15次" under a paragraph on 法治宣传: the form of publicity is named, its subject in the paragraph.
    Indicator("legal_publicity_events", "普法宣传活动场次", ("场次", "次", "场", "期"), r"宣传(活动)?$",
              paragraph=r"普法|法治宣传|法律宣传|法治教育|宪法|民法典", exclude=rf"{PUBLICITY_NOT}|{OTHER_PUBLICITY}", maximum=2_000),
    Indicator("people_reached", "受众人次", ("人次",), r"受益|受教育|覆盖|惠及|受众|宣讲人数|(参与|参加|教育)(群众|居民|村民|师生|学生|人数)",
              maximum=1_000_000),
    Indicator("people_reached", "受众人次", ("人次",), r"观看(人数|人次|量)?$", sentence=r"普法|法治宣传|法律宣传|直播", exclude=r"干部|职工|党员",
              maximum=1_000_000),
    Indicator("people_reached_persons", "受众人数（人）", ("人", "名"),
              r"受益|受教育|覆盖|惠及|受众|宣讲人数|(参与|参加|教育)(群众|居民|村民|师生|学生|人数)", maximum=1_000_000),
    Indicator("materials_distributed", "发放宣传资料份数", ("份", "册", "本", "张", "件"),
              rf"(发[放送]?|印发|赠送|派发|分发){TITLE_OR_CHAR}{{0,10}}(资料|材料|宣传品|手册|小册子|宣传册|读本|折页|彩页|传单|明白纸|海报|书籍|画册|挂历|台历)"
              r"|(发[放送]?|印发|赠送|派发|分发)《[^》]{0,40}(资料|手册|读本|折页|明白纸|画册)》$"  # the noun ends the cited title
              r"|(宣传资料|宣传材料|宣传品|宣传手册|小册子|宣传册|宣传折页|宣传彩页|宣传单|明白纸|宣传挂历|宣传台历|宣传年画)$",  # posters only with a verb of handing out
              exclude=r"张贴|悬挂|张挂|制作|印制(?!发放)", maximum=500_000),  # put up or printed, not handed out
    # Printed, then handed out in the next clause ("编印《…读本》2000册，全部发放到户"): the verb after the count.
    Indicator("materials_distributed", "发放宣传资料份数", ("份", "册", "本", "张", "件"),
              rf"(编印|印制|印刷|制作)({TITLE_OR_CHAR}{{0,10}}{PRINTED}|《[^》]{{0,40}}{PRINTED}》)$",
              after=r"^(?=，?(并|已|均|全部|全|免费)*(发放|分发|派发|赠送|送达))", maximum=500_000),
    Indicator("legal_literate_persons_trained", "培育“法律明白人”人数", ("人", "名"), r"法律明白人", exclude=r"培训|学法|总数|总量|现有|共有",
              maximum=5_000),
    Indicator("legal_literate_persons_trained", "培育“法律明白人”人数", ("人", "名"), r"(培养|培育)[^，。；]{0,8}(骨干|明白人)",
              sentence=r"法律明白人", maximum=5_000),
    Indicator("legal_advisor_opinions", "法律顾问提供法律意见次数", ("次", "件", "条", "份"), r"法律意见", sentence=r"法律顾问", maximum=2_000),
    # 法律意见书 is the adviser's written opinion whoever the sentence names; 征求意见 never is.
    Indicator("legal_advisor_opinions", "法律顾问提供法律意见次数", ("次", "件", "条", "份"), r"(出具|提供|提出)[^，。；]{0,6}法律意见|法律意见书",
              maximum=2_000),
    # "法律顾问出具合法性审查意见27份": the adviser's written opinion under another name.
    Indicator("legal_advisor_opinions", "法律顾问提供法律意见次数", ("次", "件", "条", "份"), r"(出具|提供|提出)[^，。；]{0,8}意见$",
              sentence=r"法律顾问", exclude=r"征求", maximum=2_000),
    # The object before its verb too: "合同合法性审查420件", "镇村两级合同审查980件".
    Indicator("contracts_reviewed", "审查合同件数", ("件", "份"), r"(审查|审核)[^，。；]{0,8}合同|合同[^，。；]{0,10}(审查|审核)(把关)?$", maximum=5_000),
    Indicator("party_meetings_on_rule_of_law", "研究法治建设的党委（党组）会议次数", ("次",), r"(研究|部署|审议)[^，。；]{0,6}(法治|依法治|依法行政|涉法)", exclude=r"学习|学法",
              maximum=200),
    Indicator("party_meetings_on_rule_of_law", "研究法治建设的党委（党组）会议次数", ("次",), r"依法治(乡|镇|县|村|理)[^，。；]{0,10}会议", maximum=200),
    Indicator("party_meetings_on_rule_of_law", "研究法治建设的党委（党组）会议次数", ("次",), r"专题党(工)?委会$", paragraph=r"法治|依法治", maximum=200),
    # A meeting named by its kind, its subject elsewhere: "全年召开专题会议5次" after a sentence on 法治建设,
    # "召开党委专题会议6次，研究解决法治宣传…", "召开执法规范化等专题会3次" (the subject before the kind).
    Indicator("party_meetings_on_rule_of_law", "研究法治建设的党委（党组）会议次数", ("次",),
              rf"(召开|举行|主持|组织)[了过]?(党(工)?委|班子)?{TOPICAL_MEETING}|({LAW_SUBJECT})[^，。；、]{{0,10}}{TOPICAL_MEETING}",
              subject=LAW_SUBJECT, exclude=r"学习|学法|培训|党课|民主生活|组织生活|警示|廉政", maximum=200),
    # A general meeting whose next clause says it studied the rule of law: "先后2次召开党委会，专题研究法治政府建设".
    Indicator("party_meetings_on_rule_of_law", "研究法治建设的党委（党组）会议次数", ("次",),
              r"(党(工)?委会(议)?|党(工)?委(扩大)?会议|班子会(议)?|党政联席会(议)?|办公会(议)?|常务会(议)?)$",
              after=rf"^(?=[^。；！？\n，]{{0,10}}，(?!其中)(?![^。；！？\n，]*\d)[^。；！？\n，]{{0,4}}(专题|集中)?(研究|部署|审议)[^，。；、]{{0,8}}({LAW_SUBJECT}))",
              maximum=200),  # not when the clause after counts its own part (党委会议31次，其中专题研究法治工作3次)
    Indicator("party_meetings_on_rule_of_law", "研究法治建设的党委（党组）会议次数", ("次",),
              r"(法治|依法治)[^，。；、]{0,8}(会议|会|议题)$",  # any meeting the subject names: 专题会, 推进会, 督查会, 座谈会 …
              exclude=r"学习|学法|培训|晚会|运动会|展会|博览会|茶话会|演唱会", maximum=200),
    # A rule-of-law leading group's meetings (the group is named in the sentence: 法治政府建设领导小组).
    Indicator("party_meetings_on_rule_of_law", "研究法治建设的党委（党组）会议次数", ("次",), r"领导小组(全体)?(会议|会)$", sentence=r"法治|依法治",
              maximum=200),
    Indicator("info_disclosed_items", "主动公开政府信息条数", ("条",), r"公开[^，。；]{0,16}信息|信息[^，。；]{0,4}主动公开$", exclude=r"依申请", maximum=20_000),
    Indicator("hotline_12345_cases", "12345热线受理件数", ("件", "条", "个"), r"12345", maximum=20_000),
    # "四、12345热线办理。全年承办热线工单1320件": the hotline is named in the paragraph's heading.
    Indicator("hotline_12345_cases", "12345热线受理件数", ("件", "条", "个"), r"热线|工单", paragraph=r"12345", maximum=20_000),
    Indicator("law_study_sessions", "集中学法次数", ("次", "场次", "场", "期"),
              rf"^(?!.*党课).*(学法|学习{TITLE_OR_CHAR}{{0,12}}(法律|法规|法治|宪法|条例)|(法律|法规|法治|宪法|条例)[^，。；]{{0,6}}学习)",
              exclude=r"讲法|培训|考试|测试|考法", maximum=500),
    # Not counts that mix 党课 with study (专题党课、专题研讨会及学习会60余场次).
    Indicator("law_study_sessions", "集中学法次数", ("次", "场次", "场"), r"^(?!.*党课).*学习(研讨|会)?$",
              sentence=r"法治思想|法律法规|宪法|依法治国|学法",
              exclude=r"培训|考试|测试", maximum=500),
    # A study named by its kind whose subject is the sentence before ("深入学习习近平法治思想。全年组织开展专题学习5次")
    # or the clause after it.
    Indicator("law_study_sessions", "集中学法次数", ("次", "场次", "场"), r"^(?!.*党课).*(专题|集中|集体)学习(研讨|会)?$",
              subject=r"法治思想|法律法规|宪法|依法治国|学法|民法典", exclude=r"培训|考试|测试", maximum=500),
    Indicator("enforcement_training", "执法培训次数", ("次", "期", "场次", "场"), r"执法[^，。；]{0,12}培训|培训[^，。；]{0,6}执法", maximum=500),
    # A bare training item of a list whose sentence names the enforcement staff: "组织执法人员参加法律知识考试1次、业务培训3次".
    Indicator("enforcement_training", "执法培训次数", ("次", "期", "场次", "场"), r"^(业务|专题|法律|法治|岗位|集中|线上|线下|专业|知识)*培训(班|会)?$",
              sentence=r"执法(人员|队员)[^，。；]{0,6}(参加|参与|开展|进行|接受)", maximum=500),
    Indicator("enforcement_training_hours", "执法培训课时", ("课时", "学时"), r"执法[^，。；]{0,12}培训|培训[^，。；]{0,6}执法", maximum=2_000),
    # "组织执法人员参加业务培训4次，累计培训40课时": hours said after the training, in its sentence.
    Indicator("enforcement_training_hours", "执法培训课时", ("课时", "学时"), r"", sentence=r"执法[^，。；]{0,12}培训|培训[^，。；]{0,6}执法",
              exclude=r"学法|自学", maximum=2_000),
    Indicator("mediators", "人民调解员人数", ("人", "名"), r"调解员$", exclude=r"其中|专职|兼职|培训", maximum=2_000),
    Indicator("mediation_committees", "人民调解委员会个数", ("个",), r"", after=r"^[^，。；、和均都各]{0,6}(调委会|调解委员会)", maximum=200),
    # Not "18个村均设立人民调解委员会": places that each set one up.
    Indicator("mediation_committees", "人民调解委员会个数", ("个",), r"(调委会|调解委员会)$",
              exclude=r"其中|(均|都|各|全部)(已)?(设立|建立|成立|组建|设有|建有)", maximum=200),
    Indicator("legal_consultations", "提供法律咨询次数", ("次", "人次", "件"),
              r"(提供|解答|开展|接待|接受|受理)[^，。；]{0,6}法律咨询|法律咨询[^，。；]{0,6}(服务|解答)|法律咨询$",
              exclude=r"合同审查|法治体检", maximum=20_000),
    # "现场解答群众咨询85人次", "接待咨询群众120人次": 咨询 alone, in a sentence about legal services.
    Indicator("legal_consultations", "提供法律咨询次数", ("次", "人次", "件"), r"(提供|解答|开展|接待|接受|受理)[^，。；]{0,6}咨询",
              sentence=r"法律|法治|普法", exclude=r"合同审查|法治体检|政策咨询", maximum=20_000),
    Indicator("joint_enforcement_actions", "联合执法行动次数", ("次",), r"联合执法|执法行动", maximum=1_000),
    # The verb without its noun: "共立案查处275件", "实施行政处罚 36起", "作出行政处罚决定12件" (not decisions
    # published, "公布…行政处罚决定2件次": no verb of handling).
    Indicator("violations_handled", "查处违法行为起数", ("起", "件", "宗"), r"查处[^，。；]{0,8}(违法|案件)|立案(查处)?$|查处$|(实施|作出|给予|办理)[^，。；]{0,4}行政处罚(决定书?|案件)?$",
              exclude=r"信访|纠纷", maximum=5_000),
    # Decisions counted as the documents that state them: "作出行政处罚决定书11份".
    Indicator("violations_handled", "查处违法行为起数", ("份",), r"(实施|作出|下达|送达)[^，。；]{0,4}行政处罚决定书$", maximum=5_000),
    Indicator("info_disclosure_requests", "办理信息公开申请件数", ("件", "项", "条"), r"信息公开申请|依申请公开", maximum=1_000),
    Indicator("major_decisions_reviewed", "审议/审查重大事项项数", ("项", "件"), r"(审议|审查)[^，。；]{0,16}(重大|三重一大)[^，。；]{0,12}事项|(重大|三重一大)[^，。；]{0,6}(决策|事项)[^，。；]{0,8}(审议|审查|审核)",
              maximum=1_000),
    # Decisions made, then reviewed in the next clause ("研究重大行政决策事项9项，全部经法律顾问合法性审查").
    Indicator("major_decisions_reviewed", "审议/审查重大事项项数", ("项", "件"), r"(重大|三重一大)[^，。；]{0,8}(决策|事项)$",
              after=r"^(?=，?(均|全部|全|都|并|已)*经[^，。；]{0,8}(合法性)?(审查|审核))", maximum=1_000),
    Indicator("law_demo_households", "学法用法示范户数", ("户",), r"示范户", maximum=5_000),
)

# The one unit of each key's column; a row's other counting words count the same thing.
COLUMN_UNITS: dict[str, str] = {
    "disputes_mediated": "件", "disputes_mediation_success": "件", "mediation_success_rate_pct": "%",
    "petitions_received": "件", "petitions_resolved": "件", "legal_publicity_events": "场次",
    "people_reached": "人次", "people_reached_persons": "人", "materials_distributed": "份",
    "legal_literate_persons_trained": "人", "legal_advisor_opinions": "件", "contracts_reviewed": "件",
    "party_meetings_on_rule_of_law": "次", "info_disclosed_items": "条", "hotline_12345_cases": "件",
    "law_study_sessions": "次", "enforcement_training": "次", "enforcement_training_hours": "课时",
    "mediators": "人", "mediation_committees": "个", "legal_consultations": "次",
    "joint_enforcement_actions": "次", "violations_handled": "件", "info_disclosure_requests": "件",
    "major_decisions_reviewed": "项", "law_demo_households": "户",
}

# Column order of indicators.csv and the site: the keys as first published, then the keys added since
# (appended, so that a release's columns only ever grow at the end).
INDICATOR_KEYS: tuple[str, ...] = (
    "disputes_mediated", "disputes_mediation_success", "mediation_success_rate_pct", "petitions_received", "petitions_resolved",
    "legal_publicity_events", "people_reached", "materials_distributed", "legal_literate_persons_trained", "legal_advisor_opinions",
    "contracts_reviewed", "party_meetings_on_rule_of_law", "info_disclosed_items", "hotline_12345_cases", "law_study_sessions",
    "enforcement_training", "mediators", "mediation_committees", "legal_consultations", "joint_enforcement_actions",
    "violations_handled", "info_disclosure_requests", "major_decisions_reviewed", "law_demo_households",
    "people_reached_persons", "enforcement_training_hours",
)
INDICATOR_LABELS: dict[str, str] = {row.key: row.label for row in reversed(INDICATORS)}
UNITS: tuple[str, ...] = tuple(sorted({u for row in INDICATORS for u in row.units}, key=len, reverse=True))

BY_KEY: dict[str, Indicator] = {row.key: row for row in reversed(INDICATORS)}  # the first row of a key

# A count (a number with a counting word) that no row of the table names: kept as an observation under
# this key, with its clause, for a reviewer (the queue `fazhi evaluate` lists) and as the measure of
# what the table does not cover. Never a year's value, never in values.csv or indicators.csv.
UNCLASSIFIED = "unclassified"


class Compiled(NamedTuple):
    row: Indicator
    context: re.Pattern[str]
    sentence: re.Pattern[str] | None
    exclude: re.Pattern[str] | None
    after: re.Pattern[str] | None
    paragraph: re.Pattern[str] | None
    subject: re.Pattern[str] | None = None  # a default: a row compiled by older code (a test adding one) has none


def _maybe(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


COMPILED: tuple[Compiled, ...] = tuple(
    Compiled(row, re.compile(row.context), _maybe(row.sentence), _maybe(row.exclude), _maybe(row.after), _maybe(row.paragraph), _maybe(row.subject))
    for row in INDICATORS
)
