"""``fazhi verify``: a release checked against its own manifest (every file's sha256, the zip's members and CRCs, regular files only, names inside the folder) and the tables against each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dataset import (
    METADATA_FILES,
    TEXTS_FOLDER,
    codebook,
    table_files,
)
from flows.release.versions import ManifestError, checked_manifest
from flows.release.zipped import sha256_of, zip_is_sound

_sha256 = sha256_of


def verify_release(releases: Path, version: str) -> list[str]:
    """Problems found checking every file against the manifest; empty when the release is intact.

    The manifest must list files, each a plain name inside the release folder (``../`` or a path
    would make `verify` hash files elsewhere and vouch for them), and every file of the folder
    must be listed, but the manifest itself and the zip, which contains the manifest and is checked
    against its .sha256 beside it instead."""
    if not version or Path(version).name != version or version in (".", ".."):
        return [f"{releases}: '{version[:80]}' is not a release version"]
    folder = releases / version
    try:
        manifest = checked_manifest(releases, version)
    except ManifestError as exc:
        return [str(exc)]
    files: dict[str, dict[str, Any]] = manifest["files"]
    zip_name = f"fazhi-{version}.zip"
    unlisted = ("manifest.json", zip_name, f"{zip_name}.sha256")
    if not files:
        return [f"{folder / 'manifest.json'}: lists no files"]
    problems = []
    if isinstance(manifest.get("format"), int) and manifest["format"] >= 2:  # the declared format: every file it names is there
        required = [*table_files(), *METADATA_FILES, *codebook.CODEBOOK_FILES] if manifest["format"] >= 3 else \
            [name for name in [*table_files(), *METADATA_FILES] if name not in FORMAT_3_TABLES]
        problems += [f"{folder / 'manifest.json'}: lists no {name}, a file of every release" for name in required if name not in files]
    if (folder / TEXTS_FOLDER).is_symlink():  # its files would be hashed wherever it points, and vouched for
        return [f"{folder / TEXTS_FOLDER}: a symbolic link, not a folder of this release"]
    for name, expected in files.items():
        if not _release_name(name) or name in unlisted:
            problems.append(f"{folder / 'manifest.json'}: '{name[:80]}' is not a file name of this release")
            continue
        path = folder / name
        if path.is_symlink():  # is_file() follows it: verify would vouch for a file outside the release
            problems.append(f"{path}: a symbolic link, not a file of this release")
        elif not path.exists():
            problems.append(f"{path}: missing")
        elif not path.is_file():  # a folder, a FIFO (hashing it would wait forever) or a device
            problems.append(f"{path}: not a regular file")
        elif _sha256(path) != expected["sha256"]:
            problems.append(f"{path}: sha256 differs from the manifest")
    for path in sorted(folder.iterdir()):
        if path.name == TEXTS_FOLDER and path.is_dir() and not path.is_symlink():
            problems += [f"{inner}: not listed in the manifest" for inner in sorted(path.iterdir()) if f"{TEXTS_FOLDER}/{inner.name}" not in files]
        elif path.name not in files and path.name not in unlisted:
            problems.append(f"{path}: not listed in the manifest")
    recorded = folder / f"{zip_name}.sha256"
    bundle = folder / zip_name
    if bundle.is_symlink() or (bundle.exists() and not bundle.is_file()):
        return [*problems, f"{bundle}: not a regular file"]
    if recorded.is_symlink() or (recorded.exists() and not recorded.is_file()):
        return [*problems, f"{recorded}: not a regular file"]
    if bundle.is_file() and not zip_is_sound(bundle):  # a .sha256 rewritten with the zip says nothing of its members
        problems.append(f"{bundle}: a member fails its CRC check (or the zip is unreadable)")
    if (folder / zip_name).exists() and not recorded.is_file():  # a replaced zip with its .sha256 deleted passed unchecked
        problems.append(f"{folder / zip_name}: its {recorded.name} is missing, so the zip can't be checked")
    if (folder / zip_name).is_file() and recorded.is_file():
        if recorded.read_text(encoding="utf-8", errors="replace").split()[:1] != [_sha256(folder / zip_name)]:
            problems.append(f"{folder / zip_name}: sha256 differs from {recorded.name}")
    return problems


FORMAT_3_TABLES = frozenset({"frame.csv", "frame.parquet", "coverage.csv", "coverage.parquet", "figures_long.csv", "figures_long.parquet"})


def _release_name(name: str) -> bool:
    """A file name the release writer makes: a plain name, or a plain name in texts/."""
    folder, _, inner = name.rpartition("/")
    return _plain_name(inner) and folder in ("", TEXTS_FOLDER)


def _plain_name(name: str) -> bool:
    """One path component, as the release writer makes them: no separator, no ``..``, no NUL."""
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\0" not in name
