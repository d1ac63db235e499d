"""The site builds the same with ProperDocs, the maintained continuation of MkDocs 1.6, so moving
engines is a configuration change (sitegen.engine; FAZHI_SITE_ENGINE)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DemoNight

pytest.importorskip("properdocs")

BUILD = """
import sys
from pathlib import Path
from sitegen import engine
from sitegen.build import build_site
releases, version, out, docs = (Path(a) for a in sys.argv[1:5])
build_site(releases, version.name, out, docs, strict=True)
print(engine.VERSION)
"""
# What differs by engine: the generator tag, and the build id that carries the engine's version.
_ENGINE_MARKS = re.compile(rb'<meta name="generator" content="[^"]*">|"build_id": "[0-9a-f]{16}"|build_id=[0-9a-f]{16}')


def _build(engine: str, night: DemoNight, root: Path) -> tuple[str, Path]:
    version = (night.data / "releases" / "LATEST").read_text(encoding="utf-8").strip()
    out = root / engine
    env = {**os.environ, "FAZHI_SITE_ENGINE": engine}
    run = subprocess.run([sys.executable, "-c", BUILD, str(night.data / "releases"), version, str(out), str(root / f"docs-{engine}")],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.strip().splitlines()[-1], out


def test_properdocs_builds_the_same_site_as_mkdocs(demo_night: DemoNight, tmp_path: Path) -> None:
    mkdocs_version, with_mkdocs = _build("mkdocs", demo_night, tmp_path)
    properdocs_version, with_properdocs = _build("properdocs", demo_night, tmp_path)
    assert mkdocs_version.startswith("mkdocs ") and properdocs_version.startswith("properdocs ")
    files = sorted(p.relative_to(with_mkdocs) for p in with_mkdocs.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(with_properdocs) for p in with_properdocs.rglob("*") if p.is_file())
    assert any(f.parts[0] == "townships" for f in files)
    # The page fingerprints hash the build id (engine version included): the same pages, other hashes.
    prints = [json.loads((site / ".fazhi-pages.json").read_text(encoding="utf-8")) for site in (with_mkdocs, with_properdocs)]
    assert prints[0].keys() == prints[1].keys() and len(prints[0]) > 1
    differing = []
    for name in files:
        if name.suffix in {".html", ".json", ".xml", ".csv", ".txt"} and name.name != ".fazhi-pages.json":
            a, b = ((site / name).read_bytes() for site in (with_mkdocs, with_properdocs))
            if _ENGINE_MARKS.sub(b"", a) != _ENGINE_MARKS.sub(b"", b):
                differing.append(str(name))
    assert not differing, differing[:10]


def test_an_unknown_engine_is_refused_in_one_line() -> None:
    run = subprocess.run([sys.executable, "-c", "import sitegen.engine"], capture_output=True, text=True,
                         env={**os.environ, "FAZHI_SITE_ENGINE": "hugo"}, timeout=60)
    assert run.returncode != 0 and "FAZHI_SITE_ENGINE='hugo'" in run.stderr and "Traceback" not in run.stderr
