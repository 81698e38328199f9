"""Reading a CSV file of time series into a frame indexed by time, for the CLI.

The first column (or the one named) holds the times: dates (read by
``csvdates``: day-first dates are refused with a message that asks for
YYYY-MM-DD, as pandas would read them month first; times with changing UTC
offsets are read in UTC), or integer steps. A file whose first lines show
";", tabs or "|" as the separator (:func:`_separator`) is read with it, its
decimal commas as numbers. Besides pandas' missing markers ("", "NA",
"#N/A", ...), "-" and a spreadsheet's error values ("#DIV/0!", ...) are
missing values; a series id is read as written ("NA" is an id, "007" too).
Files and standard input may be gzip-compressed, or UTF-16/UTF-32 with a
byte order mark (:func:`_text_of`). The frequency of dates is inferred
or forced (``--freq``), gaps becoming missing values. Every problem is a
``ValueError`` naming the file, the column and the fix.
"""
import csv
import io
import itertools
import os
import re
import sys

import numpy as np
import pandas as pd

from ._series import (
    PERIOD_NAMES,
    date_offset,
    guess_freq,
    infer_freq,
    infer_step,
    period_of,
)
from .archives import unpacked
from .csvdates import first_line, is_date, is_number, packed_dates, text_dates
from .grids import coarser_step, sparse_grid, too_many_steps

_LABELS = {"M": "2020-01", "Q": "2020 Q1", "Y": "2020"}  # a period as the CLI reads it
MISSING = ["-", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


def _first_lines(path, n=2, errors="replace"):
    """The first ``n`` lines of the file (or of an in-memory text), all of
    them for None; fewer if it is shorter or unreadable."""
    if hasattr(path, "getvalue"):
        return path.getvalue().lstrip("\ufeff").splitlines()[:n]
    opener = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}.get(os.path.splitext(path)[1])
    try:
        module = __import__(opener) if opener else None
        with (module.open(path, "rt", encoding="utf-8-sig", errors=errors) if module
              else open(path, encoding="utf-8-sig", errors=errors)) as f:
            return [line.rstrip("\r\n") for line in (f if n is None else itertools.islice(f, n))]
    except (OSError, UnicodeDecodeError):
        return []


def _separator(lines):
    """The separator a file's first lines show where it is not the comma:
    ";", a tab or "|" in a header without commas; or in one with commas
    ("Datum;Umsatz, EUR"), where the first row holds as many of it and its
    commas differ from the header's (decimal commas), or split at it, its
    first field is a time and split at the commas it is not. None: commas."""
    header = lines[0] if lines else ""
    others = [sep for sep in ";\t|" if sep in header]
    if not others:
        return None
    if "," not in header or len(lines) < 2:
        return others[0]
    sep, row = others[0], lines[1]
    if header.count(sep) != row.count(sep):
        return None
    if header.count(",") != row.count(","):
        return sep
    # (fields as csv reads them: a quoted "2020-01-01" is a date)
    at_sep, at_comma = (next(csv.reader([row], delimiter=d), [""])[0].strip() for d in (sep, ","))
    return sep if is_date(at_sep) and not is_date(at_comma) else None


def _read(path, na_values=MISSING, **options):
    """``pd.read_csv`` of ``path``, ``na_values`` (and pandas' own, unless
    ``keep_default_na=False``) read as missing; where it fails, again
    without the lines of separators only, which spreadsheets write with as
    many separators as their widest row (",,," below two columns: pandas'
    "Expected 2 fields, saw 4"). Spaces after a separator are not part of
    a field (a header "month, sales" named its column " sales", which
    ``--value-column sales`` did not find; a quoted field after one was not
    read as quoted)."""
    if hasattr(path, "seek"):  # standard input, read into memory
        path.seek(0)
    options.setdefault("skipinitialspace", True)
    try:
        return pd.read_csv(path, na_values=na_values, **options)
    except pd.errors.ParserError:
        lines = _first_lines(path, None, errors="strict")
        kept = [line for line in lines if line.strip(" ,;\t|")]
        if len(kept) == len(lines):
            raise
        return pd.read_csv(io.StringIO("\n".join(kept)), na_values=na_values, **options)


def _read_table(path, id_column=None, label=None, notes=None):
    """``pd.read_csv(path)``, with the separator the header holds (";", a
    tab, "|") where it holds no comma, or where the default separator fails
    (a header "Datum;Umsatz, EUR"; rows "1000;" beside "1002,25;" split
    unevenly at commas). Text columns of numbers written with digit groups
    or a decimal comma become numbers (:func:`_grouped_numbers`): in a
    comma-separated file quoted "1,234,567.5" (thousands commas); in a ";"
    one "99,35" and "1.234,5" (a decimal comma, as spreadsheets in many
    locales write them, and thousands points); in a tab or "|" one either,
    where only one reads every value. The ``id_column`` is read as text, as
    the file writes it (ids "007" and "010" stay so, not 7 and 10, and an id
    "NA" is the region, not a missing value). Columns pandas read as
    decimals where another separator than the comma holds thousands points
    are read again by :func:`_thousands_points`."""
    dtype = None if id_column is None else {id_column: str}
    lines = _first_lines(path, n=20)
    sep = _separator(lines)
    try:
        raw = _read(path, dtype=dtype, sep=sep or ",")
    except pd.errors.ParserError:
        others = [c for c in ";\t|" if lines and c in lines[0]]
        if sep is not None or not others:
            raise
        sep = others[0]
        raw = _read(path, dtype=dtype, sep=sep)
    if sep is None:  # a header that split into one column: its separator is another
        seps = [c for c in ";\t|" if raw.shape[1] == 1 and c in str(raw.columns[0])]
        if seps:
            sep = seps[0]
            raw = _read(path, dtype=dtype, sep=sep)
    index_col = None
    if (raw.shape[1] >= 2 and not isinstance(raw.index, pd.RangeIndex)
            and not str(raw.columns[-1]).startswith("Unnamed: ") and raw.iloc[:, -1].isna().all()):
        # each row ends in a separator its header does not: pandas took the rows' first
        # field (the dates) as the index, and the header's columns hold the others (a
        # header ending in one too is read whole; a title line above it is said below)
        index_col = False
        raw = _read(path, dtype=dtype, sep=sep or ",", index_col=index_col)
    # the header's names as written (pandas renames a second "y" to "y.1"): its
    # first line that is not blank, as pandas skips those
    header = next((line for line in lines if line.strip()), "")
    raw.attrs["header"] = [h.strip() for h in next(csv.reader([header], delimiter=sep or ","))]
    if id_column is not None and id_column in raw.columns and raw[id_column].isna().any():
        ids = _read(path, sep=sep or ",", usecols=[id_column], dtype=str, na_values=[],
                    keep_default_na=False)  # only an empty id is missing ("-" is an id)
        raw[id_column] = ids[id_column].where(ids[id_column].str.strip() != "")
    # (thousands, decimal) a file may write: a comma-separated file's decimal
    # mark is the point; a ";" one's the comma (the locales that use ";" so);
    # a tab or "|" may be either, and a column both read alike ("1,234")
    # stays text: a value column then says it is not a number
    conventions = {None: [(",", ".")], ";": [(".", ",")]}.get(sep, [(",", "."), (".", ",")])
    for c in raw.columns:
        text = raw[c]
        if c != id_column and (pd.api.types.is_object_dtype(text)
                               or pd.api.types.is_string_dtype(text)):
            read = [_grouped_numbers(text, *conv) for conv in conventions]
            read = [r for r in read if r is not None]
            if len(read) == 1:
                raw[c] = read[0]
    if sep is not None:
        _thousands_points(raw, path, sep, id_column, label or str(path), notes, index_col)
    return raw


# an integer with thousands points ("1.040"), or plain digits ("980"): read as a
# decimal by pandas, which knows no convention of the separator
_POINTED = re.compile(r"[+-]?(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)")


def _thousands_points(raw, path, sep, id_column, label, notes, index_col=None):
    """The float columns of a ";", tab or "|" file that are integers with
    thousands points beside plain ones: "980" beside "1.040" was read as
    980 and 1.04, and forecast near 0 without a word. In a ";" file, whose
    convention is thousands points and decimal commas (as "1.234,5" is
    read), such a column is read by it, with a note; in a tab or "|" file,
    where either is written, it is refused as ambiguous. A column whose
    values all have three decimals ("1.105", "1.112": exchange rates) stays
    as pandas read it, decimals, in either."""
    floats = [c for c in raw.columns if c != id_column and pd.api.types.is_float_dtype(raw[c])]
    if not floats:
        return
    # (the same rows and columns: one parse of the same file)
    text = _read(path, sep=sep, dtype=str, index_col=index_col)
    for c in floats:
        given = text[c].dropna().str.strip() if c in text else pd.Series(dtype=str)
        pointed = given.str.contains(".", regex=False)
        if (len(given) == 0 or not pointed.any() or pointed.all()
                or not given.str.fullmatch(_POINTED).all()):
            continue
        if sep == ";":
            raw[c] = _grouped_numbers(text[c], ".", ",")
            if notes is not None:
                notes.append(f"column {c!r}: read {given[pointed].iloc[0]!r} as "
                             f"{raw[c][given[pointed].index[0]]:.0f} (thousands points, as "
                             "';'-separated files write them)")
        else:
            raise ValueError(
                f"column {c!r} of {label} holds {given[pointed].iloc[0]!r} beside "
                f"{given[~pointed].iloc[0]!r}: a number with thousands points, or a decimal? "
                "Write the numbers without digit groups (1040, 1.04), or separate the file "
                "with ';' (thousands points and decimal commas).")


def _numeric_ids(ids):
    """An id column read as text, as numbers where every id is one written
    as Python prints it: int64 for plain integers ("7", "12", "-3"), float64
    for decimals ("1.0", "2.5", "10.0"). They then sort as numbers (7
    before 12, "2.0" before "10.0"), as the Python API sorts numeric ids,
    and print as written. Ids such as "007", " 7", "+7", "-0", "1.50" or
    "1e3" stay text: as numbers they would print otherwise, or two ids
    would become one. Integers beside decimals ("7", "10", "2.5") stay as
    written, as categories in the numbers' order."""
    text = ids.astype(str)
    # plain integers only: no sign "+", no spaces, no "-0", within int64
    if text.str.fullmatch(r"0|-?[1-9]\d{0,18}").all():
        numbers = [int(t) for t in text]
        if all(-2**63 <= v < 2**63 for v in numbers):
            return pd.Series(numbers, index=ids.index, name=ids.name, dtype=np.int64)
        return ids
    if not text.str.fullmatch(r"-?\d+\.\d+").all():
        if not text.str.fullmatch(r"0|-?[1-9]\d*|-?\d+\.\d+").all():
            return ids
        # integers beside decimals ("7", "10", "2.5"): as written, but in the
        # numbers' order (categories), where no two are one number ("2", "2.0")
        value = {t: float(t) for t in text.unique()}
        if len(set(value.values())) != len(value):
            return ids
        return pd.Series(pd.Categorical(text, categories=sorted(value, key=value.get)),
                         index=ids.index, name=ids.name)
    numbers = np.array([float(t) for t in text])  # (n,)
    # each must print back as written ("1.50" -> "1.5" does not), and no
    # two become one ("-0.0" and "0.0")
    if (any(repr(v) != t for v, t in zip(numbers.tolist(), text))
            or len(set(numbers.tolist())) != len(set(text))):
        return ids
    return pd.Series(numbers, index=ids.index, name=ids.name, dtype=np.float64)


def _grouped_numbers(text, thousands, decimal):
    """The numbers a text column (Series) writes with ``thousands`` between
    groups of three digits and ``decimal`` before the fraction, or None
    unless every value is such a number (then the column stays text, and
    a value column says which value is not a number) and one of them holds
    a separator or has 19 digits or more (pandas keeps integers beyond its
    int64 and uint64 as text). The groups are strict, the first of one to
    three digits not starting with 0, the others of three: "1,234" is 1234
    with thousands commas, but "1,5" and "0,125" are no such number."""
    given = text.dropna().astype(str).str.strip()
    t, d = re.escape(thousands), re.escape(decimal)
    number = rf"[+-]?(?:[1-9]\d{{0,2}}(?:{t}\d{{3}})+|\d+)(?:{d}\d+)?"
    if len(given) == 0 or not given.str.fullmatch(number).all():
        return None
    if (not given.str.contains(f"{t}|{d}" if decimal != "." else t).any()
            and not given.str.lstrip("+-").str.len().gt(18).any()):
        return None  # plain digits: pandas read them, or chose text on purpose;
        # but integers past its int64 and uint64 it keeps as text: floats
    plain = given.str.replace(thousands, "", regex=False).str.replace(decimal, ".", regex=False)
    out = pd.Series(np.nan, index=text.index)
    out[given.index] = plain.astype(float)
    return out


def _saved_index(raw, column):
    """Whether ``column`` of ``raw`` is a row index ``DataFrame.to_csv``
    saved: unnamed, first, and counting rows, 0, 1, 2, ..., or from a
    slice's first row on (6, 7, ...); an unnamed column of other integers
    (0, 1, 4, 9) is data."""
    s = raw[column]
    if not (column == raw.columns[0] and str(column).startswith("Unnamed: ")
            and pd.api.types.is_integer_dtype(s) and not pd.api.types.is_bool_dtype(s)
            and len(s) > 1):
        return False
    first = int(s.iloc[0])
    return first >= 0 and np.array_equal(s.to_numpy(), np.arange(first, first + len(s)))


_SAVED_INDEX = "leaving out the unnamed first column (0, 1, 2, ...: a saved row index)"


def _past_saved_index(raw, column, id_column, label, notes):
    """The default time column, and the frame without a saved row index
    (:func:`_saved_index`) beside a column of dates: the index is left out,
    and the dates are the times (they were skipped as text, and the forecast
    was of row numbers 30, 31, ...)."""
    if not _saved_index(raw, column):
        return raw, column
    rest = [c for c in raw.columns if c not in (column, id_column)]
    if not rest or pd.api.types.is_numeric_dtype(raw[rest[0]]):
        return raw, column
    try:
        text_dates(raw[rest[0]], rest[0], label, "")
    except (ValueError, TypeError, OverflowError):  # not dates: the index is the time
        return raw, column
    if notes is not None:
        notes.append(f"{_SAVED_INDEX}; the times are column {rest[0]!r}")
    return raw.drop(columns=[column]), rest[0]


def read_csv(path, time_column, id_column=None, notes=None):
    """Read ``path`` and return (frame indexed by time, name of the time column).

    With ``id_column`` (a long file) the time column defaults to the first
    other column, and a time may repeat (once per series). ``path`` "-" reads
    standard input (``cat data.csv | tsgate forecast -``). ``notes``: a list
    that gets what the reading changed (times whose UTC offset changes).
    """
    label = "standard input" if path == "-" else path
    if path == "-":  # read once: _read_table may read it twice
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        path = io.StringIO(_text_of(data, label) if isinstance(data, bytes) else data)
    elif os.path.isdir(path):
        raise ValueError(f"{path} is a directory, not a CSV file.")
    elif not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file.")
    else:
        with open(path, "rb") as f:
            head = f.read(4)
        ext = os.path.splitext(path)[1]
        compressed = ext in (".gz", ".bz2", ".xz", ".zip", ".zst")
        if ext in (".zip", ".zst"):  # read here: the separator was sniffed from a zip's bytes
            path = io.StringIO(_text_of(unpacked(path, ext, label), label))
        elif not compressed and head.startswith(_SNIFFED):  # gzip or UTF-16 by their first
            with open(path, "rb") as f:  # bytes, as standard input is read
                path = io.StringIO(_text_of(f.read(), label))
        elif not compressed and head.startswith(b"PK\x03\x04"):
            raise ValueError(f"{label} is a zip archive, not CSV text (an Excel workbook?): "
                             "save the sheet as CSV (in Excel: \"CSV UTF-8\").")
    try:
        raw = _read_table(path, id_column, label, notes)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{label} is empty.") from None
    except UnicodeDecodeError as exc:
        raise ValueError(_not_utf8(label, exc)) from None
    except pd.errors.ParserError as exc:
        raise ValueError(f"{label} cannot be read as CSV: {first_line(exc)}") from None
    # a separator at the end of every line (as spreadsheets write) makes an
    # empty, unnamed last column: not data
    empty = [c for c in raw.columns if str(c).startswith("Unnamed: ") and raw[c].isna().all()]
    raw = raw.drop(columns=empty)
    if len(raw.columns) and is_date(raw.columns[0]) and all(
            is_number(c) or is_number(str(c).replace(",", ".", 1))
            or str(c).startswith("Unnamed: ")
            or _grouped_numbers(pd.Series([str(c)]), ",", ".") is not None
            for c in raw.columns[1:]):
        raise ValueError(f"{label} has no header row: its first line, {list(raw.columns)}, is data. "
                         "Add a line naming the columns (e.g. ds,y) at the top.")
    if raw.shape[1] < 2 and not isinstance(raw.index, pd.RangeIndex):
        # rows of more fields than the first line: pandas took their first as the index
        raise ValueError(f"the first line of {label}, {str(raw.columns[0])!r}, is not a header: "
                         "the rows below it have more fields. Remove the title or comment "
                         "lines above the row naming the columns.")
    if raw.shape[1] < 2:
        raise ValueError(f"{label} needs a time column and at least one value column; it has "
                         f"{raw.shape[1]} column(s): {list(raw.columns)}.")
    rows_longer = not isinstance(raw.index, pd.RangeIndex)  # pandas took a first field as index
    if rows_longer:  # (rows of one field more than the header, not an empty one: _read_table
        # reads those)
        raise ValueError(f"the rows of {label} have one field more than its header "
                         f"({', '.join(map(str, raw.columns))}); name every column in the "
                         "first line.")
    named = raw.attrs.get("header", [])
    twice = next((h for h in named if h and named.count(h) > 1), None)
    if twice is not None:  # read as "y" and "y.1": a second series by accident
        raise ValueError(f"the header of {label} names column {twice!r} more than once; give "
                         "each column its own name.")
    blank = ~raw.notna().any(axis=1).to_numpy()  # lines of separators only (",,"), as
    if blank.any():  # spreadsheets end a file: their NaN made integer columns floats
        raw = raw[~blank]
        for c in raw.columns:
            if pd.api.types.is_float_dtype(raw[c]) and raw[c].notna().all() \
                    and np.all(np.mod(raw[c], 1) == 0):
                raw[c] = raw[c].astype(np.int64)
    if len(raw) == 0:
        raise ValueError(f"{label} has a header but no rows.")
    if id_column is not None and id_column not in raw.columns:
        raise ValueError(f"id column {id_column!r} is not in {label}; its columns are "
                       f"{list(raw.columns)}.")
    if id_column is not None and raw[id_column].isna().any():  # (file order, before any sort)
        row = int(np.flatnonzero(raw[id_column].isna().to_numpy())[0])
        raise ValueError(f"id column {id_column!r} of {label} is empty on line {row + 2} "
                         "(counting the header as line 1); every row needs a series id.")
    if id_column is not None:
        raw[id_column] = _numeric_ids(raw[id_column])
    named = time_column is not None
    hint = ("choose a column of dates or integer steps" if named
            else "write the dates as YYYY-MM-DD (or YYYY-MM, YYYY-MM-DD HH:MM), or name "
                 "the time column with --time-column if it is another")
    if time_column is None:
        time_column = next((c for c in raw.columns if c != id_column), raw.columns[0])
        raw, time_column = _past_saved_index(raw, time_column, id_column, label, notes)
    if time_column not in raw.columns:
        raise ValueError(f"time column {time_column!r} is not in {label}; its columns are "
                       f"{list(raw.columns)}.")
    if raw.columns[0] not in (time_column, id_column) and _saved_index(raw, raw.columns[0]):
        # a saved row index beside the named time column: no series (it was forecast
        # as one, or as a long file's only value column)
        raw = raw.drop(columns=[raw.columns[0]])
        if notes is not None:
            notes.append(_SAVED_INDEX)
    stamps = raw[time_column]
    if pd.api.types.is_integer_dtype(stamps) and not pd.api.types.is_bool_dtype(stamps):
        index = packed_dates(stamps, time_column)
        if index is None:
            index = pd.Index(stamps.to_numpy(), name=time_column)
    elif (pd.api.types.is_float_dtype(stamps) and stamps.isna().any()
          and np.all(np.mod(stamps.dropna(), 1) == 0)):  # integers, one missing: read as floats
        raise ValueError(f"column {time_column!r} of {label} has missing time steps (row "
                         f"{int(np.flatnonzero(stamps.isna().to_numpy())[0]) + 2} of the "
                         "file); give every row its time.")
    elif pd.api.types.is_numeric_dtype(stamps) or pd.api.types.is_bool_dtype(stamps):
        raise ValueError(f"column {time_column!r} of {label} holds {stamps.dtype} numbers, not "
                         f"dates or integer steps; {hint}.")
    else:
        index = text_dates(stamps, time_column, label, hint, notes)
        if index.isna().any():
            raise ValueError(f"column {time_column!r} of {label} has missing dates "
                             f"(row {int(np.flatnonzero(index.isna())[0]) + 2} of the file).")
    frame = raw.drop(columns=[time_column]).set_axis(index, axis=0)
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
    if id_column is None and frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()][0]
        raise ValueError(f"{label} has the time {dup} more than once in column {time_column!r}; "
                         "aggregate or drop the duplicates.")
    return frame, time_column


# gzip; UTF-32 and UTF-16 by their byte order marks (Excel's "Unicode Text": UTF-16)
_SNIFFED = (b"\x1f\x8b", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_MARKS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
          (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _text_of(data, label):
    """The text of a file's bytes: gzip-compressed ones decompressed,
    UTF-32 or UTF-16 with its byte order mark, else UTF-8 (a BOM skipped)."""
    if data[:2] == b"\x1f\x8b":  # gzip
        import gzip
        import zlib
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:  # (a truncated or damaged file)
            raise ValueError(f"{label} is gzip-compressed but cannot be decompressed "
                             f"({exc}); is it whole? Compress it again, or give it "
                             "uncompressed.") from None
    encoding = next((name for mark, name in _MARKS if data.startswith(mark)), "utf-8-sig")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding == "utf-8-sig":
            raise ValueError(_not_utf8(label, exc)) from None
        raise ValueError(f"{label} starts with the byte order mark of {encoding.upper()} text "
                         f"but is not that throughout (byte {exc.start}); save it as UTF-8 "
                         "(in Excel: \"CSV UTF-8\").") from None


def _not_utf8(label, exc):
    return (f"{label} is not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r} at "
            f"position {exc.start}); save it as UTF-8 (in Excel: \"CSV UTF-8\"), or convert "
            "it, e.g. iconv -f cp1252 -t utf-8 file.csv > file-utf8.csv.")


def select_columns(frame, columns, source, default=None, notes=None):
    """Numeric value columns of ``frame``: ``columns``, else ``default``, else all numeric."""
    if columns:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"column(s) {missing} not in {source}; its value columns are "
                           f"{list(frame.columns)}.")
        picked = list(dict.fromkeys(columns))
    elif default is not None:
        picked = [default]
    else:
        picked = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
                  and not pd.api.types.is_bool_dtype(frame[c])]
        empty = [c for c in picked if frame[c].isna().all()]  # a named column left blank
        kept = [c for c in picked if c not in empty]  # ("notes"): no series, as text is none
        if kept and empty:  # (all empty: the forecaster says no value is observed)
            picked = kept
            if notes is not None:
                notes.append(f"skipping empty column(s) {empty}")
        skipped = [c for c in frame.columns if c not in picked and c not in empty]
        if not picked:
            raise ValueError(f"{source} has no numeric value column ({_texts(frame)}); write "
                             "the numbers plainly (1234.5, or 1234,5 in a ';'-separated file) "
                             "or choose a column with --value-column.")
        if skipped and notes is not None:
            notes.append(f"skipping non-numeric column(s) {skipped}")
    data = frame[picked].copy()
    for c in picked:
        if pd.api.types.is_bool_dtype(data[c]):
            raise ValueError(f"column {c!r} of {source} holds true/false values, not numbers; "
                             "choose a numeric column with --value-column.")
        if not pd.api.types.is_numeric_dtype(data[c]):
            try:
                data[c] = pd.to_numeric(data[c])
            except (ValueError, TypeError) as exc:
                raise ValueError(f"column {c!r} of {source} is not numeric "
                                 f"({first_line(exc)}).") from None
    return data


def _texts(frame):
    """Each column of ``frame`` with its first value that is not a number:
    "column 'sales' holds '1,5'", for the message of a file without numbers."""
    out = []
    for c in frame.columns:
        values = frame[c].dropna()
        bad = values[pd.to_numeric(values, errors="coerce").isna()] \
            if not pd.api.types.is_bool_dtype(values) else values
        out.append(f"column {c!r} holds {str(bad.iloc[0])!r}" if len(bad)
                   else f"column {c!r} is empty")
    return ", ".join(out)


def set_frequency(frame, freq, source, notes, sparse=None):
    """Give a DatetimeIndex its frequency: forced by ``freq`` or inferred.

    A ``freq`` grid too sparse for the dates (:func:`tsgate.grids.sparse_grid`)
    is refused, or, given a list ``sparse``, the step its dates follow
    (or None) is appended there (a long file's series, refused only where
    every series is so, as ``freq=`` does)."""
    index = frame.index
    if index.has_duplicates:  # (a long file's series: pandas' "cannot reindex" named none)
        raise ValueError(f"{source} has the time {index[index.duplicated()][0]} more than once; "
                         "aggregate or drop the duplicates.")
    if not isinstance(index, pd.DatetimeIndex):
        if freq is not None:
            raise ValueError(f"--freq applies to dates, but the time column of {source} holds "
                             "integers (used as a plain integer index).")
        return frame
    if freq is None:
        if index.freq is not None:
            return frame
        if len(index) < 3:
            raise ValueError(f"{source} has {len(index)} rows: too few to infer a frequency "
                             "(give one with --freq) or to forecast.")
        try:  # pandas' inference, or a calendar grid it does not infer (semi-months)
            inferred = infer_step(index)
        except ValueError:
            guess = guess_freq(index)
            period = period_of(index, guess)
            if period is not None:
                raise ValueError(
                    f"the dates in {source} step by one {PERIOD_NAMES[period]} but on a day no "
                    f"frequency falls on (e.g. {index[0]:%Y-%m-%d}, {index[1]:%Y-%m-%d}); "
                    f"write them as {PERIOD_NAMES[period]}s ({_LABELS[period]}) or as their first "
                    "days.")
            raise ValueError(
                f"the frequency of the dates in {source} cannot be inferred (irregular or "
                f"missing dates); force one with --freq, e.g. --freq {guess} (gaps become "
                "missing values, which tsgate skips).")
        return frame.asfreq(inferred)
    offset, renamed = date_offset(freq)  # (silent: the grid's error, if any, says)
    if offset is None:
        raise ValueError(
            f"--freq {freq!r} is not a pandas frequency alias"
            + (f" of dates: pandas names it {renamed!r} now (--freq {renamed})." if renamed
               else " (e.g. D, W-SUN, MS, QS, YS, h, 15min)."))
    if isinstance(offset, pd.offsets.Tick):  # its size before it is built: --freq ms of
        # monthly dates asked for 2.74 TiB
        periods = (index[-1] - index[0]) // pd.Timedelta(offset) + 1
        if too_many_steps(periods, len(index)):
            _refuse_sparse(index, freq, periods, source)
    grid = pd.date_range(index[0], index[-1], freq=offset)
    off_grid = ~index.isin(grid)
    if len(grid) == 0 or off_grid.any():
        example = index[off_grid][0] if off_grid.any() else index[0]
        looks = infer_freq(index) if len(index) >= 3 else None
        raise ValueError(f"the dates of {source} do not fall on a {freq!r} grid ({example} is "
                         "off it); choose another --freq"
                         + (f": they look like --freq {looks}." if looks else "."))
    refused, own = sparse_grid(index, len(grid))
    if refused:
        if sparse is None:
            _refuse_sparse(index, freq, len(grid), source)
        sparse.append(own)  # (the step the dates follow, or None)
        return frame.reindex(grid).rename_axis(index.name)
    if len(grid) > len(index):
        notes.append(f"{len(grid) - len(index)} missing {freq!r} period(s) are treated as gaps")
    return frame.reindex(grid).rename_axis(index.name)


def _refuse_sparse(index, freq, periods, source):
    """Raise the error of a ``--freq`` grid of ``periods`` dates over
    ``index`` too sparse by the rule ``freq=`` follows
    (:func:`tsgate.grids.sparse_grid`): nearly all missing, or at least 4
    times as dense as the dates' own step; gaps alone are missing values,
    as for the estimators."""
    own = coarser_step(index, periods)
    raise ValueError(f"with --freq {freq!r}, {periods - len(index)} of the {periods} "
                     f"periods of {source} would be missing"
                     + (f"; the dates look like {own!r} data: give --freq {own}." if own
                        else "; give the frequency the dates follow."))
