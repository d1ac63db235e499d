"""Read a folder of ``*.txt`` + ``*.meta.json`` (the dev set's ``reports/`` layout), identify each
text and score it against its labels: the table ``fazhi evaluate`` prints.

A text without its ``.meta.json`` is skipped; a label file that is not valid JSON is an error
naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flows.evaluate.goldset import GoldSetError, parse_labels
from flows.harvest.page_context import with_page_context
from flows.run.localfiles import LocalFileError, read_local_file
from parsers import IdentityScore, Report, extract_report, read_document, render_identity, score_identity, web_url_problem


class LabelError(ValueError):
    """A label file that cannot be read."""


def read_labels(path: Path) -> dict[str, Any]:
    try:
        return parse_labels(path)
    except GoldSetError as error:
        raise LabelError(str(error)) from None


def labelled_reports(folder: Path) -> list[tuple[str, dict[str, Any], Report]]:
    """(stem, labels, identified report) for every text of ``folder`` that has labels."""
    pairs = []
    for text in sorted(folder.glob("*.txt")):
        meta = text.with_name(text.stem + ".meta.json")
        if not meta.exists():
            continue
        labels = read_labels(meta)
        try:
            body = read_local_file(text)  # a regular file under the cap: a FIFO .txt waited forever
        except LocalFileError as error:
            raise LabelError(str(error)) from None
        document = read_document(body, str(text))
        # The page's address, as the nightly flow knows it: its host is evidence for the county.
        url = labels.get("source_url")
        if isinstance(url, str) and web_url_problem(url) is None:
            document, _ = with_page_context(document, url)
        pairs.append((text.stem, labels, extract_report(document).report))
    return pairs


def evaluate_identity(folder: Path) -> IdentityScore:
    return score_identity(labelled_reports(folder))


def render_identification(folder: Path, label: str = "training score") -> str:
    """The rendered table for ``folder`` (what ``fazhi evaluate`` prints)."""
    return render_identity(evaluate_identity(folder), label)


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m flows.evaluate.identity FOLDER  (a dev set's reports/; `fazhi evaluate` prints the same)")
    print(render_identification(Path(sys.argv[1])))
