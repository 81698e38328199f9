"""Safe persistence: ``model.save(path)`` and ``tsgate.load(path)``.

The file is a NumPy ``.npz`` archive holding only numeric arrays and one
JSON document (stored as bytes). Loading uses ``allow_pickle=False`` and
rebuilds objects from an explicit list of tsgate classes, so a file cannot
execute code -- unlike a pickle, which runs whatever its author wants: never
unpickle a model from a source you do not trust. Arrays are host arrays, so a
model fitted on a GPU loads and predicts on a machine without one.

The JSON carries ``format`` ("tsgate-model"), ``format_version`` and the
writing tsgate version; a file from a newer format is refused with a clear
error instead of being misread.
"""
import dataclasses
import json
import os

import numpy as np
import pandas as pd

from .collection import Collection

FORMAT = "tsgate-model"
FORMAT_VERSION = 1


def _classes():
    from .engine.network import NetworkSpec
    from .forecasters import GRUForecaster, LSTMForecaster
    from .regressors import GRURegressor, LSTMRegressor

    known = [LSTMRegressor, GRURegressor, LSTMForecaster, GRUForecaster]
    try:
        from .distributed import PerSeriesForecaster
        known.append(PerSeriesForecaster)
    except ImportError:  # pragma: no cover - the module is optional glue
        pass
    return {c.__name__: c for c in known}, NetworkSpec


class _Encoder:
    """Turns estimator state into JSON plus a dict of named arrays."""

    def __init__(self):
        self.arrays = {}

    def array(self, value):
        key = f"a{len(self.arrays)}"
        self.arrays[key] = value
        return key

    def index(self, idx):
        if isinstance(idx, pd.RangeIndex):
            return {"kind": "range", "start": int(idx.start), "stop": int(idx.stop),
                    "step": int(idx.step), "name": self.encode(idx.name)}
        if isinstance(idx, pd.DatetimeIndex):
            return {"kind": "datetime", "values": self.array(idx.asi8.copy()),
                    "unit": str(idx.unit), "freq": idx.freqstr, "tz": None if idx.tz is None else str(idx.tz),
                    "name": self.encode(idx.name)}
        if isinstance(idx, pd.PeriodIndex):
            return {"kind": "period", "values": self.array(idx.asi8.copy()), "freq": idx.freqstr,
                    "name": self.encode(idx.name)}
        if pd.api.types.is_numeric_dtype(idx.dtype):
            return {"kind": "numeric", "values": self.array(idx.to_numpy()), "name": self.encode(idx.name)}
        if all(isinstance(v, (str, int)) for v in idx):
            return {"kind": "labels", "values": list(idx), "name": self.encode(idx.name)}
        raise TypeError(f"cannot save an index of type {type(idx).__name__}")

    def encode(self, value):
        from sklearn.base import BaseEstimator

        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
            return value.item() if isinstance(value, np.generic) else value
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "biuf":
                return {"__array__": self.array(value)}
            if value.dtype.kind in "OU" and all(isinstance(v, str) for v in value.ravel()):
                return {"__strings__": value.tolist()}
            raise TypeError(f"cannot save an array of dtype {value.dtype}")
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(v) for v in value]}
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, dict):
            return {"__dict__": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if isinstance(value, Collection):
            return {"__collection__": {f.name: self.encode(getattr(value, f.name))
                                       for f in dataclasses.fields(value)}}
        if dataclasses.is_dataclass(value):
            return {"__spec__": dataclasses.asdict(value)}
        if isinstance(value, pd.Series):
            return {"__series__": {"values": self.array(value.to_numpy(dtype=float)),
                                   "index": self.index(value.index), "name": self.encode(value.name)}}
        if isinstance(value, pd.DataFrame):
            return {"__frame__": {"values": self.array(value.to_numpy(dtype=float)),
                                  "index": self.index(value.index), "columns": self.index(value.columns)}}
        if isinstance(value, pd.Index):
            return {"__index__": self.index(value)}
        if isinstance(value, np.random.RandomState):
            return {"__unsaved__": "RandomState"}
        if isinstance(value, BaseEstimator):
            return {"__estimator__": type(value).__name__, "state": self.state(value)}
        raise TypeError(f"cannot save a value of type {type(value).__name__}")

    def state(self, est):
        return {k: self.encode(v) for k, v in vars(est).items() if k != "_net"}


class _Decoder:
    def __init__(self, arrays, classes, spec_cls):
        self.arrays, self.classes, self.spec_cls = arrays, classes, spec_cls

    def index(self, d):
        name = self.decode(d.get("name"))
        kind = d["kind"]
        if kind == "range":
            return pd.RangeIndex(d["start"], d["stop"], d["step"], name=name)
        if kind == "datetime":
            idx = pd.DatetimeIndex(self.arrays[d["values"]].astype(f"datetime64[{d['unit']}]"), name=name)
            if d["tz"]:
                idx = idx.tz_localize("UTC").tz_convert(d["tz"])
            return pd.DatetimeIndex(idx, freq=d["freq"]) if d["freq"] else idx
        if kind == "period":
            return pd.PeriodIndex.from_ordinals(self.arrays[d["values"]], freq=d["freq"], name=name)
        if kind == "numeric":
            return pd.Index(self.arrays[d["values"]], name=name)
        return pd.Index(d["values"], name=name)

    def decode(self, value):
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "__array__" in value:
            return self.arrays[value["__array__"]]
        if "__strings__" in value:
            return np.asarray(value["__strings__"], dtype=object)
        if "__tuple__" in value:
            return tuple(self.decode(v) for v in value["__tuple__"])
        if "__dict__" in value:
            return {self.decode(k): self.decode(v) for k, v in value["__dict__"]}
        if "__collection__" in value:
            return Collection(**{k: self.decode(v) for k, v in value["__collection__"].items()})
        if "__spec__" in value:
            return self.spec_cls(**value["__spec__"])
        if "__series__" in value:
            d = value["__series__"]
            return pd.Series(self.arrays[d["values"]], index=self.index(d["index"]), name=self.decode(d["name"]))
        if "__frame__" in value:
            d = value["__frame__"]
            return pd.DataFrame(self.arrays[d["values"]], index=self.index(d["index"]),
                                columns=self.index(d["columns"]))
        if "__index__" in value:
            return self.index(value["__index__"])
        if "__unsaved__" in value:
            return None
        if "__estimator__" in value:
            return self.estimator(value["__estimator__"], value["state"])
        raise ValueError(f"unknown entry in the model file: {sorted(value)}")

    def estimator(self, name, state):
        if name not in self.classes:
            raise ValueError(f"the model file names an unknown class {name!r}; it was not written "
                             "by this version of tsgate.")
        est = self.classes[name].__new__(self.classes[name])
        for key, value in state.items():
            setattr(est, key, self.decode(value))
        return est


def save(model, path):
    """Write a tsgate estimator to ``path`` (a ``.npz`` file) without pickle.

    Parameters
    ----------
    model : a tsgate regressor or forecaster (fitted or not)
    path : str or os.PathLike
        Written as given (NumPy adds no suffix because a file object is used).
    """
    from . import __version__

    classes, _ = _classes()
    if type(model).__name__ not in classes:
        raise TypeError(f"save() takes a tsgate estimator, got {type(model).__name__}.")
    enc = _Encoder()
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, "tsgate_version": __version__,
           "model": enc.encode(model)}
    meta = np.frombuffer(json.dumps(doc).encode("utf-8"), dtype=np.uint8)
    with open(os.fspath(path), "wb") as fh:
        np.savez(fh, __meta__=meta, **enc.arrays)


def load(path):
    """Read a model written by :func:`save`; never executes code from the file.

    Raises
    ------
    ValueError
        The file is not a tsgate model, or comes from a newer format version.
    """
    try:
        archive = np.load(os.fspath(path), allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a tsgate model file (.npz): {exc}") from None
    with archive:
        if "__meta__" not in archive.files:
            raise ValueError(f"{path} is an .npz file but not a tsgate model (no metadata).")
        doc = json.loads(bytes(archive["__meta__"]).decode("utf-8"))
        if doc.get("format") != FORMAT:
            raise ValueError(f"{path} is not a tsgate model file (format {doc.get('format')!r}).")
        version = doc.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ValueError(
                f"{path} was written by tsgate {doc.get('tsgate_version')} in model format "
                f"{version}, newer than this tsgate reads ({FORMAT_VERSION}); upgrade tsgate.")
        arrays = {k: archive[k] for k in archive.files if k != "__meta__"}
    classes, spec_cls = _classes()
    return _Decoder(arrays, classes, spec_cls).decode(doc["model"])


class SaveMixin:
    """Adds ``save(path)``; see :func:`tsgate.persistence.save`."""

    def save(self, path):
        """Write this estimator to ``path`` safely (no pickle); read it with ``tsgate.load``."""
        save(self, path)
        return path

