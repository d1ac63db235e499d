"""What a site build did: returned by sitegen.build.build_site (a module of its own, so that the
night's records can name it without importing MkDocs)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteStats:
    """What one build did: for the night's run report and the benchmarks."""

    pages: int
    rendered: int  # township pages rendered by this build
    reused: int  # township pages copied unchanged from the previous build
    archives_written: int
    archives_reused: int
    workers: int  # processes that rendered township pages
    generate_s: float  # writing the Markdown pages
    mkdocs_s: float  # MkDocs, without the township pages
    townships_s: float
    downloads_s: float  # linking the release files into the site
