"""The one module that names the static-site engine: every other module of sitegen takes the
engine's API from here.

MkDocs 1.6 is no longer maintained and Material for MkDocs 9 announced its end of life for May
2027. ProperDocs is the maintained continuation of MkDocs 1.6, with the same API under another
name (it aliases ``mkdocs.*`` imports to ``properdocs.*``, so Material's theme and plugins load
unchanged). ``FAZHI_SITE_ENGINE=properdocs`` builds the same site with it (tested in
tests/system/test_site_engine.py); moving over is a configuration change, not a code change.

The choice is made once per process, before the first engine import: it must be set in the
environment of the process that builds the site (the night's or ``fazhi build-site``).
"""

from __future__ import annotations

import os

ENGINE = os.environ.get("FAZHI_SITE_ENGINE", "mkdocs").strip().lower() or "mkdocs"
if ENGINE == "properdocs":
    import properdocs.replacement  # noqa: F401  (from now on, mkdocs.* imports are properdocs.*)
elif ENGINE != "mkdocs":
    raise SystemExit(f"FAZHI_SITE_ENGINE={ENGINE!r}: the site engine is 'mkdocs' (default) or 'properdocs'")

import mkdocs  # noqa: E402  (after the alias, when one is asked for)
from mkdocs.commands.build import build, get_context  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.exceptions import MkDocsException  # noqa: E402
from mkdocs.plugins import BasePlugin, event_priority  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402
from mkdocs.structure.nav import Navigation  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402
from mkdocs.structure.toc import get_toc  # noqa: E402

VERSION = f"{ENGINE} {mkdocs.__version__}"

__all__ = ["ENGINE", "VERSION", "BasePlugin", "File", "Files", "MkDocsConfig", "MkDocsException", "Navigation", "Page", "build",
           "event_priority", "get_context", "get_toc", "load_config"]
