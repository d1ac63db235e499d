"""How extraction time grows with text length: figure-dense texts of 1, 2 and 4 MB.

A report is a few thousand characters, but a portal may serve a 20 MB article (under the fetch
cap) and the extractor must stay linear in its length (issue 19, item 8). The text repeats a
section heading and the synthetic report's figure sentences, so nearly every clause carries a
figure and every few lines open a section. The cap on figures per report
(``parsers.figures.extract.MAX_FIGURES``) is lifted here: it is the reading that must stay linear.

Usage: python benchmarks/extract_scale.py                 (1, 2 and 4 MB)
       python benchmarks/extract_scale.py --sizes 0.25 0.5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import parsers.figures.extract  # noqa: E402
from parsers.figures.extract import extract_observations  # noqa: E402
from parsers.read.normalise import normalise  # noqa: E402

BLOCK = (
    "一、推进法治建设的主要举措\n（一）加强组织领导。党委会研究法治建设工作3次，召开依法治镇委员会会议2次，全年主动公开信息120余条。"
    "开展普法宣传讲座12场次、大型普法宣传活动4场次、发放宣传资料3000余份，受益群众5000人次。培育“法律明白人”40人。"
    "全镇12个调委会现有人民调解员60人（其中专职调解员6人）。全年共调解矛盾纠纷80起，调解成功78起，调解成功率97.5%。"
    "组织执法人员法治培训16课时，法律顾问提供法律意见9次，审查各类合同14件，受理12345投诉30条。\n"
)


def figure_dense_text(megabytes: float) -> str:
    block_bytes = len(BLOCK.encode("utf-8"))
    return BLOCK * max(1, int(megabytes * 1_000_000 / block_bytes))


def measure(megabytes: float) -> tuple[int, int, float]:
    """(characters, figures, seconds) for one text of about ``megabytes`` MB (UTF-8)."""
    text = figure_dense_text(megabytes)
    normalised = normalise(text)
    began = time.perf_counter()
    found = extract_observations(normalised)
    return len(text), len(found), time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4], help="text sizes in MB (UTF-8)")
    args = parser.parse_args(argv)
    cap, parsers.figures.extract.MAX_FIGURES = parsers.figures.extract.MAX_FIGURES, 10**9
    try:
        print(f"{'MB':>6} {'chars':>10} {'figures':>9} {'seconds':>9} {'µs/char':>9}")
        for size in args.sizes:
            chars, figures, seconds = measure(size)
            print(f"{size:6g} {chars:10d} {figures:9d} {seconds:9.2f} {1e6 * seconds / chars:9.3f}")
    finally:  # main() is also called in-process by a test
        parsers.figures.extract.MAX_FIGURES = cap
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
