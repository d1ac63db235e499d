"""Score identification (who, which year, published when, what kind) against hand-labelled metadata.

The labels are the dev set's ``*.meta.json`` schema (township, county, city, province, level, kind,
report_year, publication_date). Each field is scored over the documents whose label is not null:
accuracy = right / labelled, with every miss listed. Pure: labels and reports in, a score out.

The project's vocabulary is mapped to the labels' (documented here, used nowhere else):

| label | project |
|---|---|
| level 乡, 镇, 街道 | Report.level "township" (the suffix is the register's business, scored by township) |
| level county | Report.level "county" |
| kind annual_report | Report.kind government_annual_report, rule_of_law_work_report, work_summary |
| kind shufa_report | Report.kind shufa |
| kind other | Report.kind other |
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .models import Report
from .read.normalise import to_simplified

FIELDS = ("township", "county", "prefecture", "province", "year", "published", "level", "kind")
LEVELS = {"乡": "township", "镇": "township", "街道": "township", "county": "county", "department": "department"}
KINDS = {
    "government_annual_report": "annual_report",
    "rule_of_law_work_report": "annual_report",
    "work_summary": "annual_report",
    "shufa": "shufa_report",
    "other": "other",
    "unknown": "unknown",
}


class Miss(NamedTuple):
    document: str
    field: str
    expected: str
    found: str


class FieldScore(NamedTuple):
    field: str
    right: int
    labelled: int

    @property
    def accuracy(self) -> float:
        return self.right / self.labelled if self.labelled else 1.0


class IdentityScore(NamedTuple):
    fields: list[FieldScore]
    misses: list[Miss]
    documents: int

    def accuracy(self, field: str) -> float:
        return next(f.accuracy for f in self.fields if f.field == field)


def gold_values(meta: dict[str, Any]) -> dict[str, str | None]:
    """A label file's fields under the scorer's names, as strings (None: not labelled)."""

    def text(key: str) -> str | None:
        value = meta.get(key)
        return None if value is None else to_simplified(str(value))

    return {
        "township": text("township"),
        "county": text("county"),
        "prefecture": text("city"),
        "province": text("province"),
        "year": text("report_year"),
        "published": text("publication_date"),
        "level": LEVELS.get(str(meta.get("level")), str(meta.get("level"))) if meta.get("level") else None,
        "kind": text("kind"),
    }


def found_values(report: Report) -> dict[str, str | None]:
    place = report.place
    return {
        "township": place.township,
        "county": place.county,
        "prefecture": place.prefecture,
        "province": place.province,
        "year": str(report.year) if report.year is not None else None,
        # The labels' publication_date is the date the document shows: the page's, else the signature's
        # (labelled before the signature date became signed_on, never a publication date: issue 26).
        "published": shown_date.isoformat() if (shown_date := report.published_on or report.signed_on) else None,
        "level": report.level,
        "kind": KINDS[report.kind],
    }


def score_identity(pairs: list[tuple[str, dict[str, Any], Report]]) -> IdentityScore:
    """(document name, label dict, identified report) → accuracy per field and every miss."""
    right = dict.fromkeys(FIELDS, 0)
    labelled = dict.fromkeys(FIELDS, 0)
    misses: list[Miss] = []
    for name, meta, report in pairs:
        gold, found = gold_values(meta), found_values(report)
        for field in FIELDS:
            if gold[field] is None:
                continue
            labelled[field] += 1
            if gold[field] == found[field]:
                right[field] += 1
            else:
                misses.append(Miss(name, field, gold[field] or "", found[field] or "—"))
    return IdentityScore([FieldScore(f, right[f], labelled[f]) for f in FIELDS], misses, len(pairs))


def render_identity(score: IdentityScore, label: str = "training score") -> str:
    """The score as a plain-text table, then the misses; ``label`` says what kind of score it is."""
    lines = [f"identification ({label}, {score.documents} documents)", f"{'field':<12}{'right':>7}{'of':>5}{'accuracy':>10}"]
    lines += [f"{f.field:<12}{f.right:>7}{f.labelled:>5}{f.accuracy:>10.3f}" for f in score.fields]
    if score.misses:
        lines.append("misses:")
        lines += [f"  {m.document}  {m.field}: expected {m.expected}, found {m.found}" for m in score.misses]
    return "\n".join(lines)
