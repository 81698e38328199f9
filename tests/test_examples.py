"""Every script in examples/ runs to the end on a small budget.

Each runs as a subprocess with TSGATE_EXAMPLE_BUDGET=small (a few epochs),
from an empty working directory, with --out pointing to a temporary folder:
nothing may be written anywhere else.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
TIMEOUT_S = 90  # per script; each takes a few seconds with the small budget


def test_the_examples_are_there():
    names = {p.stem for p in SCRIPTS}
    assert {"quickstart", "grid_search", "exogenous", "several_series", "backtest",
            "cpu_vs_cuda"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_example_runs(script, tmp_path):
    out, cwd = tmp_path / "out", tmp_path / "cwd"
    cwd.mkdir()
    env = {**os.environ, "TSGATE_EXAMPLE_BUDGET": "small", "MPLBACKEND": "Agg"}
    env.pop("TSGATE_EXAMPLE_OUT", None)
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(script), "--out", str(out)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    seconds = time.perf_counter() - started
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    assert proc.stdout.strip(), f"{script.name} printed nothing"
    assert list(cwd.iterdir()) == [], f"{script.name} wrote into its working directory"
    assert seconds < TIMEOUT_S
