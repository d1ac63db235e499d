"""Consistency checks on one report's figures: they flag, never correct.

A reader deciding whether to trust a figure wants to know when the report contradicts itself;
the figure itself stays as published.
"""

from __future__ import annotations

from ..models import Flag, IndicatorValue, Observation
from .indicators import BY_KEY, UNCLASSIFIED

RATE_TOLERANCE_POINTS = 2.0  # reports round rates to whole percents; 154/157 = 98.1% is stated as 98%
# (part, whole, rate): the part can never exceed the whole, and rate ≈ part / whole.
PAIRS = (
    ("disputes_mediation_success", "disputes_mediated", "mediation_success_rate_pct"),
    ("petitions_resolved", "petitions_received", None),
)


def _canonical(observations: list[Observation], values: list[IndicatorValue] | None) -> dict[str, Observation | IndicatorValue]:
    if values is not None:
        return {v.indicator: v for v in values}
    return {o.indicator: o for o in observations if o.canonical}


def check_observations(observations: list[Observation], values: list[IndicatorValue] | None = None) -> list[Flag]:
    """Flags on one report's figures; ``values`` are its year values (default: the canonical mentions)."""
    flags = []
    observations = [o for o in observations if o.indicator != UNCLASSIFIED]  # counts no row names: nothing to check them against
    canonical = _canonical(observations, values)
    for part_key, whole_key, rate_key in PAIRS:
        part, whole = canonical.get(part_key), canonical.get(whole_key)
        if part and whole and part.value > whole.value:
            flags.append(Flag(code="part_exceeds_whole", detail=f"{part_key} {part.value:g} > {whole_key} {whole.value:g}"))
        rate = canonical.get(rate_key) if rate_key else None
        if part and whole and rate and whole.value > 0:
            computed = 100 * part.value / whole.value
            if abs(computed - rate.value) > RATE_TOLERANCE_POINTS:
                flags.append(
                    Flag(code="rate_mismatch", detail=f"{rate_key} {rate.value:g}% but {part.value:g}/{whole.value:g} = {computed:.1f}%")
                )
    for v in values or []:
        for code in v.flags:
            detail = ", ".join(f"{o.value:g}{o.unit} “{o.quote}”" for o in observations if o.indicator == v.indicator and o.scope in ("year", "part"))
            flags.append(Flag(code=code, detail=f"{v.indicator} {v.value:g} ({v.basis}) among {detail}"))
    for o in observations:
        if o.value > BY_KEY[o.indicator].maximum:
            flags.append(Flag(code="implausible_value", detail=f"{o.indicator} {o.value:g} {o.unit} is above {BY_KEY[o.indicator].maximum:g}: “{o.quote}”"))
    by_key: dict[str, set[float]] = {}  # each key's values, in one pass over the mentions
    for o in observations:
        by_key.setdefault(o.indicator, set()).add(o.value)
    for key in sorted(by_key):
        distinct = sorted(by_key[key])
        if len(distinct) > 1:
            flags.append(Flag(code="several_values", detail=f"{key}: {', '.join(f'{v:g}' for v in distinct)}"))
    return flags
