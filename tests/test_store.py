import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from flows import store
from flows.records import Night
from tests.helpers import NOW, all_seeds, harvested


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("reports", "revisions", "observations", "fetch_log")}
    finally:
        conn.close()


def test_merge_adds_reports_with_their_figures(tmp_path: Path) -> None:
    db = tmp_path / "fazhi.sqlite"
    with store.open_store(db) as conn:
        result = store.merge(conn, Night.of(NOW, all_seeds()))
        assert len(result.new) == 5 and not result.revised
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        value = conn.execute("SELECT value FROM observations WHERE indicator = 'disputes_mediated' AND canonical = 1 AND quote LIKE '%157起'").fetchone()
        assert value[0] == 157
    assert counts(db)["revisions"] == 5


def test_merge_twice_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "fazhi.sqlite"
    with store.open_store(db) as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        before = (counts(db), store.fingerprint(conn))
        result = store.merge(conn, Night.of(NOW + timedelta(days=1), all_seeds()))
        assert len(result.unchanged) == 5 and not result.new and not result.revised
        assert (counts(db), store.fingerprint(conn)) == before


def test_a_changed_text_is_a_new_revision_and_the_old_one_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "fazhi.sqlite"
    original = harvested("chuanxi")
    changed_text = original.extraction.original.replace("共成功調解矛盾糾紛157起", "共成功調解矛盾糾紛160起")
    with store.open_store(db) as conn:
        store.merge(conn, Night.of(NOW, [original]))
        result = store.merge(conn, Night.of(NOW + timedelta(days=1), [harvested("chuanxi", changed_text)]))
        assert result.revised == [store.report_id("demo", "/chuanxi.html")]
        rows = conn.execute(
            "SELECT revision, value FROM observations WHERE indicator = 'disputes_mediated' AND canonical = 1 ORDER BY revision"
        ).fetchall()
        assert [tuple(r) for r in rows] == [(1, 157), (2, 160)]
        assert conn.execute("SELECT current_revision FROM reports").fetchone()[0] == 2


def test_a_failing_merge_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "fazhi.sqlite"
    with store.open_store(db) as conn:
        store.merge(conn, Night.of(NOW, [harvested("xihu")]))
    before = counts(db)
    bad = harvested("yongjia")
    broken = bad.model_copy(update={"extraction": bad.extraction.model_copy(update={"text": None})})  # not storable
    with store.open_store(db) as conn, pytest.raises(AttributeError):  # None has no .encode: fails mid-merge
        store.merge(conn, Night.of(NOW, [harvested("chuanxi"), broken]))
    assert counts(db) == before


def test_url_key_ignores_scheme_host_and_port() -> None:
    assert store.url_key("http://127.0.0.1:4000/info/1046/1.htm?x=1#top") == store.url_key("https://www.a.gov.cn/info/1046/1.htm?x=1")


def test_the_township_code_column_is_added_and_filled_from_stored_records(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "fazhi.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(store.MIGRATIONS[:3]):  # a store as the previous schema left it
        conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number + 1}; COMMIT;")
    conn.close()
    with store.open_store(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        store.merge(conn, Night.of(NOW, all_seeds()))
        codes = dict(conn.execute("SELECT url_key, township_code FROM reports").fetchall())
    assert codes["/xicang.html"] == "623026102" and all(len(c) == 9 for c in codes.values())
