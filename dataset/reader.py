"""Reading a release as its declared format says: the manifest as a model, each table's rows as
records typed by the table's declared columns.

The site, the CLI and analysts' scripts read a release through here rather than through
``csv.DictReader`` and ``json.loads``, so that what a column means (a number, a date, a boolean,
a JSON list, a cell a spreadsheet must not run) is decided once, by the format that wrote it
(``dataset.format``). A manifest that does not parse as one (a hand-edited or truncated file) is a
``ValueError`` naming the file and the field, never a ``KeyError`` deep in a page renderer.

Pure: paths in, models out; nothing is written.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dataset.cells import CSV_FIELD_LIMIT, restore_cell
from dataset.format import Column, Resource

csv.field_size_limit(CSV_FIELD_LIMIT)

MANIFEST = "manifest.json"


class FileEntry(BaseModel):
    """One file of a release, as its manifest lists it: the bytes a reader can check."""

    model_config = ConfigDict(extra="allow", frozen=True)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)


class Manifest(BaseModel):
    """A release's manifest.json. Fields a newer writer adds are kept (``extra``), so a reader of
    this version reads a later release; the fields below are the ones every release since format 2
    carries, and a reader may rely on."""

    model_config = ConfigDict(extra="allow", frozen=True)
    version: str = Field(pattern=r"^\d{4}\.\d{2}\.\d{2}(?:\.\d{1,6})?$")
    parent: str | None = None
    created: str
    released_on: str | None = None
    citation: str | None = None
    format: int = Field(ge=1)
    counts: dict[str, Any]
    files: dict[str, FileEntry]

    @property
    def release_date(self) -> str:
        """The day the release is dated (Beijing), from ``released_on`` or, before it was
        written, from ``created``."""
        return self.released_on or self.created[:10]

    def count(self, name: str) -> int:
        """A count the writer recorded (0 when this release's writer did not record it)."""
        value = self.counts.get(name, 0)
        return value if isinstance(value, int) else 0


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the release in ``folder``; ValueError naming the file and what is wrong."""
    path = folder / MANIFEST
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ValueError(f"{path}: no manifest (not a release folder)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not JSON ({error})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        raise ValueError(f"{path}: {where}: {first['msg']}") from None


def typed_cell(column: Column, cell: str) -> Any:
    """The value a CSV cell stands for under its declared column: None for an empty cell, numbers
    as int or float, dates as ``date``, booleans as bool, JSON arrays as lists, text restored
    from its spreadsheet neutralisation (``cells.restore_cell``)."""
    if cell == "":
        return None
    if column.type == "integer":
        return int(cell)
    if column.type == "number":
        return float(cell)
    if column.type == "boolean":
        if cell not in ("true", "false"):
            raise ValueError(f"{column.name}: {cell!r} is not true or false")
        return cell == "true"
    if column.type == "date":
        return date.fromisoformat(cell)
    if column.type == "datetime":
        return datetime.fromisoformat(cell)
    if column.type == "array":
        value = json.loads(cell)
        if not isinstance(value, list):
            raise ValueError(f"{column.name}: {cell[:40]!r} is not a JSON array")
        return value
    if column.type == "object":
        value = json.loads(cell)
        if not isinstance(value, dict):
            raise ValueError(f"{column.name}: {cell[:40]!r} is not a JSON object")
        return value
    return restore_cell(cell)


def read_rows(folder: Path, resource: Resource) -> Iterator[dict[str, Any]]:
    """The rows of one CSV table of a release, each a record typed by the declared columns. A
    column the release's header lacks (an older release) is absent from the records; a column
    the format does not declare (a newer one) is kept as text."""
    path = folder / resource.path
    declared = {c.name: c for c in resource.columns}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{path}: empty file (no header)")
        columns = [declared.get(name) for name in header]
        for number, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise ValueError(f"{path}, line {number}: {len(row)} cells for {len(header)} columns")
            try:
                yield {name: typed_cell(column, cell) if column else cell for name, column, cell in zip(header, columns, row)}
            except ValueError as error:
                raise ValueError(f"{path}, line {number}: {error}") from None


def declared_tables(folder: Path) -> dict[str, Resource]:
    """The CSV tables the release in ``folder`` declares in its own datapackage.json, as
    resources (a release is read by the format it was written in, not by this code's)."""
    path = folder / "datapackage.json"
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
        tables = {}
        for described in package["resources"]:
            if described.get("format") != "csv":
                continue
            columns = tuple(Column(f["name"], f.get("type", "string"), f.get("description", "")) for f in described["schema"]["fields"])
            tables[described["name"]] = Resource(described["name"], described["path"], "csv", described.get("description", ""), columns)
        return tables
    except FileNotFoundError:
        raise ValueError(f"{path}: no datapackage.json (not a release folder)") from None
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a data package ({error!r})") from None


def read_table(folder: Path, name: str) -> Iterator[dict[str, Any]]:
    """The rows of the table ``name`` (``reports``, ``values``, ``coverage``…) of the release in
    ``folder``, typed by the release's own declaration."""
    tables = declared_tables(folder)
    if name not in tables:
        raise ValueError(f"{folder}: no table {name!r} (the release declares {', '.join(sorted(tables))})")
    return read_rows(folder, tables[name])
