"""Safe persistence: save/load without pickle, format versioning."""
import io
import json
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tsgate
from tsgate.datasets import load_airline, load_us_employment
from tsgate.calibration import CalibrationWarning, needed
from tsgate.persistence import FORMAT_VERSION, load, save
from tests.conftest import FAST

FORMAT1 = Path(__file__).resolve().parent / "fixtures" / "format1"


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


@pytest.mark.parametrize("cls", [tsgate.LSTMRegressor, tsgate.GRURegressor])
def test_regressor_warm_start_after_load_continues_exactly(tmp_path, cls):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 6, 2)), rng.normal(size=30)
    a = cls(attention=True, bidirectional=True, **FAST).fit(X, y)
    path = tmp_path / "reg.npz"
    a.save(path)
    b = tsgate.load(path)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    # the parameters and Adam's moments and step came back, the weights on
    # a cache line as a fit leaves them (the kernels read them there)
    np.testing.assert_array_equal(b.params_, a.params_)
    assert a.params_.ctypes.data % 64 == 0 and b.params_.ctypes.data % 64 == 0
    c = pickle.loads(pickle.dumps(a))  # joblib's way too
    assert c.params_.ctypes.data % 64 == 0
    np.testing.assert_array_equal(c.predict(X), a.predict(X))
    for got, want in zip(b._optimizer_state, a._optimizer_state):
        np.testing.assert_array_equal(got, want)
    a.set_params(warm_start=True).fit(X, y)
    b.set_params(warm_start=True).fit(X, y)
    np.testing.assert_allclose(b.params_, a.params_, rtol=1e-6, atol=0)
    np.testing.assert_allclose(b.predict(X), a.predict(X), rtol=1e-6, atol=0)
    assert b._optimizer_state[2] == a._optimizer_state[2]
    assert b.loss_curve_ == a.loss_curve_


def test_file_objects_round_trip_and_bad_targets_say_what_is_taken(tmp_path):
    """save/load take binary file objects (BytesIO, open(..., "wb"/"rb")) as
    well as paths, leave them open, and refuse anything else by name."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 4, 1)), rng.normal(size=20)
    model = tsgate.GRURegressor(**FAST).fit(X, y)
    buffer = io.BytesIO()
    assert model.save(buffer) is buffer and not buffer.closed
    buffer.seek(0)
    np.testing.assert_array_equal(load(buffer).predict(X), model.predict(X))
    path = tmp_path / "m.npz"
    with open(path, "wb") as fh:
        save(model, fh)
    with open(path, "rb") as fh:
        np.testing.assert_array_equal(load(fh).predict(X), model.predict(X))
    np.testing.assert_array_equal(load(str(path)).predict(X), model.predict(X))
    with pytest.raises(TypeError, match=r"save\(\) takes a path .* got int"):
        model.save(3)
    with pytest.raises(TypeError, match=r"load\(\) takes a path .* got NoneType"):
        load(None)
    with open(path) as fh, pytest.raises(TypeError, match=r"binary mode \(open\(\.\.\., 'rb'\)\)"):
        load(fh)
    with open(tmp_path / "t.txt", "w") as fh, pytest.raises(TypeError, match="'wb'"):
        save(model, fh)
    with pytest.raises(ValueError, match="the file object is not a tsgate model file"):
        load(io.BytesIO(b"not a model"))


def test_forecaster_with_exog_round_trips(tmp_path):
    y = load_airline().iloc[:60]
    idx = pd.period_range(y.index[0], periods=63, freq="M").to_timestamp()
    X = pd.DataFrame({"x": np.cos(np.arange(63) / 4.0)}, index=idx)
    model = tsgate.LSTMForecaster(horizon=3, n_models=2, **FAST).fit(y, X.iloc[:60])
    again = load(model.save(tmp_path / "exog.npz"))
    assert again.get_params() == model.get_params()
    assert again.n_exog_ == 1 and again.exog_names_ == ["x"]
    np.testing.assert_array_equal(again.exog_mean_, model.exog_mean_)
    pd.testing.assert_series_equal(again.predict(X=X.iloc[60:]), model.predict(X=X.iloc[60:]))
    pd.testing.assert_frame_equal(again.predict_interval(0.8, X=X.iloc[60:]),
                                  model.predict_interval(0.8, X=X.iloc[60:]))
    with pytest.raises(ValueError, match="pass their future values"):
        again.predict()


def test_loaded_forecaster_warm_starts_without_convergence_warnings(tmp_path):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    y = load_airline().iloc[:40]
    model = load(tsgate.GRUForecaster(horizon=2, n_models=2, **FAST).fit(y).save(tmp_path / "f.npz"))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always", ConvergenceWarning)
        model.set_params(warm_start=True).fit(y)
    # members train for their planned budget: only the forecaster's own warning
    # (its max_iter=2 ended the validation fits) may come, never a member's
    assert all(str(w.message).startswith("GRUForecaster:") for w in record
               if issubclass(w.category, ConvergenceWarning))
    assert model.regressors_[1]._progress_name == "GRUForecaster, model 2/2"


def test_unfitted_estimator_round_trips(tmp_path):
    model = tsgate.GRUForecaster(horizon=5, hidden_size=3)
    again = load(model.save(tmp_path / "u.npz"))
    assert type(again) is tsgate.GRUForecaster and again.get_params() == model.get_params()
    assert not hasattr(again, "regressors_")


def _saved_doc(path):
    with np.load(path, allow_pickle=False) as archive:
        return json.loads(bytes(archive["__meta__"]).decode())


def test_only_the_declared_state_is_written(tmp_path):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(12, 4)), rng.normal(size=12)
    reg = tsgate.GRURegressor(**FAST).fit(X, y)
    reg._renamed_cache = np.ones(3)  # e.g. an attribute renamed since, or a cache
    reg.scratch_ = 5
    reg.predict(X)
    path = tmp_path / "r.npz"
    reg.save(path)
    entry = _saved_doc(path)["model"]
    assert entry["__estimator__"] == "GRURegressor"
    assert set(entry["params"]) == set(reg.get_params(deep=False))
    assert set(entry["state"]) == {k for k in type(reg)._persisted_attributes if k in vars(reg)}
    assert "_net" not in entry["state"] and "_renamed_cache" not in entry["state"]
    assert "scratch_" not in entry["state"]
    again = load(path)
    assert not hasattr(again, "_renamed_cache") and not hasattr(again, "scratch_")
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))


def test_forecaster_members_keep_only_declared_state(tmp_path):
    model = tsgate.GRUForecaster(horizon=2, n_models=1, **FAST).fit(load_airline().iloc[:40])
    entry = _saved_doc(model.save(tmp_path / "f.npz"))["model"]
    member = entry["state"]["regressors_"][0]
    assert member["__estimator__"] == "GRURegressor"
    assert "_progress_name" not in member["state"] and "_planned_budget" not in member["state"]


def test_declared_state_is_what_fit_sets():
    """Every fitted attribute is declared (a new one must be added to the schema),
    and every declared name is one that fit sets (no typo)."""
    from tsgate.distributed import PerSeriesForecaster

    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.normal(size=(20, 4)), columns=list("abcd"))  # feature_names_in_
    reg = tsgate.LSTMRegressor(early_stopping=True, **FAST).fit(X, rng.normal(size=20))
    y = load_airline().iloc[:40]
    exog = pd.DataFrame({"x": np.arange(40.0)}, index=y.index)
    forecaster = tsgate.GRUForecaster(horizon=2, n_models=1, **FAST).fit(y, exog)
    per = PerSeriesForecaster(tsgate.GRUForecaster(horizon=2, n_models=1, **FAST)).fit(y)
    for est in (reg, forecaster, per):
        declared = set(type(est)._persisted_attributes)
        fitted = {k for k in vars(est) if k not in est.get_params(deep=False)}
        assert declared <= fitted, declared - fitted
        assert {k for k in fitted if k.endswith("_")} <= declared
    assert {"_optimizer_state", "_y_ndim"} <= set(vars(reg)) & set(reg._persisted_attributes)


def test_registry_names_are_unique():
    from tsgate.persistence import _REGISTRY, SaveMixin

    with pytest.raises(TypeError, match="which already names tsgate.regressors.LSTMRegressor"):
        type("Impostor", (SaveMixin,), {"_saved_as": "LSTMRegressor"})
    assert _REGISTRY["LSTMRegressor"] is tsgate.LSTMRegressor  # unchanged


def test_damaged_file_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    save(tsgate.LSTMRegressor(), path)
    _rewrite_meta(path, lambda d: d["model"].update(params=[1, 2]))
    with pytest.raises(ValueError, match="damaged tsgate model file"):
        load(path)


def test_persistence_imports_no_estimator_module():
    from tests.test_import import import_graph

    needs = import_graph()["tsgate.persistence"]
    assert not needs & {"tsgate", "tsgate.regressors", "tsgate.forecasters", "tsgate.distributed"}


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
    with pytest.raises(ValueError, match="newer than this tsgate reads"):
        load(path)
    _rewrite_meta(path, lambda d: d.update(format_version="2"))
    with pytest.raises(ValueError, match="newer than this tsgate reads"):
        load(path)
    _rewrite_meta(path, lambda d: d.update(format_version=0))
    with pytest.raises(ValueError, match="which no tsgate version wrote"):
        load(path)


def test_unknown_class_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    save(tsgate.LSTMRegressor(), path)
    _rewrite_meta(path, lambda d: d["model"].update({"__estimator__": "os.system"}))
    with pytest.raises(ValueError, match="names an unknown class 'os.system'"):
        load(path)


def test_unknown_class_in_a_format1_file_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes((FORMAT1 / "gru_regressor.npz").read_bytes())
    _rewrite_meta(path, lambda d: d["model"].update({"__estimator__": "Evil"}))
    with pytest.raises(ValueError, match="names an unknown class 'Evil'"):
        load(path)


def test_saving_a_subclass_or_foreign_member_is_refused(tmp_path):
    class Mine(tsgate.LSTMRegressor):
        pass

    with pytest.raises(TypeError, match="save\\(\\) takes a tsgate estimator, got Mine"):
        save(Mine(), tmp_path / "m.npz")
    from sklearn.linear_model import Ridge
    from tsgate.distributed import PerSeriesForecaster

    with pytest.raises(TypeError, match="only tsgate's estimators are saved"):
        save(PerSeriesForecaster(Ridge()), tmp_path / "p.npz")


def test_not_a_model(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.arange(3))
    with pytest.raises(ValueError, match="but not a tsgate model"):
        load(bad)
    text = tmp_path / "bad.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="is not a tsgate model file"):
        load(text)
    obj = tmp_path / "obj.npz"
    np.savez(obj, __meta__=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="holds an object array"):
        load(obj)  # object arrays need pickle: refused, never executed
    junk = tmp_path / "junk.npz"
    np.savez(junk, __meta__=np.frombuffer(b"\xff{", dtype=np.uint8))
    with pytest.raises(ValueError, match="unreadable metadata"):
        load(junk)
    other = tmp_path / "other.npz"
    np.savez(other, __meta__=np.frombuffer(b'{"format": "other"}', dtype=np.uint8))
    with pytest.raises(ValueError, match="format 'other'"):
        load(other)
    with pytest.raises(TypeError, match="tsgate estimator"):
        save(object(), tmp_path / "x.npz")


def test_per_series_forecaster_round_trip(tmp_path):
    from tsgate.distributed import PerSeriesForecaster

    y = load_us_employment().iloc[:, :2]
    model = PerSeriesForecaster(tsgate.LSTMForecaster(horizon=2, **FAST)).fit(y)
    path = model.save(tmp_path / "per_series.npz")
    pd.testing.assert_frame_equal(tsgate.load(path).predict(), model.predict())


# ------------------------------------------------- format 1 (tsgate 0.1.0)
# Files written by the last release that wrote format 1 (tests/fixtures/format1/make.py).


@pytest.fixture(scope="module")
def expected():
    with np.load(FORMAT1 / "expected.npz", allow_pickle=False) as archive:
        return {k: archive[k] for k in archive.files}


def _close(got, want):
    np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=1e-4, atol=1e-12)


def test_format1_files_are_what_they_claim():
    for name in ("lstm_regressor", "gru_regressor", "lstm_forecaster", "gru_forecaster_exog",
                 "per_series"):
        doc = _saved_doc(FORMAT1 / f"{name}.npz")
        assert doc["format_version"] == 1 and "params" not in doc["model"]


@pytest.mark.parametrize("name", ["lstm_regressor", "gru_regressor"])
def test_format1_regressor_predicts_as_when_saved(name, expected):
    reg = load(FORMAT1 / f"{name}.npz")
    assert type(reg).__name__ == {"lstm_regressor": "LSTMRegressor",
                                  "gru_regressor": "GRURegressor"}[name]
    _close(reg.predict(expected[f"{name}.X"]), expected[f"{name}.predict"])


def test_format1_warm_start_continues_as_when_saved(expected):
    reg = load(FORMAT1 / "lstm_regressor.npz")
    rng = np.random.default_rng(0)  # make.py's data
    X3 = rng.normal(size=(20, 6, 2)).astype(np.float32)
    Y2 = rng.normal(size=(20, 2))
    np.testing.assert_array_equal(X3, expected["lstm_regressor.X"])
    reg.set_params(warm_start=True).fit(X3, Y2)
    _close(reg.predict(X3), expected["lstm_regressor.warm"])


def test_format1_forecaster_predicts_as_when_saved(expected):
    import warnings

    model = load(FORMAT1 / "lstm_forecaster.npz")
    _close(model.predict(), expected["lstm_forecaster.predict"])
    # Its 3 residuals are too few for an 80% conformal band: the normal
    # quantile of their spread, as when saved, is now floored at the largest
    # residual on the normal tail (calibration.py), which can only widen it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)
        band = model.predict_interval(0.8).to_numpy()  # (h, [lower, upper])
    saved = expected["lstm_forecaster.interval"]
    assert (band[:, 0] <= saved[:, 0] * (1 + 1e-6)).all() and (band[:, 1] >= saved[:, 1] * (1 - 1e-6)).all()
    R = np.abs(model.calibration_residuals_)
    assert (np.isfinite(R).sum(axis=0) < needed(0.8)).all()  # every step takes the fallback


def test_format1_forecaster_with_exog_predicts_as_when_saved(expected):
    model = load(FORMAT1 / "gru_forecaster_exog.npz")
    future = pd.DataFrame({"x": expected["gru_forecaster_exog.future_x"]},
                          index=pd.date_range("1954-01-01", periods=3, freq="MS"))  # as make.py
    _close(model.predict(X=future), expected["gru_forecaster_exog.predict"])


def test_format1_per_series_predicts_as_when_saved(tmp_path, expected):
    model = load(FORMAT1 / "per_series.npz")
    _close(model.predict(), expected["per_series.predict"])
    again = load(model.save(tmp_path / "v2.npz"))  # and survives a format-2 round trip
    assert _saved_doc(tmp_path / "v2.npz")["format_version"] == FORMAT_VERSION
    _close(again.predict(), expected["per_series.predict"])


def test_format1_state_is_migrated_to_the_declared_names():
    model = load(FORMAT1 / "lstm_forecaster.npz")
    member = model.regressors_[0]
    assert not hasattr(member, "_progress_name")  # a label, not state: dropped
    assert set(vars(member)) - set(member.get_params()) <= set(type(member)._persisted_attributes)


def test_a_random_state_instance_is_not_saved_and_says_so(tmp_path):
    model = tsgate.GRURegressor(max_iter=2, random_state=np.random.RandomState(0))
    model.fit(np.zeros((8, 4), np.float32), np.zeros(8))
    with pytest.warns(UserWarning, match="random_state is a np.random.RandomState"):
        path = model.save(tmp_path / "rs.npz")
    assert load(path).random_state is None


def test_files_that_are_not_models_or_are_damaged_give_one_clear_error(tmp_path):
    """Whatever the file, load raises ValueError naming it (never NumPy's
    advice to load with pickle, never a zip or EOF error, never a non-estimator)."""
    good = tmp_path / "good.npz"
    save(tsgate.GRURegressor(hidden_size=4), good)
    data = good.read_bytes()
    cases = {"empty.npz": b"", "truncated.npz": data[:len(data) // 2], "text.npz": b"a,b\n1,2\n"}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    np.save(tmp_path / "array.npy", np.arange(3.0))
    for name in list(cases) + ["array.npy"]:  # (a missing file: FileNotFoundError, below)
        with pytest.raises(ValueError, match="not a tsgate model file|damaged") as info:
            load(tmp_path / name)
        assert "pickle" not in str(info.value), name
    for model in (None, [1, 2], "x"):
        _rewrite_meta(good, lambda d: d.update(model=model))
        with pytest.raises(ValueError, match="damaged tsgate model file"):
            load(good)
    save(tsgate.GRURegressor(hidden_size=4), good)
    _rewrite_meta(good, lambda d: d["model"]["params"].update(hidden_size="eight"))
    with pytest.raises(ValueError, match="damaged tsgate model file.*hidden_size"):
        load(good)
    with pytest.raises(ValueError, match="is a folder; give the path of the file"):
        load(tmp_path)  # ("empty, truncated or of another kind" before)


def test_mixed_type_and_odd_column_labels_save(tmp_path):
    y = load_airline()
    wide = pd.DataFrame({"a": y.to_numpy(), 1: 2 * y.to_numpy(), 2.5: 3 * y.to_numpy()},
                        index=y.index)
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(wide)
    save(model, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    assert list(loaded.predict().columns) == ["a", 1, 2.5]
    pd.testing.assert_frame_equal(loaded.predict(), model.predict())
    # labels that are neither (a tuple, None) are saved as any value is (they were refused)
    odd = wide.set_axis(pd.Index(["a", ("x", 1), None], tupleize_cols=False), axis=1)
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(odd)
    save(model, tmp_path / "odd.npz")
    pd.testing.assert_frame_equal(load(tmp_path / "odd.npz").predict(), model.predict())


def test_load_of_a_missing_file_is_file_not_found(tmp_path):
    # an OSError, as open() raises, so that `except FileNotFoundError` works
    with pytest.raises(FileNotFoundError, match="nope.npz: there is no such file"):
        tsgate.load(tmp_path / "nope.npz")


def test_a_stored_series_that_does_not_fit_its_dates_is_damaged(tmp_path):
    """A stored training series one value short of its dates (or its dates
    one short) loaded and forecast from the wrong steps, silently."""
    path = tmp_path / "m.npz"
    tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(load_airline()).save(path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    n = len(load_airline())
    for key in [k for k, a in arrays.items() if a.shape == (n,)]:  # the values, the dates
        damaged = dict(arrays, **{key: arrays[key][:-1]})
        np.savez(tmp_path / "d.npz", **damaged)
        with pytest.raises(ValueError, match=r"damaged tsgate model file .*stored series 0 has"):
            load(tmp_path / "d.npz")


def _edited(path, change_arrays):
    """The model file at ``path`` with its arrays changed by ``change_arrays(doc, arrays)``."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    change_arrays(json.loads(bytes(arrays["__meta__"]).decode()), arrays)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def _array_key(doc, *keys):
    node = doc["model"]["state"]
    for k in keys:
        node = node[k]
    return node["__array__"]


def test_edited_weights_and_moments_are_refused_as_damaged(tmp_path):
    """Short Adam moments loaded, and a warm fit's kernels then wrote past
    them (a segfault); float64 weights were read as float32 (predictions
    off by 1e19)."""
    rng = np.random.default_rng(0)
    model = tsgate.GRURegressor(**FAST).fit(rng.normal(size=(20, 4, 1)), rng.normal(size=20))
    model.save(tmp_path / "ok.npz")

    def short_moments(doc, arrays):
        for i in (0, 1):
            key = _array_key(doc, "_optimizer_state", "__tuple__", i)
            arrays[key] = arrays[key][:5]

    def float64_weights(doc, arrays):
        key = _array_key(doc, "params_")
        arrays[key] = arrays[key].astype(np.float64)

    for change, match in ((short_moments, "optimizer state does not match"),
                          (float64_weights, "dtype float64")):
        path = _edited(model.save(tmp_path / f"{change.__name__}.npz"), change)
        with pytest.raises(ValueError, match=match):
            load(path)
    load(tmp_path / "ok.npz")


def test_a_fitted_forecaster_file_without_its_windows_is_refused(tmp_path):
    y = load_airline().iloc[:48]
    path = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y).save(tmp_path / "f.npz")
    _rewrite_meta(path, lambda d: d["model"]["state"].pop("windows_"))
    with pytest.raises(ValueError, match=r"damaged.*without \['windows_'\]"):
        load(path)


@pytest.mark.parametrize("change, match", [
    (lambda s: s.__setitem__("horizon_", 7), r"horizon 7 whose networks forecast \[3\] steps"),
    (lambda s: s["windows_"].__setitem__(0, 0), r"whose windows are \[0\]"),
    (lambda s: s["regressors_"][0]["state"]["spec_"]["__spec__"].__setitem__("hidden_size", 0),
     "network shape is impossible"),
    (lambda s: s["regressors_"][0]["state"].__setitem__("_scaled_targets", "yes"),
     "target scaling flag"),
])
def test_an_edited_forecaster_file_is_refused_at_load(tmp_path, change, match):
    """An edited horizon or window loaded and failed in predict (NumPy's
    broadcast error, an IndexError); a hidden size of 0 failed in load with
    a ZeroDivisionError (session 51's sweep)."""
    y = load_airline().iloc[:48]
    path = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y).save(tmp_path / "f.npz")
    _rewrite_meta(path, lambda d: change(d["model"]["state"]))
    with pytest.raises(ValueError, match="damaged.*" + match):
        load(path)


def test_a_loaded_regressor_warm_starts_in_the_target_units_it_learnt_in(tmp_path):
    """Targets whose mean is exactly 0 and scale 1 (StandardScaler's output)
    were taken for unscaled ones after a load, and the warm fit restarted
    from new weights with a warning (session 51's sweep)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 6, 2)), np.repeat([-1.0, 1.0], 15)  # mean 0, std 1
    a = tsgate.GRURegressor(**FAST).fit(X, y)
    assert a.y_mean_ == 0.0 and a.y_scale_ == 1.0 and a.scale_target
    b = load(a.save(tmp_path / "r.npz"))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        a.set_params(warm_start=True).fit(X, y)
        b.set_params(warm_start=True).fit(X, y)
    assert not [w for w in record if "new weights" in str(w.message)]
    assert b.n_iter_ == a.n_iter_ == 2 * FAST["max_iter"]
    np.testing.assert_array_equal(b.predict(X), a.predict(X))


def test_a_file_object_opened_the_wrong_way_is_told_so(tmp_path):
    model = tsgate.LSTMRegressor()
    model.save(tmp_path / "m.npz")
    with open(tmp_path / "m.npz", "rb") as fh, pytest.raises(TypeError, match="for writing"):
        model.save(fh)
    with open(tmp_path / "m.npz", "ab") as fh, pytest.raises(TypeError, match="for reading"):
        load(fh)


def test_an_unsaved_random_state_warns_once_at_the_callers_line(tmp_path):
    y = load_airline().iloc[:48]
    model = tsgate.GRUForecaster(horizon=3, n_models=2, hidden_size=4, max_iter=2,
                                 random_state=np.random.RandomState(0)).fit(y)
    with pytest.warns(UserWarning, match="RandomState") as record:
        model.save(tmp_path / "r.npz")
    unsaved = [w for w in record if "RandomState" in str(w.message)]
    assert len(unsaved) == 1 and unsaved[0].filename == __file__


def _hourly():
    t = np.arange(24 * 7 * 3)
    return pd.Series(50 + 10 * np.sin(2 * np.pi * t / 24) + 5 * (t % 168 > 120)
                     + np.random.default_rng(0).normal(0, 1, len(t)),
                     index=pd.date_range("2021-01-04", periods=len(t), freq="h"))


@pytest.mark.parametrize("case", ["log", "exog", "last", "standard", "inner", "tiny", "huge",
                                  "near_smallest", "collection"])
def test_a_loaded_forecaster_filters_with_its_fits_choices_bit_for_bit(case):
    """A loaded model chose every series' smoothing anew at its first
    predict (2 ms a series: 11 s for 5000 series, 0.6 s after the fit); it
    now filters with the choices its fit made, and forecasts the same bits
    (the choices are saved; a file without them chooses them anew)."""
    y, X, params = load_airline(), None, dict(horizon=3, n_models=1, **FAST)
    if case == "exog":
        X = pd.DataFrame({"x": np.sin(np.arange(len(y) + 3.0))},
                         index=pd.period_range(y.index[0].to_period("M"), periods=len(y) + 3,
                                               freq="M").to_timestamp())
    elif case in ("last", "standard"):
        params["normalize"] = case
    elif case == "inner":
        y = _hourly()
    elif case in ("tiny", "huge"):
        y = y * (1e-300 if case == "tiny" else 1e300)
    elif case == "near_smallest":  # (refiltered unscaled, its steps went subnormal)
        rng = np.random.default_rng(0)
        y = pd.Series(1e-308 * (rng.normal(0, 1, 144).cumsum()
                                + 3 * np.sin(2 * np.pi * np.arange(144) / 12) - 30), index=y.index)
    elif case == "collection":
        y = load_us_employment().iloc[:, :4]
    model = tsgate.GRUForecaster(**params).fit(y, None if X is None else X.iloc[:len(y)])
    future = None if X is None else X.iloc[len(y):]
    buffer = io.BytesIO()
    model.save(buffer)
    for drop in (False, True):  # (a file written before the choices were saved)
        buffer.seek(0)
        again = load(buffer)
        assert again._saved_stages(again.collection_) is not None
        if drop:
            del again.stage_choices_, again.stage_betas_
        pd.testing.assert_frame_equal(again.predict_interval([0.8, 0.95], X=future),
                                      model.predict_interval([0.8, 0.95], X=future),
                                      check_exact=True)
        a, b = again.predict(X=future), model.predict(X=future)
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_stage_choices_refilter_at_the_scale_they_were_made_at():
    """Refiltered with its own choices (``like=``), a series near 1.9e307 got
    a NaN level (its sums overflowed) and its fit failed with a 'varies by
    nan' message; one near 1e-307 differed in its last bits."""
    from tsgate import smoothing

    rng = np.random.default_rng(0)
    base = rng.normal(0, 1, 144).cumsum() + 3 * np.sin(2 * np.pi * np.arange(144) / 12) - 30
    for v in (5e305 * base, 1e-308 * base):
        fitted = smoothing.smooth(v, 12)
        rows, _ = smoothing.choices([fitted])
        again = smoothing.smooth(v, 12, like=smoothing.from_choices(rows[0]))
        np.testing.assert_array_equal(again.level, fitted.level)
        np.testing.assert_array_equal(again.season, fitted.season)
    y = pd.Series(5e305 * base, index=load_airline().index)
    assert np.isfinite(tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y).predict()).all()


@pytest.mark.parametrize("edit", ["int64", "float32", "period 0", "period -3", "inner 0",
                                  "alpha 2", "log on negatives", "unit 0", "betas (1, 3)",
                                  "betas 1-D", "betas 0-d"])
def test_impossible_saved_stage_choices_are_made_anew(edit):
    """An edited file's impossible choices (or features' effects of another
    shape) forecast garbage (alpha 2: 4.5e9), or raised NumPy's errors; the
    choices are made anew, as for a file without them."""
    y = -load_airline()  # (negative: no log scale)
    X = pd.DataFrame({"x": np.sin(np.arange(len(y) + 3.0))},
                     index=pd.date_range(y.index[0], periods=len(y) + 3, freq="MS"))
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y, X.iloc[:len(y)])
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    again = load(buffer)
    rows, betas = again.stage_choices_.copy(), again.stage_betas_
    column = {"period": 1, "inner": 5, "alpha": 2, "unit": 4, "log": 0}
    if edit in ("int64", "float32"):
        rows = rows.astype(edit)
    elif edit.startswith("betas"):
        betas = {"betas (1, 3)": np.zeros((1, 3)), "betas 1-D": np.zeros(1),
                 "betas 0-d": np.array(0.0)}[edit]
    else:
        name, value = edit.split(" ")[0], {"period 0": 0, "period -3": -3, "inner 0": 0,
                                            "alpha 2": 2, "log on negatives": 1, "unit 0": 0}[edit]
        rows[0, column[name]] = value
    again.stage_choices_, again.stage_betas_ = rows, betas
    assert again._saved_stages(again.collection_) is None
    future = X.iloc[len(y):]
    np.testing.assert_array_equal(again.predict(X=future), model.predict(X=future))
