"""sources.yaml → validated Source entries; a mistake names the file, the entry and the field."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from parsers.models import Source
from parsers.register import county_name


class SourcesError(ValueError):
    """sources.yaml can't be used as it is."""


def parse_sources(text: str, name: str = "sources.yaml") -> list[Source]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourcesError(f"{name}: not valid YAML: {exc}") from exc
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{name}: expected a top-level 'sources:' list with at least one entry")
    sources, seen = [], set()
    for index, entry in enumerate(entries):
        label = f"{name}: entry {index + 1}" + (f" ({entry.get('id')})" if isinstance(entry, dict) and entry.get("id") else "")
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors())
            raise SourcesError(f"{label}: {problems}") from exc
        unknown = [code for code in source.covers if county_name(code) is None]
        if unknown:
            raise SourcesError(f"{label}: covers: {', '.join(unknown)} is not a county code of the register (6 digits, 2023 codes)")
        if source.id in seen:
            raise SourcesError(f"{label}: id '{source.id}' is used twice")
        seen.add(source.id)
        sources.append(source)
    return sources


def load_sources(path: Path) -> list[Source]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"{path}: can't read the sources file ({exc.strerror})") from exc
    return parse_sources(text, str(path))


def select_sources(sources: list[Source], provinces: list[str] | None) -> list[Source]:
    """One shard of the registry: the sources whose adcode lies in the given provinces (2-digit
    codes, e.g. ["50", "53"]); "none" selects the sources without an adcode. None: all sources."""
    if not provinces:
        return sources
    wanted = set(provinces)
    return [s for s in sources if (s.adcode[:2] if s.adcode else "none") in wanted]
