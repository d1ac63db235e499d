"""A shard's harvest on disk: what one work-pool worker hands to the one merge at the end."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flows.records import Night


def save_shard(folder: Path, name: str, shard: Night) -> Path:
    """Write atomically (temporary file, then rename): the merge never reads half a shard."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"shard-{name}.json"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(shard.model_dump_json())
    os.replace(tmp, target)
    return target


def load_shards(folder: Path) -> list[Night]:
    return [Night.model_validate_json(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("shard-*.json"))]
