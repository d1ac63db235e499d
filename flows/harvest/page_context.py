"""The context a page has in the night, given to a file read on its own (`fazhi extract FILE --url`,
`fazhi evaluate` with a `.meta.json` holding `source_url`): its address, and the source entry
whose hosts serve it.

In the night a fetched page carries its URL (a government portal's host spells its county:
www.xuwen.gov.cn → 徐闻县) and its source entry (adcode, covers). A file on disk has neither, so a
township name shared by forty townships (大河乡) stays open. The same two pieces are rebuilt here:
the URL is set on the document, and the source is the registry entry whose allowed domains (or
listing hosts) hold the URL's host, when exactly one does.
"""

from __future__ import annotations

from parsers import Document, Source, web_url_problem

from .context import allowed_domains
from .http import host_allowed


class PageContextError(ValueError):
    """A --url that is not a page address."""


def checked_url(url: str) -> str:
    problem = web_url_problem(url)
    if problem:
        raise PageContextError(f"--url {url[:200]!r}: not a page address ({problem})")
    return url


def source_for_url(url: str, sources: list[Source]) -> Source | None:
    """The one source whose hosts serve ``url``; None when none does, or several (then the
    register reads the host alone, as it does for a copy on another site)."""
    serving = [source for source in sources if host_allowed(url, allowed_domains(source))]
    return serving[0] if len(serving) == 1 else None


def with_page_context(document: Document, url: str | None, sources: list[Source] | None = None) -> tuple[Document, Source | None]:
    """The document as the night would hold it: its URL set, and the source serving that URL."""
    if not url:
        return document, None
    return document.model_copy(update={"url": url}), source_for_url(url, sources or [])
