"""The Parquet copies of a release's tables, read from the CSV just written (one source of truth), with the declared types; a bucketed table's copy reuses the parent's row groups where its buckets did not change.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dataset import Resource

# Arrow reads CSV in blocks and fails on a row that straddles two ("straddles two block
# boundaries"): a block far above the longest row bounded cells make.
ARROW_BLOCK = 16 << 20


def _arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(), "date": pa.date32(),
            "datetime": pa.timestamp("us", tz="UTC"), "array": pa.string()}[kind]  # an array: its JSON text


def write_parquet(folder: Path, resource: Resource) -> None:
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    schema, convert = _csv_read_options(resource)
    reader = pcsv.open_csv(folder / resource.path, read_options=pcsv.ReadOptions(block_size=ARROW_BLOCK), convert_options=convert)
    with pq.ParquetWriter(folder / resource.parquet_path, schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_table(_true_text(batch.columns, schema))


def _true_text(columns: Any, schema: Any) -> Any:
    """A table of these CSV columns with the formula-neutralising apostrophe taken off its text
    columns: Parquet is read by programs, not spreadsheets."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pa.Table.from_arrays([pc.replace_substring_regex(column, pattern="^'", replacement="", max_replacements=1) if field.type == pa.string()
                                 else column for column, field in zip(columns, schema)], schema=schema)


def _csv_read_options(resource: Resource) -> tuple[Any, Any]:
    """The Arrow schema of a table and the CSV conversion that gives it (see write_parquet)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    schema = pa.schema([pa.field(c.name, _arrow_type(c.type), nullable=not c.required or c.type == "string") for c in resource.columns])
    return schema, pcsv.ConvertOptions(column_types=schema, strings_can_be_null=True, null_values=[""], true_values=["true"], false_values=["false"])


ROW_GROUP = 1 << 17  # rows per Parquet row group of a bucketed table's copy


def write_parquet_bucketed(folder: Path, resource: Resource, index: dict[str, Any], parent: tuple[Path, dict[str, Any]] | None) -> None:
    """The Parquet copy of a bucketed table: the parent's Parquet rows for the buckets that did
    not change (streamed from its file, never decoded whole into memory), the changed buckets'
    rows read from the CSV just written. Parsing 3.4 million CSV rows every night was 4 s; the
    same file written whole (write_parquet) when the parent's copy does not fit its index.
    ``parent``: the parent release's folder and its index entry of this table."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    source = parent[0] / resource.parquet_path if parent else None
    if parent is None or source is None or not source.is_file():
        write_parquet(folder, resource)
        return
    schema, convert = _csv_read_options(resource)
    try:
        old = pq.ParquetFile(source)
        fits = old.schema_arrow.equals(schema) and old.metadata.num_rows == sum(c[4] for c in parent[1]["buckets"])
    except (OSError, pa.ArrowException, KeyError, IndexError, TypeError):
        fits = False
    if not fits:
        write_parquet(folder, resource)
        return
    starts, row = {}, 0
    for chunk in parent[1]["buckets"]:
        starts[chunk[0]] = (chunk[1], row, chunk[4])
        row += chunk[4]
    # What each bucket's rows are: a run of the parent's rows, or rows of the CSV written now.
    plan: list[tuple[str, int, int]] = []  # ("old", first parent row, rows) or ("new", first new row, rows)
    fresh: list[tuple[int, int]] = []  # byte ranges of the changed buckets in the new CSV
    fresh_rows = 0
    for bucket, key, offset, length, rows in index["buckets"]:
        kept = starts.get(bucket)
        if kept is not None and kept[0] == key and kept[2] == rows:
            if plan and plan[-1][0] == "old" and plan[-1][1] + plan[-1][2] == kept[1]:
                plan[-1] = ("old", plan[-1][1], plan[-1][2] + rows)
            else:
                plan.append(("old", kept[1], rows))
        elif rows:
            fresh.append((offset, length))
            plan.append(("new", fresh_rows, rows))
            fresh_rows += rows
    with (folder / resource.path).open("rb") as handle:
        head = handle.readline()
        parts = [head]
        for offset, length in fresh:
            handle.seek(offset)
            parts.append(handle.read(length))
    new = pcsv.read_csv(pa.py_buffer(b"".join(parts)), read_options=pcsv.ReadOptions(use_threads=False, block_size=ARROW_BLOCK),
                        convert_options=convert)
    new = _true_text(new.columns, schema)
    if new.num_rows != fresh_rows:
        raise ValueError(f"{folder / resource.path}: {new.num_rows} rows in its changed buckets, {fresh_rows} in its index")
    with pq.ParquetWriter(folder / resource.parquet_path, schema, compression="zstd") as writer:
        stream, pending, pending_rows = _RowStream(old), [], 0
        for where, first, rows in plan:
            if where == "old":
                stream.skip_to(first)
                pieces = [pa.Table.from_batches([batch], schema=schema) for batch in stream.take(rows)]
            else:
                pieces = [new.slice(first, rows)]
            for piece in pieces:
                pending.append(piece)
                pending_rows += piece.num_rows
                if pending_rows >= ROW_GROUP:  # row groups as write_parquet makes them, not one per bucket
                    writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
                    pending, pending_rows = [], 0
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)


class _RowStream:
    """The rows of a Parquet file in order, in record batches: skip to a row, take n rows."""

    def __init__(self, source: Any) -> None:
        self.batches = source.iter_batches(batch_size=1 << 16)
        self.position = 0  # the row the next batch starts at
        self.batch: Any = None  # what is left of the current batch, starting at self.position

    def _next(self) -> Any:
        if self.batch is None or self.batch.num_rows == 0:
            self.batch = next(self.batches)
        return self.batch

    def skip_to(self, row: int) -> None:
        while self.position < row:
            batch = self._next()
            step = min(batch.num_rows, row - self.position)
            self.batch, self.position = batch.slice(step), self.position + step

    def take(self, rows: int) -> Iterator[Any]:
        while rows:
            batch = self._next()
            step = min(batch.num_rows, rows)
            yield batch.slice(0, step)
            self.batch, self.position, rows = batch.slice(step), self.position + step, rows - step
