"""The times column of a CSV file read as dates: ISO and pandas-readable
dates (day-first ones refused unless they read better so), period labels
("Jan-18", "2018M01", "Q1 2018"), times with changing UTC offsets, and
dates packed into integers (20180131, 201801). Used by ``csvinput``."""

import pandas as pd

from ._callers import quiet
from ._series import infer_freq
from .timedtypes import clock_time, day_first_reading, iso8601_times, period_labels


def is_number(text):
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def is_date(text):
    """Whether a column name reads as a date (a headerless file's first row)."""
    if is_number(text):  # a year or an integer step: a name like "2020" is rare
        return True
    try:
        with quiet(Warning):
            pd.Timestamp(str(text))
    except (TypeError, ValueError):
        return False
    return True


def text_dates(stamps, name, path, hint, notes=None):
    """A time column as a DatetimeIndex. Times with UTC offsets that change
    (local time across a daylight-saving change) are read in UTC or as
    wall-clock times (:func:`_mixed_offsets`), which a note in ``notes``
    says (the Python API refuses them: it can ask for a zone); months and
    quarters labelled as spreadsheets and statistics offices write them
    ("Jan-18", "2018M01", "Q1 2018") as their first days."""
    labelled = period_labels(stamps, name)
    if labelled is not None:
        return labelled
    clock = clock_time(stamps)
    if clock is not None:
        raise ValueError(f"column {name!r} of {path} holds clock times without dates (e.g. "
                         f"{clock!r}), which pandas dates today; write each with its date, as "
                         "YYYY-MM-DD HH:MM.")
    with quiet(Warning):  # "could not infer format": the error says it
        try:
            index = pd.DatetimeIndex(pd.to_datetime(stamps), name=name)
        except (ValueError, TypeError) as exc:
            first = exc
            # ISO 8601 of varying precision (isoformat leaves out zero microseconds:
            # "00:00:00", then "00:00:00.500000"), which a format from the first row refused
            iso = iso8601_times(stamps)
            if iso is not None:
                return pd.DatetimeIndex(iso, name=name)
        else:
            reading = day_first_reading(stamps, index)
            if reading is None:
                return index
            first = None
        if first is not None and "utc=true" in str(first).lower():  # mixed offsets need utc=True
            try:
                index = _mixed_offsets(stamps, name)
            except (ValueError, TypeError):
                pass
            else:
                if notes is not None:
                    notes.append(_offsets_note(stamps, index, name, path))
                return index
        try:
            pd.to_datetime(stamps, dayfirst=True)
            day_first = True
        except (ValueError, TypeError):
            day_first = False
    if first is None and reading == "both":
        one, two = stamps.dropna().iloc[:2]  # (3 dates or more: both readings regular)
        raise ValueError(f"column {name!r} of {path} holds dates such as {one!r}, {two!r} that "
                         "read as other regular dates month first and day first; write them "
                         "year first, as YYYY-MM-DD.")
    if day_first:
        raise ValueError(f"column {name!r} of {path} holds day-first dates (e.g. "
                         f"{stamps.iloc[0]!r}); write them year first, as YYYY-MM-DD.")
    reason = first_line(first).split(". You might want to try")[0]  # pandas' cut-off advice
    raise ValueError(f"column {name!r} of {path} cannot be read as dates ({reason}); {hint}.")


def _mixed_offsets(stamps, name):
    """Times whose UTC offset changes (local times across a daylight-saving
    change): their wall-clock times without the offsets where those are
    local midnights on a grid (a daily or monthly file: 23:00 and 22:00
    UTC; pandas read a monthly one's UTC times as month ends, an hour off
    in summer); else in UTC where they fall on a grid there (hours); else
    their wall-clock times where those do; else in UTC, for the frequency
    check to refuse."""
    utc = pd.DatetimeIndex(pd.to_datetime(stamps, utc=True), name=name)
    text = pd.Series(stamps).astype(str).str.strip()
    try:
        wall = pd.DatetimeIndex(pd.to_datetime(text.str.replace(r"(?:Z|[+-]\d\d:?\d\d)$", "",
                                                                regex=True)), name=name)
    except (ValueError, TypeError):
        wall = None
    on_grid = wall is not None and wall.tz is None and \
        infer_freq(wall.unique().sort_values()) is not None
    if on_grid and (wall == wall.normalize()).all():  # dates: days or longer
        return wall
    if infer_freq(utc.unique().sort_values()) is not None:
        return utc
    return wall if on_grid else utc


def _offsets_note(stamps, index, name, path):
    """What became of times whose UTC offset changes: read in UTC, or as
    wall-clock times without their offsets (the forecast's times too)."""
    offsets = pd.Series(stamps).astype(str).str.extract(r"(Z|[+-]\d\d:?\d\d)$")[0]
    seen = ", ".join(offsets.dropna().unique()[:3])
    read = ("in UTC (the forecast's times too)" if index.tz is not None else
            "as local wall-clock times without the offsets (the forecast's times too: "
            "naive local times)")
    return (f"column {name!r} of {path} holds times whose UTC offset changes ({seen}: a "
            f"daylight-saving change); they are read {read}. To keep a time zone, forecast "
            "in Python: pd.to_datetime(df[col], utc=True).dt.tz_convert('Europe/Berlin') "
            "(your zone)")


# besides pandas' own ("", "NA", "N/A", "#N/A", "null", ...): a dash, and the
# error values a spreadsheet writes where a formula fails


PACKED_YEARS = (1800, 2200)  # the years digits may pack: 18000101 .. 22001231, 180001 .. 220012


def packed_dates(stamps, name):
    """Integer stamps that are dates written as digits, 20200131 (YYYYMMDD) or
    202001 (YYYYMM), as dates; None where they are not (each one a valid date
    of a year in ``PACKED_YEARS``; an integer step count is not, unless it
    happens to be such digits throughout). Read as integers, such dates
    step unevenly (by 1, then 70 at a month's end) and fail, or, within one
    month (20200101 .. 20200130) or year (202001 .. 202010), step evenly
    and were forecast at 20200131, 20200132 (until session 31 even steps
    were taken for integers)."""
    values = stamps.to_numpy()
    first, last = PACKED_YEARS
    for digits, fmt in ((8, "%Y%m%d"), (6, "%Y%m")):
        scale = 10 ** (digits - 4)
        if ((values >= first * scale) & (values < (last + 1) * scale)).all():
            dates = pd.to_datetime(pd.Series(values).astype(str), format=fmt, errors="coerce")
            if dates.notna().all():
                return pd.DatetimeIndex(dates, name=name)
    return None


def first_line(exc):
    text = str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
