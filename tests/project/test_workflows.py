"""The GitHub workflows: actions pinned to the verified commits of current releases, no input an
action removed, credentials not persisted, and the nightly's state steps run the real CLI.

(zizmor and the workflow schema check run in tests/system/test_orchestration.py.)"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.cli import build_parser

WORKFLOWS = Path(__file__).parents[2] / ".github" / "workflows"
# Each commit checked to be the one its tag points at, in the action's own repository (issue 20):
# gh api repos/actions/checkout/git/ref/tags/v7.0.1 (an annotated tag: follow .object.url to the commit).
VERIFIED_PINS = {
    "actions/checkout": ("v7.0.1", "3d3c42e5aac5ba805825da76410c181273ba90b1"),
    "actions/setup-python": ("v7.0.0", "5fda3b95a4ea91299a34e894583c3862153e4b97"),
    "actions/upload-pages-artifact": ("v5.0.0", "fc324d3547104276b827a68afc52ff2a11cc49c9"),
    "actions/deploy-pages": ("v5.0.0", "cd2ce8fcbc39b97be8ca5fce6e763baed58fa128"),
}
# Inputs the pinned majors no longer take (setup-python v7's change log).
REMOVED_INPUTS = {"actions/setup-python": {"pip-install"}}
USES = re.compile(r"^\s*(?:- )?uses:\s*(?P<action>[\w.-]+/[\w.-]+)@(?P<ref>\S+)\s*(?:#\s*(?P<tag>\S+))?\s*$")


def steps(path: Path) -> list[dict[str, Any]]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def uses_lines(path: Path) -> list[re.Match[str]]:
    return [m for line in path.read_text(encoding="utf-8").splitlines() if (m := USES.match(line))]


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_every_action_is_pinned_to_the_verified_commit_of_its_tag(path: Path) -> None:
    found = uses_lines(path)
    assert len(found) == sum(1 for step in steps(path) if "uses" in step)  # no `uses:` this pattern missed
    for match in found:
        action, ref, tag = match["action"], match["ref"], match["tag"]
        assert action in VERIFIED_PINS, f"{path.name}: {action} has no verified pin: check its tag's commit and add it here"
        assert (tag, ref) == VERIFIED_PINS[action], f"{path.name}: {action}@{ref} # {tag}"


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_checkout_keeps_no_credentials_and_no_step_passes_a_removed_input(path: Path) -> None:
    for step in steps(path):
        action = step.get("uses", "").split("@")[0]
        if action == "actions/checkout":
            assert step.get("with", {}).get("persist-credentials") is False  # nothing here pushes with git
        assert not set(step.get("with", {})) & REMOVED_INPUTS.get(action, set()), f"{path.name}: {action}"


def run_lines(path: Path) -> list[str]:
    return [line.strip() for step in steps(path) for line in step.get("run", "").splitlines() if line.strip()]


def test_the_nightly_restores_the_state_before_the_flow_and_saves_it_after() -> None:
    lines = run_lines(WORKFLOWS / "nightly.yml")
    restore = next(i for i, line in enumerate(lines) if line.startswith("fazhi state restore"))
    flow = next(i for i, line in enumerate(lines) if line.startswith("fazhi nightly"))
    save = next(i for i, line in enumerate(lines) if line.startswith("fazhi state save"))
    publish = next(i for i, line in enumerate(lines) if line.startswith('gh release create "data-$version"'))
    assert restore < flow < save < publish
    assert not any(re.search(r"tar -c\w* .*\bdata\b", line) for line in lines)  # no single tarball of data/: it outgrows 2 GiB
    for i in (restore, save):  # the lines the runner will run parse with the real CLI, on the same data and release
        args = build_parser().parse_args(shlex.split(lines[i])[1:])
        assert (args.command, args.data, args.github_release, args.s3) == ("state", Path("data"), "state", None)
    assert "--data data" in lines[flow]


def test_the_publish_step_publishes_every_release_zip_not_yet_published(tmp_path: Path) -> None:
    """Run the step's own shell against a fake `gh`: a release that a failed night left
    unpublished goes out with tonight's; one already published is left alone."""
    step = next(s for s in steps(WORKFLOWS / "nightly.yml") if s.get("name") == "Publish the dataset release")
    gh_root = tmp_path / "github"
    (gh_root / "bin").mkdir(parents=True)
    (gh_root / "bin" / "gh").write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).parents[1] / "fake_gh.py"}" "$@"\n', encoding="utf-8")
    (gh_root / "bin" / "gh").chmod(0o755)
    (gh_root / "releases" / "data-2026.11.20").mkdir(parents=True)
    for version in ("2026.11.20", "2026.11.21", "2026.11.22"):
        folder = tmp_path / "data" / "releases" / version
        folder.mkdir(parents=True)
        (folder / f"fazhi-{version}.zip").write_bytes(version.encode())
        (folder / "CHANGELOG.md").write_text(f"# {version}\n", encoding="utf-8")
    env = {**os.environ, "PATH": f"{gh_root / 'bin'}{os.pathsep}{os.environ['PATH']}", "FAKE_GH_ROOT": str(gh_root)}
    run = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    created = [line for line in (gh_root / "calls.jsonl").read_text(encoding="utf-8").splitlines() if '"create"' in line]
    assert [json.loads(line)[2] for line in created] == ["data-2026.11.21", "data-2026.11.22"]
    assert (gh_root / "releases" / "data-2026.11.22" / "fazhi-2026.11.22.zip").read_bytes() == b"2026.11.22"
