"""Fixtures named for what they give: seed texts, the demo portals on 127.0.0.1, a fresh store."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
# Prefect's temporary server gets a generous start-up on a busy machine (the default 20 s was
# not enough with other work on both cores); kept in the subprocesses of the tests too.
STARTUP_TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
os.environ.setdefault(STARTUP_TIMEOUT, "180")
# Prefect's home (its database) for this test process alone: the suite can run on several workers
# (pytest-xdist), and the `fazhi` subprocesses' temporary servers must neither share one SQLite
# database across workers nor touch the developer's ~/.prefect. Removed at the end of the session.
PREFECT_HOME = tempfile.mkdtemp(prefix=f"fazhi-prefect-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")
os.environ["PREFECT_HOME"] = PREFECT_HOME


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a `fazhi` subprocess: no Prefect settings of the developer's (no API
    URL: the run must use its own temporary server), except the start-up timeout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "FAZHI_CRASHPOINT"}
    env[STARTUP_TIMEOUT] = os.environ[STARTUP_TIMEOUT]
    env["PREFECT_HOME"] = PREFECT_HOME
    env.update(extra)
    return env



def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(PREFECT_HOME, ignore_errors=True)


FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"
PORTALS = Path(__file__).parents[1] / "flows" / "demo" / "portals"
SEED_NAMES = {
    "hujiertai": "000_7010dd9c386ad858.txt",
    "chuanxi": "001_8983b31abeb2f5d4.txt",
    "xihu": "002_305d130960f209a2.txt",
    "xicang": "003_182556944e2e6830.txt",
    "yongjia": "004_7cb437c8e199826f.txt",
}
# The same reports as the demo portals publish them.
DEMO_FILES = {
    "hujiertai": "nilka/zwgk/fzzfjsndbg/202501/t20250120_1001.html",
    "chuanxi": "chenxi/art/2022/11/29/art_4521_2088.html",
    "xihu": "region/__local/A/3F/xihu_2024_fzjs.docx",
    "xicang": "region/info/1046/31805.htm",
    "yongjia": "region/__local/B/7C/yongjia_2024_fzzf.pdf",
}


def seed_path(name: str) -> Path:
    return SEEDS / SEED_NAMES[name]


def seed_text(name: str) -> str:
    return seed_path(name).read_text(encoding="utf-8")


def demo_file(name: str) -> Path:
    return PORTALS / DEMO_FILES[name]


@pytest.fixture
def demo_portals():  # type: ignore[no-untyped-def]
    """The three demo government portals, each on its own 127.0.0.1 port."""
    from flows.demo.server import serve_portals

    with serve_portals() as portals:
        yield portals


@pytest.fixture
def demo_sources_file(demo_portals, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    from flows.demo.server import demo_sources_yaml

    path = tmp_path / "sources.yaml"
    path.write_text(demo_sources_yaml(demo_portals), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throwaway Prefect API for the whole session (Prefect's own testing guide)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=int(os.environ[STARTUP_TIMEOUT])):
        yield


@dataclass(frozen=True)
class DemoNight:
    """One demo night, run once for the session and shared by the tests that only read what it
    left (a night costs seconds; the suite ran it a dozen times). Read, never write, its folders:
    a test that runs a second night copies ``data`` first (copy_demo_data)."""

    portals: dict  # name → flows.demo.server.Portal, served for the whole session
    sources_file: Path
    data: Path
    out: Path
    summary: object  # flows.records.RunSummary
    trees: int  # BeautifulSoup trees built during the night, in this process (the night's threads)


@pytest.fixture(scope="session")
def session_portals() -> Iterator[dict]:
    """The demo portals on 127.0.0.1 for the whole session (their ports are in the shared night's URLs)."""
    from flows.demo.server import serve_portals

    with serve_portals() as portals:
        yield portals


@pytest.fixture(scope="session")
def demo_night(prefect_harness: None, session_portals: dict, tmp_path_factory: pytest.TempPathFactory) -> DemoNight:
    """The nightly flow once over the demo portals, counting the BeautifulSoup trees it builds."""
    import bs4

    from flows.demo.server import demo_sources_yaml
    from flows.nightly import nightly

    root = tmp_path_factory.mktemp("demo-night")
    sources = root / "sources.yaml"
    sources.write_text(demo_sources_yaml(session_portals), encoding="utf-8")
    built = [0]
    original = bs4.BeautifulSoup.__init__

    def counting(self: bs4.BeautifulSoup, *args: object, **kwargs: object) -> None:
        built[0] += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bs4.BeautifulSoup, "__init__", counting)
        summary = nightly(sources_file=sources, data_dir=root / "data", out_dir=root / "public")
    for portal in session_portals.values():
        portal.requests.clear()
    return DemoNight(session_portals, sources, root / "data", root / "public", summary, built[0])


def copy_demo_data(night: DemoNight, target: Path) -> Path:
    """The shared night's data folder copied, for a test that runs another night on it."""
    shutil.copytree(night.data, target, ignore=shutil.ignore_patterns(".lock"))
    return target


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server (moto) on 127.0.0.1, for the state's and the site's buckets."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def fake_s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials boto3 takes from the environment, for the loopback server only."""
    for key, value in {"AWS_ACCESS_KEY_ID": "fazhi", "AWS_SECRET_ACCESS_KEY": "fazhi", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
