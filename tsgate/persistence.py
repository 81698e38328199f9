"""Safe persistence: ``model.save(path)`` and ``tsgate.load(path)``.

The file is a NumPy ``.npz`` archive holding only numeric arrays and one
JSON document (stored as bytes). Loading uses ``allow_pickle=False`` and
rebuilds objects from a registry of tsgate classes, so a file cannot execute
code -- unlike a pickle, which runs whatever its author wants: never unpickle
a model from a source you do not trust. Arrays are host arrays, so a model
fitted on a GPU loads and predicts on a machine without one.

The JSON carries ``format`` ("tsgate-model"), ``format_version`` and the
writing tsgate version; a file from a newer format is refused with a clear
error instead of being misread.

The schema (format 2)
---------------------
A class is saveable when it derives from :class:`SaveMixin` and names itself
in ``_saved_as``: defining the class registers it under that name (the name
in the file, which must never change). An estimator is written as::

    {"__estimator__": "<_saved_as>",
     "params": {<get_params(deep=False)>},
     "state": {<each name of _persisted_attributes the estimator has>}}

and read back as ``cls(**params)`` with the state attributes set on it.
Only the declared attributes are written: caches, progress labels and any
other private attribute are not, so renaming one cannot break a file.
Renaming a declared attribute needs a new format version and a migration.
Nested estimators (a forecaster's members, ``PerSeriesForecaster``'s
template and models) are written the same way, recursively.

Format 1 (tsgate 0.1.0 up to commit 80f4570) wrote ``vars(estimator)`` as
``"state"``; :func:`_migrate_from_1` splits it into params and the declared
state and drops the rest (``_planned_budget``, ``_progress_name``,
``attention_weights_``, ...).

This module imports none of the estimator modules: they import it (for
:class:`SaveMixin`), and the registry fills as they are defined.
"""
import dataclasses
import datetime as dt
import io
import json
import os
import warnings
import zipfile
import zlib

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ._version import __version__
from .collection import Collection
from .engine.layout import NetworkSpec

FORMAT = "tsgate-model"
FORMAT_VERSION = 2

_REGISTRY = {}  # _saved_as -> class, filled by SaveMixin.__init_subclass__


class SaveMixin:
    """Adds ``save(path)`` and registers the class with :func:`load`.

    A subclass that defines ``_saved_as`` (a stable name, written in the
    files) is registered under it when it is defined; one that does not
    (a shared base class, a user's subclass) cannot be saved. The fitted
    state written is ``_persisted_attributes``: names of attributes set by
    ``fit`` (those the estimator lacks, e.g. ``validation_loss_curve_``
    without early stopping, are left out); the parameters are
    ``get_params(deep=False)``.
    """

    _saved_as = None
    _persisted_attributes = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("_saved_as")
        if name is None:
            return
        known = _REGISTRY.get(name)
        if known is not None and (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
            raise TypeError(f"{cls.__qualname__} is saved as {name!r}, which already names "
                            f"{known.__module__}.{known.__qualname__}.")
        _REGISTRY[name] = cls  # (a module reloaded replaces its own classes)

    def _persisted_state(self):
        """{name: value} of the declared fitted attributes this estimator has."""
        return {name: getattr(self, name) for name in self._persisted_attributes
                if name in vars(self)}

    @classmethod
    def _restore_state(cls, params, state):
        """A new estimator from saved ``params`` and fitted ``state``."""
        names = set(cls._get_param_names())
        est = cls(**{k: v for k, v in params.items() if k in names})
        for name in cls._persisted_attributes:
            if name in state:
                setattr(est, name, state[name])
        return est

    def save(self, path):
        """Write this estimator to ``path`` safely (no pickle); read it with ``tsgate.load``.

        Parameters
        ----------
        path : str, os.PathLike or binary file object
            A file object (``open(..., "wb")``, ``io.BytesIO``) is written
            from its current position and left open.

        Returns
        -------
        path
        """
        save(self, path)
        return path


def _registered(est):
    """The name ``est``'s class is saved as, or None when it is not a saveable class."""
    name = type(est).__dict__.get("_saved_as")
    return name if name is not None and _REGISTRY.get(name) is type(est) else None


class _Encoder:
    """Turns estimator state into JSON plus a dict of named arrays."""

    def __init__(self):
        self.arrays = {}
        self.unsaved_state = False  # a RandomState met (its state is not written)

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
                    "unit": str(idx.unit), "freq": _freq_entry(idx.freq),
                    "tz": _tz_name(idx.tz), "name": self.encode(idx.name)}
        if isinstance(idx, pd.PeriodIndex):
            return {"kind": "period", "values": self.array(idx.asi8.copy()), "freq": idx.freqstr,
                    "name": self.encode(idx.name)}
        if isinstance(idx.dtype, pd.CategoricalDtype):  # a pivot of categorical ids
            return {"kind": "categorical", "codes": self.array(np.asarray(idx.codes)),
                    "categories": self.index(idx.categories), "ordered": bool(idx.ordered),
                    "name": self.encode(idx.name)}
        if pd.api.types.is_numeric_dtype(idx.dtype):
            return {"kind": "numeric", "values": self.array(idx.to_numpy()), "name": self.encode(idx.name)}
        plain = (str, int, float, np.integer, np.floating)
        entry = {"name": self.encode(idx.name)}
        if isinstance(idx.dtype, pd.StringDtype):  # "string" stays "string", "str" "str"
            entry["dtype"] = [str(idx.dtype.storage), idx.dtype.na_value is pd.NA]
        if all(isinstance(v, plain) for v in idx):  # strings and numbers, mixed too
            return {"kind": "labels", "values": [v.item() if isinstance(v, np.generic) else v
                                                 for v in idx], **entry}
        # tuples, None, dates...: each label as any saved value
        return {"kind": "objects", "values": [self.encode(v) for v in idx], **entry}

    def encode(self, value):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
            if isinstance(value, np.floating):  # (a longdouble's item() is a longdouble)
                return float(value)
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
        if isinstance(value, NetworkSpec):
            return {"__spec__": dataclasses.asdict(value)}
        if isinstance(value, pd.Series):
            return {"__series__": {"values": self.array(value.to_numpy(dtype=float)),
                                   "index": self.index(value.index), "name": self.encode(value.name)}}
        if isinstance(value, pd.DataFrame):
            return {"__frame__": {"values": self.array(value.to_numpy(dtype=float)),
                                  "index": self.index(value.index), "columns": self.index(value.columns)}}
        if isinstance(value, pd.Index):
            return {"__index__": self.index(value)}
        if isinstance(value, pd.Timestamp):  # a series id, or a category of ids
            # ticks of its own unit since the epoch (UTC where it has a time zone)
            return {"__timestamp__": [int(value.asm8.view("i8")), value.unit, _tz_name(value.tz)]}
        if isinstance(value, pd.Period):
            return {"__period__": [int(value.ordinal), value.freqstr]}
        if isinstance(value, pd.Timedelta):
            return {"__timedelta__": [int(value.asm8.view("i8")), value.unit]}
        if isinstance(value, np.random.RandomState):
            self.unsaved_state = True  # save() warns once, at its caller
            return {"__unsaved__": "RandomState"}
        if isinstance(value, BaseEstimator):
            return self.estimator(value)
        raise TypeError(f"cannot save a value of type {type(value).__name__}")

    def estimator(self, est):
        name = _registered(est)
        if name is None:
            raise TypeError(f"cannot save a {type(est).__name__}: only tsgate's estimators "
                            "are saved (a subclass of one is not).")
        return {"__estimator__": name,
                "params": {k: self.encode(v) for k, v in est.get_params(deep=False).items()},
                "state": {k: self.encode(v) for k, v in est._persisted_state().items()}}


def _checked(coll):
    """``coll`` as read from a file, or a ValueError where its parts do not
    fit together (a stored series one value short of its dates forecast
    from the wrong steps, silently)."""
    parts = [coll.values, coll.indexes, coll.ids] + ([coll.exog] if coll.exog is not None else [])
    if len({len(p) for p in parts}) != 1:
        raise ValueError(f"its stored series number {[len(p) for p in parts]} in values, "
                         "dates, ids (and features)")
    for i, (v, index) in enumerate(zip(coll.values, coll.indexes)):
        rows = {np.shape(v)[0] if np.ndim(v) == 1 else -1, len(index)}
        if coll.exog is not None:
            rows.add(np.shape(coll.exog[i])[0] if np.ndim(coll.exog[i]) == 2 else -1)
        if len(rows) != 1:
            raise ValueError(f"its stored series {i} has {np.shape(v)} values for {len(index)} "
                             "dates")
    return coll


class _Decoder:
    def __init__(self, arrays):
        self.arrays = arrays

    def index(self, d):
        name = self.decode(d.get("name"))
        kind = d["kind"]
        if kind == "range":
            return pd.RangeIndex(d["start"], d["stop"], d["step"], name=name)
        if kind == "datetime":
            idx = pd.DatetimeIndex(self.arrays[d["values"]].astype(f"datetime64[{d['unit']}]"), name=name)
            if d["tz"]:
                idx = idx.tz_localize("UTC").tz_convert(d["tz"])
            return pd.DatetimeIndex(idx, freq=_freq(d["freq"])) if d["freq"] else idx
        if kind == "period":
            return pd.PeriodIndex.from_ordinals(self.arrays[d["values"]], freq=d["freq"], name=name)
        if kind == "numeric":
            return pd.Index(self.arrays[d["values"]], name=name)
        if kind == "categorical":
            dtype = pd.CategoricalDtype(self.index(d["categories"]), d["ordered"])
            return pd.CategoricalIndex(pd.Categorical.from_codes(self.arrays[d["codes"]],
                                                                 dtype=dtype), name=name)
        values = (d["values"] if kind == "labels" else [self.decode(v) for v in d["values"]])
        dtype = (pd.StringDtype(d["dtype"][0], na_value=pd.NA if d["dtype"][1] else np.nan)
                 if "dtype" in d else None)
        return pd.Index(values, name=name, dtype=dtype, tupleize_cols=False)

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
            return _checked(Collection(**{k: self.decode(v)
                                          for k, v in value["__collection__"].items()}))
        if "__spec__" in value:
            return NetworkSpec(**value["__spec__"])
        if "__series__" in value:
            d = value["__series__"]
            return pd.Series(self.arrays[d["values"]], index=self.index(d["index"]), name=self.decode(d["name"]))
        if "__frame__" in value:
            d = value["__frame__"]
            return pd.DataFrame(self.arrays[d["values"]], index=self.index(d["index"]),
                                columns=self.index(d["columns"]))
        if "__index__" in value:
            return self.index(value["__index__"])
        if "__timestamp__" in value:
            ticks, unit, tz = value["__timestamp__"]
            stamp = pd.Timestamp(np.datetime64(ticks, unit))
            return stamp if tz is None else stamp.tz_localize("UTC").tz_convert(tz)
        if "__period__" in value:
            ordinal, freq = value["__period__"]
            return pd.Period(ordinal=ordinal, freq=freq)
        if "__timedelta__" in value:
            ticks, unit = value["__timedelta__"]
            return pd.Timedelta(np.timedelta64(ticks, unit))
        if "__unsaved__" in value:
            return None
        if "__estimator__" in value:
            return self.estimator(value)
        raise ValueError(f"unknown entry in the model file: {sorted(value)}")

    def estimator(self, entry):
        name = entry["__estimator__"]
        cls = _REGISTRY.get(name)
        if cls is None:
            raise ValueError(f"the model file names an unknown class {name!r}; it was not written "
                             "by this version of tsgate.")
        params = {k: self.decode(v) for k, v in entry.get("params", {}).items()}
        state = {k: self.decode(v) for k, v in entry.get("state", {}).items()}
        return cls._restore_state(params, state)


# zones of one offset for all time: dateutil's and pytz's, by class name (neither imported)
_FIXED_OFFSET_TYPES = ("tzutc", "tzoffset", "StaticTzInfo", "_FixedOffset")


def _tz_name(tz):
    """The name a file keeps of time zone ``tz`` (None: naive), one that
    ``tz_convert`` reads back to the same offsets: its own name, or for a
    fixed offset (``dateutil``'s ``tzutc()``, ``tzoffset(...)``, a
    ``datetime.timezone``) ``"UTC+hh:mm"``.

    Raises
    ------
    TypeError
        A zone with no such name (e.g. a ``dateutil`` zone file), refused
        at save rather than written unreadable.
    """
    if tz is None:
        return None
    stamps = pd.DatetimeIndex(["1970-01-01", "2000-01-01", "2000-07-01"], tz="UTC")
    offsets = stamps.tz_convert(tz).tz_localize(None) - stamps.tz_localize(None)  # (3,)
    names = [str(tz)]
    if offsets.nunique() == 1 and (isinstance(tz, dt.timezone)
                                   or type(tz).__name__ in _FIXED_OFFSET_TYPES):
        names.append(str(dt.timezone(offsets[0].to_pytimedelta())))
    for name in names:
        try:
            same = stamps.tz_convert(name).tz_localize(None) - stamps.tz_localize(None)
        except (ValueError, KeyError, TypeError, LookupError):  # an unknown zone name
            continue
        if same.equals(offsets):
            return name
    raise TypeError(f"cannot save the time zone {tz!r}: tsgate files keep named zones "
                    "('Europe/Berlin', 'UTC') and fixed offsets. Convert the times to one "
                    "(e.g. y.tz_convert('Europe/Berlin')) before fitting.")


def _freq_entry(freq):
    """What a file keeps of a DatetimeIndex's ``freq``: its alias, or the
    week mask and holidays of a custom business day (``freq="C"``), whose
    alias names neither.

    Raises
    ------
    TypeError
        An offset its alias does not rebuild, refused at save rather than
        written unreadable.
    """
    if freq is None:
        return None
    if type(freq) is pd.offsets.CustomBusinessDay and freq.offset == pd.Timedelta(0):
        entry = {"custom_business_day": [int(freq.n), str(freq.weekmask),
                                         [str(np.datetime64(d, "D")) for d in freq.holidays]]}
    else:
        entry = freq.freqstr
    try:
        same = _freq(entry) == freq
    except ValueError:
        same = False
    if not same:
        raise TypeError(f"cannot save the frequency {freq!r} of a time index: its alias "
                        f"{freq.freqstr!r} does not rebuild it. Refit on an index of a "
                        "standard frequency (pandas' aliases) to save the model.")
    return entry


def _freq(entry):
    """The offset of a :func:`_freq_entry`."""
    if isinstance(entry, dict):
        n, weekmask, holidays = entry["custom_business_day"]
        return pd.offsets.CustomBusinessDay(n, weekmask=weekmask, holidays=holidays)
    return pd.tseries.frequencies.to_offset(entry)


def _migrate_from_1(value):
    """A format-1 model entry (JSON) in format 2: every estimator's ``vars()``
    split into its parameters and its declared fitted state; other keys dropped.
    """
    if isinstance(value, list):
        return [_migrate_from_1(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__estimator__" in value and "params" not in value:
        cls = _REGISTRY.get(value["__estimator__"])
        old = {k: _migrate_from_1(v) for k, v in value.get("state", {}).items()}
        if cls is None:  # refused, with its name, by the decoder
            return {"__estimator__": value["__estimator__"], "state": old}
        params = set(cls._get_param_names())
        return {"__estimator__": value["__estimator__"],
                "params": {k: v for k, v in old.items() if k in params},
                "state": {k: v for k, v in old.items() if k in cls._persisted_attributes}}
    return {k: _migrate_from_1(v) for k, v in value.items()}


_MIGRATIONS = {1: _migrate_from_1}  # format_version -> its entry in the next version


def save(model, path):
    """Write a tsgate estimator to ``path`` (a ``.npz`` file) without pickle.

    Parameters
    ----------
    model : a tsgate regressor or forecaster (fitted or not)
    path : str, os.PathLike or binary file object
        A path is written as given (NumPy adds no suffix because a file
        object is used); a file object opened for writing bytes
        (``open(..., "wb")``, ``io.BytesIO``) from its current position, and
        left open.

    Raises
    ------
    TypeError
        ``model`` is not a tsgate estimator, or holds a value the format
        cannot store, or ``path`` is neither a path nor a binary file object.
    """
    if _registered(model) is None:
        raise TypeError(f"save() takes a tsgate estimator, got {type(model).__name__}.")
    is_file = _file_object(path, "save", "write")
    enc = _Encoder()
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, "tsgate_version": __version__,
           "model": enc.encode(model)}
    if enc.unsaved_state:  # (once, however many members hold one)
        warnings.warn(
            "random_state is a np.random.RandomState, whose state is not saved: the loaded "
            "model's random_state is None, so its refits are not reproducible. Give an "
            "int random_state to save it.", UserWarning, stacklevel=3)
    meta = np.frombuffer(json.dumps(doc).encode("utf-8"), dtype=np.uint8)
    if is_file:  # through a buffer: a stream that cannot seek (an upload) takes it too
        buffer = io.BytesIO()
        np.savez(buffer, __meta__=meta, **enc.arrays)
        path.write(buffer.getvalue())
        return
    with open(os.fspath(path), "wb") as fh:
        np.savez(fh, __meta__=meta, **enc.arrays)


def _label(target):
    """How messages name a path or file object: the path; a file object's
    file name where it has one, else "the file object"."""
    if isinstance(target, (str, bytes, os.PathLike)):
        return target
    name = getattr(target, "name", None)
    return name if isinstance(name, str) else "the file object"


def _file_object(target, verb, method):
    """Whether ``target`` of :func:`save` (``method`` "write") or
    :func:`load` ("read") is a binary file object rather than a path.

    Raises
    ------
    TypeError
        ``target`` is neither a path (str, bytes, os.PathLike) nor a file
        object with ``method``, or is a text-mode file.
    """
    if isinstance(target, (str, bytes, os.PathLike)):
        return False
    if not callable(getattr(target, method, None)):
        raise TypeError(f"{verb}() takes a path (str or os.PathLike) or a binary file object "
                        f"with a {method}() method, got {type(target).__name__}.")
    if isinstance(target, io.TextIOBase):
        mode = "wb" if method == "write" else "rb"
        raise TypeError(f"{verb}() needs a file opened in binary mode (open(..., {mode!r})); "
                        f"this one is in text mode.")
    able = getattr(target, "writable" if method == "write" else "readable", None)
    if callable(able) and not able():  # ('rb' to save: io.UnsupportedOperation; 'wb' to
        mode = "wb" if method == "write" else "rb"  # load: "not a tsgate model file")
        doing = "writing" if method == "write" else "reading"
        raise TypeError(f"{verb}() needs a file opened for {doing} (open(..., {mode!r})); "
                        f"this one is not (opened in mode {getattr(target, 'mode', '?')!r}).")
    return True


def _read(path):
    """The JSON document and the arrays of a model file (a path or a binary
    file object), checked for format."""
    is_file = _file_object(path, "load", "read")
    source = path if is_file else os.fspath(path)
    if is_file and not (callable(getattr(path, "seekable", None)) and path.seekable()):
        source = io.BytesIO(path.read())  # a stream (HTTP, S3, a pipe): read it whole first
    path = _label(path)
    not_ours = f"{path} is not a tsgate model file (an .npz archive written by tsgate.save)"
    if not is_file and not os.path.exists(source):
        raise FileNotFoundError(f"{path}: there is no such file (a tsgate model file is the "
                                "archive tsgate.save writes).")
    if not is_file and os.path.isdir(source):  # ("empty, truncated or of another kind" before)
        raise ValueError(f"{path} is a folder; give the path of the file tsgate.save wrote.")
    try:
        archive = np.load(source, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        # (NumPy's own message for a text file advises loading it with pickle)
        raise ValueError(f"{not_ours}; it is empty, truncated or of another kind.") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):  # a single .npy array
        raise ValueError(f"{not_ours}; it is a single NumPy array (.npy).")
    with archive:
        if "__meta__" not in archive.files:
            raise ValueError(f"{path} is an .npz file but not a tsgate model (no metadata).")
        try:
            arrays = {k: archive[k] for k in archive.files}
        except ValueError as exc:
            if "allow_pickle" in str(exc):  # NumPy refuses object arrays without pickle
                raise ValueError(f"{path} holds an object array, which only pickle could read; "
                                 "tsgate model files never do, so it was refused unread.") from None
            raise ValueError(f"{path} is a damaged tsgate model file ({exc}).") from None
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise ValueError(f"{path} is a damaged tsgate model file ({exc}).") from None
    try:
        doc = json.loads(bytes(arrays.pop("__meta__")).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        raise ValueError(f"{path} is not a tsgate model file (unreadable metadata: {exc}).") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"{path} is not a tsgate model file (format "
                         f"{doc.get('format') if isinstance(doc, dict) else None!r}).")
    return doc, arrays


def load(path):
    """Read a model written by :func:`save`; never executes code from the file.

    Files of an older format version are migrated (format 1: tsgate 0.1.0).

    Parameters
    ----------
    path : str, os.PathLike or binary file object
        A file object (``open(..., "rb")``, ``io.BytesIO``) is read from its
        current position and left open.

    Returns
    -------
    estimator
        Equal in parameters, weights and fitted state to the one saved. Its
        predictions are the saved model's where the file comes from the
        same tsgate version; a forecaster from an older version keeps its
        networks, but the statistical parts ``predict`` recomputes from the
        fitted series (the smoothing stage, the bands' units) follow the
        loading version (format-1 files of tsgate 0.1: forecasts moved by up
        to 0.5% of the level, bands by up to 20%).

    Raises
    ------
    ValueError
        The file is not a tsgate model, holds an object array, names a class
        tsgate does not know, is damaged, or comes from a newer format version.
    TypeError
        ``path`` is neither a path nor a binary file object.
    FileNotFoundError
        No file is at ``path``.
    """
    doc, arrays = _read(path)
    path = _label(path)
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by tsgate {doc.get('tsgate_version')} in model format "
            f"{version!r}, newer than this tsgate reads (its formats are whole numbers up to "
            f"{FORMAT_VERSION}), or damaged; upgrade tsgate.")
    if version < min(_MIGRATIONS):
        raise ValueError(f"{path} has model format {version}, which no tsgate version wrote.")
    try:
        entry = doc["model"]
        for old in range(version, FORMAT_VERSION):
            entry = _MIGRATIONS[old](entry)
        model = _Decoder(arrays).decode(entry)
        if not isinstance(model, BaseEstimator):
            raise TypeError(f"it holds a {type(model).__name__}, not an estimator")
        model._validate_params()  # the parameters as the estimator's constructor allows
        return model
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
        raise ValueError(f"{path} is a damaged tsgate model file ({type(exc).__name__}: "
                         f"{exc}).") from None
