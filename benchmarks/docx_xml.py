"""Memory and time to read a .docx whose document.xml inflates far past any report (issue 19, item 9).

Builds the demo's real .docx with its body padded by short paragraphs until document.xml is N MB
(the zip stays small: the padding compresses ~150-fold), then reads it in a fresh process, with
python-docx (the reader before issue 19) and with ``parsers.read.documents.parse_docx`` (streamed,
capped), and prints seconds and peak resident memory.

    python benchmarks/docx_xml.py 15 40 190
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]
DEMO_DOCX = ROOT / "flows/demo/portals/region/__local/A/3F/xihu_2024_fzjs.docx"
PADDING = "<w:p><w:r><w:t>依法调解矛盾纠纷</w:t></w:r></w:p>".encode()

MEASURE = """
import resource, sys, time
from pathlib import Path
data = Path(sys.argv[2]).read_bytes()
started = time.perf_counter()
try:
    if sys.argv[1] == "python-docx":
        import io, docx
        word = docx.Document(io.BytesIO(data))
        size = sum(len(block.text) for block in word.iter_inner_content() if hasattr(block, "text"))
        outcome = f"read, {size:,} characters"
    else:
        from parsers.read.documents import parse_docx
        outcome = f"read, {len(parse_docx(data, 'padded.docx').text):,} characters"
except Exception as exc:
    outcome = f"refused: {str(exc)[:90]}"
print(f"{time.perf_counter() - started:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} {outcome}")
"""


def padded_docx(megabytes: int) -> bytes:
    """The demo .docx with its document.xml padded to about ``megabytes`` MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(DEMO_DOCX) as real, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in real.infolist():
            data = real.read(item)
            if item.filename != "word/document.xml":
                out.writestr(item, data)
                continue
            head, tail = data.rsplit(b"<w:sectPr", 1)
            with out.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(head)
                block = PADDING * (1024 * 1024 // len(PADDING))
                for _ in range(megabytes):
                    part.write(block)
                part.write(b"<w:sectPr" + tail)
    return buffer.getvalue()


def measure(reader: str, path: Path) -> str:
    done = subprocess.run([sys.executable, "-c", MEASURE, reader, str(path)], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, check=True)
    seconds, rss, outcome = done.stdout.strip().split(" ", 2)
    return f"{seconds:>7} s  {int(rss):>6,} MB peak  {outcome}"


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for megabytes in sizes:
            path = Path(tmp) / f"padded-{megabytes}.docx"
            path.write_bytes(padded_docx(megabytes))
            print(f"document.xml {megabytes} MB, .docx {path.stat().st_size / 1024:,.0f} KB")
            for reader in ("python-docx", "streamed"):
                if reader == "python-docx" and megabytes > 40:
                    print(f"  {reader:<12} (not run: minutes and gigabytes)")
                    continue
                print(f"  {reader:<12} {measure(reader, path)}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [15, 40, 190])
