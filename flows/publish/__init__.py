"""Publishing: a release in, a site and a saved state out.

``site.publish_latest`` builds the site of the latest release (``sitegen``) into a new folder
and swaps it in whole; ``preview`` serves it on 127.0.0.1; ``state`` saves and restores the
data directory for machines that start empty (CI runners).
"""

from .site import (
    BUILDING,
    COMPLETE,
    DETACHED_FROM,
    MARKER,
    PublishedSite,
    SiteOutError,
    check_out_dir,
    is_built_site,
    publish_latest,
    site_is_current,
)

__all__ = [
    "MARKER", "BUILDING", "SiteOutError", "PublishedSite", "is_built_site", "check_out_dir", "COMPLETE", "site_is_current",
    "publish_latest", "DETACHED_FROM",
]
