"""The house's shape, measured on the import graph (grimp, as import-linter reads it) and the
source: no import cycle, no folder too big to read as one stage, the release and the store in
modules a reader can hold, functions short. Issue 30's goals, kept by the tests so that they stay
true after the session that reached them."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("flows", "parsers", "dataset", "sitegen")
SOURCES = (ROOT / "flows", ROOT / "parsers", ROOT / "dataset", ROOT / "site" / "sitegen")
MAX_MODULES = 15  # a folder holds one stage; past 15 modules it holds several
MAX_LINES = 500  # flows/release and flows/store: the two stages that had grown past a reader
P90_FUNCTION = 30  # lines


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_has_no_cycle() -> None:
    graph = grimp.build_graph(*PACKAGES)
    edges = {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}
    assert _cycles(edges) == []


def _folders() -> dict[Path, int]:
    counts: dict[Path, int] = {}
    for source in SOURCES:
        for init in source.rglob("__init__.py"):
            counts[init.parent] = sum(1 for p in init.parent.glob("*.py") if p.name != "__init__.py")
    return counts


# Folders over the limit: none since parsers and sitegen were split by stage. A folder that grows
# past it fails here.
STILL_OVER: set[str] = set()


def test_no_folder_holds_more_than_fifteen_modules() -> None:
    over = {str(folder.relative_to(ROOT)) for folder, n in _folders().items() if n > MAX_MODULES}
    assert over == STILL_OVER


@pytest.mark.parametrize("folder", ["flows/release", "flows/store"])
def test_the_release_and_the_store_are_in_modules_of_at_most_500_lines(folder: str) -> None:
    lines = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (ROOT / folder).glob("*.py")}
    assert lines and {name: n for name, n in lines.items() if n > MAX_LINES} == {}


def test_nine_functions_in_ten_are_at_most_thirty_lines() -> None:
    lengths = sorted(
        node.end_lineno - node.lineno + 1  # type: ignore[operator]
        for source in SOURCES for path in source.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    )
    assert len(lengths) > 500  # the walk found the code
    assert lengths[int(len(lengths) * 0.9)] <= P90_FUNCTION
