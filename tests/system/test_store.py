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


FACTS_DIFFER = """SELECT count(*) FROM revisions v LEFT JOIN revision_facts f ON f.report_id = v.report_id AND f.revision = v.revision
    WHERE f.report_id IS NULL OR f.flags IS NOT v.flags
       OR f.kind IS NOT json_extract(v.report, '$.kind') OR f.year IS NOT json_extract(v.report, '$.year')
       OR f.township IS NOT json_extract(v.report, '$.place.township') OR f.county IS NOT json_extract(v.report, '$.place.county')
       OR f.province IS NOT json_extract(v.report, '$.place.province') OR f.adcode IS NOT json_extract(v.report, '$.place.adcode')
       OR f.township_code IS NOT json_extract(v.report, '$.place.township_code')
       OR f.published_on IS NOT json_extract(v.report, '$.published_on')
       OR f.fetched_at IS NOT v.fetched_at OR f.raw_sha256 IS NOT v.raw_sha256 OR f.sha256 IS NOT v.sha256"""


def test_revision_facts_follow_every_write_of_a_revision_and_fill_on_migration(tmp_path: Path) -> None:
    """The plain columns a release reads are the record's, after a merge, a new revision, a
    re-identification written over a revision (as `fazhi reextract` does), and in a store migrated
    from before they existed."""
    path = tmp_path / "fazhi.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(store.MIGRATIONS[:5]):  # the schema before revision_facts
        conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number + 1}; COMMIT;")
    conn.close()
    with store.open_store(path) as conn:
        store.merge(conn, Night.of(NOW, all_seeds()))
        assert conn.execute(FACTS_DIFFER).fetchone()[0] == 0
        conn.execute("DELETE FROM revision_facts")  # as a store migrated with revisions in it: filled by the migration
        conn.executescript(f"BEGIN; {store.MIGRATIONS[5]}; COMMIT;")
        assert conn.execute(FACTS_DIFFER).fetchone()[0] == 0 and conn.execute("SELECT count(*) FROM revision_facts").fetchone()[0] == 5
        original = harvested("chuanxi").extraction.original
        store.merge(conn, Night.of(NOW + timedelta(hours=1), [harvested("chuanxi", original.replace("矛盾糾紛157起", "矛盾糾紛160起"))]))
        conn.execute("""UPDATE revisions SET report = json_set(report, '$.place.township', '别的镇', '$.year', 2019),
                            flags = json_array(json_object('code', 'x', 'detail', 'y')) WHERE revision = 1""")
        conn.execute("UPDATE revisions SET sha256 = 'c' || sha256 WHERE revision = 2")  # a normalisation rule changed the text (reextract)
        assert conn.execute(FACTS_DIFFER).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM revision_facts WHERE township = '别的镇' AND year = 2019").fetchone()[0] == 5
