"""Score extracted figures against a hand-labelled gold set: precision, recall and F1.

A match is the same report, indicator and value (unit and quote are shown, not matched: a quote
cut one clause wider is still the right figure). Mentions are matched as multisets, so a report
that states 90 twice must yield 90 twice.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from .models import Observation, Qualifier


class GoldRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    report: str
    indicator: str
    value: float
    unit: str
    qualifier: Qualifier
    quote: str


class Score(NamedTuple):
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


class Evaluation(NamedTuple):
    overall: Score
    per_indicator: dict[str, Score]
    misses: list[GoldRow]
    false_hits: list[tuple[str, Observation]]


def parse_gold(text: str, name: str = "gold") -> list[GoldRow]:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rows.append(GoldRow.model_validate(json.loads(line)))
            except ValueError as exc:
                raise ValueError(f"{name}:{number}: not a gold row ({exc})") from exc
    return rows


def evaluate(gold: list[GoldRow], predicted: dict[str, list[Observation]]) -> Evaluation:
    """Compare gold rows with the observations extracted for each report (keyed by report)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    misses: list[GoldRow] = []
    false_hits: list[tuple[str, Observation]] = []
    reports = sorted({g.report for g in gold} | set(predicted))
    for report in reports:
        expected = [g for g in gold if g.report == report]
        remaining = Counter((g.indicator, g.value) for g in expected)
        for obs in predicted.get(report, []):
            key = (obs.indicator, obs.value)
            if remaining[key] > 0:
                remaining[key] -= 1
                tp[obs.indicator] += 1
            else:
                fp[obs.indicator] += 1
                false_hits.append((report, obs))
        for g in expected:
            if remaining[(g.indicator, g.value)] > 0:
                remaining[(g.indicator, g.value)] -= 1
                fn[g.indicator] += 1
                misses.append(g)
    keys = sorted(set(tp) | set(fp) | set(fn))
    per = {k: Score(tp[k], fp[k], fn[k]) for k in keys}
    overall = Score(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return Evaluation(overall, per, misses, false_hits)


def render_evaluation(result: Evaluation) -> str:
    """The table `fazhi evaluate` prints, with every miss and false hit and its quote."""
    lines = [f"{'indicator':34} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8} {'f1':>6}"]
    for key, s in result.per_indicator.items():
        lines.append(f"{key:34} {s.true_positives:4d} {s.false_positives:4d} {s.false_negatives:4d} {s.precision:10.3f} {s.recall:8.3f} {s.f1:6.3f}")
    o = result.overall
    lines.append(f"{'overall':34} {o.true_positives:4d} {o.false_positives:4d} {o.false_negatives:4d} {o.precision:10.3f} {o.recall:8.3f} {o.f1:6.3f}")
    if result.misses:
        lines += ["", "misses (in the gold set, not extracted):"]
        lines += [f"  {g.report} {g.indicator} {g.value:g} “{g.quote}”" for g in result.misses]
    if result.false_hits:
        lines += ["", "false hits (extracted, not in the gold set):"]
        lines += [f"  {report} {o.indicator} {o.value:g} “{o.quote}”" for report, o in result.false_hits]
    return "\n".join(lines)
