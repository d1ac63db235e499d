"""The docs and the architecture stay honest: commands documented, keys present, layers apart."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from parsers.figures.indicators import INDICATOR_KEYS, INDICATORS

ROOT = Path(__file__).parents[2]
DESIGN = ROOT.parent / "shared" / "design.md"


def test_readme_setup_is_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -e . && fazhi nightly --demo" in readme
    test_line = "pip install -e '.[test]' && pytest"
    assert test_line in readme
    assert test_line in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_subcommand_is_in_the_readme() -> None:
    """Read from the CLI's own parser, so that a new command cannot go undocumented."""
    import argparse

    from flows.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (subparsers,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    commands = list(subparsers.choices)
    assert {"nightly", "extract", "evaluate", "state", "build-site"} <= set(commands)
    for command in commands:
        assert f"fazhi {command}" in readme, command


@pytest.mark.skipif(not DESIGN.exists(), reason="../shared/design.md is not beside this checkout")
def test_every_indicator_key_of_the_design_exists() -> None:
    table = DESIGN.read_text(encoding="utf-8").split("## Indicator keys", 1)[1].split("##", 1)[0]
    keys = [k for k in re.findall(r"^\| ([a-z0-9_]+) \|", table, re.MULTILINE) if k != "key"]  # not the header
    assert len(keys) >= 18
    assert set(keys) <= set(INDICATOR_KEYS)


def test_indicator_rows_have_labels_units_and_one_label_per_key() -> None:
    for row in INDICATORS:
        assert row.label and row.units, row.key
    assert len({(row.key, row.label) for row in INDICATORS}) == len(INDICATOR_KEYS)


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"  # installed by the test extras
    run = subprocess.run([str(lint_imports)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 5 kept, 0 broken." in run.stdout  # parsers pure, dataset pure, the layers of flows, the site apart


def test_the_shipped_sources_yaml_is_valid_and_never_loopback() -> None:
    from flows.harvest.registry import load_sources

    sources = load_sources(ROOT / "sources.yaml")
    assert len(sources) >= 7
    for source in sources:
        assert all(not url.startswith(("http://127.", "http://localhost")) for url in source.listing)
        assert source.adcode and source.allowed_domains


def test_the_readme_command_table_is_the_parsers_own() -> None:
    """The README's table is generated (tools/cli_table.py): a command or option added to the CLI
    without regenerating it fails here, with the fix in the message."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from cli_table import readme_with_table
    finally:
        sys.path.remove(str(ROOT / "tools"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == readme_with_table(readme), "run: python tools/cli_table.py --write"


def test_the_readme_fits_on_a_screen_and_its_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    assert any(link.startswith("docs/") for link in links)
    for link in links:
        if not link.startswith("http"):
            assert (ROOT / link).is_file(), link
    for doc in (ROOT / "docs").glob("*.md"):  # and every relative link inside docs/
        for link in re.findall(r"\]\(([^)#:]+)\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / link).exists(), f"{doc.name}: {link}"
