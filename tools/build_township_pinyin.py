"""Write parsers/data/township_pinyin.tsv.gz: the pinyin of every township's name in the register.

    python tools/build_township_pinyin.py

Read from the shipped register (parsers/data/register.tsv.gz), so it needs no download; run it
again after tools/build_register.py. Portals file a township's pages under a path spelling its
name (…/xz_168/yfjd/… for 鱼复街道, …/jd/zxjjz/… for 忠县金鸡镇): identification reads those
path segments, among the townships of a county already known, as a reader does.

Output rows: ``<9-digit code>\\t<syllables>``, a character's other readings after a | (as the
register's county rows), gzip mtime 0 so that a rebuild from the same register changes nothing.
"""

from __future__ import annotations

import gzip
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "parsers" / "data" / "township_pinyin.tsv.gz"


def syllables(name: str) -> str:
    from pypinyin import Style, pinyin  # build time only: the runtime reads the result

    readings = pinyin(name, style=Style.NORMAL, heteronym=True, errors="ignore")
    return " ".join("|".join(dict.fromkeys(r[:3])) for r in readings)


def main() -> None:
    text = gzip.decompress((ROOT / "parsers" / "data" / "register.tsv.gz").read_bytes()).decode("utf-8")
    rows = [f"{code}\t{syllables(name)}" for code, name in re.findall(r"^T\t(\d{9})\t([^\t\n]+)\t", text, re.M)]
    body = ("# pinyin of the township names of parsers/data/register.tsv.gz (pypinyin, heteronyms after |)\n"
            + "\n".join(sorted(rows)) + "\n").encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as out:
        out.write(body)
    OUT.write_bytes(buffer.getvalue())
    print(f"{OUT}: {len(rows)} townships, {len(buffer.getvalue())} bytes")


if __name__ == "__main__":
    main()
