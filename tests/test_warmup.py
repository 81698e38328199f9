"""``tsgate.warmup``: the kernels a default fit uses are compiled by it."""
import os

import numba
import numpy as np
import pytest

import tsgate
from tsgate import config
from tsgate.kernels import cpu
from tsgate.kernels.cpu import serial


def test_warmup_compiles_the_serial_and_parallel_kernels():
    """Also with one thread (a build container): the parallel builds were left
    out there, and compiled at the first large fit on the deployed machine."""
    threshold = config.PARALLEL_MIN_WORK
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        done = tsgate.warmup(models=("lstm",))
    finally:
        numba.set_num_threads(threads)
    assert done["models"] == ["lstm"] and done["parallel"] and done["seconds"] > 0
    assert done["cached"] is tsgate._jitcache.CACHE
    for kernels in (serial, cpu):  # the small-batch builds and the multi-threaded ones
        assert kernels.lstm_forward.signatures and kernels.lstm_backward.signatures
    assert config.PARALLEL_MIN_WORK == threshold  # restored
    assert tsgate.backend.WARMING == [False]


def test_the_cli_warmup_says_when_nothing_is_kept(monkeypatch, capsys):
    """Without a writable cache it said "compiled into the Numba cache" and
    exited 0: a Docker image then compiled at every start."""
    import importlib

    from numba import config as numba_config

    from tsgate import cli

    monkeypatch.setattr(importlib.import_module("tsgate.warmup"), "CACHE", False)
    monkeypatch.setattr(numba_config, "CACHE_DIR", "")
    assert cli.main(["warmup", "--model", "gru", "--no-parallel"]) == 1
    err = capsys.readouterr().err
    assert "NOT kept" in err and "set NUMBA_CACHE_DIR to a writable folder" in err
    monkeypatch.setattr(numba_config, "CACHE_DIR", "/read-only/cache")  # (set, but unusable:
    assert cli.main(["warmup", "--model", "gru", "--no-parallel"]) == 1  # it was not named)
    assert "NUMBA_CACHE_DIR=/read-only/cache); make NUMBA_CACHE_DIR a writable" in (
        capsys.readouterr().err)


def test_the_cli_warmup_says_where_the_cache_went(monkeypatch, capsys, tmp_path):
    """A NUMBA_CACHE_DIR that Numba cannot use (a path under a file) was passed
    over without a word: the kernels went beside the package and warmup said
    "compiled into the Numba cache", exit 0 (sweep, session 37)."""
    from numba import config as numba_config

    from tsgate import cli

    where = tsgate._jitcache.cache_location()
    assert where and os.path.isdir(where)  # the kernels' cache folder, wherever it is
    assert cli.main(["warmup", "--model", "gru", "--no-parallel"]) == 0
    assert f"({where})" in capsys.readouterr().out
    assert cli.main(["warmup", "--model", "gru", "--no-parallel", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    (tmp_path / "afile").write_text("")
    wanted = str(tmp_path / "afile" / "cache")  # cannot be made
    monkeypatch.setattr(numba_config, "CACHE_DIR", wanted)
    assert cli.main(["warmup", "--model", "gru", "--no-parallel"]) == 1
    err = capsys.readouterr().err
    # where Numba went instead: beside the package, or the home's cache (it was
    # `where` only when no NUMBA_CACHE_DIR was set for the whole run)
    fallback = tsgate._jitcache.cache_location()
    assert fallback and not fallback.startswith(wanted) and os.path.isdir(fallback)
    assert f"into {fallback}, not into NUMBA_CACHE_DIR={wanted}" in err


def test_warmup_replaces_damaged_cache_files(monkeypatch, capsys, tmp_path):
    """A cache file emptied or cut off (a full disk) made every later fit,
    and warmup itself, raise pickle's EOFError from inside Numba, which
    passes over a missing file but not a damaged one (sweep, session 52)."""
    import pickle

    from numba import __version__ as numba_version

    from tsgate import _jitcache, cli

    empty, cut, good, other = (tmp_path / name for name in (
        "a.f-1.py311.nbi", "a.f-1.py311.1.nbc", "b.g-2.py311.nbi", "c.h-3.py311.nbi"))
    empty.write_bytes(b"")
    cut.write_bytes(pickle.dumps((b"x" * 100, 1))[:20])
    good.write_bytes(pickle.dumps(numba_version) + pickle.dumps((1.0, {})))
    other.write_bytes(pickle.dumps("0.1.0") + b"older Numba's layout")  # passed over, as Numba does
    folder = str(tmp_path)
    monkeypatch.setattr(_jitcache, "_kernel_cache_folders", lambda: {folder})
    assert _jitcache.damaged_cache_files() == sorted([str(cut), str(empty)])
    assert cli.main(["warmup", "--model", "gru", "--no-parallel"]) == 0
    assert "replaced 2 damaged cache file(s)" in capsys.readouterr().err
    assert not empty.exists() and not cut.exists() and good.exists() and other.exists()
    assert _jitcache.damaged_cache_files() == []


def test_config_tunables_are_checked_where_they_are_read(monkeypatch):
    """PREDICT_CHUNK=-1 returned an unfilled array as the prediction; 0 for a
    tile size divided by zero."""
    X = np.ones((8, 4, 1), np.float32)
    model = tsgate.GRURegressor(hidden_size=2, max_iter=1, random_state=0)
    model._planned_budget = True  # one epoch on purpose
    model.fit(X, np.ones(8))
    for name, value in (("PREDICT_CHUNK", -1), ("PREDICT_TILE_ROWS", 0), ("TILE_ROWS", 2.5)):
        monkeypatch.setattr(config, name, value)
        with pytest.raises(ValueError, match=f"tsgate.config.{name} must be an integer of at "
                                             "least 1"):
            model.predict(X) if name != "TILE_ROWS" else model.fit(X, np.ones(8))
        monkeypatch.undo()


def test_a_config_tunable_written_as_a_whole_float_is_taken():
    """README and config.py write AUTO_CUDA_MIN_WORK as 1e9; set so, the next
    fit refused it (sweep, session 52)."""
    for name, value, read in (("AUTO_CUDA_MIN_WORK", 1e9, 10**9),
                              ("PARALLEL_MIN_WORK", np.float32(2e7), 2 * 10**7)):
        saved = getattr(config, name)
        setattr(config, name, value)
        try:
            assert config.setting(name, 0) == read and type(config.setting(name, 0)) is int
        finally:
            setattr(config, name, saved)
    saved = config.PREDICT_CHUNK
    config.PREDICT_CHUNK = 0.0
    try:  # (named as set, not as the 0 it reads as)
        with pytest.raises(ValueError, match="PREDICT_CHUNK must be an integer of at least 1, "
                                             "got 0.0;"):
            config.setting("PREDICT_CHUNK")
    finally:
        config.PREDICT_CHUNK = saved
    for bad in (2.5, float("inf"), float("nan")):
        saved = config.TILE_ROWS
        config.TILE_ROWS = bad
        try:
            with pytest.raises(ValueError, match="TILE_ROWS must be an integer"):
                config.setting("TILE_ROWS")
        finally:
            config.TILE_ROWS = saved


@pytest.mark.parametrize("value", ["2", None, -1])
def test_plans_kept_is_checked_where_a_forecaster_plans_its_memory(monkeypatch, value):
    """The memory plan multiplied by config.PLANS_KEPT unchecked: "2" or None
    met a bare TypeError there."""
    monkeypatch.setattr(config, "PLANS_KEPT", value)
    y = tsgate.datasets.load_airline().iloc[:40]
    with pytest.raises(ValueError, match="tsgate.config.PLANS_KEPT must be an integer of at "
                                         "least 0"):
        tsgate.GRUForecaster(horizon=2, n_models=1, hidden_size=2, max_iter=1).fit(y)


@pytest.mark.parametrize("models", [("tcn",), (), ["all"]])
def test_warmup_rejects_unknown_models(models):
    # (["all"] was told "(or 'all')": 'all' is the string alone)
    with pytest.raises(ValueError, match="models must be 'all' or a list of some of"):
        tsgate.warmup(models=models)


@pytest.mark.parametrize("value", [-1, "lots", None])
def test_auto_device_threshold_is_checked(monkeypatch, value):
    # before: -1 accepted, "lots" a bare TypeError from a comparison
    from tsgate import backend

    monkeypatch.setattr(config, "AUTO_CUDA_MIN_WORK", value)
    with pytest.raises(ValueError, match="tsgate.config.AUTO_CUDA_MIN_WORK must be an integer "
                                         "of at least 0"):
        backend.resolve_device("auto", work=10)


def test_device_names_are_exact_as_in_the_estimators():
    from tsgate import backend

    with pytest.raises(ValueError, match="device must be one of"):
        backend.resolve_device("CPU")
    assert backend.resolve_device("cpu") == "cpu"


_MODULE = '''
import numpy as np
from tsgate._jitcache import cfunc, njit
from numba import types

@njit(cache=True)
def twice(x):
    return 2.0 * x

def _add(a, b):
    return a + b

add = cfunc(types.float64(types.float64, types.float64), cache=True)(_add)
'''


def _fresh(name):
    """The module ``name`` imported anew: new dispatchers of the same
    functions, which read Numba's disk cache."""
    import importlib
    import sys

    sys.modules.pop(name, None)
    return importlib.import_module(name)


@pytest.mark.parametrize("damage", ["cut", "garbage", "empty"])
@pytest.mark.parametrize("kind", ["nbc", "nbi"])
def test_a_fit_mends_a_damaged_cache_file(tmp_path, monkeypatch, damage, kind):
    """One cache file emptied or cut off made every later fit raise pickle's
    EOFError or UnpicklingError from inside Numba, in every process, until
    ``tsgate warmup`` ran (sweep, session 57): the function's files are
    removed now, with a warning, and it compiles anew and is saved again."""
    import pathlib
    import warnings

    name = f"cached_kernels_{damage}_{kind}"
    (tmp_path / f"{name}.py").write_text(_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    first = _fresh(name)
    assert first.twice(1.5) == 3.0 and first.add.ctypes(1.0, 2.0) == 3.0
    cache = pathlib.Path(first.twice._cache._cache_path)  # beside it, or under NUMBA_CACHE_DIR
    files = sorted(cache.glob(f"{name}.*.{kind}"))
    assert len(files) == 2  # twice's and _add's
    for file in files:
        data = file.read_bytes()
        file.write_bytes({"cut": data[: len(data) // 2], "garbage": b"\x00not a pickle" * 8,
                          "empty": b""}[damage])
    with pytest.warns(RuntimeWarning, match="did not load .* damaged cache file"):
        mended = _fresh(name)  # (the cfunc compiles on import, the njit at its call)
    with pytest.warns(RuntimeWarning, match="did not load .* damaged cache file"):
        assert mended.twice(1.5) == 3.0
    assert mended.add.ctypes(1.0, 2.0) == 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = _fresh(name)  # saved again: loads without a word
        assert again.twice(1.5) == 3.0 and again.add.ctypes(1.0, 2.0) == 3.0
    assert again.twice.stats.cache_hits and again.add.cache_hits == 1


def test_a_compile_error_is_not_taken_for_a_damaged_cache(tmp_path, monkeypatch):
    """A cfunc that does not compile raises its own error."""
    (tmp_path / "broken_kernels.py").write_text(
        _MODULE.replace("return a + b", "return a + undefined_name"))
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(Exception, match="undefined_name"):
        _fresh("broken_kernels")


def test_warmup_compiles_the_smoothing_of_a_day_inside_a_week():
    """After ``tsgate warmup`` an hourly series' first forecast still
    compiled the smoothing stage's build with an inner cycle (sweep,
    session 57): warmup fits such a series now."""
    import importlib

    from tsgate import smoothing

    fitted = importlib.import_module("tsgate.warmup")._run_subdaily("gru")
    assert (fitted.season_length_, fitted.inner_period_) == (168, 24)
    # both builds of the filter: without an inner season (None) and with one
    assert {str(sig[8]) for sig in smoothing._run.signatures} >= {
        "none", "array(float64, 1d, C)"}


def test_a_cache_that_cannot_be_written_warns_and_the_code_runs(tmp_path, monkeypatch):
    """A full disk made a kernel's save raise from inside Numba: fits failed,
    and ``import tsgate`` with them where the products' cfunc compiled
    (sweep, session 57). The compiled code is kept for the process now."""
    import errno

    from numba.core import caching

    def full(self, name, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(caching.IndexDataCacheFile, "_save_data", full)
    name = "cached_kernels_full"
    (tmp_path / f"{name}.py").write_text(_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.warns(RuntimeWarning, match="not kept in Numba's cache .*No space left"):
        module = _fresh(name)  # (the cfunc compiles on import)
    with pytest.warns(RuntimeWarning, match="not kept in Numba's cache .*No space left"):
        assert module.twice(1.5) == 3.0
    assert module.add.ctypes(1.0, 2.0) == 3.0


def test_a_fit_says_when_numba_passes_over_numba_cache_dir(tmp_path):
    """A NUMBA_CACHE_DIR that is not a writable folder sent the kernels into
    the package's own folders without a word (sweep, session 57): only
    ``tsgate warmup`` said so. The first kernel a process loads or compiles
    warns now, once (not at import: the CLI shows it as its own warning);
    a usable folder is silent."""
    import subprocess
    import sys

    (tmp_path / "afile").write_text("")
    (tmp_path / "cached_kernels_dir.py").write_text(_MODULE)
    code = ("import sys, warnings; warnings.simplefilter('always'); import tsgate; "
            f"sys.path.insert(0, {str(tmp_path)!r}); import cached_kernels_dir as m; "
            "print(m.twice(1.0), m.twice(2.0))")  # (its cache: beside it, or in the folder)
    for wanted, said in ((tmp_path / "afile" / "cache", 1), (tmp_path / "cache", 0)):
        env = dict(os.environ, NUMBA_CACHE_DIR=str(wanted))
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=120, check=True)
        assert done.stdout.split() == ["2.0", "4.0"]
        assert done.stderr.count(f"NUMBA_CACHE_DIR={wanted} is not a folder Numba can "
                                 "write") == said, done.stderr
