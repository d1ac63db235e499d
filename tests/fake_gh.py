"""A stand-in for the GitHub CLI's release commands, for the state tests (run as `gh` on PATH).

It records every call (argv, one JSON line each) in $FAKE_GH_ROOT/calls.jsonl and keeps each
release's assets as files in $FAKE_GH_ROOT/releases/<tag>/, answering as `gh` does: the same
"release not found" message, asset name = file name, no overwrite without --clobber.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(os.environ["FAKE_GH_ROOT"])


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    raise SystemExit(1)


def release(tag: str, *, must_exist: bool = True) -> Path:
    folder = ROOT / "releases" / tag
    if must_exist and not folder.is_dir():
        fail("release not found")
    return folder


def main(argv: list[str]) -> None:
    with (ROOT / "calls.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps(argv) + "\n")
    parser = argparse.ArgumentParser(prog="gh")
    parser.add_argument("group", choices=["release"])
    parser.add_argument("command")
    parser.add_argument("args", nargs="*")
    parser.add_argument("--repo", "-R")
    parser.add_argument("--json")
    parser.add_argument("--title")
    parser.add_argument("--notes")
    parser.add_argument("--notes-file", "-F")
    parser.add_argument("--prerelease", action="store_true")
    parser.add_argument("--latest")
    parser.add_argument("--clobber", action="store_true")
    parser.add_argument("--pattern", "-p")
    parser.add_argument("--dir", "-D", default=".")
    parser.add_argument("--yes", "-y", action="store_true")
    args = parser.parse_args(argv)
    tag = args.args[0]
    if args.command == "view":
        folder = release(tag)
        assets = [{"name": p.name, "size": p.stat().st_size} for p in sorted(folder.iterdir())]
        print(json.dumps({"assets": assets} if args.json == "assets" else {}))
    elif args.command == "create":
        folder = release(tag, must_exist=False)
        if folder.exists():
            fail(f"a release with tag {tag} already exists")
        folder.mkdir(parents=True)
        for name in args.args[1:]:  # files given to create are its first assets
            shutil.copyfile(name, folder / Path(name).name)
    elif args.command == "upload":
        folder = release(tag)
        for name in args.args[1:]:
            target = folder / Path(name).name
            if target.exists() and not args.clobber:
                fail(f"asset under the same name already exists: [{target.name}]")
            shutil.copyfile(name, target)
    elif args.command == "download":
        folder = release(tag)
        matches = [p for p in folder.iterdir() if fnmatch(p.name, args.pattern)]
        if not matches:
            fail("no assets match the file pattern")
        for path in matches:
            target = Path(args.dir) / path.name
            if target.exists() and not args.clobber:
                fail(f"{target} already exists (use `--clobber` to overwrite file or `--skip-existing` to skip file)")
            shutil.copyfile(path, target)
    elif args.command == "delete-asset":
        asset = release(tag) / args.args[1]
        if not asset.exists():
            fail(f"asset {args.args[1]} not found in release {tag}")
        asset.unlink()
    else:
        fail(f"unknown command {args.command}")


if __name__ == "__main__":
    main(sys.argv[1:])
