"""The one way Fazhi Atlas talks HTTP: timeouts, retries with back-off, politeness, size caps.

Government portals are slow, rate-limit by IP and sometimes redirect to other sites; every
request goes through ``HttpClient.get`` so that each of those rules holds everywhere.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

USER_AGENT = "FazhiAtlas/0.1 (+https://github.com/fazhi-atlas; township rule-of-law reports archive)"
ROBOTS_AGENT = "FazhiAtlas"
REFUSED_TYPES = ("image/", "video/", "audio/", "font/")  # never a report, whatever the URL says
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
MAX_BYTES = 20 * 1024 * 1024  # the largest report attachment seen on county portals is a few MB
MAX_REDIRECTS = 5
MAX_SECONDS = 120.0  # a whole response: a body dripping one byte a second never trips the read timeout
RETRY = Retry(
    total=3,
    connect=3,
    read=2,
    status=3,
    backoff_factor=0.5,  # 0.5 s, 1 s, 2 s
    status_forcelist=(429, 500, 502, 503, 504),
    allowed_methods=("GET", "HEAD"),
    respect_retry_after_header=True,
    raise_on_status=False,
)


class FetchError(RuntimeError):
    """A request that could not give us a usable body; the message says why, with the URL."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class HostThrottle:
    """At most ``rate`` requests per second to each host, across threads."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, rate: float) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + 1.0 / rate
        if start > now:
            time.sleep(start - now)


THROTTLE = HostThrottle()  # one per process: two sources on one host share its rate


def resolves_privately(host: str) -> bool:
    """True when the host is, or resolves to, a loopback, private, link-local or reserved address
    (SSRF: a public portal's link must not make us fetch from the machine's own network)."""
    import ipaddress

    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return False  # unresolvable: the request itself will fail and say so
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
            return True
    return False


def host_allowed(url: str, allowed_domains: list[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in allowed_domains)


def describe(exc: requests.exceptions.RequestException) -> str:
    """What went wrong, in words an operator acts on (requests wraps urllib3's reasons deeply)."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.Timeout) or "timed out" in text:
        return f"timed out after retries (connect {CONNECT_TIMEOUT:g} s, read {READ_TIMEOUT:g} s limits)"
    if "Connection refused" in text:
        return "connection refused (the server is down or not listening)"
    if "reset" in text.lower() or "RemoteDisconnected" in text or "aborted" in text:
        return "the connection was reset by the server"
    if isinstance(exc, requests.exceptions.RetryError) or "too many" in text.lower():
        return "the server kept failing after retries"
    if "Name or service not known" in text or "NameResolutionError" in text:
        return "the host name does not resolve"
    return f"{type(exc).__name__}: {text}"


class HttpClient:
    def __init__(self, *, max_bytes: int = MAX_BYTES, timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
                 max_seconds: float = MAX_SECONDS, allow_private: bool = False, gate: Callable[[str], None] | None = None) -> None:
        self._sessions: dict[str, requests.Session] = {}
        self._sessions_lock = threading.Lock()
        self.throttle = THROTTLE
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_seconds = max_seconds
        self.allow_private = allow_private  # only for sources that are themselves on a private network (the demo)
        self._robots: dict[str, Protego | None] = {}
        self._robots_lock = threading.Lock()
        self.gate = gate  # a limit shared beyond this process (flows.limits); called with the host before each request

    def _wait_turn(self, host: str, rate: float) -> None:
        """This process's throttle, then the shared limit, if any."""
        self.throttle.wait(host, rate)
        if self.gate is not None:
            self.gate(host)

    def session(self, url: str) -> requests.Session:
        """One session per host: its cookies and keep-alive connections stay with that portal."""
        host = urlsplit(url).netloc.lower()
        with self._sessions_lock:
            if host not in self._sessions:
                session = requests.Session()
                session.headers["User-Agent"] = USER_AGENT
                adapter = HTTPAdapter(max_retries=RETRY)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                self._sessions[host] = session
            return self._sessions[host]

    def robots(self, url: str, rate: float) -> Protego | None:
        """The host's robots.txt (fetched once per client); None when it has none or it can't be read."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if origin not in self._robots:
                self._wait_turn(parts.netloc, rate)
                try:  # one plain try: a portal that fails on robots.txt is asked for the page itself
                    reply = requests.get(origin + "/robots.txt", headers={"User-Agent": USER_AGENT}, timeout=self.timeout)
                    text = reply.text if reply.status_code == 200 and len(reply.content) < 512 * 1024 else None
                except requests.exceptions.RequestException:
                    text = None  # an unreachable robots.txt is no prohibition; the page request will tell
                self._robots[origin] = Protego.parse(text) if text else None
            return self._robots[origin]

    def polite_rate(self, url: str, rate: float) -> float:
        """The configured rate, slowed to the host's Crawl-delay when it asks for more."""
        robots = self.robots(url, rate)
        delay = robots.crawl_delay(ROBOTS_AGENT) if robots else None
        return min(rate, 1.0 / delay) if delay else rate

    def get(
        self,
        url: str,
        *,
        allowed_domains: list[str],
        rate: float,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """GET with conditional headers; redirects are followed only within ``allowed_domains``."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(current).scheme not in ("http", "https"):
                raise FetchError(f"{current}: only http and https are fetched")
            if not host_allowed(current, allowed_domains):
                raise FetchError(f"{current}: host is outside the source's allowed domains {allowed_domains}")
            if not self.allow_private and resolves_privately(urlsplit(current).hostname or ""):
                raise FetchError(f"{current}: the host is on a private or loopback network; a public source may not lead there")
            robots = self.robots(current, rate)
            if robots is not None and not robots.can_fetch(current, ROBOTS_AGENT):
                raise FetchError(f"{current}: disallowed by the site's robots.txt")
            self._wait_turn(urlsplit(current).netloc, self.polite_rate(current, rate))
            try:
                reply = self.session(current).get(current, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False)
            except requests.exceptions.RequestException as exc:
                raise FetchError(f"{current}: {describe(exc)}") from exc
            with reply:
                if reply.is_redirect:
                    current = urljoin(current, reply.headers.get("Location", ""))
                    continue
                if reply.status_code == 412:  # what JavaScript anti-bot front ends (e.g. 加速乐) answer a client without cookies
                    raise FetchError(f"{current}: blocked by anti-bot (HTTP 412: a JavaScript challenge)", 412)
                if reply.status_code not in (200, 304):
                    raise FetchError(f"{current}: HTTP {reply.status_code} {reply.reason}", reply.status_code)
                content_type = reply.headers.get("Content-Type", "")
                if content_type.lower().startswith(REFUSED_TYPES):
                    raise FetchError(f"{current}: content type {content_type} is not a page or a document")
                body = self._read_capped(reply, current)
                return Response(
                    url=current,
                    status=reply.status_code,
                    body=body,
                    content_type=reply.headers.get("Content-Type"),
                    etag=reply.headers.get("ETag"),
                    last_modified=reply.headers.get("Last-Modified"),
                )
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _read_capped(self, reply: requests.Response, url: str) -> bytes:
        declared = reply.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url}: body of {int(declared):,} bytes is over the {self.max_bytes:,}-byte cap")
        chunks, size = [], 0
        # A body dripping a byte a second never trips the read timeout (it applies between bytes):
        # a watchdog closes the connection when the whole response has taken too long.
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            # Shutting the socket down is what wakes a read blocked in another thread; close() is not.
            sock = getattr(getattr(reply.raw, "connection", None), "sock", None)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            reply.close()

        watchdog = threading.Timer(self.max_seconds, expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            for chunk in reply.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url}: body is over the {self.max_bytes:,}-byte cap")
                chunks.append(chunk)
        except (requests.exceptions.RequestException, OSError, AttributeError, ValueError) as exc:
            if expired.is_set():
                raise FetchError(f"{url}: body still arriving after {self.max_seconds:g} s (about {size:,} bytes); given up") from exc
            raise FetchError(f"{url}: connection broke while reading the body ({type(exc).__name__})") from exc
        finally:
            watchdog.cancel()
        if expired.is_set():
            raise FetchError(f"{url}: body still arriving after {self.max_seconds:g} s (about {size:,} bytes); given up")
        return b"".join(chunks)
