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

# An allow-list, as paths inside the package: the modules whose code makes a record from stored
# bytes. Editing any other module must not re-extract the archive (176 s at 200,000 reports, and a
# release). A new module must be put in one of the two sets (tests/system/test_reextract.py fails until it
# is), so nothing is hashed or left out by accident. Every file under data/ is hashed.
EXTRACTION = frozenset({
    "__init__.py", "models.py",
    "read/__init__.py", "read/article.py", "read/classify.py", "read/decode.py", "read/documents.py", "read/formats.py",
    "read/normalise.py",
    "identity/__init__.py", "identity/identify.py", "identity/places.py", "identity/register.py", "identity/titles.py",
    "figures/__init__.py", "figures/canonical.py", "figures/checks.py", "figures/extract.py", "figures/indicators.py",
    "figures/numbers.py",
})
# Never touch a record: scoring, the version itself, listing pages (discovery: which links are
# fetched, not what a fetched report says), and finding a portal's report column (sites/).
NOT_EXTRACTION = frozenset({
    "version.py", "evaluate.py", "identity_eval.py",
    "sites/__init__.py", "sites/listing.py", "sites/portals.py", "sites/finder.py",
})
DATA = "data/"
LENGTH = 12  # hex digits: enough to tell versions apart, short enough to read in a change log


def _package_files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for entry in folder.iterdir():
        name = prefix + entry.name
        if entry.is_dir():
            if entry.name != "__pycache__":
                found += _package_files(entry, name + "/")
        elif name in EXTRACTION or (name.startswith(DATA) and not entry.name.endswith((".pyc", ".pyo"))):
            found.append((name, entry))
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
    from .figures import indicators

    table = indicators.INDICATORS
    if _TABLE_DIGEST is None or _TABLE_DIGEST[0] is not table:
        _TABLE_DIGEST = (table, hashlib.sha256(repr(tuple(table)).encode()).hexdigest())
    return _TABLE_DIGEST[1]


def extractor_version() -> str:
    """The version of the extraction now in effect: code and indicator table."""
    return hashlib.sha256(f"{code_digest()}:{table_digest()}".encode()).hexdigest()[:LENGTH]


EXTRACTOR_VERSION = extractor_version()
