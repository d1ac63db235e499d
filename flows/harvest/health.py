"""One source's night → its health: did the listing answer, what did it list, what stopped it.

A listing that answers with nothing in it is a failure, not a quiet success: a portal that moved
its column answers 200 with its new home page or an empty template, and a night that took that for
"no new reports" would go on saying so for years. ``empty_listing`` says when that happened.
"""

from __future__ import annotations

from flows.records import SourceHealth
from flows.store.health import EMPTY_PREFIX
from flows.store.keys import url_key
from parsers import LinkDecision


def listing_health(source_id: str, listing: str | None, decisions: list[LinkDecision], known: set[tuple[str, str]]) -> SourceHealth:
    """Health of a listing that answered: its records, links, report links (new ones apart) and
    the newest date printed beside a report link (else beside any record)."""
    dated = [d for d in decisions if d.link.listed_on is not None]
    taken = [d for d in decisions if d.take]
    new = {url_key(d.link.url) for d in taken} - {key for sid, key in known if sid == source_id}
    dates = [d.link.listed_on for d in taken if d.link.listed_on] or [d.link.listed_on for d in dated if d.link.listed_on]
    health = SourceHealth(source_id=source_id, answered=True, listing=listing, items=len(dated), links=len(decisions),
                          report_links=len(taken), new_report_links=len(new), newest=max(dates) if dates else None)
    if empty_listing(health):
        return health.model_copy(update={"error": EMPTY})
    return health


EMPTY = EMPTY_PREFIX + ": no dated records and no report links (moved column, changed template, block page?)"


def empty_listing(health: SourceHealth) -> bool:
    return health.answered and health.items == 0 and health.report_links == 0


def failure_health(source_id: str, listing: str | None, error: BaseException | str) -> SourceHealth:
    """Health of a source whose listing did not answer: the reason, and which of robots.txt, a 412
    challenge or a redirect off its hosts stopped it (from the HTTP client's error kind, else its words)."""
    text = str(error)
    kinds = {getattr(e, "kind", None) for e in _chain(error)} if isinstance(error, BaseException) else set()
    return SourceHealth(
        source_id=source_id, answered=False, listing=listing, error=text[:500],
        robots="robots" in kinds or "robots.txt" in text,
        challenge="challenge" in kinds or "HTTP 412" in text,
        off_host="off_host" in kinds or "outside the source's allowed domains" in text or "redirected to another port" in text,
    )


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
