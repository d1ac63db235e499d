"""The release: the store in, an immutable, versioned, verifiable snapshot out.

``cut.cut_release`` writes a release folder (tables as CSV and Parquet, texts, datapackage.json,
manifest.json with every file's sha256, CHANGELOG.md, a zip) only when the data changed, in
passes: ``figurepass`` (values, indicators, the long table), ``frame`` (the sampling frame and
coverage), ``sources`` (the sources' tables), the reports' table; ``screen`` finds and leaves out
a report no table accepts; ``changes`` writes CHANGELOG.md from the two releases' tables;
``provenance`` names the code and the extractors. ``files`` writes the tables bucket by bucket,
reusing the parent release's unchanged bytes, ``parquet`` their Parquet copies, ``zipped`` the zip
from deflate segments that can be reused. ``versions`` names releases and reads manifests;
``verify`` checks a release against its manifest, ``checks`` the tables against each other;
``retention`` and ``archive`` prune and bundle. The format itself is declared in the ``dataset``
package.
"""

from .changes import diff_folders
from .cut import LICENSE, QUALIFIER_CODES, cut_release
from .figurepass import LIGHT_FIELDS, NOT_A_TOWNSHIP_FIGURE, PARALLEL_FROM, TOWNSHIP_BUCKET, UNRESOLVED_BUCKET, Announce
from .frame import write_townships
from .provenance import code_version, provenance
from .verify import verify_release
from .versions import (
    RELEASE_ZONE,
    ManifestError,
    checked_manifest,
    latest_version,
    list_versions,
    manifest_folders,
    next_version,
    pid_alive,
    read_manifest,
)

__all__ = [
    "LICENSE", "NOT_A_TOWNSHIP_FIGURE", "QUALIFIER_CODES", "latest_version", "read_manifest", "ManifestError", "checked_manifest", "manifest_folders",
    "list_versions", "RELEASE_ZONE", "next_version", "diff_folders", "LIGHT_FIELDS", "PARALLEL_FROM", "Announce", "UNRESOLVED_BUCKET",
    "TOWNSHIP_BUCKET", "write_townships", "code_version", "provenance", "pid_alive", "cut_release", "verify_release",
]
