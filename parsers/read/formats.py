"""What a file is, decided from its bytes, and the formats the pure core cannot read alone.

Portals mislabel files (a .doc served as text/html, a .wps named .doc, a report bundled in a .zip
named .rar), so the bytes decide first, the name second. A file whose bytes are binary and of no
format read here is refused: before, an old Word .doc went through `fazhi extract` as an empty
record decoded from its binary as if it were text (issue 29).

Formats that need a tool (LibreOffice, antiword, ofdkit, unar, an OCR engine) are read through a
``Converter`` the I/O shell passes in (flows/harvest/convert.py runs each tool in a subprocess with
limits); the core stays pure: it gets the converter's text, never runs it itself. Without one, such
a file raises ``NeedsTool``: "unreadable: needs LibreOffice", a status kept, never a silent drop.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Protocol

from ..models import Converted
from .documents import UnreadableDocument

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # MS compound file: .doc, .xls, and Kingsoft's .wps, .et
RAR = b"Rar!\x1a\x07"
SEVEN_ZIP = b"7z\xbc\xaf\x27\x1c"
IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

# The formats read through a converter, and what an operator installs to read them.
NEEDS = {
    "doc": "antiword or LibreOffice",
    "wps": "LibreOffice",
    "et": "LibreOffice or python-calamine",
    "xls": "python-calamine",
    "xlsx": "python-calamine",
    "ofd": "ofdkit",
    "rar": "unar",
    "image": "OCR",
    "pdf": "OCR",  # a PDF page without a text layer
}


class NeedsTool(UnreadableDocument):
    """A file in a format read through a tool that is not installed (or a scan without OCR): the
    report is recorded as unreadable with what it needs, not dropped."""

    def __init__(self, url: str, fmt: str, why: str = "") -> None:
        self.needs = NEEDS.get(fmt, fmt)
        self.fmt = fmt
        super().__init__(f"{url}: unreadable: needs {self.needs} (.{fmt}{': ' + why if why else ''})")


class Converter(Protocol):
    """Turns a file the core cannot read alone into text pages or archive members. ``pages``: for
    a PDF, the 0-based pages without a text layer to OCR (the others are read from the bytes)."""

    def __call__(self, data: bytes, fmt: str, name: str, pages: tuple[int, ...] = ()) -> Converted: ...


def suffix_of(name: str) -> str:
    return name.lower().split("#", 1)[0].rsplit("?", 1)[0].rsplit("/", 1)[-1].rsplit(".", 1)[-1] if "." in name else ""


def _ole2_kind(data: bytes, suffix: str) -> str:
    """.doc, .wps, .xls or .et: the name tells Kingsoft's from Microsoft's (the same container and
    streams); else the directory's stream names (UTF-16) tell a document from a workbook."""
    if suffix in ("wps", "wpt"):
        return "wps"
    if suffix in ("et", "ett"):
        return "et"
    if suffix in ("doc", "dot"):
        return "doc"
    if suffix in ("xls", "xlt"):
        return "xls"
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    return "binary"


def _zip_kind(data: bytes, suffix: str) -> str:
    """A zip is a .docx, an .xlsx, an .ofd (OFD.xml at its root) or a bundle of files."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return suffix if suffix in ("docx", "ofd", "xlsx") else "zip"  # the reader says what is broken
    lowered = {n.lower() for n in names}
    if "ofd.xml" in lowered:
        return "ofd"
    if any(n.startswith("word/") for n in lowered):
        return "docx"
    if any(n.startswith("xl/") for n in lowered):
        return "xlsx"
    if suffix == "docx":
        return "docx"
    return "zip"


def _looks_binary(head: bytes) -> bool:
    """Text has no NUL bytes and few control characters (a UTF-16 text starts with its BOM)."""
    if head.startswith(_TEXT_BOMS):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROLS))  # counted in C: a loop over 4 KB cost 0.4 ms a file
    return controls > max(8, len(head) // 50)


_CONTROLS = bytes(b for b in range(32) if b < 9 or 13 < b)


def sniff_format(data: bytes, name: str, content_type: str | None = None) -> str:
    """What the bytes are: html, txt, pdf, docx, xlsx, ofd, zip, rar, doc, wps, xls, et, image; or
    binary (of no format read here). From the bytes first (servers mislabel), then the name, then
    the header."""
    suffix = suffix_of(name)
    raw_head = data[:4096]
    head = raw_head.lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if raw_head.startswith(b"PK\x03\x04"):
        return _zip_kind(data, suffix)
    if raw_head.startswith(OLE2):
        return _ole2_kind(data, suffix)
    if raw_head.startswith(RAR):
        return "rar"
    if raw_head.startswith(SEVEN_ZIP):
        return "binary"
    if raw_head.startswith(IMAGES):
        return "image"
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<body" in lowered or b"<meta" in lowered or re.match(rb"<(div|p|table|span|head|title)\b", lowered):
        return "html"
    if _looks_binary(raw_head):
        return "binary"
    if suffix in ("htm", "html", "shtml", "jhtml"):
        return "html"
    if content_type and content_type.split(";")[0].strip() in ("text/html", "application/xhtml"):
        return "html"
    return "txt"


# Bundles: what a portal zips is a report and its annexes, a few MB; beyond these caps it is a bomb.
MAX_MEMBERS = 64
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024


def unsafe_member(name: str) -> bool:
    """A member name that would land outside the folder it is unpacked in (zip slip)."""
    parts = re.split(r"[\\/]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts


def zip_members(data: bytes, url: str) -> list[tuple[str, bytes]]:
    """The files in a .zip with their names as written: names without the UTF-8 flag are GBK (as
    Chinese Windows writes them; cp437 garbles them). Refused whole, with a reason: a member
    name that climbs out (path traversal), more than MAX_MEMBERS files, or a bomb (the sizes in
    the directory are checked first, then each member is read capped, since they can lie)."""
    try:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data), metadata_encoding="gbk")
        except UnicodeDecodeError:  # not GBK after all: the names as zipfile reads them by default
            archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableDocument(f"{url}: not a readable .zip ({exc})") from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        for info in infos:
            if unsafe_member(info.filename):
                raise UnreadableDocument(f"{url}: the .zip has a member named {info.filename!r} outside the archive (path traversal): refused")
        if len(infos) > MAX_MEMBERS:
            raise UnreadableDocument(f"{url}: the .zip holds {len(infos)} files (cap {MAX_MEMBERS}): refused")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_ARCHIVE_BYTES or any(i.file_size > MAX_MEMBER_BYTES for i in infos):
            raise UnreadableDocument(f"{url}: the .zip would inflate to {declared:,} bytes (cap {MAX_ARCHIVE_BYTES:,}): refused as a zip bomb")
        members = []
        for info in infos:
            try:
                with archive.open(info) as member:
                    body = member.read(MAX_MEMBER_BYTES + 1)
            except Exception as exc:  # zipfile and zlib raise many types for damaged or encrypted members
                raise UnreadableDocument(f"{url}: member {info.filename!r} is not readable ({type(exc).__name__}: {exc})") from exc
            if len(body) > MAX_MEMBER_BYTES:
                raise UnreadableDocument(f"{url}: member {info.filename!r} inflates past {MAX_MEMBER_BYTES:,} bytes: refused as a zip bomb")
            members.append((info.filename, body))
    return members
