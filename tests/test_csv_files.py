"""CSV files as spreadsheets and databases write them (session 34's sweep):
each is read into the right times, ids and values, or refused with a
message that names the cause. ``tsgate.csvinput.read_csv`` alone: no fit."""
import gzip
import io

import numpy as np
import pandas as pd
import pytest

from tsgate._series import infer_freq as tsgate_infer_freq
from tsgate.csvinput import read_csv

DAYS = [f"2020-01-{d:02d}" for d in range(1, 11)]


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.mark.parametrize("values", [
    ["1000", "1001", "1002,25", "1003", "1004,5", "1005", "1006", "1007", "1008", "1009"],
    ["0", "1", "2", "3,5", "4", "5", "6", "7", "8", "9"],
])
def test_european_excel_with_whole_numbers_beside_decimal_commas(tmp_path, values):
    """Rows "1000;" beside "1002,25;" split unevenly at commas: refused with
    pandas' "Expected 1 fields in line 4, saw 2"."""
    text = "\ufeffDatum;Umsatz;\r\n" + "".join(f"{d};{v};\r\n" for d, v in zip(DAYS, values))
    frame, time = read_csv(_write(tmp_path, "eu.csv", text), None)
    assert time == "Datum" and list(frame.columns) == ["Umsatz"]
    np.testing.assert_allclose(frame["Umsatz"], [float(v.replace(",", ".")) for v in values])


def test_a_header_with_a_comma_in_a_name_of_a_semicolon_file(tmp_path):
    text = "Datum;Umsatz, EUR\n" + "".join(f"{d};{i},25\n" for i, d in enumerate(DAYS))
    frame, _ = read_csv(_write(tmp_path, "eu.csv", text), None)
    assert list(frame.columns) == ["Umsatz, EUR"]
    np.testing.assert_allclose(frame.iloc[:, 0], np.arange(10) + 0.25)


def test_an_id_written_na_is_an_id_and_an_empty_one_is_missing(tmp_path):
    # "-" and "#N/A", missing markers among values, are ids too (a "-" id was
    # "empty on line 2")
    keys = ("NA", "EU", "-", "#N/A")
    rows = "".join(f"{k},{d},{i}\n" for k in keys for i, d in enumerate(DAYS))
    frame, _ = read_csv(_write(tmp_path, "long.csv", "id,ds,y\n" + rows), None, id_column="id")
    assert sorted(frame["id"].unique()) == sorted(keys)
    with pytest.raises(ValueError, match="id column 'id' of .* is empty on line 3"):
        read_csv(_write(tmp_path, "gap.csv", "id,ds,y\nEU,2020-01-01,1\n,2020-01-02,2\n"),
                 None, id_column="id")


@pytest.mark.parametrize("first", ["2020-01-01,", '2020-01-01,"10,050.0"', "2020-01-01;0,5"])
def test_a_file_without_header_is_said_whatever_its_first_value(tmp_path, first):
    """An empty or quoted first value made the first row the header, silently."""
    sep = ";" if ";" in first else ","
    rest = "".join(f"{d}{sep}{i}\n" for i, d in enumerate(DAYS[1:]))
    with pytest.raises(ValueError, match="has no header row"):
        read_csv(_write(tmp_path, "f.csv", first + "\n" + rest), None)


def test_lines_of_separators_only_and_a_missing_integer_step(tmp_path):
    years = "year,y\n" + "".join(f"{1980 + i},{i}\n" for i in range(20)) + ",\n,\n"
    frame, _ = read_csv(_write(tmp_path, "years.csv", years), None)
    assert frame.index.dtype == np.int64 and frame.index[-1] == 1999 and len(frame) == 20
    gap = "t,y\n" + "".join(f"{'' if i == 5 else i},{i}\n" for i in range(20))
    with pytest.raises(ValueError, match="column 't' of .* has missing time steps .row 7"):
        read_csv(_write(tmp_path, "gap.csv", gap), None)


@pytest.mark.parametrize("marker", ["-", "#DIV/0!", "#VALUE!", "NA", ""])
def test_spreadsheet_missing_markers_are_gaps(tmp_path, marker):
    rows = "".join(f"{d},{marker if i == 4 else i}\n" for i, d in enumerate(DAYS))
    frame, _ = read_csv(_write(tmp_path, "f.csv", "ds,y\n" + rows), None)
    assert np.isnan(frame["y"].iloc[4]) and frame["y"].notna().sum() == 9


def test_title_lines_above_the_header_are_named(tmp_path):
    text = "# exported from db\nds,y\n" + "".join(f"{d},{i}\n" for i, d in enumerate(DAYS))
    with pytest.raises(ValueError, match="first line of .*'# exported from db'.* not a header"):
        read_csv(_write(tmp_path, "f.csv", text), None)


def test_text_that_is_not_utf8_says_how_to_convert_it(tmp_path, monkeypatch):
    text = "id,ds,y\n" + "".join(f"Café,{d},{i}\n" for i, d in enumerate(DAYS))
    path = _write(tmp_path, "f.csv", text, encoding="cp1252")
    with pytest.raises(ValueError, match="is not UTF-8 text .* save it as UTF-8"):
        read_csv(path, None, id_column="id")

    class Stdin:
        buffer = io.BytesIO(text.encode("cp1252"))

    monkeypatch.setattr("sys.stdin", Stdin)
    with pytest.raises(ValueError, match="standard input is not UTF-8 text"):
        read_csv("-", None, id_column="id")


def test_gzip_on_standard_input(monkeypatch):
    text = "ds,y\n" + "".join(f"{d},{i}\n" for i, d in enumerate(DAYS))

    class Stdin:
        buffer = io.BytesIO(gzip.compress(text.encode()))

    monkeypatch.setattr("sys.stdin", Stdin)
    frame, _ = read_csv("-", None)
    assert list(frame["y"]) == list(range(10))
    assert frame.index[0] == pd.Timestamp("2020-01-01")


def test_a_date_format_pandas_cannot_read_asks_for_iso_dates(tmp_path):
    text = "week,y\n" + "".join(f"2020-W0{i + 2},{i}\n" for i in range(3))
    with pytest.raises(ValueError, match="cannot be read as dates .*write the dates as YYYY-MM-DD"):
        read_csv(_write(tmp_path, "f.csv", text), None)


@pytest.mark.parametrize("labels, first, freq", [
    (["Jan-18", "Feb-18", "Mar-18", "Apr-18"], "2018-01-01", "MS"),  # a spreadsheet's mmm-yy
    (["Nov-99", "Dec-99", "Jan-00", "Feb-00"], "1999-11-01", "MS"),  # across the century
    (["sept 21", "oct 21", "nov 21", "dec 21"], "2021-09-01", "MS"),
    (["2018M01", "2018M02", "2018M03", "2018M04"], "2018-01-01", "MS"),
    (["2018-M11", "2018-M12", "2019-M1", "2019-M2"], "2018-11-01", "MS"),  # pandas: seconds
    (["Q3 2019", "Q4 2019", "Q1 2020", "Q2 2020"], "2019-07-01", "3MS"),
    (["2019 Q3", "2019 Q4", "2020 Q1", "2020 Q2"], "2019-07-01", "3MS"),
])
def test_months_and_quarters_labelled_as_offices_write_them(tmp_path, labels, first, freq):
    """pandas reads "Jan-18" as 0001-01-18 (pandas 3) or refuses it (pandas 2),
    "2018-M01" as a second past midnight, and "Q1 2018" not at all."""
    text = "period,y\n" + "".join(f"{t},{i}\n" for i, t in enumerate(labels))
    frame, time = read_csv(_write(tmp_path, "f.csv", text), None)
    assert time == "period"
    assert list(frame.index) == list(pd.date_range(first, periods=4, freq=freq))
    assert list(frame["y"]) == [0, 1, 2, 3]


def test_labels_in_two_forms_are_not_taken_for_months(tmp_path):
    text = "period,y\nJan-18,0\n2018-02,1\nfoo-18,2\n"
    with pytest.raises(ValueError, match="cannot be read as dates"):
        read_csv(_write(tmp_path, "f.csv", text), None)


def test_a_line_of_more_separators_than_columns_is_not_data(tmp_path):
    """A spreadsheet writes ",,," below two columns where a stray cell was
    further right: pandas' "Expected 2 fields in line 12, saw 4"."""
    rows = [f"{d},{i}\n" for i, d in enumerate(DAYS)]
    text = "ds,y\n" + "".join(rows[:5]) + ",,,\n" + "".join(rows[5:]) + ",,,\n"
    frame, _ = read_csv(_write(tmp_path, "f.csv", text), None)
    assert list(frame["y"]) == list(range(10))
    bad = "ds,y\n" + "".join(rows) + "2020-01-11,1,2,3\n"  # a row of data too wide: still refused
    with pytest.raises(ValueError, match="cannot be read as CSV"):
        read_csv(_write(tmp_path, "g.csv", bad), None)


def test_local_month_starts_across_a_clock_change_stay_month_starts(tmp_path):
    """+01:00 in winter, +02:00 in summer: in UTC pandas read them as month
    ends, an hour off in summer, and --freq MS was refused."""
    idx = pd.date_range("2024-01-01", periods=14, freq="MS", tz="Europe/Berlin")
    text = "ds,y\n" + "".join(f"{t.isoformat()},{i}\n" for i, t in enumerate(idx))
    frame, _ = read_csv(_write(tmp_path, "f.csv", text), None)
    assert list(frame.index) == list(pd.date_range("2024-01-01", periods=14, freq="MS"))
    hours = pd.date_range("2024-03-30", periods=60, freq="h", tz="Europe/Berlin")  # hours: UTC
    text = "ds,y\n" + "".join(f"{t.isoformat()},{i}\n" for i, t in enumerate(hours))
    frame, _ = read_csv(_write(tmp_path, "g.csv", text), None)
    assert str(frame.index.tz) == "UTC" and tsgate_infer_freq(frame.index) == "h"


def test_one_month_of_consecutive_two_digit_numbers_is_ambiguous(tmp_path):
    """ "Jan-01" .. "Jan-31" read as January of 2001 .. 2031 (a yearly series
    forecast into 2032): days without a year are as likely."""
    text = "day,y\n" + "".join(f"Jan-{d:02d},{d}\n" for d in range(1, 32))
    with pytest.raises(ValueError, match="one month of consecutive years, or as days"):
        read_csv(_write(tmp_path, "f.csv", text), None)


def test_an_integer_beyond_uint64_is_read_as_a_number(tmp_path):
    """pandas keeps a column with 10**20 in it as text: the file then had
    "no numeric value column (column 'y' is empty)"."""
    values = [str(1000 + i) for i in range(10)]
    values[5] = str(10**20)
    text = "date,y\n" + "".join(f"{d},{v}\n" for d, v in zip(DAYS, values))
    frame, _ = read_csv(_write(tmp_path, "big.csv", text), None)
    np.testing.assert_array_equal(frame["y"], [float(v) for v in values])


# ------------------------------------------------- session 47's sweep of the CLI
MONTHS = [f"2020-{m:02d}-01" for m in range(1, 13)]
GROUPED = [f"{800 + 60 * i:,}".replace(",", ".") for i in range(12)]  # "800" ... "1.460"


def test_thousands_points_of_a_semicolon_file_are_read_by_its_convention(tmp_path):
    """pandas read "1.040" as 1.04 beside "980": forecast near 0, silently."""
    text = "Monat;Umsatz\n" + "".join(f"{d};{v}\n" for d, v in zip(MONTHS, GROUPED))
    notes = []
    frame, _ = read_csv(_write(tmp_path, "de.csv", text), None, notes=notes)
    np.testing.assert_allclose(frame["Umsatz"], 800 + 60 * np.arange(12))
    assert any("read '1.040' as 1040" in n for n in notes)
    decimals = "Monat;Preis\n" + "".join(f"{d};{i}.25\n" for i, d in enumerate(MONTHS))
    frame, _ = read_csv(_write(tmp_path, "points.csv", decimals), None)  # not groups: decimals
    np.testing.assert_allclose(frame["Preis"], np.arange(12) + 0.25)
    rates = "Monat;Kurs\n" + "".join(f"{d};1.{100 + i}\n" for i, d in enumerate(MONTHS))
    frame, _ = read_csv(_write(tmp_path, "rates.csv", rates), None)  # all 3 decimals: decimals
    np.testing.assert_allclose(frame["Kurs"], 1.1 + np.arange(12) / 1000)
    trailing = "Monat;Umsatz\n" + "".join(f"{d};{v};\n" for d, v in zip(MONTHS, GROUPED))
    notes = []  # rows ending in ';': the same values, one note, of the value column
    frame, _ = read_csv(_write(tmp_path, "trail.csv", trailing), None, notes=notes)
    np.testing.assert_allclose(frame["Umsatz"], 800 + 60 * np.arange(12))
    assert len(notes) == 1 and "column 'Umsatz'" in notes[0]


@pytest.mark.parametrize("sep", ["\t", "|"])
def test_thousands_points_beside_plain_integers_in_a_tab_file_are_refused(tmp_path, sep):
    text = f"ds{sep}y\n" + "".join(f"{d}{sep}{v}\n" for d, v in zip(MONTHS, GROUPED))
    with pytest.raises(ValueError, match="holds '1.040' beside '800'"):
        read_csv(_write(tmp_path, "tab.csv", text), None)
    rates = f"ds{sep}y\n" + "".join(f"{d}{sep}1.{100 + i}\n" for i, d in enumerate(MONTHS))
    frame, _ = read_csv(_write(tmp_path, "rates.csv", rates), None)  # all 3 decimals: decimals
    np.testing.assert_allclose(frame["y"], 1.1 + np.arange(12) / 1000)


def test_a_semicolon_file_of_quoted_fields(tmp_path):
    """'"2020-01-01"' with its quotes was no date: read at commas, refused."""
    text = '"Datum";"Umsatz, EUR"\n' + "".join(f'"{d}";"1.00{i},50"\n'
                                              for i, d in enumerate(MONTHS[:9]))
    frame, time = read_csv(_write(tmp_path, "q.csv", text), None)
    assert time == "Datum"
    np.testing.assert_allclose(frame["Umsatz, EUR"], 1000.5 + np.arange(9))


def test_rows_ending_in_a_separator_the_header_lacks(tmp_path):
    """pandas took the dates as the index: "integer index is not evenly spaced"."""
    text = "ds,y\n" + "".join(f"{d},{i},\n" for i, d in enumerate(MONTHS))
    frame, _ = read_csv(_write(tmp_path, "trail.csv", text), None)
    assert list(frame.columns) == ["y"] and frame.index[0] == pd.Timestamp("2020-01-01")
    extra = "ds,y\n" + "".join(f"{d},{i},5\n" for i, d in enumerate(MONTHS))
    with pytest.raises(ValueError, match="one field more than its header"):
        read_csv(_write(tmp_path, "extra.csv", extra), None)
    titled = "Umsatz;\nDatum;Wert;\n" + "".join(f"{d};{i},5;\n" for i, d in enumerate(MONTHS))
    with pytest.raises(ValueError, match="'Umsatz', is not a header"):  # a title: said so
        read_csv(_write(tmp_path, "titled.csv", titled), None)


@pytest.mark.parametrize("kind", ["utf-16", "utf-32", "gzip"])
def test_utf16_and_gzip_files_without_their_extension(tmp_path, kind):
    """Both were "not UTF-8 text ... iconv -f cp1252"; gzip on stdin was read.
    UTF-32's mark starts as UTF-16's: it was read as UTF-16, of no column."""
    text = "ds,y\n" + "".join(f"{d},{i}\n" for i, d in enumerate(MONTHS))
    path = tmp_path / "data.csv"
    path.write_bytes(gzip.compress(text.encode()) if kind == "gzip" else text.encode(kind))
    frame, _ = read_csv(str(path), None)
    np.testing.assert_allclose(frame["y"], np.arange(12))


def test_a_truncated_gzip_file_or_a_broken_utf16_one_is_named(tmp_path):
    """EOFError's traceback; "not UTF-8 text" for a UTF-16 file."""
    text = "ds,y\n" + "".join(f"{d},{i}\n" for i, d in enumerate(MONTHS))
    path = tmp_path / "cut.csv"
    path.write_bytes(gzip.compress(text.encode())[:40])
    with pytest.raises(ValueError, match="gzip-compressed but cannot be decompressed"):
        read_csv(str(path), None)
    path.write_bytes(text.encode("utf-16") + b"\x00")  # an odd byte at the end
    with pytest.raises(ValueError, match="byte order mark of UTF-16 text but is not that"):
        read_csv(str(path), None)


def test_a_workbook_is_named_as_one(tmp_path):
    import zipfile

    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<w/>")
    with pytest.raises(ValueError, match="is a zip archive, not CSV text"):
        read_csv(str(path), None)


@pytest.mark.parametrize("time_column", [None, "ds"])
def test_a_saved_row_index_of_a_slice_or_beside_a_named_time_column(tmp_path, time_column):
    """df.iloc[6:].to_csv(): the index 6.. was the time; with --time-column
    ds the index 0.. was a second series (a long file's only one)."""
    frame = pd.DataFrame({"ds": MONTHS, "y": np.arange(12.0)})
    path = str(tmp_path / "saved.csv")
    frame.iloc[3:].to_csv(path)
    notes = []
    read, time = read_csv(path, time_column, notes=notes)
    assert time == "ds" and list(read.columns) == ["y"] and len(read) == 9
    assert any("saved row index" in n for n in notes)
    long = pd.DataFrame({"id": np.repeat(["a", "b"], 12), "ds": MONTHS * 2, "y": np.arange(24.0)})
    long.to_csv(path)
    read, _ = read_csv(path, time_column, id_column="id")
    assert list(read.columns) == ["id", "y"]
    squares = pd.DataFrame({"ds": MONTHS, "y": np.arange(12.0)}, index=np.arange(12) ** 2)
    squares.to_csv(path)  # an unnamed first column of other integers: data, kept
    read, _ = read_csv(path, "ds")
    assert list(read.columns) == ["Unnamed: 0", "y"]
