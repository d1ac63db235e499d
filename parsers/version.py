"""The extractor version: which rules made a record's figures and identification.

A short hash of the code that turns bytes into a record (the modules named in ``EXTRACTION`` and
the package's data files, read from the package itself) and of the indicator table as it stands
in memory. The
store keeps figures per (revision, extractor version); when the version changes, stored revisions
are extracted again from their raw bytes, so a new or fixed rule reaches every stored report, and
a release can say which rules made its figures.

The table is hashed live, not only as source text, so that a row added at run time (a test, a
notebook trying a rule) is a new version too.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable

# An allow-list: the modules whose code makes a record from stored bytes. Editing any other module
# must not re-extract the archive (176 s at 200,000 reports, and a release). A new module must be
# put in one of the two sets (tests/test_reextract.py fails until it is), so nothing is hashed or
# left out by accident.
EXTRACTION = frozenset({
    "__init__.py", "article.py", "canonical.py", "checks.py", "classify.py", "decode.py", "documents.py", "extract.py",
    "formats.py", "identify.py", "indicators.py", "models.py", "normalise.py", "numbers.py", "places.py", "register.py", "titles.py",
})
# Never touch a record: scoring, the version itself, listing pages (discovery: which links are
# fetched, not what a fetched report says), and finding a portal's report column (portals, finder).
NOT_EXTRACTION = frozenset({"version.py", "evaluate.py", "identity_eval.py", "listing.py", "portals.py", "finder.py"})
LENGTH = 12  # hex digits: enough to tell versions apart, short enough to read in a change log


def _package_files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for entry in folder.iterdir():
        name = prefix + entry.name
        if entry.is_dir():
            if entry.name != "__pycache__":
                found += _package_files(entry, name + "/")
        elif (entry.name in EXTRACTION) if not prefix else not entry.name.endswith((".pyc", ".pyo")):
            found.append((name, entry))  # at the top, the allow-list's modules; below it (data/), every file
    return found


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 over the package's extraction modules and data files, by name, in name order."""
    return digest_of(files(__package__ or "parsers"))


def digest_of(package: Traversable) -> str:
    """The code digest of a package folder (the installed one, or a copy a test edits)."""
    digest = hashlib.sha256()
    for name, entry in sorted(_package_files(package), key=lambda item: item[0]):
        data = entry.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


_TABLE_DIGEST: tuple[object, str] | None = None  # (the table hashed, its digest)


def table_digest() -> str:
    """sha256 of the indicator table as loaded (rows are named tuples of str, tuples and floats).
    Hashed again only when the table is another object (a row added replaces the tuple; the rows
    are immutable): the merge asks once a report, and hashing is a third of a millisecond."""
    global _TABLE_DIGEST
    from . import indicators

    table = indicators.INDICATORS
    if _TABLE_DIGEST is None or _TABLE_DIGEST[0] is not table:
        _TABLE_DIGEST = (table, hashlib.sha256(repr(tuple(table)).encode()).hexdigest())
    return _TABLE_DIGEST[1]


def extractor_version() -> str:
    """The version of the extraction now in effect: code and indicator table."""
    return hashlib.sha256(f"{code_digest()}:{table_digest()}".encode()).hexdigest()[:LENGTH]


EXTRACTOR_VERSION = extractor_version()
