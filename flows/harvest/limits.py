"""Per-host request rate limits held by the Prefect server, so that they hold across workers.

The in-process throttle (``http.THROTTLE``) keeps one process polite; when a national night runs
as several work-pool workers, two of them may meet the same county portal (a regional platform
hosts many townships). A Prefect global concurrency limit per host, used as a rate limit (one
slot, decaying at the host's rate), is the one counter they all share.

Limits are created by the operator (``fazhi limits``), not on the fly: a night asks the server
once which hosts have one and gates only those, so a run without a Prefect server, or a host
without a limit, costs no extra request and logs no warning per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from parsers import Source

PREFIX = "fazhi-host:"


def limit_name(host: str) -> str:
    """The limit's name for a host (``netloc``: the port is part of it, as it is of the throttle)."""
    return PREFIX + host.lower()


def host_rates(sources: Iterable[Source]) -> dict[str, float]:
    """Each listing host's rate: the slowest rate any source on it asks for."""
    rates: dict[str, float] = {}
    for source in sources:
        for url in source.pages:
            host = urlsplit(url).netloc.lower()
            rates[host] = min(rates.get(host, source.rate_per_second), source.rate_per_second)
    return rates


def sync_host_limits(sources: Iterable[Source]) -> dict[str, float]:
    """Create or update one rate limit per host (1 slot, decaying at the host's rate per second)."""
    from prefect.client.orchestration import get_client

    rates = host_rates(sources)
    with get_client(sync_client=True) as client:
        for host, rate in sorted(rates.items()):
            client.upsert_global_concurrency_limit_by_name(limit_name(host), limit=1, slot_decay_per_second=rate)
    return rates


def limited_hosts() -> frozenset[str]:
    """Hosts that have a limit on the Prefect server; none when no server answers (the in-process
    throttle still holds, so a run on a laptop without a server is polite all the same)."""
    from prefect.client.orchestration import get_client

    hosts: set[str] = set()
    try:
        with get_client(sync_client=True) as client:
            offset = 0
            while batch := client.read_global_concurrency_limits(limit=200, offset=offset):
                hosts.update(limit.name[len(PREFIX):] for limit in batch if limit.name.startswith(PREFIX) and limit.active)
                offset += len(batch)
    except Exception:  # noqa: BLE001 - any failure to reach the server means: no shared limits tonight
        return frozenset()
    return frozenset(hosts)


def prefect_gate(hosts: frozenset[str]) -> Callable[[str], None] | None:
    """A gate for ``HttpClient``: before each request to a limited host, take a slot of its limit."""
    if not hosts:
        return None

    def gate(host: str) -> None:
        if host.lower() in hosts:
            from prefect.concurrency.sync import rate_limit

            rate_limit(limit_name(host), strict=True)

    return gate
