"""A synthetic corpus at national scale: N townships × Y years of report-like texts.

Places are real townships of the register (parsers.identity.register); sentences follow the patterns
of the seed reports with random figures. Deterministic for a given seed, so runs compare.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from parsers.identity.register import county_name, load_register

OPENING = "{year}年以来，{township}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，全面推进法治政府建设，现将有关情况报告如下："
PROSE = ("坚持把法治建设作为一项重大政治任务来抓，与经济发展、社会稳定、民生保障等工作同谋划、同部署、同推进，"
         "形成主要领导亲自抓、分管领导具体抓、各部门配合抓的工作格局。严格执行重大行政决策程序，充分发挥法律顾问作用，"
         "推动权力运行公开透明，切实保障群众的知情权、参与权和监督权。持续推进综合行政执法改革，规范执法行为，"
         "落实行政执法公示、执法全过程记录、重大执法决定法制审核制度，不断提升依法行政能力和水平。")
SECTIONS = [
    "一、推进法治政府建设的主要举措和成效",
    "（一）加强组织领导。{township}党委会研究法治建设工作{a}次，召开依法治镇委员会会议{b}次，全年主动公开信息{c}余条。",
    "（二）深化普法宣传。开展普法宣传讲座{d}场次、大型普法宣传活动{e}场次、发放宣传资料{f}余份，受益群众{g}人次。培育“法律明白人”{h}人。",
    "（三）化解矛盾纠纷。全镇{i}个调委会现有人民调解员{j}人，其中专职调解员{k}人。全年共调解矛盾纠纷{l}起，调解成功{m}起，调解成功率{n}%。",
    "（四）规范行政执法。组织执法人员法治培训{o}课时，法律顾问提供法律意见{p}次，审查各类合同{q}件，受理12345投诉{r}条。",
    "二、存在的不足和原因",
    "基层法治队伍专业性有待提升，普法宣传的精准度有待加强，执法协同效能需持续优化。",
    # Prose without figures, as real reports have (the seeds run 2,200 to 4,700 characters):
    PROSE * 8,
    "三、下一年度工作安排",
    "持续深化法治宣传教育，提升基层依法治理能力，为经济社会高质量发展提供法治保障。",
]


@dataclass(frozen=True)
class SyntheticReport:
    county: str
    adcode: str
    township: str
    year: int
    title: str
    text: str
    url_key: str


def townships(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(county, adcode, township) for n real townships of the register (identification names only
    register rows), drawn at random; at most the register's ~41,000."""
    rng = random.Random(seed)
    rows = sorted(load_register().townships.values())
    return [(county_name(t.county) or "", t.county, t.name) for t in rng.sample(rows, min(n, len(rows)))]


def report_text(county: str, township: str, year: int, rng: random.Random) -> str:
    total = rng.randint(10, 400)
    figures = {
        "a": rng.randint(1, 12), "b": rng.randint(1, 6), "c": rng.randint(5, 500), "d": rng.randint(2, 60),
        "e": rng.randint(1, 30), "f": rng.randint(100, 20000), "g": rng.randint(500, 50000), "h": rng.randint(5, 80),
        "i": rng.randint(1, 20), "j": rng.randint(10, 120), "k": rng.randint(1, 9), "l": total,
        "m": total - rng.randint(0, 5), "n": rng.randint(95, 100), "o": rng.randint(8, 90), "p": rng.randint(5, 60),
        "q": rng.randint(5, 200), "r": rng.randint(10, 900),
    }
    title = f"{county}{township}{year}年法治政府建设年度报告"
    lines = [title, OPENING.format(year=year, township=township)]
    lines += [line.format(township=township, **figures) for line in SECTIONS]
    lines += [f"{county}{township}人民政府", f"{year + 1}年3月{rng.randint(1, 28)}日"]
    return "\n".join(lines)


def corpus(n: int, years: int, seed: int = 7) -> Iterator[SyntheticReport]:
    """Reports for n townships × the last ``years`` years, generated lazily (memory flat in n)."""
    rng = random.Random(seed)
    for index, (county, adcode, township) in enumerate(townships(n, seed)):
        for year in range(2025 - years + 1, 2026):
            text = report_text(county, township, year, rng)
            yield SyntheticReport(county, adcode, township, year, text.split("\n", 1)[0], text, f"/art/{adcode}/{index}/{year}.html")
