"""The ``tsgate`` command: forecast a bundled dataset or a CSV file.

    tsgate forecast --dataset airline --horizon 12
    tsgate forecast data.csv --time-column ds --value-column y --horizon 24 --model gru
    tsgate datasets
    tsgate warmup

The forecast is printed as a plain table on stdout; training progress (one
bar on a terminal, nothing when piped) goes to stderr unless ``--quiet``. A
user mistake (bad arguments, a missing or malformed file, data too short, an
unusable device, a missing optional package) prints one line
``tsgate: error: ...`` on stderr and exits with status 2. Anything else is a
bug in tsgate and keeps its traceback.
"""
import argparse
import contextlib
import importlib.util
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
from numba import config as numba_config
from sklearn.exceptions import ConvergenceWarning

from . import __version__
from ._callers import quiet
from ._jitcache import passed_over
from ._progress import _is_terminal
from ._series import date_offset, forward_step, season_length
from .backend import resolve_device
from .calibration import bound_columns, bound_names, percent
from .clitext import forecast_table, plain_table, to_text
from .csvinput import first_line, read_csv, select_columns, set_frequency
from .datasets import list_datasets, load_dataset
from .fitplan import TRAIN_STEPS
from .forecasters import GRUForecaster, LSTMForecaster

MODELS = {"lstm": LSTMForecaster, "gru": GRUForecaster}

DEFAULT_HORIZON = 10  # for yearly, integer-indexed or other non-seasonal data


class UsageError(Exception):
    """A command-line mistake reported in one line (argparse's errors included)."""


# What a user's input or environment can cause: argparse and our own checks
# (UsageError: also a missing optional package or an unusable device), bad
# values or data (ValueError, raised by our checks and the estimators'
# validation), files (OSError). TypeError, KeyError, RuntimeError, ImportError
# and the rest come from bugs in tsgate: they keep their traceback.
USER_ERRORS = (UsageError, ValueError, OSError)


class _Once(argparse.Action):
    """An option given at most once: argparse kept the last of two
    ``--id-column``s silently (store, then product: the product's rows of
    every store read as one series, refused as duplicate times)."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"{option_string} is given twice; an id spread over several columns "
                         "(store and product) needs one column joining them, e.g. a 'sku' "
                         "column of store and product")
        setattr(namespace, self.dest, values)


def _can_draw(kind, path):
    """Draw a tiny figure in format ``kind`` before the fit: a format matplotlib
    lists but cannot write here (.pgf without LaTeX) failed after the fit
    with a traceback."""
    import io

    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1))
    figure.text(0.5, 0.5, "2020")  # text too: .pgf measures it with LaTeX
    try:
        figure.savefig(io.BytesIO(), format=kind)
    except Exception as exc:  # noqa: BLE001 (any backend's failure is the format's)
        raise UsageError(f"--plot {path}: matplotlib cannot write .{kind} files on this "
                         f"machine ({first_line(exc).rstrip('.')}); use .png, .svg or .pdf") from None


def _raised_by_numba(exc):
    """Whether ``exc`` was raised inside Numba (an environment's problem, such
    as ``NUMBA_THREADING_LAYER=tbb`` without TBB, whose message spans lines)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and f"{os.sep}numba{os.sep}" in tb.tb_frame.f_code.co_filename


class _Parser(argparse.ArgumentParser):
    """argparse, but its errors become one line instead of usage + message + exit."""

    def error(self, message):
        raise UsageError(f"{message} (see `{self.prog} --help`)")


# ----------------------------------------------------------------- parser
def build_parser():
    parser = _Parser(
        prog="tsgate",
        description="LSTM/GRU time-series forecasting with Numba kernels.")
    parser.add_argument("--version", action="version", version=f"tsgate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    fc = commands.add_parser(
        "forecast", help="forecast a bundled dataset or a CSV file",
        description="Fit an LSTM or GRU forecaster and forecast the next periods.",
        epilog="examples:\n"
               "  tsgate forecast --dataset airline --horizon 12 --plot airline.png\n"
               "  tsgate forecast data.csv --time-column ds --value-column y --horizon 24 --model gru",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    source = fc.add_argument_group("data")
    source.add_argument("csv", nargs="?", metavar="CSV",
                        help="CSV file with a time column and one or more value columns; "
                             "'-': read it from standard input")
    source.add_argument("--dataset", metavar="NAME",
                        help="a bundled dataset instead of a CSV file (see `tsgate datasets`)")
    source.add_argument("--time-column", metavar="COLUMN",
                        help="column holding the dates (default: the first column); an integer "
                             "column is used as a plain integer index")
    source.add_argument("--value-column", metavar="COLUMN", action="append",
                        help="column to forecast; repeat for several series (default: every "
                             "numeric column, or a dataset's target)")
    source.add_argument("--id-column", metavar="COLUMN", action=_Once,
                        help="a long CSV: this column names the series (one row per series and "
                             "time); ONE global model forecasts them all")
    source.add_argument("--freq", metavar="ALIAS",
                        help="force the pandas frequency, e.g. D, W-SUN, MS, QS, h; missing "
                             "periods become gaps (default: inferred from the dates; in a long "
                             "CSV, of each series)")
    model = fc.add_argument_group("model")
    model.add_argument("--horizon", type=int, metavar="N",
                       help="periods to forecast (default: one season of the frequency, "
                            f"e.g. 12 for monthly data; {DEFAULT_HORIZON} without a season)")
    model.add_argument("--model", choices=sorted(MODELS), default="lstm", help="default: lstm")
    model.add_argument("--season-length", type=int, metavar="N",
                       help="seasonal period in steps (default: from the dates' frequency, "
                            "e.g. 12 for monthly data; none for integer time steps, whose "
                            "season only this gives); also the default horizon")
    model.add_argument("--window", type=int, metavar="N",
                       help="input steps per window (default: an ensemble of lookbacks of 1.25 "
                            "to 3 times the longer of a season and the horizon)")
    model.add_argument("--max-iter", type=int, metavar="N",
                       help="training epochs (default: a budget of %d to %d gradient steps "
                            "by the data's size, fewer for windows over 160 steps)" % TRAIN_STEPS)
    model.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    model.add_argument("--device", choices=["cpu", "cuda", "auto"], default="cpu",
                       help="where to train (default: cpu)")
    out = fc.add_argument_group("output")
    out.add_argument("--interval", metavar="COVERAGE",
                     help="add lower/upper columns of a conformal interval, e.g. 0.9; several "
                          "coverages, e.g. 0.8,0.95, add lower_80, upper_80, lower_95, ...")
    out.add_argument("--output", metavar="FILE.csv",
                     help="also write the forecast to a CSV file; '-': write it to standard "
                          "output instead of the table")
    out.add_argument("--plot", metavar="FILE.png",
                     help="save a plot of history and forecast (needs matplotlib)")
    out.add_argument("--quiet", action="store_true",
                     help="no progress bar or notes on stderr (the bar shows only on a terminal)")
    fc.set_defaults(run=run_forecast)

    ds = commands.add_parser("datasets", help="list the bundled datasets",
                             description="List the datasets bundled with tsgate.")
    ds.set_defaults(run=run_datasets)

    wu = commands.add_parser(
        "warmup", help="compile the kernels into Numba's cache ahead of time",
        description="Compile the kernels of the common configurations into Numba's on-disk "
                    "cache (e.g. while building a Docker image), so that the first forecast "
                    "does not wait for the compiler.")
    wu.add_argument("--model", choices=["lstm", "gru", "all"], default="all",
                    help="which models' kernels (default: all)")
    wu.add_argument("--no-parallel", action="store_true",
                    help="skip the multi-threaded builds that large fits use")
    wu.add_argument("--quiet", action="store_true",
                    help="print nothing on success (failures still print and exit 1)")
    wu.set_defaults(run=run_warmup)
    return parser


# ------------------------------------------------------------------- data
def _read_long(args, notes):
    """A long CSV: (frame with id, time and value columns, their names); a note
    names the columns left unused (the CLI takes no exogenous features)."""
    if args.dataset is not None:
        raise UsageError("--id-column applies to CSV files, not to --dataset")
    if args.time_column is not None and args.time_column == args.id_column:
        raise UsageError(f"--time-column {args.time_column!r} is also the --id-column; a long "
                         "CSV needs one column of series ids and another of times")
    raw, time_column = read_csv(args.csv, args.time_column, id_column=args.id_column,
                                  notes=notes)
    others = [c for c in raw.columns if c not in (args.id_column, time_column)]
    if args.value_column and len(args.value_column) > 1:
        raise UsageError("a long CSV has one value column; give --value-column once")
    if args.value_column and args.value_column[0] in (args.id_column, time_column):
        role = "id" if args.value_column[0] == args.id_column else "time"
        raise UsageError(f"--value-column {args.value_column[0]!r} is the {role} column of "
                         f"{_label(args.csv)}; choose a column of values")
    value = args.value_column[0] if args.value_column else next(
        (c for c in others if pd.api.types.is_numeric_dtype(raw[c])
         and not pd.api.types.is_bool_dtype(raw[c])), None)
    if value is None:
        raise ValueError(f"{_label(args.csv)} has no numeric value column besides {args.id_column!r} "
                         f"and {time_column!r}; choose one with --value-column.")
    unused = [c for c in others if c != value]
    if unused:
        notes.append(f"forecasting column {value!r}; column(s) {unused} are not used")
    data = select_columns(raw[others], [value], _label(args.csv))  # (its messages list the value columns)
    frame = pd.DataFrame({args.id_column: raw[args.id_column].array,
                          time_column: raw.index.to_numpy(), value: data[value].to_numpy()})
    if args.freq is not None and isinstance(raw.index, pd.DatetimeIndex):
        # each series on the --freq grid is checked as a wide CSV's dates are (off the
        # grid); one too sparse for it (a --freq finer than its data) is refused where
        # every series is so, and kept beside the others, as freq= does
        parts = frame.groupby(args.id_column, sort=False, observed=True)
        sparse = []
        for key, part in parts:
            set_frequency(part.set_index(time_column), args.freq,
                          f"{_label(args.csv)} (series {key!r})", [], sparse)
        if sparse and len(sparse) == parts.ngroups:
            steps = set(sparse)
            advice = (f"the dates look like {sparse[0]!r} data: give --freq {sparse[0]}"
                      if len(steps) == 1 and None not in steps else
                      "give a --freq the series' dates follow, or forecast series of other "
                      "steps from their own files")
            raise ValueError(f"with --freq {args.freq!r}, nearly all periods of every series of "
                             f"{_label(args.csv)} would be missing; {advice}.")
        # (the others: the forecaster warns of them)
    return frame, (args.id_column, time_column, value)


def load_input(args, notes):
    """The series to forecast (Series or DataFrame) and the label of its time column."""
    if args.csv is not None and args.dataset is not None:
        raise UsageError("give either a CSV file or --dataset, not both")
    if args.csv is None and args.dataset is None:
        raise UsageError("give a CSV file or --dataset NAME (see `tsgate datasets`)")
    if args.id_column is not None:
        return _read_long(args, notes)
    if args.dataset is not None:
        table = list_datasets().set_index("name")
        if args.dataset not in table.index:
            raise ValueError(f"unknown dataset {args.dataset!r}; choose one of "
                           f"{', '.join(table.index)}.")
        if args.time_column is not None:
            raise UsageError("--time-column applies to CSV files, not to --dataset")
        data = load_dataset(args.dataset)
        frame = data.to_frame() if isinstance(data, pd.Series) else data
        target = table.loc[args.dataset, "target"]
        default = target if isinstance(target, str) and frame.shape[1] > 1 else None
        if default is not None and not args.value_column:
            notes.append(f"{args.dataset}: forecasting its target {default!r} only (the CLI "
                         "has no future regressor values; see examples/exogenous.py)")
        frame = select_columns(frame, args.value_column, f"dataset {args.dataset!r}", default)
        time_label, source = frame.index.name or "time", f"dataset {args.dataset!r}"
    else:
        raw, time_label = read_csv(args.csv, args.time_column, notes=notes)
        if time_label in (args.value_column or ()):
            raise UsageError(f"--value-column {time_label!r} is the time column of "
                             f"{_label(args.csv)}; choose a column of values")
        frame = select_columns(raw, args.value_column, _label(args.csv), notes=notes)
        source = _label(args.csv)
    frame = set_frequency(frame, args.freq, source, notes)
    y = frame.iloc[:, 0] if frame.shape[1] == 1 else frame
    return y, time_label


def default_horizon(index, season=None):
    """One seasonal period: ``season`` (``--season-length``) or that of the
    index's frequency (12 monthly, 4 quarterly, 7 daily, 24 hourly, 52
    weekly), else ``DEFAULT_HORIZON``."""
    season = season_length(index) if season is None else season
    return season if season > 1 else DEFAULT_HORIZON


# -------------------------------------------------------------- commands
def _check_output_names(y, time_label, args):
    """Refuse, before the fit, a forecast table whose columns would share a
    name: a value column called like a bound (``lower``, ``x_lower`` beside
    ``x``) or like the time column."""
    bounds = bound_names(args.interval)
    if args.id_column is not None:
        id_col, time_col, value_col = time_label
        names = [id_col, time_col, value_col, *bounds]
    elif isinstance(y, pd.Series):
        names = [time_label, y.name if y.name is not None else "forecast", *bounds]
    else:
        names = [time_label] + [n for col in y.columns
                                for n in [col, *(f"{col}_{b}" for b in bounds)]]
    seen = set()
    for name in names:
        if name in seen:
            raise UsageError(f"the forecast table would have two columns named {name!r} (a value "
                             "column named like the time column or an --interval bound column: "
                             "lower, upper, <column>_lower, ...); rename that column of "
                             f"{_label(args.csv) if args.csv else 'the data'}")
        seen.add(name)


def _coverages(text):
    """``--interval``'s coverage (one number) or coverages (comma-separated)."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        values = None
    if values is None or not all(0 < v < 1 for v in values):
        raise UsageError(f"--interval must be a coverage between 0 and 1 (e.g. 0.9), or several "
                         f"separated by commas (e.g. 0.8,0.95), got {text!r}")
    if len(set(values)) < len(values):
        raise UsageError(f"--interval gives a coverage more than once ({text!r}); give "
                         "each once")
    try:
        bound_columns(values[0] if len(values) == 1 else values)
    except ValueError as exc:  # two coverages of one column name: "lists a percentage twice"
        raise UsageError(f"--interval {text}: {exc}") from None
    return values[0] if len(values) == 1 else values


def _label(path):
    """How messages name the CSV argument: "-" is standard input."""
    return "standard input" if path == "-" else path


def _writable(path, option):
    """Refuse an ``--output``/``--plot`` path that cannot be written, before
    the fit: an empty name, a folder, a missing or read-only folder. (A file
    is created to try, and removed again where it did not exist.)"""
    if path is None or (path == "-" and option == "--output"):  # "-": standard output
        return
    if not path.strip():
        raise UsageError(f"{option} needs a file name, got an empty one")
    if os.path.isdir(path):
        raise UsageError(f"cannot write {path}: it is a folder; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {path}: folder {folder} does not exist")
    existed = os.path.exists(path)
    try:
        with open(path, "a"):
            pass
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not existed:
        os.remove(path)


def _same_file(a, b):
    """Whether the paths a and b name one file (an existing one by its inode,
    links included; else by their absolute paths)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _is_stdin(path):
    """Whether standard input is the file at ``path`` (``< data.csv``)."""
    try:
        return os.path.samestat(os.fstat(sys.stdin.fileno()), os.stat(path))
    except (OSError, AttributeError, ValueError):  # no such file, or stdin not a real file
        return False


def _distinct_files(args):
    """Refuse an ``--output`` or ``--plot`` that is the input CSV (the history
    was overwritten by the forecast, without a word) or each other."""
    named = [(option, path) for option, path in (("--output", args.output), ("--plot", args.plot))
             if path is not None and path != "-" and path.strip()]
    csv = getattr(args, "csv", None)
    for option, path in named:
        if (csv not in (None, "-") and _same_file(csv, path)) or (csv == "-" and _is_stdin(path)):
            raise UsageError(f"{option} {path} is the input file; writing there would replace "
                             "the data with the forecast: give another name")
    if len(named) == 2 and _same_file(named[0][1], named[1][1]):
        raise UsageError(f"--output and --plot name the same file ({args.output}); give each "
                         "its own")


def run_forecast(args):
    notes = []
    for name in ("horizon", "window", "max_iter", "season_length"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be a positive integer, got {value}")
    if args.interval is not None:
        args.interval = _coverages(args.interval)
    if not 0 <= args.seed < 2**32:
        raise UsageError(f"--seed must be an integer from 0 to 2**32 - 1, got {args.seed}")
    if args.freq is not None:
        offset, renamed = date_offset(args.freq)
        if offset is None:
            raise UsageError(
                f"--freq {args.freq!r} is not a pandas frequency alias"
                + (f" of dates: pandas names it {renamed!r} now (--freq {renamed})" if renamed
                   else " (e.g. D, W-SUN, MS, QS, YS, h, 15min)"))
        if not forward_step(args.freq):
            raise UsageError(f"--freq must step forward in time (e.g. D, 2h), got {args.freq!r}")
    if args.plot is not None:
        if importlib.util.find_spec("matplotlib") is None:
            raise UsageError("--plot needs matplotlib: pip install 'tsgate[plot]'")
        from matplotlib.figure import Figure

        kind = os.path.splitext(args.plot)[1][1:].lower()
        formats = Figure().canvas.get_supported_filetypes()
        if not kind:  # matplotlib would write FILE.png, over one that may exist
            raise UsageError(f"--plot {args.plot}: give the file's extension, which names the "
                             "format (e.g. --plot forecast.png, .svg, .pdf)")
        if kind not in formats:
            raise UsageError(f"--plot {args.plot}: matplotlib cannot write .{kind} files; use "
                             f"one of {', '.join('.' + k for k in sorted(formats))}")
        _can_draw(kind, args.plot)
    _distinct_files(args)
    _writable(args.output, "--output")
    _writable(args.plot, "--plot")
    try:  # fail now, not after reading the data, if CUDA is unusable
        device = resolve_device(args.device)
        if args.device == "auto" and device == "cuda":  # the fit's size decides (config.py)
            device = "auto: cuda for large fits, else cpu"
    except RuntimeError as exc:  # the machine has no usable GPU: the user's choice of device
        # (in the flags' words: the message names the Python parameter)
        text = str(exc).replace("device='cuda'", "--device cuda").replace(
            "device='cpu'", "--device cpu").replace("device='auto'", "--device auto")
        raise UsageError(text) from None
    y, time_label = load_input(args, notes)
    columns = {}
    if args.id_column is not None:
        columns = dict(zip(("id_col", "time_col", "value_col"), time_label), freq=args.freq)
        ids = y[columns["id_col"]]
        key = ids.value_counts().index[0]  # the longest series shows the default horizon's step
        index = pd.Index(y.loc[ids == key, columns["time_col"]]).sort_values()
        if isinstance(index, pd.DatetimeIndex):
            if args.horizon is None:  # its step, checked as a wide file's dates are (the
                # fit's messages, which name y and Python fixes, came first)
                index = set_frequency(pd.DataFrame(index=index), args.freq,
                                      f"series {key!r} of {_label(args.csv)}", []).index
        elif args.freq is not None:
            raise ValueError(f"--freq applies to dates, but the time column of {_label(args.csv)} does "
                             "not hold dates.")
        horizon = args.horizon or default_horizon(index, args.season_length)
        n_series, n_steps = y[columns["id_col"]].nunique(), f"{len(y)} rows"
    else:
        horizon = args.horizon or default_horizon(y.index, args.season_length)
        n_series = 1 if isinstance(y, pd.Series) else y.shape[1]
        n_steps = f"{len(y)} steps"
    _check_output_names(y, time_label, args)
    # progress only for a person watching: a bar on a terminal; piped or
    # redirected, stderr gets nothing but the notes
    show = not args.quiet and _is_terminal(sys.stderr)
    model = MODELS[args.model](window=args.window, horizon=horizon, max_iter=args.max_iter,
                               season_length=args.season_length, device=args.device,
                               random_state=args.seed, verbose=show, **columns)
    if not args.quiet:
        for note in notes:
            print(f"tsgate: {note}", file=sys.stderr)
    if show:
        print(f"tsgate: fitting {type(model).__name__} on {n_series} series x {n_steps} "
              f"(horizon {horizon}, device {device})", file=sys.stderr)
    started = time.perf_counter()
    with quiet(ConvergenceWarning):  # --max-iter is the user's choice; the bar shows the epochs
        model.fit(y)
    if show:
        print(f"tsgate: fitted in {time.perf_counter() - started:.1f} s, {model.n_iter_} "
              f"epochs, windows {model.windows_}", file=sys.stderr)
    forecast = model.predict()
    intervals = None if args.interval is None else model.predict_interval(coverage=args.interval)
    if args.id_column is not None:
        table = forecast if intervals is None else forecast.join(
            intervals.drop(columns=list(forecast.columns[:2])))
    else:
        table = forecast_table(forecast, intervals, time_label)
    if args.output == "-":  # standard output carries the CSV alone
        table.to_csv(sys.stdout, index=False)
    else:
        print(to_text(table, args.id_column))
    if args.output not in (None, "-"):
        try:
            table.to_csv(args.output, index=False)
        except OSError as exc:  # (a full disk: "[Errno 28] No space left on device" alone)
            if getattr(exc, "filename", None):
                raise
            raise OSError(f"{args.output}: {exc.strerror or exc}") from None
    if args.plot is not None:
        _save_plot(y, forecast, intervals, args, horizon)
    return 0


def _save_plot(y, forecast, intervals, args, horizon):
    import matplotlib

    matplotlib.use("Agg")  # a file, no window: works without a display
    import matplotlib.pyplot as plt

    from .plotting import plot_forecast

    name = args.dataset or os.path.basename(_label(args.csv))
    title = f"{name}: {args.model.upper()} forecast, {horizon} steps"
    if args.interval is not None:
        title += f", {'/'.join(f'{percent(c)}%' for c in np.atleast_1d(args.interval))} interval"
    columns = {} if args.id_column is None else dict(
        zip(("id_col", "time_col", "value_col"), forecast.columns[:3]))
    fig = plot_forecast(y, forecast, intervals=intervals, title=title, **columns)
    try:
        fig.savefig(args.plot, dpi=120, bbox_inches="tight")
    finally:
        plt.close(fig)


def run_datasets(args):
    table = list_datasets()
    rows = [(r.name, r.frequency, str(r.length), str(r.n_series), r.description)
            for r in table.itertuples()]
    print(plain_table(("name", "frequency", "length", "series", "description"), rows,
                       right=(2, 3)))
    return 0


def run_warmup(args):
    from .warmup import MODELS, warmup

    done = warmup(MODELS if args.model == "all" else (args.model,), parallel=not args.no_parallel)
    what = (f"kernels of {', '.join(m.upper() for m in done['models'])} "
            f"{'(serial and parallel builds) ' if done['parallel'] else ''}")
    if not done["cached"]:  # a Docker build would ship an image that compiles at every start
        wanted = numba_config.CACHE_DIR
        print(f"tsgate: warning: {what}compiled in {done['seconds']:.1f} s but NOT kept: no "
              "writable Numba cache location (the package's folders, the home's cache"
              + (f", NUMBA_CACHE_DIR={wanted}); make NUMBA_CACHE_DIR a writable folder"
                 if wanted else "); set NUMBA_CACHE_DIR to a writable folder")
              + " and run tsgate warmup again.", file=sys.stderr)
        return 1
    skipped, where = passed_over(), done["where"]
    if skipped:  # a service that reads the cache there would compile at every start
        wanted = skipped[0]
        print(f"tsgate: warning: {what}compiled in {done['seconds']:.1f} s into {where}, not "
              f"into NUMBA_CACHE_DIR={wanted}, which Numba cannot use (not a writable folder); "
              "make it one and run tsgate warmup again.", file=sys.stderr)
        return 1
    if not args.quiet:
        if done["replaced"]:
            print(f"tsgate: replaced {len(done['replaced'])} damaged cache file(s), e.g. "
                  f"{done['replaced'][0]}", file=sys.stderr)
        print(f"tsgate: {what}compiled into the Numba cache{f' ({where})' if where else ''} in "
              f"{done['seconds']:.1f} s")
    return 0


# ------------------------------------------------------------------ main
def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """A warning as the command's other notes: ``tsgate: warning: ...``, not
    Python's file:line and source line of tsgate's own code."""
    print(f"tsgate: warning: {first_line(message).rstrip('.')} ({category.__name__})",
          file=sys.stderr)


def main(argv=None):
    """Run the ``tsgate`` command line; returns the exit status (0; 2 on a
    user's error; 130 on Ctrl-C, as shells report a SIGINT)."""
    try:
        args = build_parser().parse_args(argv)
        with warnings.catch_warnings():
            # a warning is one line, as the notes; --quiet silences it with them
            warnings.showwarning = _one_line_warning if not getattr(args, "quiet", False) \
                else (lambda *a, **k: None)
            return args.run(args)
    except SystemExit as exc:  # --help and --version
        return exc.code
    except BrokenPipeError:  # `tsgate forecast ... | head`: stop quietly
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except USER_ERRORS as exc:
        # Numba's own (no threading layer: its fix is on the lines below the first)
        message = (str(exc).strip() if _raised_by_numba(exc) else first_line(exc)).rstrip(".")
        print(f"tsgate: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: the user's choice, not a failure to show
        print("tsgate: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
