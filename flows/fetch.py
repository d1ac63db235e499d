"""Fetch the reports discovery took: the article page, and the attachment when the page is a stub."""

from __future__ import annotations

from datetime import datetime

from parsers import read_document
from parsers.article import is_attachment_stub
from parsers.models import LinkDecision, Source

from .discover import allowed_domains
from .http import FetchError, HttpClient, Response
from .rawstore import RawStore
from .records import Failure, Fetched, FetchRecord
from .store import url_key

READABLE_ATTACHMENTS = ("docx", "pdf")


def fetch_reports(
    client: HttpClient,
    source: Source,
    decisions: list[LinkDecision],
    known: set[tuple[str, str]],
    raw: RawStore,
    now: datetime,
) -> tuple[list[Fetched], list[FetchRecord], list[Failure], int]:
    """Fetch every taken link not stored yet; returns (fetched, log, failures, already known)."""
    fetched: list[Fetched] = []
    log: list[FetchRecord] = []
    failures: list[Failure] = []
    skipped_known = 0
    domains = allowed_domains(source)
    for decision in decisions:
        if not decision.take:
            continue
        link = decision.link
        key = url_key(link.url)
        if (source.id, key) in known:
            skipped_known += 1
            continue
        try:
            page = client.get(link.url, allowed_domains=domains, rate=source.rate_per_second)
        except FetchError as exc:
            log.append(FetchRecord(source_id=source.id, url=link.url, url_key=key, fetched_at=now, error=str(exc)))
            failures.append(Failure(source_id=source.id, url=link.url, reason=str(exc)))
            continue
        page_sha = raw.save(page.body)
        log.append(_logged(source, link.url, key, now, page, page_sha))
        item = Fetched(source_id=source.id, url=link.url, url_key=key, title=link.title, sha256=page_sha, content_type=page.content_type)
        document = read_document(page.body, link.url, page.content_type)
        if document.format == "html" and is_attachment_stub(document):
            attachment = document.attachments[0]
            if attachment.extension not in READABLE_ATTACHMENTS:
                failures.append(Failure(source_id=source.id, url=attachment.url, reason=f"attachment format .{attachment.extension} is not supported yet"))
                continue
            try:
                reply = client.get(attachment.url, allowed_domains=domains, rate=source.rate_per_second)
            except FetchError as exc:
                log.append(FetchRecord(source_id=source.id, url=attachment.url, url_key=url_key(attachment.url), fetched_at=now, error=str(exc)))
                failures.append(Failure(source_id=source.id, url=attachment.url, reason=f"attachment: {exc}"))
                continue
            sha = raw.save(reply.body)
            log.append(_logged(source, attachment.url, url_key(attachment.url), now, reply, sha))
            item = item.model_copy(
                update={"sha256": sha, "content_type": reply.content_type, "page_sha256": page_sha, "attachment_url": attachment.url}
            )
        fetched.append(item)
    return fetched, log, failures, skipped_known


def _logged(source: Source, url: str, key: str, now: datetime, reply: Response, sha256: str) -> FetchRecord:
    return FetchRecord(
        source_id=source.id,
        url=url,
        url_key=key,
        fetched_at=now,
        status=reply.status,
        etag=reply.etag,
        last_modified=reply.last_modified,
        sha256=sha256,
        content_type=reply.content_type,
    )
