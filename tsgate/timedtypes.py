"""The dtype of a collection's times, kept from the input and given back.

A long frame's time column or a MultiIndex's time level is read into a
numpy-backed index (:func:`tsgate._series.numpy_backed`: pyarrow dates and
timestamps become datetimes; nullable integers step as plain ones). The
forecasts' future times are built on that index; :func:`kept_time_dtype`
names the input's dtype where it differs, and :func:`as_time_dtype` puts
the future times back into it, as the ids' dtype is restored
(``id_dtype`` in :mod:`tsgate.collection`).
"""
import pandas as pd

from ._series import numpy_backed


def kept_time_dtype(dtype):
    """The name of ``dtype``, the input's time dtype, where the forecasts
    should take it back: pyarrow dates and timestamps (read as datetimes),
    integers other than int64 (``Int64``, ``int32``: future steps are
    int64); else None (numpy datetimes and periods are kept as they are;
    text times come back as the datetimes they parse to)."""
    if isinstance(dtype, pd.ArrowDtype):  # text (string[pyarrow]) parses to datetimes
        import pyarrow as pa  # present wherever an ArrowDtype is

        kind = dtype.pyarrow_dtype
        kept = pa.types.is_timestamp(kind) or pa.types.is_date(kind) or pa.types.is_integer(kind)
        return str(dtype) if kept else None
    if pd.api.types.is_integer_dtype(dtype) and dtype != "int64":
        return str(dtype)
    return None


def as_time_dtype(times, name):
    """``times`` (a pd.Index of future times) in the dtype named ``name``
    (:func:`kept_time_dtype`), where that dtype holds them exactly; else as
    they are (a time of day in ``date32``, an integer past ``int32``, a
    dtype this pandas does not name so, None)."""
    if name is None:
        return times
    try:
        restored = times.astype(pd.api.types.pandas_dtype(name))
        back = numpy_backed(restored)
        back = back if isinstance(back, pd.DatetimeIndex) else back.astype(times.dtype)
    except (TypeError, ValueError, OverflowError):
        return times
    return restored if back.equals(times) else times
