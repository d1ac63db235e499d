"""Score extracted figures against a hand-labelled gold set: precision, recall, F1, qualifiers and
the year's value.

A match is the same report, indicator and value (unit and quote are shown, not matched: a quote
cut one clause wider is still the right figure). Mentions are matched as multisets, so a report
that states 90 twice must yield 90 twice. A gold row marked ``optional`` is one a careful reader
might or might not take: missing it is not a miss, and emitting it is not a false hit.

The extractor splits some of the gold's keys by unit (one unit a column: 人 and 人次 are not
added up); ``SCORED_AS`` maps the split keys back to the key the gold sets use, so a reader's
label "people_reached 1500 人" still matches ``people_reached_persons``; a gold set that labels
with the split keys (the held-out set) is mapped the same way.

Gold rows are this year's figures for this township (the dev set's labelling rule). A mention the
extractor itself scopes out of the year (a plan, another year, a multi-year period, another
body: ``Observation.scope``) is its claim that the figure is not this year's, so it is not
scored: a right claim is no false hit, and a year's figure wrongly scoped out is a miss.

Every score here is a training score: the gold sets are the texts the rules were written from.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, ValidationError

from .figures.indicators import UNCLASSIFIED
from .models import Basis, IndicatorValue, Observation, Qualifier

# Keys split by unit → the key the gold sets label them under.
SCORED_AS: dict[str, str] = {
    "people_reached_persons": "people_reached",
    "enforcement_training_hours": "enforcement_training",
}


# Scopes that say "this year's figure" (a part of it included); the others are not scored.
YEAR_SCOPES = frozenset({"year", "part"})


def scored_key(indicator: str) -> str:
    return SCORED_AS.get(indicator, indicator)


class LabelledValue(BaseModel):
    """A value a careful reader wrote down for one indicator of one report: what both gold files share."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    report: str
    indicator: str
    value: float
    unit: str
    qualifier: Qualifier


class GoldRow(LabelledValue):
    """One figure as the report states it, with its sentence (gold.jsonl): what extraction must find."""

    quote: str
    optional: bool = False


class CanonicalRow(LabelledValue):
    """The year's value of one indicator in one report, as a careful reader decides it."""

    basis: Basis
    note: str = ""


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
    qualifier_agreed: int = 0  # of the true positives, how many carry the gold's qualifier
    qualifier_disagreements: tuple[tuple[GoldRow, Observation], ...] = ()
    optional_found: int = 0  # optional rows emitted (neither hits nor false hits)
    optional_total: int = 0
    # Counts no indicator took (indicator ``unclassified``), per report: the reviewer's queue, never scored.
    unclassified: tuple[tuple[str, Observation], ...] = ()

    @property
    def qualifier_agreement(self) -> float:
        tp = self.overall.true_positives
        return self.qualifier_agreed / tp if tp else 1.0


class CanonicalEvaluation(NamedTuple):
    right: int
    wrong: list[tuple[CanonicalRow, IndicatorValue | None]]  # gold row, what was chosen (None: nothing)
    extra: list[tuple[str, IndicatorValue]]  # a value for an indicator the gold gives none
    basis_agreed: int

    @property
    def total(self) -> int:
        return self.right + len(self.wrong)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 1.0


def _parse_rows(text: str, name: str, model: type[BaseModel]) -> list:  # type: ignore[type-arg]
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rows.append(model.model_validate(json.loads(line)))
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors())
                raise ValueError(f"{name}:{number}: not a gold row ({problems})") from exc
            except ValueError as exc:
                raise ValueError(f"{name}:{number}: not JSON ({exc})") from exc
    return rows


def parse_gold(text: str, name: str = "gold") -> list[GoldRow]:
    return _parse_rows(text, name, GoldRow)


def parse_canonical_gold(text: str, name: str = "canonical gold") -> list[CanonicalRow]:
    return _parse_rows(text, name, CanonicalRow)


def evaluate(gold: list[GoldRow], predicted: dict[str, list[Observation]], reports: set[str] | None = None) -> Evaluation:
    """Compare gold rows with the observations extracted for each report (keyed by report).

    ``reports``: score only these reports (default: every report with gold rows or predictions);
    the dev set scores township documents only, whatever the extractor finds in its negatives.
    """
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    misses: list[GoldRow] = []
    false_hits: list[tuple[str, Observation]] = []
    agreed, optional_found, optional_total = 0, 0, 0
    unclassified: list[tuple[str, Observation]] = []
    disagreements: list[tuple[GoldRow, Observation]] = []
    scored = reports if reports is not None else {g.report for g in gold} | set(predicted)
    for report in sorted(scored):
        expected = [g for g in gold if g.report == report]
        # Required rows are matched first, so an optional row never takes a required row's figure.
        open_rows = sorted(expected, key=lambda g: g.optional)
        used = [False] * len(open_rows)
        for obs in predicted.get(report, []):
            if obs.indicator == UNCLASSIFIED:
                unclassified.append((report, obs))
                continue
            if obs.scope not in YEAR_SCOPES:
                continue
            key = (scored_key(obs.indicator), obs.value)
            match = next((i for i, g in enumerate(open_rows) if not used[i] and (scored_key(g.indicator), g.value) == key), None)
            if match is None:
                fp[key[0]] += 1
                false_hits.append((report, obs))
                continue
            used[match] = True
            row = open_rows[match]
            if row.optional:
                optional_found += 1
                continue
            tp[key[0]] += 1
            if row.qualifier == obs.qualifier:
                agreed += 1
            else:
                disagreements.append((row, obs))
        optional_total += sum(g.optional for g in open_rows)
        for i, g in enumerate(open_rows):
            if not used[i] and not g.optional:
                fn[scored_key(g.indicator)] += 1
                misses.append(g)
    keys = sorted(set(tp) | set(fp) | set(fn))
    per = {k: Score(tp[k], fp[k], fn[k]) for k in keys}
    overall = Score(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return Evaluation(overall, per, misses, false_hits, agreed, tuple(disagreements), optional_found, optional_total, tuple(unclassified))


def _same_qualifier(value: IndicatorValue, labelled: str) -> bool:
    """The gold labels the qualifier as written; a year's value chosen as the largest single mention
    is at_least by rule (a lower bound, issue 26), so its at_least agrees with a written exact."""
    return value.qualifier == labelled or (value.basis == "single_mention" and value.qualifier == "at_least" and labelled == "exact")


def evaluate_canonical(gold: list[CanonicalRow], predicted: dict[str, list[IndicatorValue]]) -> CanonicalEvaluation:
    """The year's values against the hand-labelled ones: right when the value and qualifier agree.

    Only reports the canonical gold covers are scored."""
    right, agreed = 0, 0
    wrong: list[tuple[CanonicalRow, IndicatorValue | None]] = []
    extra: list[tuple[str, IndicatorValue]] = []
    for report in sorted({g.report for g in gold}):
        chosen = {v.indicator: v for v in predicted.get(report, [])}
        labelled = {g.indicator for g in gold if g.report == report}
        for g in (g for g in gold if g.report == report):
            value = chosen.get(g.indicator)
            if value is not None and value.value == g.value and _same_qualifier(value, g.qualifier):
                right += 1
                agreed += value.basis == g.basis
            else:
                wrong.append((g, value))
        extra += [(report, v) for key, v in chosen.items() if key not in labelled]
    return CanonicalEvaluation(right, wrong, extra, agreed)


def render_evaluation(result: Evaluation, title: str = "extraction") -> str:
    """The table `fazhi evaluate` prints, with every miss and false hit and its quote."""
    lines = [
        f"TRAINING score ({title}: texts the rules were tuned on, not a held-out measure)",
        f"{'indicator':34} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8} {'f1':>6}",
    ]
    for key, s in result.per_indicator.items():
        lines.append(f"{key:34} {s.true_positives:4d} {s.false_positives:4d} {s.false_negatives:4d} {s.precision:10.3f} {s.recall:8.3f} {s.f1:6.3f}")
    o = result.overall
    lines.append(f"{'overall':34} {o.true_positives:4d} {o.false_positives:4d} {o.false_negatives:4d} {o.precision:10.3f} {o.recall:8.3f} {o.f1:6.3f}")
    lines.append(f"qualifier agreement (TRAINING score): {result.qualifier_agreed}/{o.true_positives} = {result.qualifier_agreement:.3f}")
    if result.optional_total:
        lines.append(f"optional rows emitted (not scored): {result.optional_found}/{result.optional_total}")
    if result.misses:
        lines += ["", "misses (in the gold set, not extracted):"]
        lines += [f"  {g.report} {g.indicator} {g.value:g} “{g.quote}”" for g in result.misses]
    if result.false_hits:
        lines += ["", "false hits (extracted, not in the gold set):"]
        lines += [f"  {report} {o.indicator} {o.value:g} “{o.quote}”" for report, o in result.false_hits]
    if result.qualifier_disagreements:
        lines += ["", "qualifier disagreements (gold → extracted):"]
        lines += [f"  {g.report} {g.indicator} {g.value:g} {g.qualifier} → {o.qualifier} “{g.quote}”" for g, o in result.qualifier_disagreements]
    lines += ["", render_unclassified(result.unclassified)]
    return "\n".join(lines)


def render_unclassified(queue: Sequence[tuple[str, Observation]]) -> str:
    """The counts no indicator took, grouped by report: what a reviewer reads to find what the
    indicator table does not cover (a miss among them is a row or a phrasing to add)."""
    reports = dict.fromkeys(report for report, _ in queue)
    lines = [f"unclassified counts (not scored: the reviewer's queue): {len(queue)} in {len(reports)} reports"]
    for report in reports:
        lines.append(f"  {report}")
        lines += [f"    {o.value:g} {o.unit} ({o.scope}) “{o.quote}”" for r, o in queue if r == report]
    return "\n".join(lines)


def render_canonical(result: CanonicalEvaluation) -> str:
    lines = [
        "",
        f"canonical value accuracy (TRAINING score): {result.right}/{result.total} = {result.accuracy:.3f}"
        f"  (basis agrees on {result.basis_agreed} of the right ones)",
    ]
    for g, v in result.wrong:
        got = f"{v.value:g} {v.qualifier} ({v.basis})" if v else "nothing"
        lines.append(f"  {g.report} {g.indicator}: expected {g.value:g} {g.qualifier} ({g.basis}), chose {got}")
    for report, v in result.extra:
        lines.append(f"  {report} {v.indicator}: chose {v.value:g} {v.unit} ({v.basis}), the gold gives no value")
    return "\n".join(lines)
