"""Importing tsgate has no side effects and needs no particular BLAS.

Each case runs in a fresh interpreter: what ``import tsgate`` does happens once
per process.
"""
import json
import os
import subprocess
import sys

import pytest

# Simulated threadpoolctl reports: what SciPy's BLAS could be on a user's machine.
BLAS_REPORTS = {
    "openblas": [{"user_api": "blas", "internal_api": "openblas", "num_threads": 2,
                  "filepath": "/nowhere/libscipy_openblas.so", "architecture": "Haswell"}],
    "mkl": [{"user_api": "blas", "internal_api": "mkl", "num_threads": 2,
             "filepath": "/nowhere/libmkl_rt.so.2", "threading_layer": "intel"}],
    "accelerate": [{"user_api": "blas", "internal_api": "accelerate", "num_threads": 2,
                    "filepath": "/System/Library/Frameworks/Accelerate.framework/Accelerate"}],
    "none": [],
}

SCRIPT = r"""
import json, os, sys
import threadpoolctl
report = json.loads(sys.argv[1])
threadpoolctl.threadpool_info = lambda: report  # what tsgate would see, were it to ask
import numba, numpy as np, pandas, sklearn  # noqa: E401 (scikit-learn sets KMP_* variables)
before = dict(os.environ)
import tsgate
env_changed = dict(os.environ) != before
X = np.sin(np.arange(40, dtype=np.float32) / 3)[np.arange(30)[:, None] + np.arange(8)][:, :, None]
reg = tsgate.GRURegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, X[:, -1, 0])
env_changed = env_changed or dict(os.environ) != before
print(json.dumps({"env_changed": env_changed, "pred": reg.predict(X[:3]).tolist()}))
"""


def _run(blas, env):
    out = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(BLAS_REPORTS[blas])],
                         env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def reference():
    """Predictions of a process that sees no BLAS at all."""
    return _run("none", dict(os.environ))["pred"]


def _files_under(folder):
    return sorted(os.path.join(d, f) for d, _, files in os.walk(folder) for f in files)


@pytest.mark.parametrize("blas", sorted(BLAS_REPORTS))
def test_import_writes_nothing_changes_no_env_and_works_with_any_blas(blas, tmp_path, reference):
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    env = dict(os.environ, HOME=str(home), TMPDIR=str(tmp), XDG_CACHE_HOME=str(home / ".cache"))
    env.setdefault("NUMBA_CACHE_DIR", str(tmp_path / "numba"))  # Numba's own cache may be written
    result = _run(blas, env)
    assert not result["env_changed"]
    assert _files_under(home) == [] and _files_under(tmp) == []
    # the products are tsgate's own: the same bits whatever BLAS is reported
    assert result["pred"] == reference
