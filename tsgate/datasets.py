"""Small real time series bundled with tsgate.

Every dataset is a CSV file in the repository folder ``datasets/`` (shipped
inside the wheel as ``tsgate/_datasets/``).  Its first column, ``date``,
holds ISO dates or timestamps; the other columns hold one variable each.
Provenance, units and licences are listed in ``datasets/README.md``.

All loaders return pandas objects indexed by a :class:`pandas.DatetimeIndex`
whose ``freq`` is set to the real sampling frequency (``MS`` month start,
``QS-JAN`` quarter start, ``YS-JAN`` year start, ``W-SAT`` weeks ending on
Saturday, ``D`` daily, ``h`` hourly).  Periods are labelled by their first
day (e.g. the quarter 1959Q1 is ``1959-01-01``, the year 1700 is
``1700-01-01``); weekly CO2 values keep the Saturday of their sample date.
Single-variable datasets are returned as a float64 :class:`pandas.Series`
named after the quantity, multi-variable ones as a float64
:class:`pandas.DataFrame`.  A gap in a file is a loud error, never NaN.

Examples
--------
>>> from tsgate.datasets import list_datasets, load_airline
>>> y = load_airline()
>>> y.index.freqstr, len(y), float(y.iloc[0])
('MS', 144, 112.0)
>>> "airline" in set(list_datasets()["name"])
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "list_datasets", "load_dataset", "load_airline", "load_co2", "load_elnino",
    "load_iowa_electricity", "load_macrodata", "load_nile", "load_seattle_temps",
    "load_seattle_weather", "load_sunspots", "load_us_employment", "load_woolyrnq",
]


@dataclass(frozen=True)
class _Info:
    freq: str  # pandas offset alias of the index
    length: int  # number of time steps
    n_series: int  # number of value columns
    target: str | None  # column to forecast (None: all columns are peers)
    description: str


_REGISTRY: dict[str, _Info] = {
    "airline": _Info(
        "MS", 144, 1, "passengers",
        "Monthly international airline passengers (thousands), 1949-1960; "
        "Box & Jenkins Series G"),
    "co2": _Info(
        "W-SAT", 856, 1, "co2",
        "Weekly atmospheric CO2 at Mauna Loa (ppmv), gap-free stretch "
        "1985-08-10 to 2001-12-29"),
    "elnino": _Info(
        "MS", 732, 1, "sst",
        "Monthly sea surface temperature (deg C), Nino 1+2 region, 1950-2010"),
    "iowa_electricity": _Info(
        "YS-JAN", 17, 3, None,
        "Yearly net electricity generation in Iowa by source (thousand MWh), "
        "2001-2017"),
    "macrodata": _Info(
        "QS-JAN", 203, 7, "realcons",
        "Quarterly US macro data 1959Q1-2009Q3; target realcons with "
        "regressors realdpi, realinv, realgovt, cpi, tbilrate, unemp"),
    "nile": _Info(
        "YS-JAN", 100, 1, "volume",
        "Yearly flow of the Nile at Aswan (10^8 m^3), 1871-1970"),
    "seattle_temps": _Info(
        "h", 1296, 1, "temperature",
        "Hourly temperature in Seattle (deg F), last 54 days of 2010"),
    "seattle_weather": _Info(
        "D", 1461, 4, None,
        "Daily Seattle weather 2012-2015: precipitation (mm), max/min "
        "temperature (deg C), wind (m/s)"),
    "sunspots": _Info(
        "YS-JAN", 309, 1, "sunactivity",
        "Yearly sunspot numbers, 1700-2008"),
    "us_employment": _Info(
        "MS", 120, 22, None,
        "Monthly US employment in 22 BLS supersectors (thousands, seasonally "
        "adjusted), 2006-2015"),
    "woolyrnq": _Info(
        "QS-JAN", 119, 1, "production",
        "Quarterly woollen yarn production in Australia (tonnes), "
        "1965Q1-1994Q3"),
}


def _data_dir(filename: str) -> Path:
    """Return the folder holding ``filename``.

    The installed wheel carries the files in ``tsgate/_datasets``; a source
    checkout has them in the top-level ``datasets`` folder.
    """
    here = Path(__file__).resolve().parent
    candidates = [here / "_datasets", here.parent / "datasets"]
    for folder in candidates:
        if (folder / filename).is_file():
            return folder
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"dataset file {filename!r} not found in: {searched}")


def list_datasets() -> pd.DataFrame:
    """List the bundled datasets.

    Returns
    -------
    pandas.DataFrame
        One row per dataset, sorted by ``name``, with columns ``name``,
        ``loader`` (function name in this module), ``frequency`` (pandas
        offset alias of the index), ``length`` (time steps), ``n_series``
        (value columns), ``target`` (column to forecast; missing when all
        columns are peer series) and ``description``.
    """
    rows = [
        {
            "name": name,
            "loader": f"load_{name}",
            "frequency": info.freq,
            "length": info.length,
            "n_series": info.n_series,
            "target": info.target,
            "description": info.description,
        }
        for name, info in sorted(_REGISTRY.items())
    ]
    return pd.DataFrame(rows)


def load_dataset(name: str) -> pd.Series | pd.DataFrame:
    """Load a bundled dataset by name.

    Parameters
    ----------
    name : str
        One of the names in :func:`list_datasets`.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        A float64 Series (one variable) or DataFrame (several variables)
        with a :class:`~pandas.DatetimeIndex` named ``date`` whose ``freq``
        is the dataset's frequency.

    Raises
    ------
    ValueError
        If ``name`` is unknown, or if the file has a gap, a misaligned or
        duplicated date or a missing value.
    FileNotFoundError
        If the CSV file cannot be found.
    """
    if name not in _REGISTRY:
        raise ValueError(
            f"unknown dataset {name!r}; available datasets: "
            + ", ".join(sorted(_REGISTRY)))
    info = _REGISTRY[name]
    filename = f"{name}.csv"
    raw = pd.read_csv(_data_dir(filename) / filename)
    if raw.columns[0] != "date":
        raise ValueError(f"{filename}: first column must be 'date'")
    raw.index = pd.DatetimeIndex(pd.to_datetime(raw.pop("date"), format="ISO8601"),
                                 name="date")
    if not raw.index.is_monotonic_increasing or raw.index.has_duplicates:
        raise ValueError(f"{filename}: dates are not strictly increasing")
    if raw.isna().any().any():
        raise ValueError(f"{filename}: contains missing values")
    frame = raw.asfreq(info.freq)
    if len(frame) != len(raw) or not frame.index.equals(raw.index):
        raise ValueError(
            f"{filename}: dates do not form a gap-free {info.freq!r} index")
    assert not frame.isna().any().any(), f"{filename}: gap produced NaN"
    frame = frame.astype(np.float64)
    if len(frame) != info.length or frame.shape[1] != info.n_series:
        raise ValueError(
            f"{filename}: expected {info.length} x {info.n_series} values, "
            f"found {frame.shape[0]} x {frame.shape[1]}")
    if info.n_series == 1:
        return frame.iloc[:, 0]
    return frame


def load_airline() -> pd.Series:
    """Box & Jenkins monthly international airline passengers, 1949-1960.

    Returns
    -------
    pandas.Series
        ``passengers`` (thousands), 144 values from 1949-01-01 to
        1960-12-01, DatetimeIndex with freq ``MS`` (month start).

    References
    ----------
    Box, G. E. P., Jenkins, G. M. and Reinsel, G. C. (1976) *Time Series
    Analysis, Forecasting and Control*, 3rd ed., Holden-Day. Series G.
    """
    return load_dataset("airline")


def load_co2() -> pd.Series:
    """Weekly atmospheric CO2 concentration at Mauna Loa, Hawaii.

    Only the longest stretch of the statsmodels series without missing weeks
    is kept, 1985-08-10 to 2001-12-29.

    Returns
    -------
    pandas.Series
        ``co2`` (ppmv), 856 values, DatetimeIndex with freq ``W-SAT``
        (weeks labelled by their Saturday sample date).

    References
    ----------
    Keeling, C. D. and Whorf, T. P. (2004) Atmospheric CO2 concentrations
    derived from flask air samples at sites in the SIO network. In *Trends:
    A Compendium of Data on Global Change*, CDIAC, Oak Ridge National
    Laboratory.
    """
    return load_dataset("co2")


def load_elnino() -> pd.Series:
    """Monthly sea surface temperature in the Nino 1+2 region, 1950-2010.

    Returns
    -------
    pandas.Series
        ``sst`` (degrees Celsius, 0-10S, 90-80W), 732 values from 1950-01-01
        to 2010-12-01, DatetimeIndex with freq ``MS`` (month start).

    References
    ----------
    NOAA Climate Prediction Center, ERSST.V3B Nino 1+2 index.
    """
    return load_dataset("elnino")


def load_iowa_electricity() -> pd.DataFrame:
    """Yearly net electricity generation in Iowa by source, 2001-2017.

    A collection of three related series sharing one index.

    Returns
    -------
    pandas.DataFrame
        Columns ``fossil_fuels``, ``nuclear_energy``, ``renewables``
        (thousand megawatt-hours), 17 rows from 2001-01-01 to 2017-01-01,
        DatetimeIndex with freq ``YS-JAN`` (each year labelled by 1 January).

    References
    ----------
    U.S. Energy Information Administration, Electricity Data Browser.
    """
    return load_dataset("iowa_electricity")


def load_macrodata() -> pd.DataFrame:
    """Quarterly US macroeconomic data, 1959Q1-2009Q3, with regressors.

    The forecasting target is ``realcons`` (real personal consumption
    expenditures); the other columns are exogenous regressors: ``realdpi``
    (real disposable personal income), ``realinv`` (real private investment),
    ``realgovt`` (real federal expenditure), ``cpi`` (consumer price index),
    ``tbilrate`` (3-month T-bill rate, %) and ``unemp`` (unemployment
    rate, %). Real quantities are billions of chained 2005 US dollars,
    seasonally adjusted annual rates.

    Returns
    -------
    pandas.DataFrame
        7 columns (target first), 203 rows from 1959-01-01 to 2009-07-01,
        DatetimeIndex with freq ``QS-JAN`` (quarter start).

    References
    ----------
    Compiled by Skipper Seabold for statsmodels from FRED (Federal Reserve
    Bank of St. Louis) and the U.S. Bureau of Labor Statistics.
    """
    return load_dataset("macrodata")


def load_nile() -> pd.Series:
    """Yearly flow of the river Nile at Aswan, 1871-1970.

    Returns
    -------
    pandas.Series
        ``volume`` (10^8 cubic metres), 100 values from 1871-01-01 to
        1970-01-01, DatetimeIndex with freq ``YS-JAN`` (year start).

    References
    ----------
    Cobb, G. W. (1978) The problem of the Nile: conditional solution to a
    changepoint problem. *Biometrika* 65(2), 243-251.
    """
    return load_dataset("nile")


def load_seattle_temps() -> pd.Series:
    """Hourly air temperature in Seattle, 2010-11-08 to 2010-12-31.

    The source covers all of 2010 in local time; only the most recent stretch
    after the end of daylight saving time (54 days) is kept so that the index
    has no gap or repeated hour.

    Returns
    -------
    pandas.Series
        ``temperature`` (degrees Fahrenheit), 1296 values, naive local-time
        DatetimeIndex with freq ``h`` (hourly).

    References
    ----------
    NOAA data, as prepared for the vega-datasets project.
    """
    return load_dataset("seattle_temps")


def load_seattle_weather() -> pd.DataFrame:
    """Daily weather in Seattle, 2012-01-01 to 2015-12-31.

    Returns
    -------
    pandas.DataFrame
        Columns ``precipitation`` (mm), ``temp_max`` and ``temp_min``
        (degrees Celsius) and ``wind`` (m/s), 1461 rows, DatetimeIndex with
        freq ``D`` (daily). The source's categorical ``weather`` column is
        not included.

    References
    ----------
    NOAA data, as prepared for the vega-datasets project.
    """
    return load_dataset("seattle_weather")


def load_sunspots() -> pd.Series:
    """Yearly sunspot numbers, 1700-2008.

    Returns
    -------
    pandas.Series
        ``sunactivity`` (yearly sunspot number), 309 values from 1700-01-01
        to 2008-01-01, DatetimeIndex with freq ``YS-JAN`` (year start).

    References
    ----------
    NOAA National Geophysical Data Center, yearly sunspot numbers.
    """
    return load_dataset("sunspots")


def load_us_employment() -> pd.DataFrame:
    """Monthly US employment by BLS supersector, 2006-2015.

    A collection of 22 related series (the ``nonfarm`` total, ``private``,
    ``goods_producing``, ... ``government``) sharing one index.

    Returns
    -------
    pandas.DataFrame
        22 columns (thousands of jobs, seasonally adjusted), 120 rows from
        2006-01-01 to 2015-12-01, DatetimeIndex with freq ``MS`` (month
        start).

    References
    ----------
    U.S. Bureau of Labor Statistics, Current Employment Statistics.
    """
    return load_dataset("us_employment")


def load_woolyrnq() -> pd.Series:
    """Quarterly production of woollen yarn in Australia, 1965Q1-1994Q3.

    Returns
    -------
    pandas.Series
        ``production`` (tonnes), 119 values from 1965-01-01 to 1994-07-01,
        DatetimeIndex with freq ``QS-JAN`` (quarter start).

    References
    ----------
    Australian Bureau of Statistics, as distributed in the R package
    ``forecast`` (Hyndman et al.) and in ``pmdarima``.
    """
    return load_dataset("woolyrnq")
