"""A collection's times: read from the input, their dtype kept and given back.

Text time labels that read as dates are parsed (:func:`read_times`,
:func:`parsed_times`), and a fitted series' dates are put at the datetime
unit of its new history (:func:`same_unit`).

A long frame's time column or a MultiIndex's time level is read into a
numpy-backed index (:func:`tsgate._series.numpy_backed`: pyarrow dates and
timestamps become datetimes; nullable integers step as plain ones). The
forecasts' future times are built on that index; :func:`kept_time_dtype`
names the input's dtype where it differs, and :func:`as_time_dtype` puts
the future times back into it, as the ids' dtype is restored
(``id_dtype`` in :mod:`tsgate.collection`).
"""
import warnings

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


def read_times(column):
    """A long frame's time column as an index: datetimes stay, integers stay, strings parse."""
    col = pd.Series(column).reset_index(drop=True)
    if pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype):
        try:
            with warnings.catch_warnings():  # pandas 2 warns, then returns mixed zones as objects
                warnings.simplefilter("ignore", FutureWarning)
                col = pd.to_datetime(col)
            mixed = pd.api.types.is_object_dtype(col.dtype) and len(col) > 0
        except ValueError as exc:  # pandas 3 raises on mixed zones: "pass utc=True"
            if "utc=true" not in str(exc).lower():
                raise ValueError(f"The time column {column.name!r} cannot be read as dates "
                                 f"({str(exc).strip().splitlines()[0]}); give dates, or integer "
                                 "steps.") from None
            mixed = True
        if mixed:  # UTC offsets that change: local times across a daylight-saving change
            raise ValueError(
                f"The time column {column.name!r} holds times with different UTC offsets (local "
                "times across a daylight-saving change) and no time zone; parse them into "
                f"yours first: df[{column.name!r}] = pd.to_datetime(df[{column.name!r}], "
                "utc=True).dt.tz_convert('Europe/Berlin') (your zone).")
    return numpy_backed(pd.Index(col))


def parsed_times(index):
    """Time labels as the forecasters read them: text that reads as dates
    parsed, as a long frame's time column is (:func:`read_times`), and
    pyarrow dates and timestamps as datetimes
    (:func:`tsgate._series.numpy_backed`); labels of other kinds (ids, with
    a MultiIndex's levels swapped: the checks that follow say so) as given."""
    if len(index) and all(isinstance(v, str) for v in index):
        try:
            index = read_times(pd.Series(index, name=index.name))
        except ValueError:
            pass
    return numpy_backed(index)


def same_unit(past, index):
    """The fitted dates ``past`` at the datetime unit of the history
    ``index`` (parquet's "us" after a fit on "ns"), where both are dates of
    one time zone and the unit holds them; else ``past`` as it is."""
    if isinstance(past, pd.DatetimeIndex) and isinstance(index, pd.DatetimeIndex) \
            and past.unit != index.unit and str(past.tz) == str(index.tz):
        try:
            return past.as_unit(index.unit)
        except (pd.errors.OutOfBoundsDatetime, ValueError):
            return past
    return past
