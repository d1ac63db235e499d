"""One source's night as one value: what every step of its harvest (discover, fetch, recheck,
read) needs from the night, handed down the chain instead of the same eight arguments at each step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from urllib.parse import urlsplit

from flows.harvest.convert import Converters, converters_for
from flows.harvest.http import DEFAULT_PORTS, FetchError, HttpClient, parse_target
from flows.records import FetchRecord
from flows.store.raw import RawStore
from parsers import Source

Key = tuple[str, str]  # (source id, url_key)


def allowed_domains(source: Source) -> list[str]:
    return source.allowed_domains or sorted({(urlsplit(u).hostname or "").lower() for u in source.pages})


def source_ports(source: Source) -> frozenset[int]:
    """The ports a source's pages may be on: those of its listing pages, and the defaults (a
    portal moves from http to https). A link elsewhere on an allowed host is another service."""
    ports = set(DEFAULT_PORTS.values())
    for url in source.listing:
        try:
            ports.add(parse_target(url)[2])
        except FetchError:
            continue  # the listing page itself fails and says why
    return frozenset(ports)


@dataclass(frozen=True)
class SourceNight:
    """``known``: the source's stored reports; ``validators``: their last fetches (ETag,
    Last-Modified, the page's sha256); ``attachments``: a stub's attachment's last fetch, by its
    page's key, asked conditionally when the page answers 304; ``recheck``: ask the stored ones
    again. All of it the source's own: a task is never handed the whole store (issue 32)."""

    client: HttpClient
    source: Source
    raw: RawStore
    now: datetime
    known: set[Key] = field(default_factory=set)
    validators: dict[Key, FetchRecord] = field(default_factory=dict)
    recheck: bool = False
    attachments: dict[Key, FetchRecord] = field(default_factory=dict)

    @cached_property
    def domains(self) -> list[str]:
        return allowed_domains(self.source)

    @cached_property
    def ports(self) -> frozenset[int]:
        return source_ports(self.source)

    @cached_property
    def convert(self) -> Converters:
        """The shell's converters, OCR'd pages cached under the raw store."""
        return converters_for(self.raw.root)

    def is_known(self, key: str) -> bool:
        return (self.source.id, key) in self.known
