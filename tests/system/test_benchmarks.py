"""The national benchmark runs end to end and its table says what happened (figures are not
asserted: speed belongs to the benchmark, not to the tests)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_national_benchmark_quick_mode_prints_every_stage() -> None:
    run = subprocess.run([sys.executable, "benchmarks/national.py", "--quick"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for stage in ("parse+extract+merge", "release", "site (generate + mkdocs build)",
                  "night: merge", "night: release", "night: site (unchanged pages reused)", "incremental night (100 new, 20 revised)"):
        assert stage in out, stage
    assert re.search(r"parse\+extract\+merge, \d+ processes\s+400\s", out)  # 200 townships × 2 years, all merged
    reuse = re.findall(r"\((\d+) rendered, (\d+) reused", out)
    assert len(reuse) == 2 and int(reuse[0][1]) == 0 and int(reuse[1][1]) > int(reuse[1][0]) > 0  # the night re-renders only what changed
