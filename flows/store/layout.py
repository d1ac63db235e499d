"""Where a night's data lives under the data directory."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from flows.store.raw import RawStore


class DataLayout(BaseModel):
    """data/fazhi.sqlite (the store), data/raw/ (fetched bytes), data/releases/, data/build/docs/."""

    model_config = ConfigDict(frozen=True)
    root: Path

    @property
    def store_path(self) -> Path:
        return self.root / "fazhi.sqlite"

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def docs_dir(self) -> Path:
        return self.root / "build" / "docs"

    def raw(self) -> RawStore:
        return RawStore(self.root / "raw")
