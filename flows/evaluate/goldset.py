"""Read a gold set from disk, in either of the project's two layouts, for `fazhi evaluate`.

- the seeds' layout: ``GOLD_DIR/<report>.jsonl`` (one file per report) beside ``TEXT_DIR/<report>.txt``,
  with the year's values in ``GOLD_DIR/canonical.jsonl``;
- the dev set's layout: one ``gold.jsonl`` with every report's rows (and, in the held-out sets,
  the year's values in ``canonical.jsonl`` beside it), the texts in ``reports/``
  and a ``<report>.meta.json`` beside each text. Its negatives (county-level reports, kind
  ``other``) carry no gold rows by design, so only its township rule-of-law documents are scored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, ValidationError

from flows.run.localfiles import LocalFileError, read_local_file
from parsers import CanonicalRow, GoldRow, parse_canonical_gold, parse_gold

READABLE = (".txt", ".html", ".htm", ".docx", ".pdf")
CANONICAL_FILE = "canonical.jsonl"
NEGATIVE_KINDS = {"other"}


class GoldSetError(ValueError):
    """A gold set that cannot be read: the message names the file and what is wrong."""


class GoldSet(NamedTuple):
    rows: list[GoldRow]
    texts: dict[str, Path]  # report → its text file
    scored: set[str]  # the reports whose figures count
    canonical: list[CanonicalRow]


def _texts(text_dir: Path) -> dict[str, Path]:
    if not text_dir.is_dir():
        raise GoldSetError(f"{text_dir}: not a directory of report texts")
    found: dict[str, Path] = {}
    for path in sorted(text_dir.iterdir()):
        if path.suffix.lower() in READABLE and path.is_file():
            found.setdefault(path.stem, path)
    return found


def _read(path: Path) -> str:
    """A regular file under the report cap, as UTF-8: a FIFO named gold.jsonl or x.meta.json
    waited forever for a writer."""
    try:
        return read_local_file(path).decode("utf-8")
    except LocalFileError as exc:
        raise GoldSetError(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise GoldSetError(f"{path}: cannot read ({exc})") from exc


def _parse(path: Path, canonical: bool = False) -> list:  # type: ignore[type-arg]
    try:
        return (parse_canonical_gold if canonical else parse_gold)(_read(path), str(path))
    except RecursionError:
        raise GoldSetError(f"{path}: nested too deeply to be a gold file") from None
    except ValueError as exc:
        raise GoldSetError(str(exc)) from exc


class Labels(BaseModel):
    """A dev-set ``.meta.json``: the fields the evaluation reads, each of the type it reads
    (a label file of other types raised AttributeError or TypeError, with a traceback)."""

    model_config = ConfigDict(extra="allow")

    township: str | None = None
    county: str | None = None
    city: str | None = None
    province: str | None = None
    report_year: int | str | None = None
    publication_date: str | None = None
    level: str | None = None
    kind: str | None = None
    source_url: str | None = None


def parse_labels(path: Path) -> dict[str, Any]:
    """A label file's labels, checked; GoldSetError naming the file and the field otherwise."""
    try:
        found = json.loads(_read(path))
    except RecursionError:
        raise GoldSetError(f"{path}: nested too deeply to be a label file") from None
    except ValueError as exc:
        raise GoldSetError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(found, dict):
        raise GoldSetError(f"{path}: expected a JSON object of labels, found {type(found).__name__}")
    try:
        Labels.model_validate(found)
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()[:3])
        raise GoldSetError(f"{path}: {where}") from None
    return found


def _township_document(meta_path: Path) -> bool:
    """True unless the labels say county level or kind other (no meta file: counted)."""
    if not meta_path.exists():
        return True
    meta = parse_labels(meta_path)
    return meta.get("level") != "county" and meta.get("kind") not in NEGATIVE_KINDS


def load_gold_set(gold: Path, text_dir: Path | None = None) -> GoldSet:
    """A gold set from a directory of per-report files, a single gold.jsonl, or a dev-set folder."""
    if gold.is_dir() and (gold / "gold.jsonl").is_file():
        text_dir = text_dir or gold / "reports"
        gold = gold / "gold.jsonl"
    if text_dir is None:
        raise GoldSetError(f"{gold}: give the directory of report texts too")
    texts = _texts(text_dir)
    canonical: list[CanonicalRow] = []
    if gold.is_file():
        rows: list[GoldRow] = _parse(gold)
        scored = {stem for stem in texts if _township_document(text_dir / f"{stem}.meta.json")}
        if (gold.parent / CANONICAL_FILE).is_file():  # the held-out sets label the year's values beside gold.jsonl
            canonical = _parse(gold.parent / CANONICAL_FILE, canonical=True)
    elif gold.is_dir():
        files = [p for p in sorted(gold.glob("*.jsonl")) if p.name != CANONICAL_FILE]
        if not files:
            raise GoldSetError(f"{gold}: no gold files (*.jsonl)")
        rows = [row for path in files for row in _parse(path)]
        scored = {p.stem for p in files}
        if (gold / CANONICAL_FILE).is_file():
            canonical = _parse(gold / CANONICAL_FILE, canonical=True)
    else:
        raise GoldSetError(f"{gold}: no such gold file or directory")
    missing = sorted(({r.report for r in rows} | scored) - set(texts))
    if missing:
        raise GoldSetError(f"{text_dir}: no text (.txt/.html/.docx/.pdf) for {', '.join(missing[:5])}")
    return GoldSet(rows, texts, scored, canonical)
