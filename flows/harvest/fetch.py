"""Fetch the reports discovery took: the article page, and the attachment when the page is a stub."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from flows.harvest.context import SourceNight
from flows.harvest.http import FetchError, Response
from flows.records import Failure, Fetched, FetchedReport, FetchRecord, FetchResult, Gone, Unread
from flows.run.stop import NIGHT
from flows.store.keys import url_key
from parsers import (
    Classified,
    Document,
    Link,
    LinkDecision,
    Source,
    UnreadableDocument,
    classify_attachment,
    classify_page,
    extract_report,
    with_listing_title,
)

GONE_STATUSES = (404, 410)


def fetch_reports(night: SourceNight, decisions: list[LinkDecision]) -> FetchResult:
    """Fetch every taken link not stored yet, and with ``night.recheck`` the stored ones again
    (conditionally: an unchanged page answers 304; then a report read from an attachment asks
    for the attachment conditionally too, ``night.attachments``, since a portal replaces the file
    behind an unchanged page).
    Each page is parsed once, as it arrives
    (parsers.classify_page): a stub's attachment is fetched and read, an error page or a text that
    is not a report is a failure, and a report goes on with its parsed document."""
    reports: list[FetchedReport] = []
    log: list[FetchRecord] = []
    failures: list[Failure] = []
    gone: list[Gone] = []
    skipped_known = 0
    client, source, raw, now, recheck = night.client, night.source, night.raw, night.now, night.recheck
    domains, ports, convert = night.domains, night.ports, night.convert
    taken = [d for d in decisions if d.take]
    for position, decision in enumerate(taken):
        link = decision.link
        if NIGHT.stopped:  # one line for what is left, not one per link
            left = [d for d in taken[position:] if recheck or not night.is_known(url_key(d.link.url))]
            if left:
                failures.append(Failure(source_id=source.id, url=left[0].link.url, reason=f"{NIGHT.reason}: {len(left)} link(s) not fetched"))
            break
        key = url_key(link.url)
        is_known = night.is_known(key)
        if is_known and not recheck:
            skipped_known += 1
            continue
        last = night.validators.get((source.id, key)) if is_known else None
        try:
            page = client.get(link.url, allowed_domains=domains, rate=source.rate_per_second, ports=ports,
                              etag=last.etag if last else None, last_modified=last.last_modified if last else None)
        except FetchError as exc:
            log.append(_failed(source, link.url, now, exc))
            if is_known and exc.status in GONE_STATUSES:
                gone.append(Gone(source_id=source.id, url_key=key, status=exc.status or 0))
            else:
                failures.append(Failure(source_id=source.id, url=link.url, reason=str(exc)))
            continue
        if page.not_modified:
            # A recheck is a fetch-log entry (status 304, no body): the store moves the report's
            # last_checked from it, so how long a report stays online can be measured (issue 26).
            log.append(FetchRecord(source_id=source.id, url=link.url, url_key=key, fetched_at=now, status=page.status or 304,
                                   etag=page.etag or (last.etag if last else None), last_modified=page.last_modified or (last.last_modified if last else None)))
            behind = night.attachments.get((source.id, key))
            revised = _recheck_attachment(night, link, last, behind, log, failures) if behind else None
            if revised is None:
                skipped_known += 1
            else:
                reports.append(revised)
            continue
        page_sha = raw.save(page.body)
        log.append(_logged(source, link.url, key, now, page, page_sha))
        item = Fetched(source_id=source.id, url=link.url, url_key=key, title=link.title, sha256=page_sha, content_type=page.content_type,
                       listed_on=link.listed_on)
        found = classify_page(page.body, link.url, page.content_type, convert)
        if found.kind == "stub" and found.attachment is not None and found.document is not None:
            attachment = found.attachment
            try:
                if attachment.extension == "images":  # the page's body is images of its pages: fetched, bundled, OCR'd
                    reply = _page_images(night, found.document.images, attachment.url, log)
                else:
                    reply = client.get(attachment.url, allowed_domains=domains, rate=source.rate_per_second, ports=ports)
            except FetchError as exc:
                log.append(_failed(source, attachment.url, now, exc))
                failures.append(Failure(source_id=source.id, url=attachment.url, reason=f"attachment: {exc}"))
                continue
            sha = raw.save(reply.body)
            if attachment.extension != "images":  # the bundle is ours, not a file the portal served: its images are logged
                log.append(_logged(source, attachment.url, url_key(attachment.url), now, reply, sha))
            item = item.model_copy(
                update={"sha256": sha, "content_type": reply.content_type, "page_sha256": page_sha, "attachment_url": attachment.url}
            )
            stub_page = found.document
            found = classify_attachment(stub_page, reply.body, attachment.url, reply.content_type, convert)
        else:
            stub_page = None
        if found.kind != "report" or found.document is None:
            failures.append(_not_read(source, found, link.url, link.title, stub_page))
            continue
        reports.append(FetchedReport(fetched=item, document=found.document))
    return FetchResult(reports=reports, log=log, failures=failures, known=skipped_known, gone=gone)


def _recheck_attachment(night: SourceNight, link: Link, page: FetchRecord | None, attachment: FetchRecord,
                        log: list[FetchRecord], failures: list[Failure]) -> FetchedReport | None:
    """The attachment of a stored report whose page answered 304, asked conditionally: None when it
    is unchanged too (or failed: then a failure says why); else the report read again from the new
    file and the page as stored (a 304 has no body)."""
    source, raw, now, url = night.source, night.raw, night.now, link.url
    if page is None or page.sha256 is None or not raw.has(page.sha256):  # asked first, a new file would be logged and then missed
        failures.append(Failure(source_id=source.id, url=url, reason="the page that links the attachment is not in the raw store: "
                                "its attachment cannot be rechecked"))
        return None
    attachment_url = _moved_with_page(attachment.url, page.url, url)
    try:
        reply = night.client.get(attachment_url, allowed_domains=night.domains, rate=source.rate_per_second,
                                 ports=night.ports, etag=attachment.etag, last_modified=attachment.last_modified)
    except FetchError as exc:
        log.append(_failed(source, attachment_url, now, exc))
        failures.append(Failure(source_id=source.id, url=attachment_url, reason=f"attachment: {exc}"))
        return None
    if reply.not_modified:
        return None
    sha = raw.save(reply.body)
    log.append(_logged(source, attachment_url, attachment.url_key, now, reply, sha))
    stub = classify_page(raw.load(page.sha256), url, page.content_type, night.convert)
    found = classify_attachment(stub.document, reply.body, attachment_url, reply.content_type, night.convert) if stub.document else stub
    if found.kind != "report" or found.document is None:
        failures.append(_not_read(source, found, url, link.title, stub.document))
        return None
    fetched = Fetched(source_id=source.id, url=url, url_key=page.url_key, title=link.title, sha256=sha,
                      content_type=reply.content_type, page_sha256=page.sha256, attachment_url=attachment_url, listed_on=link.listed_on)
    return FetchedReport(fetched=fetched, document=found.document)


MAX_IMAGE_BYTES = 20 * 1024 * 1024  # a page scanned at 300 dpi in colour is 1 to 5 MB


def _page_images(night: SourceNight, images: list[str], bundle_url: str, log: list[FetchRecord]) -> Response:
    """The images of an article whose body is its pages, fetched in order and kept as one .zip
    bundle (members numbered in page order): the raw store then holds one file for the report, and
    a re-extraction reads the same bundle, OCR'd from the cache."""
    source, now = night.source, night.now
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as bundle:
        for number, url in enumerate(images):
            try:
                reply = night.client.get(url, allowed_domains=night.domains, rate=source.rate_per_second, image=True)
            except FetchError as exc:
                log.append(_failed(source, url, now, exc))
                raise FetchError(f"page image {number + 1} of {len(images)}: {exc}", status=exc.status) from exc
            if len(reply.body) > MAX_IMAGE_BYTES:
                raise FetchError(f"{url}: page image of {len(reply.body):,} bytes (cap {MAX_IMAGE_BYTES:,})")
            log.append(_logged(source, url, url_key(url), now, reply, hashlib.sha256(reply.body).hexdigest()))
            bundle.writestr(f"{number:03d}-{url.rsplit('/', 1)[-1].split('?', 1)[0][:80] or 'page'}", reply.body)
    return Response(url=bundle_url, status=200, body=buffer.getvalue(), content_type="application/zip", etag=None, last_modified=None)


def _not_read(source: Source, found: Classified, url: str, title: str = "", page: Document | None = None) -> Failure:
    """The failure for a page or file that is not a report tonight; one that needs a tool not
    installed names the report's page (its key in the store's ``unreadable``), what it needs, and
    what its page and listing title say of it (township, year, kind: see unread_report)."""
    reason = found.reason or f"not a report ({found.kind})"
    if found.needs:
        at = found.url or url
        return Failure(source_id=source.id, url=at, reason=reason, needs=found.needs, unread=unread_report(source, found, at, title, page))
    return Failure(source_id=source.id, url=found.about or url, reason=reason)


def unread_report(source: Source, found: Classified, url: str, title: str, page: Document | None = None) -> Unread:
    """The township, year and kind of a report whose file could not be read, as the pure core
    identifies them from what could be read: the page that links the file (its title, 信息公开
    block, publication date) with the listing's title, or the listing's title alone for a file
    linked directly. The same identification as a read report's, on less text: a title such as
    "船溪乡2024年法治政府建设年度报告" names both; one that names neither leaves them empty."""
    page = page or found.document or Document(url=url, title=title or None, text=title)
    if not page.text.strip():
        page = page.model_copy(update={"text": title})
    file_url = found.about if found.about and found.about != url else None
    try:
        report = extract_report(with_listing_title(page, title) if title else page, source).report
    except (UnreadableDocument, UnicodeError, ValueError, RecursionError):  # a page too odd to identify: the report is still kept
        return Unread(title=title or None, file_url=file_url)
    return Unread(title=report.title or title or None, file_url=file_url, township_code=report.place.township_code, year=report.year,
                  kind=report.kind, published_on=report.published_on)


def _moved_with_page(attachment_url: str, stored_page_url: str, page_url: str) -> str:
    """The attachment's URL on the host the page is listed on tonight, when the file was on the
    page's site: portals move between http and https, ports and www. or not (the demo portals get a
    new port each run), keeping their paths; a file on another host stays where it was."""
    file, old, new = urlsplit(attachment_url), urlsplit(stored_page_url), urlsplit(page_url)
    if _site(file.hostname) != _site(old.hostname) or (file.scheme, file.netloc) == (new.scheme, new.netloc):
        return attachment_url
    return urlunsplit((new.scheme, new.netloc, file.path, file.query, ""))


def _site(host: str | None) -> str:
    """A host name as a portal's moves keep it: without a leading www. (ports differ too)."""
    return (host or "").lower().removeprefix("www.")


def _failed(source: Source, url: str, now: datetime, exc: FetchError) -> FetchRecord:
    """The fetch log's line for a request that failed: the status when there was one, and why."""
    return FetchRecord(source_id=source.id, url=url, url_key=url_key(url), fetched_at=now, status=exc.status, error=str(exc))


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
