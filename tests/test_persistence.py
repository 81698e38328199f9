"""Safe persistence: save/load without pickle, format versioning."""
import json

import numpy as np
import pandas as pd
import pytest

import tsgate
from tsgate.datasets import load_airline, load_us_employment
from tsgate.persistence import FORMAT_VERSION, load, save

FAST = dict(max_iter=2, hidden_size=4, random_state=0)


@pytest.mark.parametrize("make_y", [
    lambda: load_airline(),
    lambda: load_airline().to_period(),
    lambda: load_airline().reset_index(drop=True),
    lambda: load_us_employment().iloc[:, :2],
])
def test_forecaster_round_trip(tmp_path, make_y):
    y = make_y()
    model = tsgate.GRUForecaster(horizon=3, n_models=2, **FAST).fit(y)
    path = tmp_path / "model.npz"
    save(model, path)
    again = load(path)
    assert type(again) is tsgate.GRUForecaster
    assert again.get_params() == model.get_params()
    a, b = model.predict(), again.predict()
    assert a.index.equals(b.index)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    pd.testing.assert_frame_equal(model.predict_interval(0.8), again.predict_interval(0.8))


def test_regressor_round_trip_and_warm_start(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 6, 2)), rng.normal(size=30)
    reg = tsgate.LSTMRegressor(attention=True, bidirectional=True, **FAST).fit(X, y)
    path = tmp_path / "reg.npz"
    reg.save(path)
    again = tsgate.load(path)
    np.testing.assert_array_equal(reg.predict(X), again.predict(X))
    again.set_params(warm_start=True).fit(X, y)  # optimizer state came back too
    assert again.n_iter_ == 2


def test_file_holds_no_pickle(tmp_path):
    reg = tsgate.GRURegressor(**FAST).fit(np.zeros((8, 3)), np.arange(8.0))
    path = tmp_path / "r.npz"
    save(reg, path)
    with np.load(path, allow_pickle=False) as archive:  # would raise on any object array
        assert all(archive[k].dtype != object for k in archive.files)


def _rewrite_meta(path, change):
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    doc = json.loads(bytes(arrays["__meta__"]).decode())
    change(doc)
    arrays["__meta__"] = np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def test_newer_format_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    save(tsgate.LSTMRegressor(), path)
    _rewrite_meta(path, lambda d: d.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(ValueError, match="newer"):
        load(path)


def test_unknown_class_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    save(tsgate.LSTMRegressor(), path)
    _rewrite_meta(path, lambda d: d["model"].update({"__estimator__": "os.system"}))
    with pytest.raises(ValueError, match="unknown class"):
        load(path)


def test_not_a_model(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.arange(3))
    with pytest.raises(ValueError, match="not a tsgate model"):
        load(bad)
    text = tmp_path / "bad.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a tsgate model"):
        load(text)
    obj = tmp_path / "obj.npz"
    np.savez(obj, __meta__=np.array([object()], dtype=object))
    with pytest.raises(ValueError):
        load(obj)  # object arrays need pickle: refused, never executed
    with pytest.raises(TypeError, match="tsgate estimator"):
        save(object(), tmp_path / "x.npz")


def test_per_series_forecaster_round_trip(tmp_path):
    from tsgate.distributed import PerSeriesForecaster

    y = load_us_employment().iloc[:, :2]
    model = PerSeriesForecaster(tsgate.LSTMForecaster(horizon=2, **FAST)).fit(y)
    path = model.save(tmp_path / "per_series.npz")
    pd.testing.assert_frame_equal(tsgate.load(path).predict(), model.predict())
