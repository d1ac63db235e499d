"""Atom feeds of new and revised reports: one for the site, one per county.

A journalist or a county office follows a county without visiting it every night. Each entry is
a report added or revised by a release, as the release's change log says (``- added: … `id```,
``- revised: … `id`: revision 1 → 2``), dated by the release; its link is the township page (or
the archived text of a report on no township page). Entries are ordered newest first and
capped, so a feed stays small however long the project runs. Pure: change logs and rows in, XML
out; every text passes through ``xml_text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from ..formatting import html_text
from .pages import Row

SITE_ENTRIES = 100
COUNTY_ENTRIES = 50
_LINE = re.compile(r"^- (added|revised): (.*?) `([0-9a-f]{16})`(?:: revision \d+ → (\d+))?\s*$")
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0 at all
KIND_WORDS = {"added": "新增", "revised": "修订"}


@dataclass(frozen=True)
class Entry:
    """One report added or revised by one release."""

    kind: str  # added | revised
    report_id: str
    label: str  # the change log's "title (township, county, year)"
    version: str
    created: str  # the release's ISO timestamp


def xml_text(value: Any) -> str:
    """Untrusted text for XML: escaped, and without the characters XML 1.0 cannot hold."""
    return html_text(_XML_FORBIDDEN.sub("", "" if value is None else str(value)))


def entries_of(version: str, created: str, changelog: str) -> list[Entry]:
    """The added and revised reports of one release's change log, in its order."""
    found = []
    for line in changelog.splitlines():
        match = _LINE.match(line)
        if match:
            found.append(Entry(kind=match.group(1), report_id=match.group(3), label=match.group(2), version=version, created=created))
    return found


def newest(releases: Iterable[tuple[str, str, str]], limit: int) -> list[Entry]:
    """Entries of ``releases`` ((version, created, changelog), newest first), at most ``limit``."""
    found: list[Entry] = []
    for version, created, changelog in releases:
        found += entries_of(version, created, changelog)
        if len(found) >= limit:
            break
    return found[:limit]


def render_feed(title: str, feed_id: str, self_href: str, page_href: str, entries: list[Entry], by_id: dict[str, Row],
                link_of: dict[str, str], *, to_root: str, built: str = "", base: str = "") -> str:
    """An Atom 1.0 document. ``link_of``: report id → its page, relative to the site's root;
    ``to_root``: from the feed's folder to the site's root (links are relative to the feed);
    ``built``: the release's time, the feed's date when it has no entry (Atom requires one);
    ``base``: the feed's folder as an absolute URL (FAZHI_SITE_URL set): every link is then absolute
    and the feed says its xml:base (many feed readers resolve neither relative links nor xml:base)."""
    updated = entries[0].created if entries else built or "1970-01-01T00:00:00+00:00"

    def absolute(href: str) -> str:
        return urljoin(base, href) if base else href

    items = []
    for e in entries:
        row = by_id.get(e.report_id, {})
        href = absolute(to_root + link_of.get(e.report_id, ""))
        summary = f"{KIND_WORDS[e.kind]}（数据集版本 {e.version}）：{e.label}"
        if row.get("published_on"):
            summary += f"；发布日期 {row['published_on']}"
        items.append(
            f"<entry><id>urn:fazhi-atlas:{xml_text(e.version)}:{e.kind}:{e.report_id}</id>"
            f"<title>{xml_text(KIND_WORDS[e.kind] + '：' + (row.get('title') or _untitled(row) or e.label))}</title>"
            f"<updated>{xml_text(e.created)}</updated>"
            f'<link rel="alternate" type="text/html" href="{xml_text(href)}"/>'
            f"<summary>{xml_text(summary)}</summary></entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh"'
        + (f' xml:base="{xml_text(base)}"' if base else "") + ">"
        f"<id>{xml_text(feed_id)}</id><title>{xml_text(title)}</title><updated>{xml_text(updated)}</updated>"
        f'<link rel="self" type="application/atom+xml" href="{xml_text(absolute(self_href))}"/>'
        f'<link rel="alternate" type="text/html" href="{xml_text(absolute(page_href))}"/>'
        "<author><name>法治地图 Fazhi Atlas</name></author>" + "".join(items) + "</feed>\n"
    )


def _untitled(row: Row) -> str:
    """A name for a report the portal gave no title: its township (or county) and year."""
    where = row.get("township") or row.get("county") or ""
    return f"{where}{row.get('year') or ''}年度报告" if where else ""
