"""Tests for the bundled datasets (tsgate.datasets)."""

import numpy as np
import pandas as pd
import pytest

from tsgate import datasets
from tsgate.datasets import list_datasets, load_airline, load_dataset

NAMES = list(list_datasets()["name"])


def test_at_least_nine_datasets_sorted():
    table = list_datasets()
    assert len(table) >= 9
    assert list(table["name"]) == sorted(table["name"])
    for col in ("name", "frequency", "length", "n_series", "description"):
        assert col in table.columns
    assert table["name"].is_unique


def test_every_loader_is_listed_and_exported():
    loaders = {n[len("load_"):] for n in dir(datasets)
               if n.startswith("load_") and n != "load_dataset"}
    assert loaders == set(NAMES)
    assert set(list_datasets()["loader"]) == {f"load_{n}" for n in NAMES}
    for name in NAMES:
        assert f"load_{name}" in datasets.__all__


@pytest.mark.parametrize("name", NAMES)
def test_dataset_loads(name):
    info = list_datasets().set_index("name").loc[name]
    data = getattr(datasets, f"load_{name}")()
    assert isinstance(data, pd.Series if info["n_series"] == 1 else pd.DataFrame)
    idx = data.index
    assert isinstance(idx, pd.DatetimeIndex)
    assert idx.freq is not None
    assert idx.freqstr == info["frequency"]
    assert idx.is_monotonic_increasing and idx.is_unique
    # the index is exactly the regular grid: no gaps
    assert idx.equals(pd.date_range(idx[0], periods=len(idx), freq=idx.freq))
    assert len(data) == info["length"]
    assert 10 <= len(data) < 10_000
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    assert frame.shape[1] == info["n_series"]
    assert all(dt == np.float64 for dt in frame.dtypes)
    assert not frame.isna().any().any()
    assert np.isfinite(frame.to_numpy()).all()
    assert all(c == c.lower() and " " not in c for c in frame.columns)
    if info["n_series"] == 1:
        assert data.name == info["target"]
    elif isinstance(info["target"], str):
        assert frame.columns[0] == info["target"]


@pytest.mark.parametrize("name", NAMES)
def test_generic_loader_matches_named_loader(name):
    named = getattr(datasets, f"load_{name}")()
    generic = load_dataset(name)
    if isinstance(named, pd.Series):
        pd.testing.assert_series_equal(named, generic)
    else:
        pd.testing.assert_frame_equal(named, generic)


def test_airline_values():
    y = load_airline()
    assert isinstance(y, pd.Series)
    assert y.name == "passengers"
    assert len(y) == 144
    assert y.index.freqstr == "MS"
    assert y.index[0] == pd.Timestamp("1949-01-01")
    assert y.index[-1] == pd.Timestamp("1960-12-01")
    assert y.iloc[0] == 112.0
    assert y.iloc[-1] == 432.0
    assert y.sum() == 40363.0  # total of Series G


def test_frequencies_of_required_coverage():
    freqs = set(list_datasets()["frequency"])
    for alias in ("MS", "D", "h", "W-SAT", "QS-JAN", "YS-JAN"):
        assert alias in freqs
    assert (list_datasets()["frequency"] == "MS").sum() >= 2


def test_exogenous_dataset_has_target_first():
    df = load_dataset("macrodata")
    assert list(df.columns)[0] == "realcons"
    assert {"realdpi", "unemp", "tbilrate"} <= set(df.columns)


def test_unknown_name_raises():
    with pytest.raises(ValueError, match="airline"):
        load_dataset("no_such_dataset")


def _write(folder, name, text):
    (folder / f"{name}.csv").write_text(text)


def test_gap_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "_data_dir", lambda filename: tmp_path)
    _write(tmp_path, "airline",
           "date,passengers\n1949-01-01,112\n1949-03-01,132\n")
    with pytest.raises(ValueError, match="gap-free"):
        load_dataset("airline")


def test_missing_value_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "_data_dir", lambda filename: tmp_path)
    _write(tmp_path, "airline",
           "date,passengers\n1949-01-01,112\n1949-02-01,\n")
    with pytest.raises(ValueError, match="missing"):
        load_dataset("airline")


def test_missing_file_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "__file__", str(tmp_path / "pkg" / "datasets.py"))
    with pytest.raises(FileNotFoundError, match="airline.csv"):
        load_dataset("airline")
