"""Every seed against its hand-labelled gold file, with a score floor that only rises."""

import hashlib
import json
from pathlib import Path

import pytest

from parsers import extract_report, read_document
from parsers.evaluate import Score, evaluate, parse_gold
from tests.conftest import SEEDS

GOLD = Path(__file__).parents[1] / "gold"
DEVSET = Path(__file__).parents[3] / "shared" / "devset"  # ../shared/devset beside the checkout
FLOOR = json.loads((Path(__file__).parents[1] / "eval_floor.json").read_text(encoding="utf-8"))
EPSILON = 1e-9


def figure_files() -> list[Path]:
    return [p for p in sorted(GOLD.glob("*.jsonl")) if p.name != "canonical.jsonl"]


def gold_rows():  # type: ignore[no-untyped-def]
    return [row for path in figure_files() for row in parse_gold(path.read_text(encoding="utf-8"), str(path))]


def predictions() -> dict:  # type: ignore[type-arg]
    return {p.stem: extract_report(read_document(p.read_bytes(), str(p))).observations for p in sorted(SEEDS.glob("*.txt"))}


def test_gold_files_are_the_ones_the_floor_was_set_on() -> None:
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in figure_files())).hexdigest()
    assert digest == FLOOR["gold_sha256"], "a gold file changed: re-score and update tests/eval_floor.json in the same commit"


def test_every_gold_quote_is_in_its_normalised_report() -> None:
    from parsers.read.normalise import normalise

    texts = {p.stem: normalise(p.read_text(encoding="utf-8")).text for p in SEEDS.glob("*.txt")}
    for row in gold_rows():
        assert row.quote in texts[row.report], row


def test_extraction_scores_do_not_fall_below_the_floor() -> None:
    result = evaluate(gold_rows(), predictions())
    assert result.overall.precision >= FLOOR["precision"] - EPSILON, result.false_hits
    assert result.overall.recall >= FLOOR["recall"] - EPSILON, result.misses


@pytest.mark.parametrize(
    "score, precision, recall",
    [(Score(8, 2, 0), 0.8, 1.0), (Score(3, 0, 1), 1.0, 0.75), (Score(0, 0, 0), 1.0, 1.0)],
)
def test_score_arithmetic(score: Score, precision: float, recall: float) -> None:
    assert (score.precision, score.recall) == (precision, recall)


def test_matching_counts_repeated_mentions() -> None:
    from parsers.models import Observation

    gold = parse_gold('{"report": "r", "indicator": "disputes_mediated", "value": 90, "unit": "件", "qualifier": "exact", "quote": "q"}\n' * 2)
    one = Observation(indicator="disputes_mediated", value=90, unit="件", qualifier="exact", quote="q", start=0, end=1)
    result = evaluate(gold, {"r": [one]})
    assert result.overall == Score(1, 0, 1)
    wrong = one.model_copy(update={"value": 9})
    assert evaluate(gold, {"r": [one, one, wrong]}).overall == Score(2, 1, 0)


def test_canonical_gold_is_the_one_the_floor_was_set_on() -> None:
    digest = hashlib.sha256((GOLD / "canonical.jsonl").read_bytes()).hexdigest()
    assert digest == FLOOR["canonical_sha256"], "canonical.jsonl changed: re-score and update tests/eval_floor.json in the same commit"


def test_canonical_gold_labels_every_indicator_the_seed_gold_has() -> None:
    """Every indicator a seed states has a hand-labelled year value (split keys under their own name)."""
    from parsers.evaluate import parse_canonical_gold, scored_key

    canonical = parse_canonical_gold((GOLD / "canonical.jsonl").read_text(encoding="utf-8"))
    labelled = {(c.report, scored_key(c.indicator)) for c in canonical}
    assert {(g.report, g.indicator) for g in gold_rows()} == labelled


def test_seed_year_values_do_not_fall_below_the_floor() -> None:
    from parsers.evaluate import evaluate_canonical, parse_canonical_gold

    canonical = parse_canonical_gold((GOLD / "canonical.jsonl").read_text(encoding="utf-8"))
    values = {p.stem: extract_report(read_document(p.read_bytes(), str(p))).values for p in sorted(SEEDS.glob("*.txt"))}
    result = evaluate_canonical(canonical, values)
    assert result.accuracy >= FLOOR["canonical_accuracy"] - EPSILON, result.wrong
    assert not result.extra, result.extra


@pytest.mark.skipif(not (DEVSET / "gold.jsonl").exists(), reason="../shared/devset is not beside this checkout")
def test_devset_scores_do_not_fall_below_the_floor() -> None:
    """TRAINING scores on the dev set (township documents only; its negatives carry no gold)."""
    from flows.evaluate.goldset import load_gold_set

    gold_set = load_gold_set(DEVSET)
    predicted = {r: extract_report(read_document(gold_set.texts[r].read_bytes(), str(gold_set.texts[r]))).observations for r in gold_set.scored}
    result = evaluate(gold_set.rows, predicted, gold_set.scored)
    floor = FLOOR["devset"]
    assert result.overall.precision >= floor["precision"] - EPSILON, result.false_hits
    assert result.overall.recall >= floor["recall"] - EPSILON, result.misses
    assert result.qualifier_agreement >= floor["qualifier_agreement"] - EPSILON, result.qualifier_disagreements
    assert len(gold_set.scored) == 92


def test_optional_rows_are_neither_misses_nor_false_hits() -> None:
    from parsers.models import Observation

    gold = parse_gold(
        '{"report": "r", "indicator": "law_study_sessions", "value": 14, "unit": "次", "qualifier": "exact", "quote": "a", "optional": true}\n'
        '{"report": "r", "indicator": "law_study_sessions", "value": 3, "unit": "次", "qualifier": "exact", "quote": "b", "optional": true}\n'
        '{"report": "r", "indicator": "law_study_sessions", "value": 3, "unit": "次", "qualifier": "exact", "quote": "c"}\n'
    )
    three = Observation(indicator="law_study_sessions", value=3, unit="次", qualifier="at_least", quote="c", start=0, end=1)
    result = evaluate(gold, {"r": [three]})
    assert result.overall == Score(1, 0, 0)  # the required 3 is matched first; the optional 14 and 3 are not misses
    assert result.qualifier_agreement == 0.0
    assert evaluate(gold, {"r": [three, three, three.model_copy(update={"value": 14})]}).overall == Score(1, 0, 0)


def test_split_keys_are_scored_as_the_gold_key() -> None:
    from parsers.models import Observation

    gold = parse_gold('{"report": "r", "indicator": "people_reached", "value": 500, "unit": "人", "qualifier": "exact", "quote": "q"}')
    persons = Observation(indicator="people_reached_persons", value=500, unit="人", qualifier="exact", quote="q", start=0, end=1)
    assert evaluate(gold, {"r": [persons]}).overall == Score(1, 0, 0)


def test_evaluate_names_the_file_and_line_of_malformed_gold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from flows.cli import main

    (tmp_path / "r.jsonl").write_text('{"report": "r", "indicator": "x"}\n', encoding="utf-8")
    (tmp_path / "r.txt").write_text("共开展普法活动3次。", encoding="utf-8")
    assert main(["evaluate", str(tmp_path), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'r.jsonl'}:1" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_evaluate_reads_the_devset_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One gold.jsonl + reports/ with meta files: a county-level negative is not scored."""
    import json as json_

    from flows.cli import main

    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "a.txt").write_text("全年召开法治建设专题会议3次，集中学法12次。", encoding="utf-8")
    (tmp_path / "reports" / "a.meta.json").write_text(json_.dumps({"level": "镇", "kind": "annual_report"}), encoding="utf-8")
    (tmp_path / "reports" / "b.txt").write_text("全县开展普法宣传活动300场次。", encoding="utf-8")
    (tmp_path / "reports" / "b.meta.json").write_text(json_.dumps({"level": "county", "kind": "annual_report"}), encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text(
        '{"report": "a", "indicator": "party_meetings_on_rule_of_law", "value": 3, "unit": "次", "qualifier": "exact", "quote": "q", "optional": false}\n'
        '{"report": "a", "indicator": "law_study_sessions", "value": 12, "unit": "次", "qualifier": "exact", "quote": "q", "optional": false}\n',
        encoding="utf-8",
    )
    assert main(["evaluate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "TRAINING score" in out and "1 township documents scored" in out
    overall = next(line for line in out.splitlines() if line.startswith("overall")).split()
    assert overall[1:4] == ["2", "0", "0"]


def test_gold_labelled_with_a_split_key_matches_it() -> None:
    """The held-out set labels 人 as people_reached_persons and 课时 as enforcement_training_hours."""
    from parsers.models import Observation

    gold = parse_gold('{"report": "r", "indicator": "enforcement_training_hours", "value": 40, "unit": "课时", "qualifier": "exact", "quote": "q"}')
    hours = Observation(indicator="enforcement_training_hours", value=40, unit="课时", qualifier="exact", quote="q", start=0, end=1)
    assert evaluate(gold, {"r": [hours]}).overall == Score(1, 0, 0)
    sessions = hours.model_copy(update={"indicator": "enforcement_training"})
    assert evaluate(gold, {"r": [sessions]}).overall == Score(1, 0, 0)  # scored under one key, as the dev set's labels are


@pytest.mark.parametrize("scope", ["plan", "other_year", "period", "other_body"])
def test_mentions_the_extractor_scopes_out_of_the_year_are_not_scored(scope: str) -> None:
    """Gold rows are this year's figures; a plan the extractor marks as a plan is neither a hit nor a false hit,
    and a year's figure it wrongly marks as a plan is a miss."""
    from parsers.models import Observation

    gold = parse_gold('{"report": "r", "indicator": "legal_publicity_events", "value": 12, "unit": "场", "qualifier": "exact", "quote": "q"}')
    year = Observation(indicator="legal_publicity_events", value=12, unit="场", qualifier="exact", quote="q", start=0, end=1)
    plan = year.model_copy(update={"value": 30, "scope": scope})
    assert evaluate(gold, {"r": [year, plan]}).overall == Score(1, 0, 0)
    assert evaluate(gold, {"r": [year.model_copy(update={"scope": scope})]}).overall == Score(0, 0, 1)
    assert evaluate(gold, {"r": [year.model_copy(update={"scope": "part"})]}).overall == Score(1, 0, 0)


def test_evaluate_scores_year_values_beside_a_devset_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """canonical.jsonl beside gold.jsonl (the held-out sets): the year's values are scored too."""
    from flows.cli import main

    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "a.txt").write_text("全年开展法治讲座5场、普法活动20场，共计25场。", encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text(
        '{"report": "a", "indicator": "legal_publicity_events", "value": 25, "unit": "场", "qualifier": "exact", "quote": "共计25场"}\n', encoding="utf-8"
    )
    (tmp_path / "canonical.jsonl").write_text(
        '{"report": "a", "indicator": "legal_publicity_events", "value": 25, "unit": "场次", "qualifier": "exact", "basis": "stated_total"}\n',
        encoding="utf-8",
    )
    assert main(["evaluate", str(tmp_path)]) == 0
    assert "canonical value accuracy (TRAINING score): 1/1" in capsys.readouterr().out
    (tmp_path / "canonical.jsonl").write_text('{"report": "a"}\n', encoding="utf-8")
    assert main(["evaluate", str(tmp_path)]) == 2
    assert "canonical.jsonl:1" in capsys.readouterr().err


def test_evaluate_lists_the_unclassified_counts_per_report_and_never_scores_them() -> None:
    from parsers.evaluate import render_evaluation
    from parsers.models import Observation

    gold = parse_gold('{"report": "r", "indicator": "law_study_sessions", "value": 4, "unit": "次", "qualifier": "exact", "quote": "学法4次"}')
    study = Observation(indicator="law_study_sessions", value=4, unit="次", qualifier="exact", quote="学法4次", start=0, end=5)
    queued = Observation(indicator="unclassified", value=55, unit="名", qualifier="exact", quote="配备网格员55名", start=6, end=14)
    result = evaluate(gold, {"r": [study, queued], "s": [queued]})
    assert result.overall == Score(1, 0, 0)  # the queued count is neither a hit nor a false hit
    assert result.unclassified == (("r", queued), ("s", queued))
    printed = render_evaluation(result)
    assert "unclassified counts (not scored: the reviewer's queue): 2 in 2 reports" in printed
    assert "  r\n    55 名 (year) “配备网格员55名”" in printed
