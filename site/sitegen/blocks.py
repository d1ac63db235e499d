"""Large generated HTML blocks (status tables) kept out of Markdown and put back after it.

Python-Markdown tokenises every raw HTML block it is given (md_in_html walks each tag): a county's
status table of 15 townships × 7 years cost more than the rest of its page. The generated pages
hold a placeholder paragraph instead, and this plugin swaps the block in once Markdown is done
(``on_page_content``), before the search plugin and the theme see the page. The blocks are built
from escaped text only (sitegen.accountability), so nothing is lost by skipping Markdown.
"""

from __future__ import annotations

import re
from typing import Any

from mkdocs.plugins import BasePlugin, event_priority

_PLACEHOLDER = re.compile(r"<p>FAZHIBLOCK(\d+)</p>")


class HtmlBlocks(BasePlugin):  # type: ignore[type-arg, no-untyped-call]
    """Added to the MkDocs configuration by sitegen.build, which fills it while writing the docs."""

    def __init__(self) -> None:
        self.blocks: list[str] = []

    def hold(self, html: str) -> str:
        """The placeholder paragraph to write into the Markdown in place of ``html``."""
        if not html:
            return ""
        self.blocks.append(html)
        return f"FAZHIBLOCK{len(self.blocks) - 1}"

    @event_priority(100)  # before the search plugin reads the page
    def on_page_content(self, html: str, **kwargs: Any) -> str:
        return _PLACEHOLDER.sub(lambda m: self.blocks[int(m.group(1))], html)
