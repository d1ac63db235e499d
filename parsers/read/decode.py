"""Bytes from a government site → text, the way browsers would read them.

Order of trust: the HTTP header's charset, then the page's own ``<meta charset>`` or
``http-equiv``, then detection. Many county portals send ``Content-Type: text/html`` with no
charset and declare GBK only in a meta tag, and many that say GB2312 actually use characters
only GBK has; GB18030 is a superset of both, so any of the GB family is decoded as GB18030.
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "gb_2312-80"}


def _canonical(charset: str) -> str:
    name = charset.strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    return "utf-8" if name in {"utf8", "utf-8"} else name


def declared_charset(body: bytes, content_type: str | None) -> str | None:
    """The charset the server or the page declares, if any (header first)."""
    if content_type:
        header = _HEADER_CHARSET.search(content_type)
        if header:
            return _canonical(header.group(1))
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        return _canonical(meta.group(1).decode("ascii", "replace"))
    return None


MAX_BAD_SHARE = 0.005  # a few broken bytes in a page that declares its charset right are damage, not a wrong label


def _mostly_decodes(body: bytes, encoding: str) -> bool:
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:
        return False
    return text.count("\ufffd") <= max(3, MAX_BAD_SHARE * len(text))


def detect_encoding(body: bytes, content_type: str | None = None) -> str:
    """The encoding to decode ``body`` with. A declared one is trusted when it decodes the page
    (a few invalid bytes allowed: they become U+FFFD); a declaration that fails is not trusted."""
    declared = declared_charset(body, content_type)
    if declared and _mostly_decodes(body, declared):
        return declared
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:200_000]).best()
    return _canonical(best.encoding) if best else "gb18030"


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Text of ``body``; undecodable bytes become U+FFFD rather than failing the whole page."""
    return body.decode(detect_encoding(body, content_type), errors="replace")
