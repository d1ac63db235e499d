"""The one way Fazhi Atlas talks HTTP: timeouts, retries with back-off, politeness, size caps.

Government portals are slow, rate-limit by IP and sometimes redirect to other sites; every
request goes through ``HttpClient.get`` so that each of those rules holds everywhere, robots.txt
included. A URL is judged as the HTTP library will read it (``parse_target``), and the address a
connection actually reached is judged again (``_Guarded``): a page of a public portal must never
make us fetch from the machine's own network. Every sleep and every open socket answers to the
night's stop (``flows.run.stop``).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url
from urllib3.util.retry import Retry

from flows.run.stop import NIGHT

USER_AGENT = "FazhiAtlas/0.1 (+https://github.com/fazhi-atlas; township rule-of-law reports archive)"
ROBOTS_AGENT = "FazhiAtlas"
REFUSED_TYPES = ("image/", "video/", "audio/", "font/")  # never a report, whatever the URL says
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
MAX_BYTES = 20 * 1024 * 1024  # the largest report attachment seen on county portals is a few MB
MAX_REDIRECTS = 5
MAX_SECONDS = 120.0  # a whole response: a body dripping one byte a second never trips the read timeout
ROBOTS_MAX_BYTES = 512 * 1024  # what Google reads of a robots.txt (500 KiB); the rest is ignored
MAX_RETRY_AFTER = 60.0  # a Retry-After of a day would hold the source (and the night) for a day
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL = 2_048  # characters: what browsers and CDNs keep to; a longer link is padding meant to swell the tables


class PoliteRetry(Retry):
    """urllib3's retry, with its sleeps (back-off, Retry-After) capped and cut short by a stopped
    night: urllib3 sleeps with time.sleep, which nothing can wake."""

    def sleep(self, response: Any = None) -> None:
        seconds = self.get_retry_after(response) if response is not None and self.respect_retry_after_header else None
        if not seconds:  # as urllib3: no Retry-After (or 0) means the exponential back-off
            seconds = self.get_backoff_time()
        NIGHT.wait(min(seconds, MAX_RETRY_AFTER))


RETRY = PoliteRetry(
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

    def __init__(self, message: str, status: int | None = None, kind: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        # What source health flags (flows/harvest/health.py): "robots", "challenge" (412), "off_host".
        self.kind = kind or ("challenge" if status == 412 else None)


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
        if start > now and NIGHT.wait(start - now):
            with self._lock:  # the night is over: its turns, some of them days away, are not the next night's
                self._next[host] = time.monotonic()
            raise FetchError(f"{host}: {NIGHT.reason}")


THROTTLE = HostThrottle()  # one per process: two sources on one host share its rate


def address_is_private(address: str) -> bool:
    """True for every address that is not plainly on the public internet: loopback, private,
    link-local, carrier-grade NAT (100.64.0.0/10, where cloud metadata services such as
    100.100.100.200 live), reserved, multicast, unspecified, and IPv6 forms that carry one of
    those (IPv4-mapped, 6to4, Teredo, NAT64)."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return True  # not an address at all: never a place to connect to
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return address_is_private(str(ip.ipv4_mapped))  # ::ffff:a.b.c.d is a.b.c.d, whatever Python's table says of ::ffff:0:0/96
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and address_is_private(str(embedded)):
            return True
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback or ip.is_link_local


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def resolves_privately(host: str) -> bool:
    """True when the host is, or resolves to, an address that is not public (``address_is_private``)
    (SSRF: a public portal's link must not make us fetch from the machine's own network)."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host.strip("[]"), None)}
    except (socket.gaierror, UnicodeError):
        return False  # unresolvable: the request itself will fail and say so (and the peer is checked on connect)
    return any(address_is_private(str(address)) for address in addresses)


def resolves_to_loopback(host: str) -> bool:
    """True when the host is, or resolves only to, loopback addresses (127.0.0.0/8, ::1): the demo
    portals and the tests. The one private network a source may be on (``allow_private``): a
    registry entry listing 169.254.169.254 or 100.100.100.200 is aimed at a cloud's metadata
    service, not at a demo, and stays behind the guard."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host.strip("[]"), None)}
    except (socket.gaierror, UnicodeError):
        return False
    return bool(addresses) and all(_is_loopback(str(address)) for address in addresses)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip("[]").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def parse_target(url: str) -> tuple[str, str, int]:
    """The URL as it will be sent, its host and its port, read once, the way requests and urllib3
    read them: Python's urlsplit and urllib3 disagree on some URLs (urlsplit takes the host of
    ``http://127.0.0.2:8080\\@portal.gov.cn/`` to be portal.gov.cn; urllib3 connects to
    127.0.0.2), so the guard must never judge one parse while the library fetches another."""
    if len(url) > MAX_URL:
        raise FetchError(f"{url[:200]}…: a URL of {len(url):,} characters (over {MAX_URL:,}); refused")
    if "\\" in url:
        raise FetchError(f"{url}: a backslash in a URL is read as a path by some libraries and as part of the host by others; refused")
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        raise FetchError(f"{url!r}: control characters or spaces in a URL; refused")
    if urlsplit(url).scheme.lower() not in DEFAULT_PORTS:
        raise FetchError(f"{url}: only http and https are fetched")
    try:
        prepared = requests.Request("GET", url).prepare().url or ""
        parsed = parse_url(prepared)
    except (requests.exceptions.RequestException, LocationParseError, ValueError) as exc:
        raise FetchError(f"{url}: not a URL that can be fetched ({exc})") from exc
    scheme = (parsed.scheme or "").lower()
    if scheme not in DEFAULT_PORTS or not parsed.host:
        raise FetchError(f"{url}: only http and https URLs with a host are fetched")
    return prepared, parsed.host.lower().strip("[]"), parsed.port or DEFAULT_PORTS[scheme]


def host_allowed(url: str, allowed_domains: list[str]) -> bool:
    try:
        _, host, _ = parse_target(url)
    except FetchError:
        return False
    return any(host == d or host.endswith("." + d) for d in (d.lower().strip("[]") for d in allowed_domains))


def same_service(current: str, target: str) -> bool:
    """May a redirect from ``current`` go to ``target``'s port? The same port, or the default port
    of the target's scheme (portals move from http to https); another port of an allowed host is
    another service (an admin console, a cache, a metadata proxy), not the portal."""
    _, _, port = parse_target(current)
    _, _, new_port = parse_target(target)
    return new_port == port or new_port == DEFAULT_PORTS[urlsplit(target).scheme.lower()]


class PrivatePeer(Exception):
    """The connection reached a non-public address (the name said otherwise, or changed its mind)."""


class _RequestContext(threading.local):
    """What the connection classes below need to know about the request their thread is making."""

    allow_private: bool = False
    watch: ResponseWatch | None = None


_REQUEST = _RequestContext()


class ResponseWatch:
    """The deadline of one whole response, headers and body, retries included.

    The sockets are recorded as each connection is made or reused: urllib3 drops its reference
    to the socket when the server says ``Connection: close``, and a watchdog that looked for the
    socket through the response then found nothing to shut down (issue 19, item 6)."""

    def __init__(self) -> None:
        self.expired = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired.is_set()
        if expired:
            _shut(sock)

    def expire(self) -> None:
        """Shutting the socket down is what wakes a read blocked in another thread; close() is not."""
        self.expired.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed, or a plain socket since wrapped by TLS (the TLS socket is recorded too)


class _Guarded:
    """A urllib3 connection that checks the address it actually reached (not only the name, which
    may resolve differently a moment later) and reports its socket to the request's watch."""

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if getattr(self, "proxy", None) is None:
            peer = sock.getpeername()[0]
            if address_is_private(peer) and not (_REQUEST.allow_private and _is_loopback(peer)):
                sock.close()
                raise PrivatePeer(f"the connection reached {peer}, a private or loopback address")
        if _REQUEST.watch is not None:
            _REQUEST.watch.add(sock)
        return sock

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        if _REQUEST.watch is not None:
            _REQUEST.watch.add(self.sock)  # type: ignore[attr-defined]

    def request(self, *args: Any, **kwargs: Any) -> None:
        if _REQUEST.watch is not None:
            _REQUEST.watch.add(self.sock)  # type: ignore[attr-defined] # a kept-alive connection, reused
        super().request(*args, **kwargs)  # type: ignore[misc]


class _GuardedHTTPConnection(_Guarded, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter, with the guarded connections above in its pools (the proxy's pools too:
    their sockets answer to the response's watchdog like any other)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
        return manager


PROXY_VARIABLE = "FAZHI_HTTP_PROXY"


def operator_proxy() -> str | None:
    """The proxy the operator chose for fetching (``FAZHI_HTTP_PROXY``), or None: fetch directly.

    HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY are ignored (``trust_env = False``): through a
    proxy the connection's peer is the proxy, so the check of the address a connection reached
    cannot be made, and a variable set for other programs must not switch that check off. An
    operator who needs a proxy names it here, and that proxy is then trusted to refuse private
    destinations itself (docs/security.md); the names are still checked before each request."""
    proxy = os.environ.get(PROXY_VARIABLE, "").strip()
    if not proxy:
        return None
    parts = urlsplit(proxy)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{PROXY_VARIABLE}={proxy}: not a proxy URL (http://HOST:PORT or https://HOST:PORT)")
    return proxy


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
                 max_seconds: float = MAX_SECONDS, allow_private: bool = False, gate: Callable[[str], None] | None = None,
                 challenge_solver: Callable[[str, str], dict[str, str]] | None = None, browser_first: bool = False) -> None:
        self._sessions: dict[str, requests.Session] = {}
        self._sessions_lock = threading.Lock()
        self.throttle = THROTTLE
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_seconds = max_seconds
        self.allow_private = allow_private  # only for sources that are themselves on a private network (the demo)
        self._robots: dict[str, Protego | None] = {}
        self._robots_lock = threading.Lock()
        self.gate = gate  # a limit shared beyond this process (flows.harvest.limits); called with the host before each request
        # A JavaScript anti-bot challenge (HTTP 412) is passed once per host through a real browser
        # (flows.harvest.browser.solve_challenge: url, user agent → cookies); without one the source fails
        # saying so. ``browser_first`` (a source's `browser: true`) passes it before the host's
        # first request instead of after a 412.
        self.challenge_solver = challenge_solver
        self.browser_first = browser_first
        self._challenged: set[str] = set()
        self._challenge_lock = threading.Lock()

    def _wait_turn(self, host: str, rate: float) -> None:
        """This process's throttle, then the shared limit, if any."""
        self.throttle.wait(host, rate)
        if self.gate is not None:
            self.gate(host)

    def session(self, url: str, retry: bool = True) -> requests.Session:
        """One session per host: its cookies and keep-alive connections stay with that portal.
        Without ``retry``, one plain try (robots.txt: a portal failing on it is asked for the page,
        which retries and says why)."""
        host = urlsplit(url).netloc.lower()
        key = host if retry else host + " once"
        with self._sessions_lock:
            if key not in self._sessions:
                session = requests.Session()
                session.trust_env = False  # no proxy, .netrc or CA bundle from the environment (operator_proxy says why)
                session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
                proxy = operator_proxy()
                if proxy and not self.allow_private:  # a source on loopback (the demo) is never reached through a proxy
                    session.proxies = {"http": proxy, "https": proxy}
                session.headers["User-Agent"] = USER_AGENT
                adapter = GuardedAdapter(max_retries=RETRY if retry else 0)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                self._sessions[key] = session
            return self._sessions[key]

    def _pass_challenge(self, url: str, rate: float) -> bool:
        """Open ``url`` in the browser, once per host and client, within the host's politeness
        limit, and keep the cookies it earns in the host's sessions. False when there is no
        browser or this host's one try is spent; a browser that fails raises FetchError."""
        netloc = urlsplit(url).netloc.lower()
        with self._challenge_lock:
            if self.challenge_solver is None or netloc in self._challenged:
                return False
            self._challenged.add(netloc)
        self._wait_turn(netloc, rate)  # the browser's visit is a request to the portal like any other
        cookies = self.challenge_solver(url, USER_AGENT)
        host = urlsplit(url).hostname or ""
        for retry in (True, False):
            jar = self.session(url, retry=retry).cookies
            for name, value in cookies.items():
                jar.set(name, value, domain=host, path="/")
        origin = f"{urlsplit(url).scheme}://{netloc}"
        with self._robots_lock:
            if self._robots.get(origin, "unread") is None:  # read as absent behind the challenge: read it again
                del self._robots[origin]
        return True

    def robots(self, url: str, rate: float, allowed_domains: list[str] | None = None) -> Protego | None:
        """The host's robots.txt (fetched once per client); None when it has none or it can't be read.

        It is fetched like any page (issue 19, item 4): the same address guard, redirects only
        within ``allowed_domains`` (default: this host) and to the same port, the response
        deadline, and a size cap on the inflated body (beyond 512 KiB the rest is ignored, as
        Google does), so a gzip bomb or a dripping robots.txt costs no more than a page."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if origin not in self._robots:
                domains = allowed_domains if allowed_domains is not None else [(parts.hostname or "").lower()]
                try:  # a portal that fails on robots.txt is asked for the page itself, which will tell
                    reply = self._follow(origin + "/robots.txt", domains, rate, {}, obey_robots=False,
                                         max_bytes=ROBOTS_MAX_BYTES, truncate=True)
                    text = reply.body.decode("utf-8", errors="replace") if reply.status == 200 else None
                except FetchError:
                    if NIGHT.stopped:
                        raise
                    text = None
                self._robots[origin] = Protego.parse(text) if text else None
            return self._robots[origin]

    def polite_rate(self, url: str, rate: float, allowed_domains: list[str] | None = None) -> float:
        """The configured rate, slowed to the host's Crawl-delay when it asks for more."""
        robots = self.robots(url, rate, allowed_domains)
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
        image: bool = False,
        ports: Collection[int] | None = None,
    ) -> Response:
        """GET with conditional headers; redirects are followed only within ``allowed_domains``.
        ``image``: the image of a report's page (an article whose body is its scanned pages), the
        one case an image/ content type is wanted.

        ``ports``: the ports the source's own pages are on (``flows.harvest.context.source_ports``);
        a link to another port of an allowed host is refused as a redirect there is
        (``same_service``): another port is another service, an admin console or a cache."""
        if ports is not None:
            _, _, port = parse_target(url)
            if port not in ports and port != DEFAULT_PORTS[urlsplit(url).scheme.lower()]:
                raise FetchError(f"{url}: a link to another port of the host ({port}, the source's pages are on "
                                 f"{', '.join(str(p) for p in sorted(ports))}); refused")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._follow(url, allowed_domains, rate, headers, obey_robots=True, max_bytes=self.max_bytes,
                            refused=REFUSED_TYPES[1:] if image else REFUSED_TYPES)

    def _check_target(self, url: str, allowed_domains: list[str]) -> str:
        """The URL as it will be sent, once every rule allows it: scheme, allowed domains, and (for
        a public source) a host that does not resolve into a private network."""
        if NIGHT.stopped:
            raise FetchError(f"{url}: {NIGHT.reason}")
        prepared, host, _ = parse_target(url)
        if not host_allowed(prepared, allowed_domains):
            raise FetchError(f"{url}: host is outside the source's allowed domains {allowed_domains}", kind="off_host")
        if resolves_privately(host) and not (self.allow_private and resolves_to_loopback(host)):
            raise FetchError(f"{url}: the host is on a private or loopback network; a public source may not lead there")
        return prepared

    def _follow(self, url: str, allowed_domains: list[str], rate: float, headers: dict[str, str], *,
                obey_robots: bool, max_bytes: int, truncate: bool = False, refused: tuple[str, ...] = REFUSED_TYPES) -> Response:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            target = self._check_target(current, allowed_domains)
            if self.browser_first and obey_robots:
                if self.challenge_solver is None:
                    raise FetchError(f"{current}: the source needs a browser (browser: true) and none is available: "
                                     "pip install 'fazhi-atlas[browser]' and apt-get install chromium")
                self._pass_challenge(target, rate)
            if obey_robots:
                robots = self.robots(target, rate, allowed_domains)
                if robots is not None and not robots.can_fetch(target, ROBOTS_AGENT):
                    raise FetchError(f"{current}: disallowed by the site's robots.txt", kind="robots")
            netloc = urlsplit(target).netloc
            self._wait_turn(netloc, self.polite_rate(target, rate, allowed_domains) if obey_robots else rate)
            with self._watched(target) as watch:
                try:
                    reply = self.session(target, retry=obey_robots).get(target, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False)
                except PrivatePeer as exc:
                    raise FetchError(f"{current}: {exc}; a public source may not lead there") from exc
                except requests.exceptions.RequestException as exc:
                    raise FetchError(f"{current}: {self._gave_up(watch) or describe(exc)}") from exc
                if reason := self._gave_up(watch):  # headers cut short by the watchdog read as if they had ended
                    reply.close()
                    raise FetchError(f"{current}: {reason}")
                with reply:
                    if reply.is_redirect:
                        location = urljoin(target, reply.headers.get("Location", ""))
                        if not same_service(target, location):
                            raise FetchError(f"{current}: redirected to another port of the host ({location}); refused", kind="off_host")
                        current = location
                        continue
                    if reply.status_code == 412:  # what JavaScript anti-bot front ends (e.g. 加速乐) answer a client without cookies
                        if obey_robots and self._pass_challenge(target, rate):
                            continue  # the same URL again, with the cookies the browser earned
                        why = "no browser to pass it (pip install 'fazhi-atlas[browser]', apt-get install chromium)" \
                            if self.challenge_solver is None else "the browser's cookies did not pass it"
                        raise FetchError(f"{current}: blocked by anti-bot (HTTP 412: a JavaScript challenge); {why}", 412)
                    if reply.status_code not in (200, 304):
                        raise FetchError(f"{current}: HTTP {reply.status_code} {reply.reason}", reply.status_code)
                    content_type = reply.headers.get("Content-Type", "")
                    if content_type.lower().startswith(refused):
                        raise FetchError(f"{current}: content type {content_type} is not a page or a document")
                    body = self._read_capped(reply, target, watch, max_bytes, truncate)
                    return Response(
                        url=target,
                        status=reply.status_code,
                        body=body,
                        content_type=reply.headers.get("Content-Type"),
                        etag=reply.headers.get("ETag"),
                        last_modified=reply.headers.get("Last-Modified"),
                    )
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    @contextmanager
    def _watched(self, url: str) -> Iterator[ResponseWatch]:
        """One response's watchdog, from the request being sent to the last byte of its body
        (a server dripping its headers is as slow as one dripping its body), and the night's stop."""
        watch = ResponseWatch()
        _REQUEST.allow_private, _REQUEST.watch = self.allow_private, watch
        watchdog = threading.Timer(self.max_seconds, watch.expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            with NIGHT.on_stop(watch.expire):
                yield watch
        finally:
            watchdog.cancel()
            _REQUEST.allow_private, _REQUEST.watch = False, None

    def _gave_up(self, watch: ResponseWatch) -> str | None:
        """Why a request broke, when it was us who broke it (the deadline, or the night's stop)."""
        if NIGHT.stopped:
            return str(NIGHT.reason)
        if watch.expired.is_set():
            return f"no complete response after {self.max_seconds:g} s; given up"
        return None

    def _read_capped(self, reply: requests.Response, url: str, watch: ResponseWatch, max_bytes: int, truncate: bool) -> bytes:
        """The body, inflated, up to ``max_bytes`` (an error past it, or with ``truncate`` the
        first ``max_bytes``); the watch cuts a body still arriving at the deadline."""
        declared = reply.headers.get("Content-Length")
        if not truncate and declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"{url}: body of {int(declared):,} bytes is over the {max_bytes:,}-byte cap")
        chunks, size = [], 0
        try:
            for chunk in reply.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    if truncate:
                        chunks.append(chunk[: max_bytes - (size - len(chunk))])
                        break
                    raise FetchError(f"{url}: body is over the {max_bytes:,}-byte cap")
                chunks.append(chunk)
        except (requests.exceptions.RequestException, OSError, AttributeError, ValueError) as exc:
            if NIGHT.stopped:
                raise FetchError(f"{url}: {NIGHT.reason}") from exc
            if watch.expired.is_set():
                raise FetchError(f"{url}: body still arriving after {self.max_seconds:g} s (about {size:,} bytes); given up") from exc
            raise FetchError(f"{url}: connection broke while reading the body ({type(exc).__name__})") from exc
        if NIGHT.stopped:
            raise FetchError(f"{url}: {NIGHT.reason}")
        if watch.expired.is_set():
            raise FetchError(f"{url}: body still arriving after {self.max_seconds:g} s (about {size:,} bytes); given up")
        return b"".join(chunks)
