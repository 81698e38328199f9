"""Importing tsgate has no side effects and needs no particular BLAS.

Each case runs in a fresh interpreter: what ``import tsgate`` does happens once
per process.
"""
import json
import os
import subprocess
import sys

import pytest

import tsgate

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
def numba_cache(tmp_path_factory):
    """Where the cases' Numba cache goes: beside the kernels, as in the rest of the
    suite, when that folder is writable (Numba's own choice then); else one folder
    for every case, so that only the first compiles. Never under HOME or TMPDIR."""
    kernels = os.path.join(os.path.dirname(tsgate.__file__), "kernels")
    if os.environ.get("NUMBA_CACHE_DIR") or os.access(kernels, os.W_OK):
        return os.environ.get("NUMBA_CACHE_DIR")
    return str(tmp_path_factory.mktemp("numba"))


def _env(numba_cache, **extra):
    env = dict(os.environ, **extra)
    if numba_cache:
        env["NUMBA_CACHE_DIR"] = numba_cache
    return env


@pytest.fixture(scope="module")
def reference(numba_cache):
    """Predictions of a process that sees no BLAS at all."""
    return _run("none", _env(numba_cache))["pred"]


def _files_under(folder):
    return sorted(os.path.join(d, f) for d, _, files in os.walk(folder) for f in files)


@pytest.mark.parametrize("blas", sorted(BLAS_REPORTS))
def test_import_writes_nothing_changes_no_env_and_works_with_any_blas(blas, tmp_path, reference,
                                                                      numba_cache):
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    env = _env(numba_cache, HOME=str(home), TMPDIR=str(tmp), XDG_CACHE_HOME=str(home / ".cache"))
    result = _run(blas, env)
    assert not result["env_changed"]
    assert _files_under(home) == [] and _files_under(tmp) == []
    # the products are tsgate's own: the same bits whatever BLAS is reported
    assert result["pred"] == reference


def test_import_compiles_nothing_and_leaves_the_numba_cache_untouched(tmp_path):
    """The kernels (and the matrix product a cold cache compiles, about 0.7 s
    that made a first ``import tsgate`` take 0.9 s) wait for the first fit."""
    cache = tmp_path / "numba"
    cache.mkdir()
    code = ("import sys, tsgate; "
            "print(sorted(m for m in sys.modules if m.startswith('tsgate.kernels.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, NUMBA_CACHE_DIR=str(cache)), check=True)
    assert done.stdout.strip() == "['tsgate.kernels.cellmath']"
    assert _files_under(cache) == []


# ------------------------------------------------------------ import graph
# Which of tsgate's modules import which, read from the source with ``ast``:
# every ``import``/``from ... import`` anywhere in a module (at the top, in a
# function, under ``if``/``try``), relative imports resolved against the
# module's package. Importing ``tsgate.a.b`` runs ``tsgate/__init__.py``,
# ``tsgate/a/__init__.py`` and then ``tsgate.a.b``; the edges of a module M:
#
# * the imported module itself (``import tsgate.a.b``, ``from tsgate.a.b
#   import f``), and each imported name that is a submodule (``from . import
#   config`` -> ``tsgate.config``);
# * the packages on the way there (their ``__init__`` runs), EXCEPT M's own
#   ancestors: Python runs a parent package's ``__init__`` before any of its
#   children, so a child reaching its parent implicitly (``from . import
#   config`` inside ``tsgate.engine``, the ``tsgate/__init__`` before every
#   ``tsgate.x``) never re-enters it. Counting those would make every module
#   depend on ``tsgate/__init__``, which imports the whole library.
# * a parent named explicitly IS an edge: ``from .. import name`` where the
#   name is defined in the parent's ``__init__`` (not a submodule), ``import
#   tsgate`` -- the child then needs the parent's ``__init__`` to be done.
#
# A cycle in this graph is a pair of modules each needing the other: it works
# only while one side imports lazily or late, and breaks on the next
# refactoring that moves an import to the top.
import ast  # noqa: E402
from pathlib import Path  # noqa: E402

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "tsgate"


def _module_names():
    """{dotted module name: source path} of every module under tsgate/."""
    names = {}
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        parts = ("tsgate",) + path.relative_to(PACKAGE_ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _resolve(module, path, level, target):
    """The absolute name of ``from <level dots><target> import ...`` in ``module``."""
    if level == 0:
        return target
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[:len(package) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _edges(module, imported, names, modules):
    """Modules that ``module`` needs to import ``imported`` (and ``names`` from it)."""
    parts = imported.split(".")
    edges = {".".join(parts[:i]) for i in range(1, len(parts))}  # packages on the way
    edges = {p for p in edges if not module.startswith(p + ".")}  # minus the ancestors
    if names is None:  # import a.b.c
        return edges | {imported}
    submodules = {f"{imported}.{n}" for n in names if f"{imported}.{n}" in modules}
    edges |= submodules
    if len(submodules) < len(names) or not module.startswith(imported + "."):
        edges.add(imported)  # a name defined in it, or a module outside M's ancestors
    return edges


def import_graph():
    """{module: set of tsgate modules it imports} over all of tsgate."""
    modules = _module_names()
    graph = {}
    for module, path in modules.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    edges |= _edges(module, alias.name, None, modules)
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(module, path, node.level, node.module)
                edges |= _edges(module, source, [a.name for a in node.names], modules)
        graph[module] = {e for e in edges if e in modules and e != module}
    return graph


def find_cycle(graph, nodes=None):
    """One cycle as a list [m0, m1, ..., m0], or None; depth-first, deterministic."""
    done, path, on_path = set(), [], set()

    def visit(node):
        path.append(node)
        on_path.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in on_path:
                return path[path.index(nxt):] + [nxt]
            if nxt not in done:
                found = visit(nxt)
                if found:
                    return found
        on_path.discard(path.pop())
        done.add(node)
        return None

    for start in sorted(graph if nodes is None else nodes):
        if start not in done:
            found = visit(start)
            if found:
                return found
    return None


def test_import_graph_reader():
    """The reader sees lazy, relative and package imports (guards the cycle test)."""
    graph = import_graph()
    assert "tsgate.config" in graph["tsgate.engine.network"]   # from .. import config
    assert "tsgate.kernels.cpu" in graph["tsgate.kernels.cpu.serial"]  # absolute, package
    assert "tsgate.kernels.cpu.sequence" in graph["tsgate.regressors"]  # relative, in a method
    assert "tsgate.kernels.cuda" in graph["tsgate.backend"]   # inside a function
    assert "tsgate" not in graph["tsgate.metrics"]             # no implicit parent edge
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_without_a_writable_cache_location_the_kernels_compile_in_memory(monkeypatch):
    """Numba's cache=True raised at decoration where no cache folder was
    writable (a read-only container): ``import tsgate`` failed."""
    from tsgate import _jitcache

    def refusing(**options):
        raise RuntimeError("cannot cache function '_probe': no locator available")

    monkeypatch.setattr(_jitcache, "_plain_njit", refusing)
    assert _jitcache.can_cache() is False
    monkeypatch.undo()
    assert _jitcache.can_cache() is True  # this checkout's folders are writable


@pytest.mark.parametrize("read_only", ["checkout", "kernels"])
def test_import_and_forecast_on_a_read_only_file_system(tmp_path, read_only):
    """The package and the home read-only, no NUMBA_CACHE_DIR: simulated with
    read-only bind mounts in a private mount namespace, where the machine
    allows one (root or user namespaces), else skipped. The CUDA kernels'
    module too: its ``cuda.jit(cache=True)`` raised "no locator available".
    ``kernels``: only the kernels' folder read-only (a partly read-only
    install), where the probe of the package's top folder said "cache"."""
    import shutil
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    root = os.path.dirname(os.path.dirname(tsgate.__file__))
    home = tmp_path / "home"
    home.mkdir()
    code = ("import tsgate, tsgate.kernels.cuda, numpy as np; X = np.ones((12, 4, 1), np.float32); "
            "print(tsgate.GRURegressor(hidden_size=2, max_iter=1).fit(X, X[:, -1, 0]).n_iter_)")
    folder = root if read_only == "checkout" else os.path.join(root, "tsgate", "kernels")
    script = (f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder} && "
              f"mount --bind {home} {home} && mount -o remount,ro,bind {home} && "
              f"cd {tmp_path} && HOME={home} {sys.executable} -c '{code}'")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                           capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("no private mount namespace here")
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "bash", "-c", script],
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    if "mount:" in done.stderr and done.returncode != 0:
        pytest.skip(f"read-only bind mounts refused: {done.stderr.strip()[:200]}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "1"


def test_disabled_jit_is_refused_at_import_with_its_fix():
    """NUMBA_DISABLE_JIT=1: the import died inside a cfunc's compilation with
    a TypingError (a warm cache: the first fit, on an intrinsic)."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    done = subprocess.run([sys.executable, "-c", "import tsgate"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "ImportError: tsgate's kernels are compiled by Numba and cannot run as plain Python: "
        "unset NUMBA_DISABLE_JIT (it is set here) to use tsgate.")


def test_the_cli_keeps_numbas_advice_for_a_missing_threading_layer():
    import importlib.util

    if importlib.util.find_spec("tbb") is not None:
        pytest.skip("TBB is installed: the threading layer loads")
    env = dict(os.environ, NUMBA_THREADING_LAYER="tbb")
    code = ("import sys, tsgate.config as c; c.PARALLEL_MIN_WORK = 0; from tsgate.cli import "
            "main; sys.exit(main(['forecast', '--dataset', 'airline', '--horizon', '3', "
            "'--max-iter', '2']))")  # every pass on the parallel kernels
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("tsgate: error: No threading layer could be loaded")
    assert "tbb" in done.stderr.lower().split("loaded", 1)[1]  # Numba's hint, kept


def test_a_fit_too_small_for_the_parallel_kernels_starts_no_threading_layer():
    """Every fit asked Numba for its thread count, which starts the
    threading layer: after the smallest fit a fork child that ran parallel
    kernels died (GNU OpenMP) and its Pool waited forever, and a
    NUMBA_THREADING_LAYER not installed failed fits that run no parallel
    kernel."""
    import importlib.util

    code = ("import numpy as np, pandas as pd, warnings, tsgate\n"
            "from numba.np.ufunc import parallel\n"
            "warnings.simplefilter('ignore')\n"
            "y = pd.Series(np.sin(np.arange(48.0)), index=pd.date_range('2020', periods=48, "
            "freq='MS'))\n"
            "m = tsgate.GRUForecaster(horizon=3, hidden_size=4, max_iter=2, random_state=0)\n"
            "m.fit(y).predict_interval()\n"
            "print(parallel._is_initialized)")
    env = dict(os.environ)
    if importlib.util.find_spec("tbb") is None:
        env["NUMBA_THREADING_LAYER"] = "tbb"  # not installed: a started layer would fail
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
