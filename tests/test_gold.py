"""Every seed against its hand-labelled gold file, with a score floor that only rises."""

import hashlib
import json
from pathlib import Path

import pytest

from parsers import extract_report, read_document
from parsers.evaluate import Score, evaluate, parse_gold
from tests.conftest import SEEDS

GOLD = Path(__file__).parent / "gold"
FLOOR = json.loads((Path(__file__).parent / "eval_floor.json").read_text(encoding="utf-8"))
EPSILON = 1e-9


def gold_rows():  # type: ignore[no-untyped-def]
    return [row for path in sorted(GOLD.glob("*.jsonl")) for row in parse_gold(path.read_text(encoding="utf-8"), str(path))]


def predictions() -> dict:  # type: ignore[type-arg]
    return {p.stem: extract_report(read_document(p.read_bytes(), str(p))).observations for p in sorted(SEEDS.glob("*.txt"))}


def test_gold_files_are_the_ones_the_floor_was_set_on() -> None:
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(GOLD.glob("*.jsonl")))).hexdigest()
    assert digest == FLOOR["gold_sha256"], "a gold file changed: re-score and update tests/eval_floor.json in the same commit"


def test_every_gold_quote_is_in_its_normalised_report() -> None:
    from parsers.normalise import normalise

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
