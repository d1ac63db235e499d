"""The release: the store in, an immutable, versioned, verifiable snapshot out.

``cut.cut_release`` writes a release folder (tables as CSV and Parquet, texts, datapackage.json,
manifest.json with every file's sha256, CHANGELOG.md, a zip) only when the data changed;
``files`` writes the tables bucket by bucket, reusing the parent release's unchanged bytes;
``zipped`` builds the zip from deflate segments that can be reused; ``verify_release`` checks a
release against its manifest. The format itself is declared in the ``dataset`` package.
"""

from .cut import (
    LICENSE,
    LIGHT_FIELDS,
    NOT_A_TOWNSHIP_FIGURE,
    PARALLEL_FROM,
    QUALIFIER_CODES,
    RELEASE_ZONE,
    TOWNSHIP_BUCKET,
    UNRESOLVED_BUCKET,
    Announce,
    ManifestError,
    checked_manifest,
    code_version,
    cut_release,
    diff_folders,
    latest_version,
    list_versions,
    manifest_folders,
    next_version,
    pid_alive,
    provenance,
    read_manifest,
    verify_release,
    write_townships,
)

__all__ = [
    "LICENSE", "NOT_A_TOWNSHIP_FIGURE", "QUALIFIER_CODES", "latest_version", "read_manifest", "ManifestError", "checked_manifest", "manifest_folders",
    "list_versions", "RELEASE_ZONE", "next_version", "diff_folders", "LIGHT_FIELDS", "PARALLEL_FROM", "Announce", "UNRESOLVED_BUCKET",
    "TOWNSHIP_BUCKET", "write_townships", "code_version", "provenance", "pid_alive", "cut_release", "verify_release",
]
