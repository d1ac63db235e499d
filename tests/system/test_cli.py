import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import build_parser, main
from parsers import extractor_version
from tests.conftest import SEEDS, demo_file, seed_path

COMMANDS = ("nightly", "extract", "evaluate", "serve", "schedule", "releases", "diff", "verify", "build-site", "reextract", "publish")


@pytest.mark.parametrize("name", ["chuanxi", "xihu", "yongjia", "hujiertai"])
def test_extract_prints_the_design_record_for_txt_html_docx_and_pdf(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    for path in (seed_path(name), demo_file(name)):
        assert main(["extract", str(path)]) == 0
        record = json.loads(capsys.readouterr().out)
        assert {"report", "observations", "flags"} <= set(record)
        assert record["extractor_version"] == extractor_version()  # which rules made it
        assert record["observations"], path
        for o in record["observations"]:
            assert {"indicator", "value", "unit", "qualifier", "quote", "start", "end"} <= set(o)
            assert isinstance(o["value"], float) and o["qualifier"] in ("exact", "at_least", "approx")


def test_version_names_the_code_and_the_extractor(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert re.fullmatch(rf"fazhi 0\.1\.0(\+git\.\S+)? \(extractor {extractor_version()}\)\n", capsys.readouterr().out)


def test_extract_of_a_directory_is_json_lines_one_per_file_in_one_process() -> None:
    run = subprocess.run([sys.executable, "-m", "flows.cli", "extract", str(SEEDS)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["report"]["place"]["township"] for r in records] == ["胡吉尔台乡", "船溪乡", "西湖镇", "西仓镇", "永加乡"]


def test_extract_of_an_unreadable_file_is_a_clear_error_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    assert main(["extract", str(bad), str(seed_path("xihu"))]) == 2
    captured = capsys.readouterr()
    assert "broken.pdf" in captured.err and "not a readable PDF" in captured.err
    assert json.loads(captured.out)["report"]["place"]["township"] == "西湖镇"  # the other file still done


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples(command: str) -> None:
    help_text = build_parser()._subparsers._group_actions[0].choices[command].format_help()  # type: ignore[union-attr]
    assert "examples:" in help_text and f"fazhi {command}" in help_text


def test_verify_and_releases_on_an_empty_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["releases", "--data", str(tmp_path)]) == 0
    assert "no releases" in capsys.readouterr().out
    assert main(["verify", "--data", str(tmp_path)]) == 2
    assert "no release" in capsys.readouterr().err


def test_nightly_with_a_broken_sources_file_names_the_file_entry_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - id: ok\n    name: x\n    listing: [http://a.gov.cn/]\n  - id: Bad Id\n    name: y\n    listing: []\n", encoding="utf-8")
    assert main(["nightly", "--sources", str(sources), "--data", str(tmp_path / "d"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"{sources}: entry 2 (Bad Id)" in err and "id:" in err and "listing:" in err


def test_evaluate_prints_scores_per_indicator_and_overall(capsys: pytest.CaptureFixture[str]) -> None:
    gold = Path(__file__).parents[1] / "gold"
    assert main(["evaluate", str(gold), str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("TRAINING score")
    assert out.splitlines()[1].split() == ["indicator", "tp", "fp", "fn", "precision", "recall", "f1"]
    overall = next(line for line in out.splitlines() if line.startswith("overall")).split()
    assert int(overall[1]) + int(overall[3]) == sum(
        1 for p in gold.glob("*.jsonl") if p.name != "canonical.jsonl" for line in p.read_text().splitlines() if line
    )
    # the seeds' identification labels (.meta.json beside the texts) are scored too
    lines = out.splitlines()
    heading = lines.index("identification (TRAINING score, 5 documents)")
    rows = {line.split()[0]: line.split()[1:3] for line in lines[heading + 2:heading + 10]}
    assert set(rows) == {"township", "county", "prefecture", "province", "year", "published", "level", "kind"}
    assert rows["township"] == ["5", "5"]


def test_a_terminal_gets_a_rich_progress_bar_per_stage() -> None:
    """Stage announcements drawn as rich bars when stdout is a terminal (a pseudo-terminal here)."""
    import os
    import pty
    import subprocess
    import sys

    script = ("import sys; from flows.cli import _progress; from flows.run.progress import announce\n"
              "with _progress(False):\n"
              "    [announce('discover+fetch+extract', n, 4) for n in range(5)]; announce('merge', 0, 1); announce('merge', 1, 1)\n")
    leader, follower = pty.openpty()
    run = subprocess.run([sys.executable, "-c", script], stdout=follower, stderr=subprocess.PIPE, timeout=60, env={**os.environ, "COLUMNS": "100"})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert run.returncode == 0, run.stderr
    assert "4/4" in screen and "1/1" in screen and "━" in screen  # the bar and its count
    assert "· " not in screen  # not the plain lines of a pipe
