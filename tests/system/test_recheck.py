"""--recheck asks a report's attachment conditionally too: a portal replaces the .docx behind a
stub page that stays the same (and answers 304)."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx  # python-docx: the demo's attachment is edited as a portal's editor would

from flows import store
from flows.demo.server import demo_sources_yaml, serve_portals
from flows.harvest.context import SourceNight
from flows.harvest.http import HttpClient
from flows.harvest.registry import parse_sources
from flows.harvest.source import harvest_source
from flows.records import MergeResult, Night
from flows.store.raw import RawStore
from tests.conftest import PORTALS
from tests.helpers import NOW

STUB = "/info/1046/30167.htm"
ATTACHMENT = "/__local/A/3F/xihu_2024_fzjs.docx"


def night(portals_root: Path, data: Path, night_number: int, *, recheck: bool) -> tuple[MergeResult, list[tuple[str, int]], list[str]]:
    """One night of the region portal (stub pages and their attachments): what the merge did, the
    requests the portal answered (path, status), and the failures."""
    with serve_portals(portals_root) as portals:
        source = next(s for s in parse_sources(demo_sources_yaml(portals), "demo") if s.id == "region")
        with store.open_store(data / "fazhi.sqlite") as conn:
            known, validators = store.known_keys(conn), store.validators(conn)
            attachments = store.attachment_validators(conn)
        now = NOW.replace(day=NOW.day + night_number)
        harvest = harvest_source(SourceNight(HttpClient(allow_private=True), source, RawStore(data / "raw"), now, known=known,
                                             validators=validators, recheck=recheck, attachments=attachments))
        with store.open_store(data / "fazhi.sqlite") as conn:
            merged = store.merge(conn, Night(now=now, harvests=[harvest]))
        requests = [(path, status) for _, path, status in portals["region"].requests]
    return merged, requests, [f.reason for f in harvest.failures]


def test_an_attachment_replaced_behind_an_unchanged_stub_page_is_a_new_revision(tmp_path: Path) -> None:
    portals = tmp_path / "portals"
    shutil.copytree(PORTALS, portals)
    data = tmp_path / "data"
    first, _, failures = night(portals, data, 0, recheck=False)
    assert failures == [] and len(first.new) == 3

    calm, requests, failures = night(portals, data, 1, recheck=True)  # nothing changed: the stub and its file both answer 304
    assert failures == [] and (calm.revised, calm.new) == ([], [])
    assert (STUB, 304) in requests and (ATTACHMENT, 304) in requests

    attachment = portals / "region" / ATTACHMENT.lstrip("/")
    document = docx.Document(str(attachment))
    paragraph = next(p for p in document.paragraphs if "人民调解员53人" in p.text)
    paragraph.text = paragraph.text.replace("人民调解员53人", "人民调解员58人")
    document.save(str(attachment))

    revised, requests, failures = night(portals, data, 2, recheck=True)
    assert failures == []
    assert (STUB, 304) in requests and (ATTACHMENT, 200) in requests  # the page is the same; the file is asked and is new
    (report_id,) = revised.revised
    with store.open_store(data / "fazhi.sqlite") as conn:
        text, page_url = conn.execute("SELECT v.text, r.url FROM reports r JOIN revisions v ON v.report_id = r.report_id"
                                      " AND v.revision = r.current_revision WHERE r.report_id = ?", (report_id,)).fetchone()
        assert store.attachment_validators(conn)[("region", store.url_key(page_url))].url.endswith(ATTACHMENT)
    assert "人民调解员58人" in text and page_url.endswith(STUB)  # the report keeps its page's identity, with the file's new text

    quiet, requests, failures = night(portals, data, 3, recheck=True)  # the new file's validators were kept: 304 again
    assert failures == [] and quiet.revised == [] and (ATTACHMENT, 304) in requests


def test_a_stored_attachment_follows_its_page_to_the_host_it_moved_to() -> None:
    from flows.harvest.fetch import _moved_with_page

    page_then, page_now = "http://www.x.gov.cn/info/1.htm", "https://x.gov.cn/info/1.htm"
    assert _moved_with_page("http://www.x.gov.cn/f/a.docx?id=2", page_then, page_now) == "https://x.gov.cn/f/a.docx?id=2"
    assert _moved_with_page("http://127.0.0.1:8001/f/a.docx", "http://127.0.0.1:8000/i.htm", "http://127.0.0.1:9000/i.htm") == \
        "http://127.0.0.1:9000/f/a.docx"
    assert _moved_with_page("http://files.x.gov.cn/f/a.docx", page_then, page_now) == "http://files.x.gov.cn/f/a.docx"  # another host: stays
