"""Real-structure files in the formats townships publish, made from a text: the demo portals serve
them (make_portals.py) and the tests read them (tests/system/test_formats.py).

- ``word97_doc``: an MS Word 97 .doc, written by LibreOffice (headless) from the text;
- ``sheet_xls``: an Excel 97 .xls, written by LibreOffice from CSV rows;
- ``ofd``: an OFD package (GB/T 33190: OFD.xml, Document.xml, resources, one Content.xml a page)
  with a text layer, or with each page a scanned image (no text: OCR);
- ``zip_bundle``: a .zip with member names in GBK and no UTF-8 flag, as Chinese Windows writes;
- ``rar_bundle``: a RAR 4 archive with stored members (no RAR writer is free software; the format
  of a stored member is simple and public: marker, archive header, file headers, end block).
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _soffice_convert(data: bytes, source_name: str, target: str, infilter: str | None = None) -> bytes:
    office = libreoffice()
    if office is None:
        raise RuntimeError("LibreOffice is not installed (Debian: libreoffice-writer-nogui, libreoffice-calc-nogui)")
    with tempfile.TemporaryDirectory(prefix="fazhi-demo-") as tmp:
        folder = Path(tmp)
        (folder / source_name).write_bytes(data)
        argv = [office, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore", "--convert-to", target,
                "--outdir", str(folder / "out")]
        if infilter:
            argv.append(f"--infilter={infilter}")
        subprocess.run([*argv, str(folder / source_name)], capture_output=True, timeout=180, check=True, env={"HOME": tmp, "PATH": "/usr/bin:/bin"})
        made = list((folder / "out").iterdir())
        return made[0].read_bytes()


def word97_doc(text: str) -> bytes:
    """The text as an MS Word 97 .doc (OLE2 compound file), one paragraph a line."""
    return _soffice_convert(text.encode("utf-8"), "report.txt", "doc:MS Word 97", "Text (encoded):UTF8")


def sheet_xls(rows: list[list[str]]) -> bytes:
    """Rows as an Excel 97 .xls (BIFF8 in an OLE2 compound file)."""
    csv = "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows)
    return _soffice_convert(csv.encode("utf-8"), "table.csv", "xls:MS Excel 97", "Text - txt - csv (StarCalc):44,34,76")


def ofd(pages: list[str] | None = None, images: list[bytes] | None = None, title: str = "") -> bytes:
    """An OFD package: ``pages`` as text (a TextObject a line), or ``images`` (JPEG) as scanned
    pages with no text at all."""
    count = len(pages if pages is not None else images or [])
    files: dict[str, str | bytes] = {}
    files["OFD.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
                        f'<ofd:DocID>fazhi-demo</ofd:DocID><ofd:Title>{escape(title)}</ofd:Title></ofd:DocInfo>'
                        '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
    page_list = "".join(f'<ofd:Page ID="{10 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(count))
    files["Doc_0/Document.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}><ofd:CommonData><ofd:MaxUnitID>9999</ofd:MaxUnitID>'
                                   '<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
                                   '<ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>'
                                   f'</ofd:CommonData><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>')
    files["Doc_0/PublicRes.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {NS} BaseLoc="Res"><ofd:Fonts>'
                                    '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>')
    media = "".join(f'<ofd:MultiMedia ID="{1000 + i}" Type="Image" Format="JPEG"><ofd:MediaFile>page_{i}.jpg</ofd:MediaFile></ofd:MultiMedia>'
                    for i in range(len(images or [])))
    files["Doc_0/DocumentRes.xml"] = f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {NS} BaseLoc="Res"><ofd:MultiMedias>{media}</ofd:MultiMedias></ofd:Res>'
    for i in range(count):
        if pages is not None:
            objects = "".join(f'<ofd:TextObject ID="{100000 + i * 1000 + row}" Boundary="20 {20 + row * 7} 170 7" Font="2" Size="4.2">'
                              f'<ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" Y="5">{escape(line)}</ofd:TextCode></ofd:TextObject>'
                              for row, line in enumerate(pages[i].split("\n")))
        else:
            objects = f'<ofd:ImageObject ID="{200000 + i}" Boundary="0 0 210 297" CTM="210 0 0 297 0 0" ResourceID="{1000 + i}"/>'
            files[f"Doc_0/Res/page_{i}.jpg"] = (images or [])[i]
        files[f"Doc_0/Pages/Page_{i}/Content.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Content>'
                                                      f'<ofd:Layer ID="{300000 + i}">{objects}</ofd:Layer></ofd:Content></ofd:Page>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def zip_bundle(members: dict[str, bytes]) -> bytes:
    """A .zip whose member names are GBK bytes without the UTF-8 flag (bit 11), as 7-Zip and
    Windows' own zip write them on a Chinese system."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 20, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    data = buffer.getvalue()
    for name in members:  # rewrite each name's UTF-8 bytes as GBK and clear the flag zipfile set
        utf8, gbk = name.encode("utf-8"), name.encode("gbk")
        if utf8 == gbk:
            continue
        data = _rename(data, utf8, gbk)
    return data


def _rename(data: bytes, old: bytes, new: bytes) -> bytes:
    """Rewrite one member's name in the local header and the central directory (lengths and offsets
    adjusted), clearing its UTF-8 flag."""
    out = io.BytesIO()
    offsets = {}
    position = 0
    central_start = data.find(b"PK\x01\x02")
    local = data[:central_start]
    while position < len(local):
        assert local[position:position + 4] == b"PK\x03\x04"
        flags, = struct.unpack("<H", local[position + 6:position + 8])
        compressed, = struct.unpack("<I", local[position + 18:position + 22])
        name_len, extra_len = struct.unpack("<HH", local[position + 26:position + 30])
        name = local[position + 30:position + 30 + name_len]
        body_start = position + 30 + name_len + extra_len
        end = body_start + compressed
        offsets[position] = out.tell()
        header = bytearray(local[position:position + 30])
        if name == old:
            name = new
            struct.pack_into("<H", header, 6, flags & ~0x800)
            struct.pack_into("<H", header, 26, len(name))
        out.write(bytes(header) + name + local[position + 30 + name_len:end])
        position = end
    central_offset = out.tell()
    position = central_start
    end_record = data.find(b"PK\x05\x06")
    count = 0
    while position < end_record:
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[position + 28:position + 34])
        header = bytearray(data[position:position + 46])
        name = data[position + 46:position + 46 + name_len]
        rest = data[position + 46 + name_len:position + 46 + name_len + extra_len + comment_len]
        flags, = struct.unpack("<H", header[8:10])
        if name == old:
            name = new
            struct.pack_into("<H", header, 8, flags & ~0x800)
            struct.pack_into("<H", header, 28, len(name))
        offset, = struct.unpack("<I", header[42:46])
        struct.pack_into("<I", header, 42, offsets[offset])
        out.write(bytes(header) + name + rest)
        position += 46 + name_len + extra_len + comment_len
        count += 1
    central_size = out.tell() - central_offset
    tail = bytearray(data[end_record:])
    struct.pack_into("<I", tail, 12, central_size)
    struct.pack_into("<I", tail, 16, central_offset)
    out.write(bytes(tail))
    return out.getvalue()


def rar_bundle(members: dict[str, bytes]) -> bytes:
    """A RAR 4 archive of stored members (method 0x30), names in GBK as WinRAR writes them for
    old readers: marker block, archive header, a file header before each member, end block."""
    def block(head_type: int, flags: int, body: bytes) -> bytes:
        header = struct.pack("<BHH", head_type, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(header) & 0xFFFF) + header

    out = bytearray(b"Rar!\x1a\x07\x00")
    out += block(0x73, 0, b"\x00" * 6)
    for name, body in members.items():
        encoded = name.encode("gbk")
        fields = struct.pack("<IIBIIBBHI", len(body), len(body), 2, zlib.crc32(body), _dos_time(), 20, 0x30, len(encoded), 0x20) + encoded
        out += block(0x74, 0x8000, fields) + body
    out += block(0x7B, 0x4000, b"")
    return bytes(out)


def _dos_time() -> int:
    year, month, day, hour, minute = 2025, 1, 20, 9, 0
    return ((year - 1980) << 25) | (month << 21) | (day << 16) | (hour << 11) | (minute << 5)


def jpeg(image: Any, quality: int = 70) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
