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
import datetime
import re

import numpy as np
import pandas as pd

from ._callers import quiet
from ._series import infer_freq, numpy_backed


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


# dates written with the day or the month first: "01/02/2020", "1.2.20", "01-02-2020 10:00"
_DAY_MONTH_FIRST = r"\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"


def day_first_reading(text, parsed):
    """Whether text dates read day first make another regular series of
    dates than ``parsed``, pandas' month-first reading of them: "better"
    where only the day-first reading is regular ("01/02/2015", "01/03/2015",
    ... of a monthly file read month first are days of January, then of
    February), "both" where both are (twelve months "01/01/2020" ..
    "01/12/2020" read month first are twelve days); else None (no day-first
    reading, the same dates, or not regular either)."""
    if not pd.api.types.is_object_dtype(text) and not pd.api.types.is_string_dtype(text):
        return None
    day_first = _day_first(text)
    if day_first is None:
        return None
    month_first = pd.DatetimeIndex(parsed)
    if day_first.equals(month_first) or infer_freq(day_first.dropna().unique().sort_values()) is None:
        return None
    regular = infer_freq(month_first.dropna().unique().sort_values()) is not None
    return "both" if regular else "better"


def _day_first(text):
    """Text dates (a Series or array, NaN kept as NaT) read day first, where
    every one is written day/month/year and all read so; else None."""
    given = pd.Series(text).dropna().astype(str)
    # ("2020-01-02" reads year, day, month with dayfirst=True); the first
    # value decides most columns at once
    if (not len(given) or re.match(_DAY_MONTH_FIRST, given.iloc[0]) is None
            or not given.str.match(_DAY_MONTH_FIRST).all()):
        return None
    try:
        with quiet(Warning):  # "Parsing dates in %Y-%m-%d format when dayfirst=True"
            return pd.DatetimeIndex(pd.to_datetime(pd.Series(text), dayfirst=True))
    except (ValueError, TypeError):
        return None


_CLOCK_TIME = r"\s*\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*"


def clock_time(text):
    """The first of ``text`` (a Series of str) where every value is a clock
    time without a date ("00:15", "9:30 PM"), which pandas reads as times of
    the day it runs; else None."""
    given = pd.Series(text).dropna().astype(str)
    return given.iloc[0] if len(given) and given.str.fullmatch(_CLOCK_TIME).all() else None


_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_MONTH_YY = re.compile(r"([a-z]{3,9})\.?[-/ ']?(\d{2})")  # "Jan-18": a spreadsheet's mmm-yy
_YEAR_M = re.compile(r"(\d{4})[-/ ]?m(\d{1,2})")  # "2018M01": statistics offices' months
_Q_YEAR = re.compile(r"q([1-4])[-/ ]?(\d{4})")  # "Q1 2018"
_YEAR_Q = re.compile(r"(\d{4})[-/ ]?q([1-4])")  # "2018 Q1"


def _month(word):
    """The month (1-12) a name or its abbreviation ("jan", "sept", "january")
    stands for, else None."""
    number = _MONTHS.get(word[:3])
    names = ("january", "february", "march", "april", "may", "june", "july", "august",
             "september", "october", "november", "december")
    ok = number is not None and (names[number - 1].startswith(word) or word == "sept")
    return number if ok else None


# each form's pattern and its reading of a match as (year, month); month None: not one
_LABEL_FORMS = (
    (_MONTH_YY, lambda m: (2000 + int(m[2]) if int(m[2]) < 69 else 1900 + int(m[2]),
                           _month(m[1]))),
    (_YEAR_M, lambda m: (int(m[1]), int(m[2]) if 1 <= int(m[2]) <= 12 else None)),
    (_Q_YEAR, lambda m: (int(m[2]), 3 * int(m[1]) - 2)),
    (_YEAR_Q, lambda m: (int(m[1]), 3 * int(m[2]) - 2)),
)


def period_labels(stamps, name):
    """Text stamps written as months or quarters the way spreadsheets and
    statistics offices label them, as the DatetimeIndex of their first days;
    None where they are not, every one in the same form. The forms:
    "Jan-18" (a spreadsheet's mmm-yy, a two-digit year as Python's ``%y``
    reads it), "2018M01", "Q1 2018" and "2018 Q1" (separators "-", "/" or a
    space, any case). pandas reads none of them right: "Jan-18" is the 18th
    of January of year 1 (pandas 3) or out of bounds (pandas 2), "2018-M01"
    a second after midnight."""
    if not pd.api.types.is_object_dtype(stamps) and not pd.api.types.is_string_dtype(stamps):
        return None
    first = str(stamps.iloc[0]).strip().lower() if len(stamps) else ""
    forms = [(p, parse) for p, parse in _LABEL_FORMS if p.fullmatch(first)]
    if not forms:  # the usual case: one stamp looked at
        return None
    text = [str(s).strip().lower() for s in stamps]
    for pattern, parse in forms:
        matches = [pattern.fullmatch(t) for t in text]
        if not all(matches):
            continue
        months = [parse(m) for m in matches]  # (year, month) each
        if any(month is None for _, month in months):
            return None
        if pattern is _MONTH_YY and len(set(months)) > 2 and len({m for _, m in months}) == 1:
            raise ValueError(  # "Jan-01" .. "Jan-31": days of January, or years of Januaries?
                f"column {name!r} holds labels such as {stamps.iloc[0]!r} that read as one month "
                "of consecutive years, or as days without a year; write the dates as "
                "YYYY-MM-DD.")
        return pd.DatetimeIndex([pd.Timestamp(year, month, 1) for year, month in months],
                                name=name)
    return None


def iso8601_times(text):
    """``text`` read as ISO 8601 times of any precision (a format taken from
    the first row refused the rest), or None where they are not, or hold
    UTC offsets that change."""
    try:
        with quiet(FutureWarning):
            times = pd.to_datetime(text, format="ISO8601")
    except (ValueError, TypeError):
        return None
    return times if pd.api.types.is_datetime64_any_dtype(times.dtype) else None


def read_times(column):
    """A long frame's time column as an index: datetimes stay, integers stay,
    strings parse (month first, as pandas reads them, unless day first reads
    as another regular series: :func:`day_first_reading` refuses that)."""
    col = pd.Series(column).reset_index(drop=True)
    if pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype):
        text = col
        # months and quarters as statistics offices label them ('2015Q1': pandas 3
        # deprecates reading it as a date; 'Jan-18', '2018M01': pandas misreads them)
        labelled = period_labels(text, column.name)
        if labelled is not None:
            return labelled
        clock = clock_time(text)
        if clock is not None:
            raise ValueError(f"The time column {column.name!r} holds clock times without dates "
                             f"(e.g. {clock!r}), which pandas dates today; give each its date.")
        try:
            # pandas 2 warns, then returns mixed zones as objects; ("Could not infer
            # format": quarters such as '2015Q1' read, one by one)
            with quiet(FutureWarning, messages=[("Could not infer format", UserWarning)]):
                col = pd.to_datetime(col)
            mixed = pd.api.types.is_object_dtype(col.dtype) and len(col) > 0
        except ValueError as exc:  # pandas 3 raises on mixed zones: "pass utc=True"
            iso = iso8601_times(text)  # ("00:00:00", then "00:00:00.500000": isoformat's)
            if iso is not None:
                return numpy_backed(pd.Index(iso))
            if "utc=true" not in str(exc).lower():
                name = column.name
                if _day_first(text) is not None:  # "13/01/2020": month 13 read month first
                    given = text.dropna().astype(str)
                    # one that reads only so: a first number past 12 ("13/02/2020")
                    first = given.str.extract(r"^\s*(\d{1,2})", expand=False).astype(float)
                    example = given[first > 12].iloc[0] if (first > 12).any() else given.iloc[0]
                    raise ValueError(
                        f"The time column {name!r} holds dates such as "
                        f"{example!r} that read only day first; parse them "
                        f"yourself, df[{name!r}] = pd.to_datetime(df[{name!r}], dayfirst=True), "
                        "or write them year first (YYYY-MM-DD).") from None
                # (pandas' first line ends "You might want to try:", its advice on the next)
                reason = str(exc).strip().splitlines()[0].split(". You might want")[0]
                raise ValueError(f"The time column {name!r} cannot be read as dates "
                                 f"({reason}); give dates, or integer steps.") from None
            mixed = True
        if mixed:  # UTC offsets that change: local times across a daylight-saving change
            raise ValueError(
                f"The time column {column.name!r} holds times with different UTC offsets (local "
                "times across a daylight-saving change) and no time zone; parse them into "
                f"yours first: df[{column.name!r}] = pd.to_datetime(df[{column.name!r}], "
                "utc=True).dt.tz_convert('Europe/Berlin') (your zone).")
        reading = day_first_reading(text, col)
        if reading is not None:
            name, seen = column.name, col.notna()  # (examples: 3 dates or more, none missing)
            first, second = text[seen].iloc[:2]
            if reading == "better":
                how, other = "read month first they fall on no regular steps, day first they do", ""
            else:
                read = col[seen]
                how = (f"they read as other regular dates month first ({read.iloc[0]:%Y-%m-%d}, "
                       f"{read.iloc[1]:%Y-%m-%d}, ...) and day first")
                other = " where the day comes first, format='%m/%d/%Y' where the month does"
            raise ValueError(
                f"The time column {name!r} holds dates such as {first!r}, "
                f"{second!r}: {how}. Parse them yourself, e.g. df[{name!r}] = "
                f"pd.to_datetime(df[{name!r}], dayfirst=True){other}, or write them year "
                "first (YYYY-MM-DD).")
    if pd.api.types.is_float_dtype(col.dtype):  # (read_csv's integers beside a blank)
        seen = col[col.notna()]
        whole = bool(len(seen)) and bool((seen == np.round(seen)).all())
        example = float(seen.iloc[0] if len(seen) else col.iloc[0])
        raise ValueError(
            f"The time column {column.name!r} holds floats (e.g. {example!r}); "
            + (f"give its integer steps as integers, df[{column.name!r}] = "
               f"df[{column.name!r}].astype(int) (after filling or dropping rows without a "
               "time), or dates." if whole else "give dates, or integer steps."))
    return numpy_backed(pd.Index(col))


def parsed_times(index):
    """Time labels as the forecasters read them: text that reads as dates,
    and ``datetime.date`` values, parsed, as a long frame's time column is
    (:func:`read_times`), and pyarrow dates and timestamps as datetimes
    (:func:`tsgate._series.numpy_backed`); labels of other kinds (ids, with
    a MultiIndex's levels swapped: the checks that follow say so) as given."""
    if len(index) and (all(isinstance(v, str) for v in index)
                       or index.dtype == object
                       and all(isinstance(v, datetime.date) for v in index)):
        try:
            index = read_times(pd.Series(index, name=index.name))
        except ValueError:
            pass
    return numpy_backed(index)


def same_unit(past, index):
    """The fitted dates ``past`` at the datetime unit and in the time zone
    of the history ``index`` (parquet's "us" after a fit on "ns"; the same
    instants in UTC after a fit in Europe/Berlin), where both are dates
    with a zone or both without, and the unit holds them; else ``past`` as
    it is."""
    if not (isinstance(past, pd.DatetimeIndex) and isinstance(index, pd.DatetimeIndex)) \
            or (past.tz is None) != (index.tz is None):
        return past
    if past.tz is not None and str(past.tz) != str(index.tz):
        past = past.tz_convert(index.tz)
    if past.unit != index.unit:
        try:
            return past.as_unit(index.unit)
        except (pd.errors.OutOfBoundsDatetime, ValueError):
            return past
    return past
