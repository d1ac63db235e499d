"""Properties that hold for any input, not only the seeds."""

from importlib import import_module

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.figures.extract import extract_observations
from parsers.read.normalise import normalise

CLAUSES = [
    "全年调解矛盾纠纷{n}起", "发放宣传资料{n}余份", "受益群众{n}人次", "开展普法宣传活动{n}场次",
    "培育“法律明白人”{n}人", "受理12345投诉{n}条", "审查各类合同{n}件", "其中专职调解员{n}人",
    "{y}年以来", "我镇坚持依法行政", "（一）强化组织领导", "发放宣传材料{w}万份",
]


@st.composite
def report_texts(draw: st.DrawFn) -> str:
    clauses = draw(st.lists(st.sampled_from(CLAUSES), min_size=1, max_size=12))
    parts = [c.format(n=draw(st.integers(1, 99999)), y=draw(st.integers(2019, 2026)), w=draw(st.integers(1, 9))) for c in clauses]
    seps = draw(st.lists(st.sampled_from(["，", "。", "、", ",", "；", "\n"]), min_size=len(parts), max_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, seps))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text).text
    assert normalise(once).text == once


@settings(max_examples=300, deadline=None)
@given(report_texts())
def test_every_quote_is_its_span_and_holds_its_number(text: str) -> None:
    n = normalise(text)
    for o in extract_observations(n):
        assert n.text[o.start : o.end] == o.quote
        assert o.value > 0 and not o.quote.startswith("其中")


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 99999), st.sampled_from(["起", "件"]))
def test_a_stated_count_is_read_exactly(n: int, unit: str) -> None:
    (obs,) = extract_observations(normalise(f"全年调解矛盾纠纷{n}{unit}。"))
    assert (obs.indicator, obs.value, obs.unit, obs.qualifier) == ("disputes_mediated", n, unit, "exact")


PAGE_TEXT = st.text(alphabet=st.sampled_from(list("0123456789１２３，,;:：．. \t\u3000\u00a0\u2002\n\r镇乡第页共-—AＢ%％调解")) | st.characters(), max_size=80)


@settings(max_examples=300, deadline=None)
@given(PAGE_TEXT)
def test_whole_text_cleaning_equals_cleaning_line_by_line(text: str) -> None:
    """clean_lines runs each substitution once over the whole text (for speed); it must give
    what the line-by-line passes it replaced gave: none of its patterns may cross a line."""
    n = import_module("parsers.read.normalise")  # the package re-exports a function of that name
    cleaned = n._ARTEFACTS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = []
    for raw in cleaned.split("\n"):
        line = n._SPACES.sub(" ", raw.translate(n._FULL_WIDTH)).strip()
        if line and not n._PAGE_NUMBER_LINE.match(line):
            line = n._DECIMAL_POINT.sub(".", line)
            lines.append(n._PROSE_PUNCTUATION.sub(lambda m: n._CHINESE_FORM[m.group(0)], line))
    assert n.clean_lines(text) == "\n".join(lines)
