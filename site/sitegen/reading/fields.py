"""The release's columns described in Chinese for the downloads page (the release's own
datapackage.json describes them in English, for tools and for researchers abroad; both are shown).

A column this table does not know (a newer release) keeps its English description only; an
indicator column takes its indicator's label, a year column its pattern.
"""

from __future__ import annotations

import re

from parsers.figures.indicators import INDICATOR_LABELS

FIELDS_ZH: dict[str, str] = {
    "report_id": "报告编号：来源和网址路径的哈希（16位），跨版本不变", "revision": "报告文本的修订号；网站上的文本改动即为新修订",
    "township": "乡镇（街道）名称；未识别时为空", "township_code": "乡镇的9位统计用区划代码：乡镇的稳定编号", "county": "县级行政区",
    "province": "省级行政区", "prefecture": "地级行政区", "adcode": "县级行政区的6位代码", "county_code": "县级行政区的6位代码",
    "level": "报告的级别：乡镇、县级、部门或不详", "kind": "报告类型：法治政府建设年度报告、法治建设工作情况报告、述法报告、工作总结等",
    "year": "报告所属年度", "published_on": "发布日期（网页元数据、“发布时间”或落款）", "on_time": "是否在次年4月1日前发布（按时）",
    "title": "报告标题（简体）", "url": "报告网页的地址", "source_id": "来源网站的编号（见 sources.csv）", "sha256": "本修订规范化文本的 sha256",
    "script": "原文字体：简体或繁体", "status": "状态：active 为现行（撤下的报告不在当前各表中）", "mirror_urls": "同一文本的其他网址，以空格分隔",
    "seq": "该数字在报告中的顺序（从0开始）", "indicator": "指标代码（见本站“指标”页）", "value": "数值（“万”和中文数字已换算）",
    "unit": "单位", "qualifier": "限定：exact 确数；at_least 下限（余、多、以上）；approx 约数（近、约、左右）",
    "quote": "数字所在的原文分句（规范化文本）", "quote_start": "原文分句在规范化文本中的起始位置", "quote_end": "原文分句在规范化文本中的结束位置",
    "section": "数字所在的小标题", "canonical": "该处提及是否计入报告的年度数值（values.csv）", "flag_codes": "一致性提示代码，以分号分隔",
    "scope": "该处提及统计的范围：全年、分项、计划、其他年度等", "basis": "数值的取法：写明的全年总数、各分项之和或唯一一处提及",
    "name": "网站名称", "listing_urls": "读取的全部栏目页地址", "covers": "该网站应发布其乡镇报告的县的代码", "in_registry": "出版本时是否仍在来源登记表中",
    "current": "是否为报告的现行修订", "fetched_at": "抓取时间（UTC）", "first_seen": "首次发现时间（UTC）", "last_checked": "最近一次检查时间（UTC）",
    "page_url": "报告网页地址", "page_sha256": "网页原始字节的 sha256", "attachment_url": "读取文本的附件地址（.docx、.pdf 等）",
    "attachment_sha256": "附件原始字节的 sha256", "text": "报告全文（规范化后）", "original": "报告全文（原样）", "flags": "一致性提示",
}
_YEAR = re.compile(r"^(\d{4})(_shufa)?$")


def field_zh(name: str) -> str:
    """The Chinese description of a release column, or "" when none is known."""
    if name in FIELDS_ZH:
        return FIELDS_ZH[name]
    year = _YEAR.match(name)
    if year:
        which = "述法报告" if year.group(2) else "年度报告"
        return f"{year.group(1)}年度{which}的状态：on_time 按时、late 逾期、undated 发布日期不详、not_found 未找到等"
    key, _, rest = name.partition("_qualifier") if name.endswith("_qualifier") else (name, "", "")
    if key in INDICATOR_LABELS:
        return f"{INDICATOR_LABELS[key]}的限定（确数、下限或约数）" if name.endswith("_qualifier") else f"{INDICATOR_LABELS[key]}（该年度的数值）"
    return ""
