"""Normalised text → indicator observations, each with the exact clause it came from.

Every number followed by a unit is a candidate figure; the indicator table
(``parsers.indicators``) names it from the words around it. Breakdowns are not totals: a figure
in parentheses after a total, or in a clause that starts with 其中, is skipped. Years, dates,
document numbers and ordinals never carry one of the table's units, so they never become figures.
"""

from __future__ import annotations

import bisect
import re

from .indicators import COMPILED, UNITS
from .models import Heading, Normalised, Observation
from .normalise import SECTION_MAX_LEVEL
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


SENTENCE_WINDOW = 400  # characters looked back for a sentence's words: real sentences are shorter


class Breaks:
    """The ends of every match of a break pattern, found once: each figure then finds the last
    break before it by bisection, so extraction stays linear in the text's length (rescanning
    from the start for every figure made a 1 MB text take minutes)."""

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.ends = [m.end() for m in pattern.finditer(text)]

    def last(self, floor: int, position: int) -> int:
        """The end of the last break in text[floor:position], else ``floor``."""
        i = bisect.bisect_right(self.ends, position) - 1
        return self.ends[i] if i >= 0 and self.ends[i] > floor else floor


class Sections:
    """The section heading each figure stands under, for figures visited in text order: one walk
    through the headings for the whole text (asking ``section_at`` for each figure rescans them
    all, quadratic in a text with many headings). Same rule as ``normalise.section_at``."""

    def __init__(self, headings: list[Heading]) -> None:
        self.headings = [h for h in headings if h.level <= SECTION_MAX_LEVEL]
        self.next = 0
        self.open: dict[int, Heading] = {}

    def at(self, position: int) -> str | None:
        while self.next < len(self.headings) and self.headings[self.next].start <= position:
            heading = self.headings[self.next]
            self.open = {lvl: h for lvl, h in self.open.items() if lvl < heading.level}
            self.open[heading.level] = heading
            self.next += 1
        return self.open[max(self.open)].text if self.open else None


def extract_observations(normalised: Normalised) -> list[Observation]:
    """Every figure the indicator table can name, in text order, with quote and span."""
    text = normalised.text
    found: list[Observation] = []
    previous_end = 0
    sentences, clauses = Breaks(SENTENCE_BREAK, text), Breaks(CLAUSE_BREAK, text)
    sections = Sections(normalised.headings)
    for figure in FIGURE.finditer(text):
        start, end = figure.span()
        sentence_start = sentences.last(max(0, start - SENTENCE_WINDOW), start)
        clause_start = clauses.last(max(sentence_start, previous_end), start)
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
                    section=sections.at(start),
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
