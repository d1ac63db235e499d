"""Large generated HTML blocks (status tables) kept out of Markdown and put back after it.

Python-Markdown tokenises every raw HTML block it is given (md_in_html walks each tag): a county's
status table of 15 townships × 7 years cost more than the rest of its page. The generated pages
hold a placeholder paragraph instead, and this plugin swaps the block in once Markdown is done
(``on_page_content``), before the search plugin and the theme see the page. The blocks are built
from escaped text only (sitegen.accountability), so nothing is lost by skipping Markdown.

A block that is one element marked ``data-search-exclude`` gives the search index nothing, yet
the search plugin's HTML parser walked every cell of it (most of MkDocs' time on the ~3,000 county
pages): such a block reaches the search plugin as an empty element of the same mark, and is put
in the page only once the theme has rendered it (``on_post_page``), with what the search plugin
would have removed from it removed. The page and the index are the same as with the whole block.
"""

from __future__ import annotations

import re
from typing import Any

from ..engine import BasePlugin, event_priority

_PLACEHOLDER = re.compile(r"<p>FAZHIBLOCK(\d+)</p>")
_DEFERRED = re.compile(r'<div data-search-exclude data-fazhi-block="(\d+)"></div>')
# The first element of a block, when it carries data-search-exclude (attribute values of ours hold no ">").
_EXCLUDED_START = re.compile(r"<(div|ul|ol|nav|table|figure)\b[^>]*?\sdata-search-exclude(?=[\s>=])[^>]*>")
# What Material's search plugin removes from a page's content once it has indexed it (on_page_context).
_SEARCH_ATTRIBUTES = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")


def excluded_whole(html: str) -> bool:
    """Whether ``html`` is one element carrying data-search-exclude (the search index skips all of
    it): its first tag has the mark and closes at the block's very end. Blocks are made of escaped
    text, so a tag's name occurs only in tags."""
    start = _EXCLUDED_START.match(html)
    if start is None:
        return False
    tag, depth, body = start.group(1), 0, html.rstrip()
    for found in re.finditer(rf"<(/?){tag}\b", body):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return body.endswith(f"</{tag}>") and found.start() == len(body) - len(f"</{tag}>")
    return False


class HtmlBlocks(BasePlugin):  # type: ignore[type-arg, no-untyped-call]
    """Added to the MkDocs configuration by sitegen.build, which fills it while writing the docs.
    ``defer``: put wholly excluded blocks in after the theme (False: every block before search)."""

    def __init__(self, defer: bool = True) -> None:
        self.blocks: list[str] = []
        self.defer = defer
        self._strip_for_search = False

    def hold(self, html: str) -> str:
        """The placeholder paragraph to write into the Markdown in place of ``html``."""
        if not html:
            return ""
        self.blocks.append(html)
        return f"FAZHIBLOCK{len(self.blocks) - 1}"

    def on_config(self, config: Any, **kwargs: Any) -> Any:
        self._strip_for_search = "material/search" in config.plugins or "search" in config.plugins
        return config

    @event_priority(100)  # before the search plugin reads the page
    def on_page_content(self, html: str, **kwargs: Any) -> str:
        return _PLACEHOLDER.sub(self._swap, html)

    def _swap(self, match: re.Match[str]) -> str:
        block = self.blocks[int(match.group(1))]
        if self.defer and excluded_whole(block):
            return f'<div data-search-exclude data-fazhi-block="{match.group(1)}"></div>'
        return block

    @event_priority(100)
    def on_post_page(self, output: str, **kwargs: Any) -> str:
        return _DEFERRED.sub(self._put_back, output)

    def _put_back(self, match: re.Match[str]) -> str:
        block = self.blocks[int(match.group(1))]
        return _SEARCH_ATTRIBUTES.sub("", block) if self._strip_for_search else block
