"""The planned move of parsers into stage folders (issue 30: no folder over 15 modules), kept
until it is run: at the start of a session, before work branches off, on a clean tree, from the
repository root (git mv + import rewrites; commits nothing). Then give parsers/version.py's
allow-list as paths (read/article.py, ...), walk the package with rglob in tests/test_reextract.py,
name the new folders in tests/test_structure.py, and delete this script. Tried once on a copy."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

GROUPS = {
    "read": ["decode", "documents", "formats", "article", "classify", "normalise"],
    "identity": ["places", "identify", "register", "titles"],
    "figures": ["numbers", "indicators", "extract", "canonical", "checks"],
    "sites": ["listing", "portals", "finder"],
}
DOCS = {
    "read": "Bytes in, text out: what a fetched file is (decode, formats, documents, article, classify) and its\nnormalised text (normalise). The first stage of extraction.",
    "identity": "Whose report, for which year, of which kind: the register of places, the evidence in the text\nand its furniture, the decision over it (places, identify, register, titles).",
    "figures": "The figures a report states: numbers as written, the indicator table, every count found then\nclassified, the year's value chosen, and the checks between figures.",
    "sites": "Reading government sites rather than reports: listing pages, portal families and their report\ncolumns (discovery; never part of a record, so never part of the extractor version).",
}
WHERE = {m: g for g, ms in GROUPS.items() for m in ms}
ROOT = Path("parsers")


def new_path(module: str) -> str:
    return f"{WHERE[module]}.{module}" if module in WHERE else module


def rewrite_relative(text: str, home: str | None) -> str:
    """home: the subpackage the file now lives in (None: parsers' top)."""
    def target(module: str) -> str:
        dotted = new_path(module)  # relative to parsers
        if home is None:
            return "." + dotted
        group = WHERE.get(module)
        if group == home:
            return "." + module
        return ".." + dotted

    def repl_from(m: re.Match[str]) -> str:
        indent, module, rest = m.group(1), m.group(2), m.group(3)
        return f"{indent}from {target(module)} import{rest}"

    text = re.sub(r"^([ \t]*)from \.([a-z_]+) import(.*)$", repl_from, text, flags=re.M)

    def repl_bare(m: re.Match[str]) -> str:  # from . import indicators
        indent, names = m.group(1), [n.strip() for n in m.group(2).split(",")]
        out = []
        for n in names:
            base = n.split(" as ")[0].strip()
            if base in WHERE:
                group = WHERE[base]
                src = ("." + group) if home is None else ("." if group == home else ".." + group)
                out.append(f"{indent}from {src} import {n}")
            else:
                out.append(f"{indent}from {'.' if home is None else '..'} import {n}")
        return "\n".join(out)

    return re.sub(r"^([ \t]*)from \. import ([a-z_, ]+)$", repl_bare, text, flags=re.M)


# Names parsers/__init__ exports: `from parsers import normalise` is the function, not the module.
EXPORTED = set(re.findall(r'"(\w+)"', Path("parsers/__init__.py").read_text(encoding="utf-8").split("__all__", 1)[1]))


def main() -> None:
    for group, modules in GROUPS.items():
        (ROOT / group).mkdir(exist_ok=True)
        (ROOT / group / "__init__.py").write_text(f'"""{DOCS[group]}\n"""\n', encoding="utf-8")
        subprocess.run(["git", "add", str(ROOT / group / "__init__.py")], check=True)
        for m in modules:
            subprocess.run(["git", "mv", str(ROOT / f"{m}.py"), str(ROOT / group / f"{m}.py")], check=True)
    # inside parsers
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        home = rel.parts[0] if len(rel.parts) > 1 else None
        text = path.read_text(encoding="utf-8")
        new = rewrite_relative(text, home)
        if new != text:
            path.write_text(new, encoding="utf-8")
    # outside: parsers.X → parsers.G.X; from parsers import <module>
    names = "|".join(sorted(WHERE, key=len, reverse=True))
    dotted = re.compile(rf"\bparsers\.({names})\b")
    from_pkg = re.compile(rf"^([ \t]*)from parsers import ((?:{names})(?: as \w+)?(?:, (?:{names})(?: as \w+)?)*)$", re.M)
    files = subprocess.run(["git", "ls-files", "*.py", "*.md", "*.toml", "*.yml", "*.yaml", "*.cfg"], capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        p = Path(f)
        if not p.is_file() or f.startswith("parsers/") and f.endswith(".py"):
            continue
        text = p.read_text(encoding="utf-8")
        new = dotted.sub(lambda m: f"parsers.{WHERE[m.group(1)]}.{m.group(1)}", text)

        def repl(m: re.Match[str]) -> str:
            indent = m.group(1)
            out = []
            for item in m.group(2).split(", "):
                base = item.split(" as ")[0]
                out.append(f"{indent}from parsers.{WHERE[base]} import {item}")
            return "\n".join(out)

        if f.endswith(".py"):
            new = from_pkg.sub(lambda m: m.group(0) if any(i.split(" as ")[0] in EXPORTED for i in m.group(2).split(", ")) else repl(m), new)
        # file paths in prose: parsers/extract.py → parsers/figures/extract.py
        new = re.sub(rf"\bparsers/({names})\.py\b", lambda m: f"parsers/{WHERE[m.group(1)]}/{m.group(1)}.py", new)
        if new != text:
            p.write_text(new, encoding="utf-8")
            print("rewrote", f)


if __name__ == "__main__":
    main()
