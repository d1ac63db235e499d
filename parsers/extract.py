"""Normalised text → indicator observations, each with the exact clause it came from.

Every number followed by a unit is a candidate figure; the indicator table
(``parsers.indicators``) names it from the words around it. Breakdowns are not totals: a figure
in parentheses after a total, or in a clause that starts with 其中, is skipped. Years, dates,
document numbers and ordinals never carry one of the table's units, so they never become figures.
"""

from __future__ import annotations

import re

from .indicators import COMPILED, UNITS
from .models import Normalised, Observation
from .normalise import section_at
from .numbers import NUMBER, qualifier_of, to_value

FIGURE = re.compile(
    rf"(?<![\d.,第]){NUMBER.pattern}(?P<unit>{'|'.join(map(re.escape, UNITS))})(?P<post2>以上|左右)?"
)
CLAUSE_BREAK = re.compile(r"[，。；！？\n：]")  # not 、: it joins the objects of one verb (调处宅基地、婚姻家庭等纠纷)
SENTENCE_BREAK = re.compile(r"[。；！？\n]")
LEADING = "、，,；：:“”\"' "
OPENING, CLOSING = "(（", ")）"
SUBCOUNT = re.compile(r"^其中")
TOTAL_WORDS = re.compile(r"共|累计|全年|总计|合计")


def _inside_parentheses(sentence: str) -> bool:
    depth = 0
    for char in sentence:
        depth += char in OPENING
        depth -= char in CLOSING and depth > 0
    return depth > 0


def _last_break(pattern: re.Pattern[str], text: str, floor: int, position: int) -> int:
    start = floor
    for match in pattern.finditer(text, floor, position):
        start = match.end()
    return start


def extract_observations(normalised: Normalised) -> list[Observation]:
    """Every figure the indicator table can name, in text order, with quote and span."""
    text = normalised.text
    found: list[Observation] = []
    previous_end = 0
    for figure in FIGURE.finditer(text):
        start, end = figure.span()
        sentence_start = _last_break(SENTENCE_BREAK, text, 0, start)
        clause_start = _last_break(CLAUSE_BREAK, text, max(sentence_start, previous_end), start)
        previous_end = end
        while clause_start < start and text[clause_start] in LEADING:
            clause_start += 1
        context, sentence = text[clause_start:start], text[sentence_start:start]
        if SUBCOUNT.match(context) or _inside_parentheses(sentence):
            continue
        after = text[end : end + 20]
        unit = figure.group("unit")
        for row, context_re, sentence_re, exclude_re, after_re in COMPILED:
            if unit not in row.units or not context_re.search(context):
                continue
            if sentence_re and not sentence_re.search(sentence):
                continue
            if exclude_re and exclude_re.search(context.rsplit("、", 1)[-1]):
                continue
            tail = after_re.search(after) if after_re else None
            if after_re and tail is None:
                continue
            quote_end = end + tail.end() if tail else end
            post = "以上" if figure.group("range") else figure.group("post") or figure.group("post2")
            found.append(
                Observation(
                    indicator=row.key,
                    value=to_value(figure.group("num"), figure.group("mult")),
                    unit=unit,
                    qualifier=qualifier_of(figure.group("pre"), post),
                    quote=text[clause_start:quote_end],
                    start=clause_start,
                    end=quote_end,
                    section=section_at(normalised.headings, start),
                )
            )
            break
    return mark_canonical(found)


def mark_canonical(observations: list[Observation]) -> list[Observation]:
    """Choose one value per indicator: a mention that states a total (共/累计/全年) over one that
    does not, then the largest. Reports list sub-activities before or after the year's total,
    and a sub-count is never larger than its total."""
    best: dict[str, Observation] = {}
    for obs in observations:
        current = best.get(obs.indicator)
        rank = (bool(TOTAL_WORDS.search(obs.quote)), obs.value)
        if current is None or rank > (bool(TOTAL_WORDS.search(current.quote)), current.value):
            best[obs.indicator] = obs
    chosen = {id(o) for o in best.values()}
    return [o.model_copy(update={"canonical": id(o) in chosen}) for o in observations]
