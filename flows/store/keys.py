"""A report's identity: the key of its URL (volatile query parameters and session ids removed, so a page re-listed with a cache-buster is the same report) and the report id derived from the source and that key. Changing either changes every report id: they are part of the dataset's contract.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote_plus, urlsplit

# Query parameters that change from request to request without changing the page: cache-busters,
# sessions, tracking. A link with ?_t=<now> would otherwise be a new report (and a new release) every
# night. Compared lower-case; a name ending in * is a prefix.
VOLATILE_PARAMETERS = frozenset({
    "_t", "_ts", "ts", "timestamp", "_dc", "rnd", "rand", "random", "nocache", "cachebuster",
    "sessionid", "jsessionid", "phpsessid", "aspsessionid", "fbclid", "gclid", "spm", "utm_*",
})


# Short names that portals use as cache-busters (?t=1732345678901, ?v=0.8341, ?_=…) but that a CMS
# could also use to choose the page (?v=123, ?t=news): ignored only when the value looks like a
# clock, a random number or a hash. Collapsing two real reports into one key would lose one silently.
AMBIGUOUS_PARAMETERS = frozenset({"_", "t", "v", "ver"})


_VOLATILE_VALUE = re.compile(r"^(?:|\d{8,}|0?\.\d{4,}|[0-9a-f]{16,})$", re.IGNORECASE)


_VOLATILE_PREFIXES = tuple(name[:-1] for name in VOLATILE_PARAMETERS if name.endswith("*"))


# Session ids some servers put in the path: /art/1.html;jsessionid=0A1B…
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid)=[^/;]*", re.IGNORECASE)


def url_key(url: str) -> str:
    """The part of a URL that identifies a page within its source: path and query, without the
    parameters that do not choose the page (VOLATILE_PARAMETERS, ;jsessionid= in the path).

    Kept parameters keep their order and spelling, so a URL without volatile parameters has the
    same key (and its report the same id) as before they were ignored."""
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path)
    query = _stable_query(parts.query)
    return path + (f"?{query}" if query else "")


def _stable_query(query: str) -> str:
    if not query:
        return query
    return "&".join(pair for pair in query.split("&") if not _is_volatile(*pair.partition("=")[::2]))


def _is_volatile(name: str, value: str) -> bool:
    name = unquote_plus(name).strip().lower()
    if name in AMBIGUOUS_PARAMETERS:
        return bool(_VOLATILE_VALUE.match(unquote_plus(value).strip()))
    return name in VOLATILE_PARAMETERS or name.startswith(_VOLATILE_PREFIXES)


def report_id(source_id: str, key: str) -> str:
    return hashlib.sha256(f"{source_id}|{key}".encode()).hexdigest()[:16]
