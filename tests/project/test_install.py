"""An installed fazhi, not the clone: the wheel carries everything a night needs.

A user (or a Prefect work-pool image) installs the wheel and runs `fazhi nightly --demo` from
wherever they are; the site's configuration, hand-written pages, assets and the demo portals
must come from the installed package, and relative paths from the working directory.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import subprocess_env

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def wheel_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, unpacked as pip would install it into site-packages."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = out.glob("fazhi_atlas-*.whl")
    root = out / "site-packages"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(root)
    return root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_wheel_runs_the_demo_night_from_an_empty_folder_and_serves_the_site(wheel_root: Path, tmp_path: Path) -> None:
    work = tmp_path / "anywhere"
    work.mkdir()
    env = subprocess_env(PYTHONPATH=str(wheel_root))  # the wheel's modules win over the clone's editable install
    where = subprocess.run([sys.executable, "-c", "import flows, sitegen, parsers; print(flows.__file__, sitegen.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert where.stdout.split() == [str(wheel_root / "flows" / "__init__.py"), str(wheel_root / "sitegen" / "__init__.py")]

    night = subprocess.run([sys.executable, "-m", "flows.cli", "nightly", "--demo", "--quiet"], cwd=work, env=env,
                           capture_output=True, text=True, timeout=600)
    assert night.returncode == 0, night.stdout[-2000:] + night.stderr[-3000:]
    assert (work / "public" / "index.html").exists() and (work / "public" / "404.html").exists()
    assert (work / "public" / "methodology" / "index.html").exists()  # a hand-written page, from the package
    assert (work / "public" / "assets" / "fazhi.css").exists()
    assert (work / "data" / "build" / "docs").is_dir()  # generated pages under the working directory's data/

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--port", str(port)], cwd=work, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    assert "法治地图" in response.read().decode("utf-8")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=10)
