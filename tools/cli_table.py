"""The README's command table, drawn from the CLI's own parser: `python tools/cli_table.py`
prints it; `python tools/cli_table.py --write` puts it between the README's markers.

Generated, not written by hand, so a new command or option cannot go undocumented or drift
(tests/project/test_docs.py compares the README with this output)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- cli-table: begin (python tools/cli_table.py --write) -->", "<!-- cli-table: end -->"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def _usage(name: str, parser: argparse.ArgumentParser) -> str:
    usage = " ".join(parser.format_usage().split())  # one line
    usage = re.sub(r"^usage: fazhi ", "fazhi ", usage)
    return usage.replace("[-h] ", "").replace(" [-h]", "").replace("|", "\\|")


def rows(parser: argparse.ArgumentParser, prefix: str = "") -> list[tuple[str, str]]:
    """(usage, what it does) for every command, nested ones (`fazhi state save`) included."""
    found: list[tuple[str, str]] = []
    for name, sub in _subcommands(parser).items():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            found += rows(sub, f"{prefix}{name} ")
        else:
            found.append((_usage(prefix + name, sub), (sub.description or "").strip()))
    return found


def table() -> str:
    sys.path[:0] = [str(ROOT), str(ROOT / "site")]
    from flows.cli import build_parser

    lines = ["| command | what it does |", "|---|---|"]
    lines += [f"| `{usage}` | {what} |" for usage, what in rows(build_parser())]
    return "\n".join(lines)


def readme_with_table(readme: str) -> str:
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        path = ROOT / "README.md"
        path.write_text(readme_with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(table())
