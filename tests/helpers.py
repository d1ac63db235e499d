"""Builders shared by the store, release and site tests: real seed reports as harvested records."""

from __future__ import annotations

from datetime import datetime, timezone

from flows.records import Harvested
from parsers import extract_report, read_document
from tests.conftest import SEED_NAMES, seed_text

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)


def harvested(name: str, text: str | None = None, *, source_id: str = "demo", title: str | None = None) -> Harvested:
    body = (text if text is not None else seed_text(name)).encode("utf-8")
    document = read_document(body, f"http://demo.gov.cn/{name}.txt")
    if title is not None:
        document = document.model_copy(update={"title": title})
    return Harvested(
        source_id=source_id,
        url_key=f"/{name}.html",
        url=f"http://demo.gov.cn/{name}.html",
        sha256="0" * 64,
        fetched_at=NOW,
        extraction=extract_report(document),
    )


def all_seeds() -> list[Harvested]:
    return [harvested(name) for name in SEED_NAMES]
