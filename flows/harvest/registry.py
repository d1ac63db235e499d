"""sources.yaml → validated Source entries; a mistake names the file, the entry and the field.

The registry is read as untrusted input: it may come from a pull request. So the YAML is read
by a loader that refuses what a list of portals never needs and an attacker does: aliases and
anchors (a 376-byte "billion laughs" document expands to gigabytes), deep nesting (100,000
brackets overflow the stack), duplicate keys (the last ``id:`` would win silently), files
larger than any registry and files that are not UTF-8.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pydantic import ValidationError
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import MappingNode, Node

from parsers import Source, county_name

MAX_BYTES = 8 * 1024 * 1024  # a few thousand county portals at ~300 bytes each, many times over
MAX_DEPTH = 16  # sources → entry → listing → URL is 4 levels


class SourcesError(ValueError):
    """sources.yaml can't be used as it is."""


class _RegistryLoader(yaml.SafeLoader):
    """SafeLoader without aliases, anchors, deep nesting or duplicate keys.

    Checks happen while composing, event by event, before any alias is expanded and before the
    recursion that deep nesting would overflow."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor is not None):
            _refuse("YAML anchors and aliases (&name, *name) are not allowed in the registry", event.start_mark)
        nested = isinstance(event, CollectionStartEvent)
        if nested:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                _refuse(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self.depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = key_node.value if key_node.tag == "tag:yaml.org,2002:str" else None
            if key is not None and key in seen:
                _refuse(f"the key '{key[:60]}' appears twice in one mapping", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _refuse(problem: str, mark: Any) -> NoReturn:
    raise yaml.MarkedYAMLError(problem=problem, problem_mark=mark)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """One line: where and what, never the document's content (which may be huge or hostile)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or type(exc).__name__
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}"


def parse_sources(text: str, name: str = "sources.yaml") -> list[Source]:
    loader = _RegistryLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise SourcesError(f"{name}: not a usable registry: {_yaml_problem(exc)}") from exc
    except RecursionError as exc:  # a nesting the composer's check did not reach (it always should)
        raise SourcesError(f"{name}: not a usable registry: nested too deep") from exc
    finally:
        loader.dispose()
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{name}: expected a top-level 'sources:' list with at least one entry")
    sources, seen = [], set()
    for index, entry in enumerate(entries):
        given_id = entry.get("id") if isinstance(entry, dict) else None
        label = f"{name}: entry {index + 1}" + (f" ({str(given_id)[:64]})" if given_id else "")
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
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
    try:  # opened without blocking and its type checked on the descriptor: a FIFO waited forever for a writer
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise SourcesError(f"{path}: not a regular file (a folder, FIFO or device); give the sources.yaml file")
            body = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SourcesError(f"{path}: can't read the sources file ({exc.strerror or exc})") from exc
    if len(body) > MAX_BYTES:
        raise SourcesError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB; a sources registry is far smaller")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourcesError(f"{path}: not UTF-8 (byte 0x{body[exc.start]:02x} at offset {exc.start}); save the file as UTF-8") from exc
    return parse_sources(text, str(path))


def select_sources(sources: list[Source], provinces: list[str] | None) -> list[Source]:
    """One shard of the registry: the sources whose adcode lies in the given provinces (2-digit
    codes, e.g. ["50", "53"]); "none" selects the sources without an adcode. None: all sources."""
    if not provinces:
        return sources
    wanted = set(provinces)
    return [s for s in sources if (s.adcode[:2] if s.adcode else "none") in wanted]
