"""The ``tsgate`` command line, run in-process through ``main(argv)``."""
import importlib.util
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsgate import GRUForecaster, backend, cli, csvinput
from tsgate.cli import main

QUICK = ["--max-iter", "2", "--quiet"]  # CLI options of a quick run


@pytest.fixture
def monthly_csv(tmp_path):
    """60 months of a seasonal series with a trend, columns ds (dates), y and z."""
    t = np.arange(60)
    y = 100 + t + 10 * np.sin(2 * np.pi * t / 12)
    frame = pd.DataFrame({"ds": pd.date_range("2015-01-01", periods=60, freq="MS").strftime("%Y-%m-%d"),
                          "y": y, "z": 2 * y + 5})
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ success
def test_forecast_csv_writes_next_periods(monthly_csv, tmp_path, capsys):
    output, plot = tmp_path / "forecast.csv", tmp_path / "forecast.png"
    argv = ["forecast", monthly_csv, "--time-column", "ds", "--value-column", "y",
            "--horizon", 6, "--model", "gru", "--interval", 0.9, "--output", output, *QUICK]
    has_matplotlib = importlib.util.find_spec("matplotlib") is not None
    if has_matplotlib:
        argv += ["--plot", plot]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert err == ""  # --quiet
    written = pd.read_csv(output, parse_dates=["ds"])
    assert list(written.columns) == ["ds", "y", "lower", "upper"]
    expected = pd.date_range("2020-01-01", periods=6, freq="MS")  # the 6 months after 2019-12
    assert list(written["ds"]) == list(expected)
    assert np.isfinite(written[["y", "lower", "upper"]].to_numpy()).all()
    assert (written["lower"] <= written["y"]).all() and (written["y"] <= written["upper"]).all()
    lines = out.strip().splitlines()  # the printed table: header + one row per period
    assert len(lines) == 7 and lines[0].split() == ["ds", "y", "lower", "upper"]
    assert lines[1].split()[0] == "2020-01-01"
    if has_matplotlib:
        assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_bar_on_a_terminal_only(monthly_csv, monkeypatch, capsys):
    argv = ["forecast", monthly_csv, "--value-column", "y", "--horizon", 3, "--max-iter", 3]
    code, piped_out, err = run(capsys, *argv)  # captured: not a terminal
    assert code == 0 and err == ""  # nothing but the result
    monkeypatch.setattr(cli, "_is_terminal", lambda stream: True)
    monkeypatch.setattr("tsgate._progress._is_terminal", lambda stream: True)
    code, out, err = run(capsys, *argv)
    assert code == 0
    assert "fitting LSTMForecaster" in err and "loss=" in err  # the tqdm bar
    assert "epoch 1/3" not in err  # a bar, not lines
    # ONE bar for the ensemble's 12 fits, 3 networks each: 3 folds of 3 epochs, and the
    # final fits continuing the first fold's for a quarter of that (1 epoch)
    assert err.count("LSTMForecaster: 100%") >= 1 and "30/30" in err and "model=" in err
    assert out == piped_out  # stdout holds only the forecast table
    code, out, err = run(capsys, *argv, "--quiet")
    assert code == 0 and err == ""


def test_progress_without_tqdm_and_when_interrupted(monthly_csv, monkeypatch, capsys):
    """Without tqdm a verbose fit on a terminal failed (ModuleNotFoundError);
    Ctrl-C redrew the bar as complete (100%)."""
    import sys

    from tsgate import _progress

    monkeypatch.setattr(cli, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(_progress, "_is_terminal", lambda stream: True)
    monkeypatch.setitem(sys.modules, "tqdm", None)
    argv = ["forecast", monthly_csv, "--value-column", "y", "--horizon", 3, "--max-iter", 3]
    code, _, err = run(capsys, *argv)
    assert code == 0 and "epoch" in err and "%|" not in err  # lines, not a bar
    monkeypatch.delitem(sys.modules, "tqdm")
    stops = iter(range(100))

    def interrupt(*args):
        if next(stops) == 4:
            raise KeyboardInterrupt
    bar = _progress.EpochProgress("LSTMRegressor", 100, 1)
    try:
        for epoch in range(1, 101):
            interrupt()
            bar(epoch, 0.5, None, 0.01)
    except KeyboardInterrupt:
        bar.close(completed=False)  # as the regressor's fit closes it when train() raised
    err = capsys.readouterr().err
    assert "100%" not in err and "4/100" in err


def test_warnings_are_one_line_and_quiet_silences_them(monthly_csv, capsys):
    """A CalibrationWarning printed Python's file:line of tsgate's code and
    the source line, even with --quiet."""
    argv = ["forecast", monthly_csv, "--value-column", "y", "--horizon", 3, "--max-iter", 2,
            "--interval", "0.999"]
    code, _, err = run(capsys, *argv)
    assert code == 0 and "tsgate: warning: " in err and "(CalibrationWarning)" in err
    assert ".py:" not in err and len(err.strip().splitlines()) == err.count("tsgate: ")
    code, _, err = run(capsys, *argv, "--quiet")
    assert code == 0 and err == ""


def test_several_value_columns_give_one_column_each(monthly_csv, tmp_path, capsys):
    output = tmp_path / "out.csv"
    code, out, err = run(capsys, "forecast", monthly_csv, "--horizon", 4, "--interval", 0.8,
                         "--output", output, *QUICK)  # default: every numeric column
    assert code == 0, err
    written = pd.read_csv(output)
    assert list(written.columns) == ["ds", "y", "y_lower", "y_upper", "z", "z_lower", "z_upper"]
    assert len(written) == 4
    # several coverages: a pair of columns each
    code, out, err = run(capsys, "forecast", monthly_csv, "--horizon", 4, "--interval", "0.8,0.95",
                         "--output", output, *QUICK)
    assert code == 0, err
    assert list(pd.read_csv(output).columns) == [
        "ds", "y", "y_lower_80", "y_upper_80", "y_lower_95", "y_upper_95",
        "z", "z_lower_80", "z_upper_80", "z_lower_95", "z_upper_95"]


def test_dataset_forecast_and_default_horizon(capsys):
    code, out, err = run(capsys, "forecast", "--dataset", "airline", *QUICK)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split() == ["date", "passengers"]
    assert len(lines) == 13  # monthly: one season, 12 months
    assert lines[1].split()[0] == "1961-01-01" and lines[-1].split()[0] == "1961-12-01"


def test_exogenous_dataset_forecasts_its_target_only(tmp_path, capsys):
    output = tmp_path / "macro.csv"
    code, out, err = run(capsys, "forecast", "--dataset", "macrodata", "--horizon", 2,
                         "--output", output, *QUICK)
    assert code == 0, err
    written = pd.read_csv(output)
    assert list(written.columns) == ["date", "realcons"]
    assert list(written["date"]) == ["2009-10-01", "2010-01-01"]


def test_freq_option_fills_gaps(tmp_path, capsys):
    dates = pd.date_range("2021-01-01", periods=80, freq="D").delete([10, 40])
    path = tmp_path / "gaps.csv"
    pd.DataFrame({"day": dates, "sales": np.arange(78.0) % 7}).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--horizon", 2, *QUICK)
    assert code == 2 and "--freq" in err  # gaps: frequency cannot be inferred
    code, out, err = run(capsys, "forecast", path, "--horizon", 2, "--freq", "D", *QUICK)
    assert code == 0, err
    assert out.strip().splitlines()[1].split()[0] == "2021-03-22"


def test_integer_time_column_continues_the_integers(tmp_path, capsys):
    path = tmp_path / "steps.csv"
    pd.DataFrame({"t": np.arange(0, 100, 5), "v": np.sin(np.arange(20.0))}).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--horizon", 3, "--window", 4, *QUICK)
    assert code == 0, err
    assert [line.split()[0] for line in out.strip().splitlines()[1:]] == ["100", "105", "110"]


def test_season_length_option_reaches_the_model_and_the_default_horizon(tmp_path, capsys,
                                                                      monkeypatch):
    """Integer time steps have no season unless given, and the CLI had no
    way to give one (airline on steps: MASE 0.97 where dates gave 0.37)."""
    from tsgate import cli

    seen = {}
    original = cli.MODELS["gru"]

    def spy(**params):
        seen.update(params)
        return original(**params)

    monkeypatch.setitem(cli.MODELS, "gru", spy)
    path = tmp_path / "steps.csv"
    t = np.arange(48)
    pd.DataFrame({"t": t, "v": 10 + np.sin(2 * np.pi * t / 6)}).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--model", "gru", "--season-length", 6,
                         *QUICK)
    assert code == 0, err
    assert seen["season_length"] == 6 and seen["horizon"] == 6
    assert len(out.strip().splitlines()) == 1 + 6


def test_datasets_lists_every_bundled_series(capsys):
    code, out, err = run(capsys, "datasets")
    assert code == 0 and err == ""
    lines = out.strip().splitlines()
    assert lines[0].split()[:4] == ["name", "frequency", "length", "series"]
    assert len(lines) == 1 + 11
    airline = next(line for line in lines if line.startswith("airline "))
    assert airline.split()[1:4] == ["MS", "144", "1"]


# ------------------------------------------------------------------- errors
def _no_gpu(monkeypatch):
    monkeypatch.setattr(backend, "cuda_unavailable_reason",
                        lambda: "no GPU in this test; use device='cpu' or device='auto'")


def _hide_matplotlib(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)


ERRORS = {
    "missing file": (["forecast", "{tmp}/nope.csv"], None, "no such file"),
    "folder as file": (["forecast", "{tmp}"], None, "directory"),
    "empty file": (["forecast", "{tmp}/empty.csv"], None, "empty"),
    "unknown value column": (["forecast", "{csv}", "--value-column", "sales"], None, "'sales'"),
    "unknown time column": (["forecast", "{csv}", "--time-column", "when"], None, "'when'"),
    "time column not dates": (["forecast", "{csv}", "--time-column", "y"], None, "dates"),
    "non-numeric column": (["forecast", "{tmp}/text.csv", "--value-column", "kind"], None,
                           "not numeric"),
    "unknown dataset": (["forecast", "--dataset", "nope"], None, "unknown dataset"),
    "no data given": (["forecast"], None, "--dataset"),
    "file and dataset": (["forecast", "{csv}", "--dataset", "airline"], None, "not both"),
    "too short series": (["forecast", "{tmp}/short.csv", "--horizon", "12"], None,
                         "at least 4 are needed"),
    "bad frequency alias": (["forecast", "{csv}", "--freq", "fortnightly"], None, "frequency"),
    "dates off the frequency": (["forecast", "{csv}", "--freq", "W"], None, "grid"),
    "frequency too fine": (["forecast", "{csv}", "--freq", "D"], None, "missing"),
    "irregular dates": (["forecast", "{tmp}/irregular.csv"], None, "inferred"),
    "bad interval": (["forecast", "{csv}", "--interval", "90"], None, "coverage"),
    "bad interval list": (["forecast", "{csv}", "--interval", "0.8,95"], None, "separated by commas"),
    "bad horizon": (["forecast", "{csv}", "--horizon", "0"], None, "positive"),
    # before: "The 'season_length' parameter of LSTMForecaster must be ...", the estimator's word
    "bad season length": (["forecast", "{csv}", "--season-length", "0"], None,
                          "--season-length must be a positive integer"),
    "not an integer": (["forecast", "{csv}", "--horizon", "many"], None, "invalid int"),
    "unknown model": (["forecast", "{csv}", "--model", "tcn"], None, "invalid choice"),
    "unknown command": (["fly"], None, "invalid choice"),
    "no command": ([], None, "required"),
    "output folder missing": (["forecast", "{csv}", "--output", "{tmp}/no/such/dir/f.csv"], None,
                              "does not exist"),
    # (in the flags' words, not the Python parameter's)
    "cuda unusable": (["forecast", "{csv}", "--device", "cuda"], _no_gpu,
                      ("--device cuda is not usable: no GPU in this test; use --device cpu or "
                       "--device auto")),
    "matplotlib missing": (["forecast", "{csv}", "--plot", "{tmp}/f.png"], _hide_matplotlib,
                           "matplotlib"),
    "plot format unknown": (["forecast", "{csv}", "--plot", "{tmp}/f.xyz"], None,
                            "cannot write .xyz files"),
    "output is a folder": (["forecast", "{csv}", "--output", "{tmp}"], None, "it is a folder"),
    # the last of two was kept: store's rows read as one series (session 35)
    "id column twice": (["forecast", "{csv}", "--id-column", "a", "--id-column", "b"], None,
                        "--id-column is given twice"),
    # matplotlib wrote f.png, over one there (session 35)
    "plot without extension": (["forecast", "{csv}", "--plot", "{tmp}/f"], None,
                               "give the file's extension"),
    "negative seed": (["forecast", "{csv}", "--seed", "-1"], None, "--seed must be"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_are_one_line_and_exit_code_2(case, monthly_csv, tmp_path, monkeypatch, capsys):
    argv, patch, needle = ERRORS[case]
    if case.startswith("plot ") and importlib.util.find_spec("matplotlib") is None:
        pytest.skip("needs matplotlib (without it the message is the missing matplotlib's)")
    (tmp_path / "empty.csv").write_text("")
    pd.DataFrame({"ds": pd.date_range("2020-01-01", periods=3, freq="MS"), "v": range(3)}
                 ).to_csv(tmp_path / "short.csv", index=False)
    pd.DataFrame({"ds": ["2020-01-01", "2020-01-02", "2020-01-05", "2020-01-30"], "v": range(4)}
                 ).to_csv(tmp_path / "irregular.csv", index=False)
    pd.DataFrame({"ds": pd.date_range("2020-01-01", periods=30, freq="D"), "kind": ["a"] * 30}
                 ).to_csv(tmp_path / "text.csv", index=False)
    if patch is not None:
        patch(monkeypatch)
    argv = [a.format(tmp=tmp_path, csv=monthly_csv) for a in argv]
    argv += QUICK if argv[:1] == ["forecast"] else []
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tsgate: error: ")
    assert needle in lines[0]


@pytest.mark.parametrize("error", [TypeError, KeyError, RuntimeError, ImportError])
@pytest.mark.parametrize("where", ["load_input", "fit"])
def test_internal_errors_keep_their_traceback(error, where, monthly_csv, monkeypatch):
    # a bug in tsgate is not a user mistake: no one-line message, no exit status 2
    def broken(*args, **kwargs):
        raise error("an internal failure")

    if where == "load_input":
        monkeypatch.setattr(cli, "load_input", broken)
    else:
        monkeypatch.setattr(cli.LSTMForecaster, "fit", broken)
    with pytest.raises(error, match="an internal failure"):
        main(["forecast", str(monthly_csv), "--value-column", "y", *QUICK])


def test_ctrl_c_ends_quietly_with_status_130(monthly_csv, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.LSTMForecaster, "fit", interrupted)
    code, out, err = run(capsys, "forecast", str(monthly_csv), "--value-column", "y", *QUICK)
    assert code == 130
    assert out == "" and err.strip() == "tsgate: interrupted"


def test_warmup_compiles_and_reports(capsys):
    code, out, err = run(capsys, "warmup", "--model", "gru", "--no-parallel")
    assert code == 0, err
    assert "GRU" in out and "compiled" in out


def test_help_exits_zero(capsys):
    assert main(["forecast", "--help"]) == 0
    assert "--value-column" in capsys.readouterr().out


def test_dates_written_as_digits_are_read_as_dates(tmp_path, capsys):
    days = pd.date_range("2020-01-01", periods=60, freq="D")  # 20200131 -> 20200201: a jump of 70
    path = tmp_path / "days.csv"
    pd.DataFrame({"day": days.strftime("%Y%m%d").astype(int),
                  "v": 50 + 5 * np.sin(np.arange(60) * 2 * np.pi / 7)}).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--horizon", 2, *QUICK)
    assert code == 0, err
    assert [line.split()[0] for line in out.strip().splitlines()[1:]] == ["2020-03-01", "2020-03-02"]
    months = pd.date_range("2015-01-01", periods=40, freq="MS")
    pd.DataFrame({"month": months.strftime("%Y%m").astype(int),
                  "v": np.sin(np.arange(40.0))}).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--horizon", 1, *QUICK)
    assert code == 0, err
    assert out.strip().splitlines()[1].split()[0] == "2018-05-01"
    # within one month (or year) they step evenly as integers: dates all the same
    pd.DataFrame({"day": days[:30].strftime("%Y%m%d").astype(int),
                  "v": np.sin(np.arange(30.0))}).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--horizon", 2, *QUICK)
    assert code == 0, err
    assert [line.split()[0] for line in out.strip().splitlines()[1:]] == ["2020-01-31", "2020-02-01"]
    pd.DataFrame({"month": months[:10].strftime("%Y%m").astype(int),
                  "v": np.sin(np.arange(10.0))}).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--horizon", 1, *QUICK)
    assert code == 0, err
    assert out.strip().splitlines()[1].split()[0] == "2015-11-01"
    # integer steps that are no such digits stay steps
    pd.DataFrame({"t": np.arange(100, 130), "v": np.sin(np.arange(30.0))}).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--horizon", 1, *QUICK)
    assert code == 0, err
    assert out.strip().splitlines()[1].split()[0] == "130"


def test_ids_of_a_long_csv_are_kept_as_written(tmp_path, capsys):
    rows = [(key, day.strftime("%Y-%m-%d"), 100 + i + 10 * np.sin(i / 2))
            for key in ("007", "010") for i, day in
            enumerate(pd.date_range("2015-01-01", periods=30, freq="MS"))]
    path = tmp_path / "long.csv"
    pd.DataFrame(rows, columns=["store", "month", "sales"]).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--id-column", "store", "--horizon", 2, *QUICK)
    assert code == 0, err
    assert [line.split()[0] for line in out.strip().splitlines()[1:]] == ["007"] * 2 + ["010"] * 2


@pytest.mark.parametrize("keys, listed", [((12, 7), ["7", "12"]),
                                          (("10.0", "2.0", "2.5"), ["2.0", "2.5", "10.0"])])
def test_numeric_ids_of_a_long_csv_keep_their_numeric_order(tmp_path, capsys, keys, listed):
    """Ids 12 and 7 (10.0 and 2.0) were read as text and listed "12" before
    "7"; the Python API sorts numeric ids as numbers. They print as written."""
    rows = [(key, day.strftime("%Y-%m-%d"), 100 + i + 10 * np.sin(i / 2))
            for key in keys for i, day in
            enumerate(pd.date_range("2015-01-01", periods=30, freq="MS"))]
    path = tmp_path / "long.csv"
    pd.DataFrame(rows, columns=["store", "month", "sales"]).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--id-column", "store", "--horizon", 2,
                         "--output", "-", *QUICK)
    assert code == 0, err
    assert [line.split(",")[0] for line in out.strip().splitlines()[1:]] == \
        [key for key in listed for _ in range(2)]


def test_ids_that_would_print_otherwise_as_numbers_stay_text():
    # ids that would be one number (" 7" and "7", "-0" and "0") or print otherwise
    # ("1.50", "1e3") stay text
    from tsgate.csvinput import _numeric_ids
    for ids in ([" 7", "7"], ["-0", "0"], ["+5", "5"], ["007", "7"], [str(2**63), "1"],
                ["1.50", "2.0"], ["-0.0", "0.0"], ["1e3", "2.0"], ["1", "2.5"], ["nan", "1.0"]):
        assert list(_numeric_ids(pd.Series(ids))) == ids
    assert list(_numeric_ids(pd.Series([str(2**63 - 1), "-3"]))) == [2**63 - 1, -3]


def test_a_missing_value_column_of_a_long_csv_lists_only_value_columns(tmp_path, capsys):
    path = tmp_path / "long.csv"
    pd.DataFrame({"store": ["a"] * 20, "ds": pd.date_range("2020-01-01", periods=20, freq="MS"),
                  "sales": np.arange(20.0)}).to_csv(path, index=False)
    code, _, err = run(capsys, "forecast", path, "--id-column", "store", "--value-column",
                       "nosuch", *QUICK)
    assert code == 2 and "its value columns are ['sales']" in err


def test_long_csv_with_id_column_fits_one_global_model(tmp_path, capsys):
    rows = []
    for key, n in [("north", 40), ("south", 30)]:
        for i, day in enumerate(pd.date_range("2015-01-01", periods=n, freq="MS")):
            rows.append((key, day.strftime("%Y-%m-%d"), 100 + i + 10 * np.sin(i / 2)))
    path = tmp_path / "long.csv"
    pd.DataFrame(rows, columns=["store", "month", "sales"]).to_csv(path, index=False)
    output = tmp_path / "out.csv"
    plot = ["--plot", tmp_path / "long.png"] if importlib.util.find_spec("matplotlib") else []
    code, out, err = run(capsys, "forecast", path, "--id-column", "store", "--horizon", 3,
                         "--interval", "0.8,0.95", "--output", output, *plot, *QUICK)
    assert code == 0, err
    if plot:  # one panel per store, both bands
        assert (tmp_path / "long.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    written = pd.read_csv(output)
    assert list(written.columns) == ["store", "month", "sales", "lower_80", "upper_80",
                                     "lower_95", "upper_95"]
    assert list(written["store"]) == ["north"] * 3 + ["south"] * 3
    assert list(written["month"][3:]) == ["2017-07-01", "2017-08-01", "2017-09-01"]
    code, out, err = run(capsys, "forecast", path, "--id-column", "shop", *QUICK)
    assert code == 2 and "id column 'shop'" in err
    # a missing month: the frequency cannot be inferred; --freq puts each series on its grid
    frame = pd.read_csv(path).drop(index=[5, 47])
    frame.to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--id-column", "store", "--horizon", 3, *QUICK)
    assert code == 2 and "--freq MS" in err
    code, out, err = run(capsys, "forecast", path, "--id-column", "store", "--horizon", 3,
                         "--freq", "MS", "--output", output, *QUICK)
    assert code == 0, err
    assert list(pd.read_csv(output)["month"][3:]) == ["2017-07-01", "2017-08-01", "2017-09-01"]
    code, out, err = run(capsys, "forecast", path, "--id-column", "store", "--freq", "monthly",
                         *QUICK)
    assert code == 2 and "not a pandas frequency alias" in err and out == ""
    # without --quiet: pandas' "'bogus' is deprecated, use 'BOGUS'" came first (session 44)
    code, out, err = run(capsys, "forecast", path, "--id-column", "store", "--freq", "bogus",
                         *[a for a in QUICK if a != "--quiet"])
    message = ("tsgate: error: --freq 'bogus' is not a pandas frequency alias (e.g. D, W-SUN, "
               "MS, QS, YS, h, 15min)")
    assert code == 2 and err.splitlines() == [message]


def test_unused_columns_of_a_long_csv_are_named(tmp_path, capsys):
    months = pd.date_range("2015-01-01", periods=30, freq="MS")
    frame = pd.concat([pd.DataFrame({"store": k, "ds": months.strftime("%Y-%m-%d"),
                                     "sales": 100.0 + np.arange(30) % 12, "price": 5.0})
                       for k in ("a", "b")])
    frame.to_csv(tmp_path / "long.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "long.csv", "--id-column", "store",
                         "--horizon", 2, "--max-iter", 2)
    assert code == 0 and "forecasting column 'sales'; column(s) ['price'] are not used" in err
    code, out, err = run(capsys, "forecast", tmp_path / "long.csv", "--id-column", "store",
                         "--horizon", 2, *QUICK)
    assert code == 0 and err == ""  # --quiet: no notes


def test_python_dash_m_tsgate_runs_the_command_line():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "tsgate", "--version"], capture_output=True,
                         text=True, check=True).stdout
    from tsgate import __version__

    assert out.strip().endswith(__version__)


def test_bool_value_column_and_a_freq_finer_than_a_long_csv_are_user_errors(tmp_path, capsys):
    t = np.arange(36)
    dates = pd.date_range("2015-01-01", periods=36, freq="MS").strftime("%Y-%m-%d")
    wide = pd.DataFrame({"ds": dates, "y": 100.0 + t, "flag": t % 2 == 0})
    wide.to_csv(tmp_path / "wide.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "wide.csv", "--value-column", "flag", *QUICK)
    assert code == 2 and out == "" and "'flag'" in err and "true/false" in err
    long = pd.concat([wide.assign(store=s) for s in "AB"])
    long.to_csv(tmp_path / "long.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "long.csv", "--id-column", "store",
                         "--value-column", "flag", *QUICK)
    assert code == 2 and "true/false" in err
    # a daily grid on monthly series: mostly missing, refused as for a wide CSV
    code, out, err = run(capsys, "forecast", tmp_path / "long.csv", "--id-column", "store",
                         "--value-column", "y", "--freq", "D", *QUICK)
    assert code == 2 and out == "" and "would be missing" in err and "'MS'" in err


def test_a_csv_without_header_is_an_error_not_a_lost_row(tmp_path, capsys):
    path = tmp_path / "nohdr.csv"
    path.write_text("".join(f"2015-{m:02d}-01,{100 + m}\n" for m in range(1, 13)) * 1)
    code, out, err = run(capsys, "forecast", path, *QUICK)
    assert code == 2 and out == "" and "has no header row" in err and "2015-01-01" in err


def test_monthly_day_first_dates_that_parse_month_first_are_named(tmp_path, capsys):
    # "01/02/2015" .. all parse month first (as days of January): the dates
    # are not irregular, they are day first, and the message says so
    months = pd.date_range("2015-01-01", periods=36, freq="MS")
    pd.DataFrame({"date": months.strftime("%d/%m/%Y"), "v": np.arange(36.0)}).to_csv(
        tmp_path / "dmy.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "dmy.csv", *QUICK)
    assert code == 2 and out == "" and "day-first dates" in err and "'01/01/2015'" in err
    # irregular ISO dates keep their own message
    pd.DataFrame({"date": months.delete([5, 6]).strftime("%Y-%m-%d"), "v": np.arange(34.0)}).to_csv(
        tmp_path / "gaps.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "gaps.csv", *QUICK)
    assert code == 2 and "cannot be inferred" in err and "day-first" not in err


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%m/%d/%Y"])
def test_dates_that_read_as_two_regular_series_are_refused(tmp_path, capsys, fmt):
    """Twelve month starts written 01/MM/2020 read month first as twelve
    days, and were forecast as days; written MM/01/2020 they read day first
    as days. Either way the file cannot say which, and the message says so."""
    months = pd.date_range("2020-01-01", periods=12, freq="MS")
    pd.DataFrame({"date": months.strftime(fmt), "v": np.arange(12.0)}).to_csv(
        tmp_path / "twelve.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "twelve.csv", *QUICK)
    assert code == 2 and out == "" and "month first and day first" in err and "YYYY-MM-DD" in err
    # thirteen months written month first read only as months
    months = pd.date_range("2020-01-01", periods=13, freq="MS")
    pd.DataFrame({"date": months.strftime("%m/%d/%Y"), "v": np.arange(13.0)}).to_csv(
        tmp_path / "thirteen.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "thirteen.csv", "--horizon", 2,
                         "--output", "-", *QUICK)
    assert code == 0, err
    assert "2021-02-01" in out and "2021-03-01" in out


def test_months_on_the_fourth_are_told_to_be_written_as_months(tmp_path, capsys):
    """The message advised --freq D, a grid of 30 days a month, mostly missing."""
    dates = pd.date_range("2020-01-01", periods=24, freq="MS") + pd.Timedelta(days=3)
    frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "v": np.arange(24.0)})
    frame.to_csv(tmp_path / "fourth.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "fourth.csv", *QUICK)
    assert code == 2 and "step by one month" in err and "(2020-01)" in err and "--freq D" not in err
    frame.assign(date=dates.strftime("%Y-%m")).to_csv(tmp_path / "months.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "months.csv", "--horizon", 2,
                         "--output", "-", *QUICK)
    assert code == 0 and "2022-01-01" in out and "2022-02-01" in out, err


@pytest.mark.parametrize("sep, decimal", [(";", ","), (";", "."), ("\t", "."), ("|", ",")])
def test_other_separators_and_decimal_commas_are_read(tmp_path, capsys, sep, decimal):
    months = pd.date_range("2015-01-01", periods=36, freq="MS")
    values = 100 + np.arange(36) % 12 + 0.25
    text = [f"{v:.2f}".replace(".", decimal) for v in values]
    pd.DataFrame({"ds": months.strftime("%Y-%m-%d"), "y": text}).to_csv(
        tmp_path / "file.csv", index=False, sep=sep)
    frame, time_column = csvinput.read_csv(str(tmp_path / "file.csv"), None)
    assert time_column == "ds" and list(frame.columns) == ["y"]
    np.testing.assert_allclose(frame["y"].to_numpy(), values)
    code, out, err = run(capsys, "forecast", tmp_path / "file.csv", "--horizon", 2, *QUICK)
    assert code == 0 and "2018-01-01" in out and "2018-02-01" in out


@pytest.mark.parametrize("sep, text, ok", [
    (",", ["1,234", "12,345.5", "-1,000,000", "999"], True),  # thousands commas, quoted
    (";", ["1.234,5", "12.345", "-1.000.000,25", "999,5"], True),  # thousands points
    ("\t", ["1,234", "1,300", "2,000", "999"], False),  # 1234 or 1.234: not guessed
    (",", ["1,5", "1,25", "2,0", "3"], False),  # decimal commas in a comma-separated file
])
def test_digit_groups_are_read_where_they_are_unambiguous(tmp_path, capsys, sep, text, ok):
    months = pd.date_range("2015-01-01", periods=36, freq="MS")
    column = (text * 9)[:36]
    pd.DataFrame({"ds": months.strftime("%Y-%m-%d"), "y": column}).to_csv(
        tmp_path / "file.csv", index=False, sep=sep)
    if ok:
        frame, _ = csvinput.read_csv(str(tmp_path / "file.csv"), None)
        thousands, decimal = (",", ".") if sep == "," else (".", ",")
        want = [float(v.replace(thousands, "").replace(decimal, ".")) for v in column]
        np.testing.assert_array_equal(frame["y"].to_numpy(), want)
        return
    code, out, err = run(capsys, "forecast", tmp_path / "file.csv", "--horizon", 2, *QUICK)
    assert code == 2 and out == ""
    assert f"has no numeric value column (column 'y' holds {text[0]!r}); write the numbers " \
           "plainly" in err


def test_output_paths_and_options_are_checked_before_the_fit(tmp_path, capsys):
    """An unwritable --output failed after the fit, with the table already on
    stdout; an empty one was ignored; a repeated coverage or the id column as
    --value-column got messages that pointed elsewhere (session 31)."""
    cases = [("/proc/no-such/x.csv", "cannot write /proc/no-such/x.csv: folder"),
             ("", "--output needs a file name")]
    if os.path.isdir("/proc"):  # a folder no file can be made in (Linux)
        cases.append(("/proc/x.csv", "cannot write /proc/x.csv: "))
    for path, message in cases:
        code, out, err = run(capsys, "forecast", "--dataset", "airline", "--output", path, *QUICK)
        assert code == 2 and out == "" and message in err
    code, out, err = run(capsys, "forecast", "--dataset", "airline", "--interval", "0.8,0.8", *QUICK)
    assert code == 2 and "gives a coverage more than once" in err
    rows = [("a", d.strftime("%Y-%m-%d"), float(i)) for i, d in
            enumerate(pd.date_range("2020-01-01", periods=20, freq="MS"))]
    pd.DataFrame(rows, columns=["id", "date", "v"]).to_csv(tmp_path / "long.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "long.csv", "--id-column", "id",
                         "--value-column", "id", *QUICK)
    assert code == 2 and "--value-column 'id' is the id column" in err
    for column in ("id", "date"):  # a KeyError's traceback before (session 44's sweep)
        code, out, err = run(capsys, "forecast", tmp_path / "long.csv", "--id-column", column,
                             "--time-column", column, *QUICK)
        assert code == 2 and out == "" and f"--time-column {column!r} is also the --id-column" in err
    target = tmp_path / "f.csv"
    code, out, err = run(capsys, "forecast", "--dataset", "airline", "--horizon", 2,
                         "--output", target, *QUICK)
    assert code == 0 and len(pd.read_csv(target)) == 2


def test_output_and_plot_never_overwrite_the_input(monthly_csv, tmp_path, capsys, monkeypatch):
    """--output naming the input CSV replaced the history with the forecast
    and exited 0 (sweep, session 37); so does a link to it, and --plot on the
    file of --output, before the fit."""
    before = monthly_csv.read_bytes()
    link = tmp_path / "link.csv"
    link.symlink_to(monthly_csv)
    for argv, message in (((monthly_csv, "--output", monthly_csv), "is the input file"),
                          ((link, "--output", monthly_csv), "is the input file"),
                          ((monthly_csv, "--output", tmp_path / "a.png", "--plot",
                            tmp_path / "a.png"), "name the same file")):
        code, out, err = run(capsys, "forecast", *argv, "--horizon", 2, *QUICK)
        assert code == 2 and out == "" and message in err, err
    with open(monthly_csv, "rb") as stdin:  # tsgate forecast - --output data.csv < data.csv
        monkeypatch.setattr("sys.stdin", stdin)
        code, out, err = run(capsys, "forecast", "-", "--output", monthly_csv, "--horizon", 2,
                             *QUICK)
    assert code == 2 and "is the input file" in err, err
    assert monthly_csv.read_bytes() == before


def test_a_saved_row_index_before_the_dates_is_left_out(tmp_path, capsys):
    """DataFrame.to_csv's default writes the row numbers first, unnamed: the
    forecast was of times 30, 31 (the dates skipped as text); the dates are
    the times now, with a note. A saved Series' index alone stays the time."""
    days = pd.date_range("2020-01-01", periods=30, freq="D")
    frame = pd.DataFrame({"ds": days.strftime("%Y-%m-%d"), "y": 10 + np.sin(np.arange(30))})
    frame.to_csv(tmp_path / "indexed.csv")  # ",ds,y" / "0,2020-01-01,10.0"
    code, out, err = run(capsys, "forecast", tmp_path / "indexed.csv", "--horizon", 2,
                         "--output", "-", "--max-iter", 2)
    assert code == 0 and "a saved row index" in err
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["ds", "y"] and list(table.ds) == ["2020-01-31", "2020-02-01"]
    frame.y.to_csv(tmp_path / "series.csv")  # ",y": the row numbers are its only times
    code, out, err = run(capsys, "forecast", tmp_path / "series.csv", "--horizon", 2,
                         "--output", "-", *QUICK)
    assert code == 0 and list(pd.read_csv(io.StringIO(out)).iloc[:, 0]) == [30, 31]


def test_a_repeated_header_and_a_freq_off_the_dates_grid(monthly_csv, tmp_path, capsys):
    """'ds,y,y' was forecast as columns y and y.1 (pandas renames the second);
    --freq M on month starts said "choose another --freq" without which
    (sweep, session 37)."""
    (tmp_path / "dup.csv").write_text("ds,y,y\n" + "".join(
        f"2020-01-{i + 1:02d},{i},{2 * i}\n" for i in range(28)))
    (tmp_path / "blank.csv").write_text("\n" + (tmp_path / "dup.csv").read_text())
    for name in ("dup.csv", "blank.csv"):  # (pandas skips a blank first line)
        code, _, err = run(capsys, "forecast", tmp_path / name, "--horizon", 2, *QUICK)
        assert code == 2 and f"{name} names column 'y' more than once" in err, err
    # a file without a header whose first row repeats a value: that diagnosis first
    (tmp_path / "bare.csv").write_text("".join(f"2020-01-{i + 1:02d},5,5\n" for i in range(28)))
    code, _, err = run(capsys, "forecast", tmp_path / "bare.csv", "--horizon", 2, *QUICK)
    assert code == 2 and "has no header row" in err, err
    code, _, err = run(capsys, "forecast", monthly_csv, "--freq", "W-SUN", "--horizon", 2,
                       *QUICK)
    assert code == 2 and "do not fall on a 'W-SUN' grid" in err and "look like --freq MS" in err


def test_the_plot_title_names_each_coverage_as_given(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    import tsgate.plotting
    titles = []
    real = tsgate.plotting.plot_forecast

    def spy(*args, title=None, **kwargs):
        titles.append(title)
        return real(*args, title=title, **kwargs)

    monkeypatch.setattr(tsgate.plotting, "plot_forecast", spy)
    code, _, err = run(capsys, "forecast", "--dataset", "airline", "--horizon", 2,
                         "--interval", "0.8,0.975", "--plot", tmp_path / "p.png", *QUICK)
    assert code == 0, err
    assert titles and titles[0].endswith(", 80%/97.5% interval")  # not "98%"


def test_local_midnights_across_a_daylight_saving_change_are_days(tmp_path, capsys):
    """Daily local times whose offset changes (+01:00, then +02:00) fall on no
    grid in UTC (23:00, then 22:00): they are read as wall-clock days."""
    days = pd.date_range("2021-03-15", periods=30, freq="D", tz="Europe/Berlin")
    pd.DataFrame({"date": [d.isoformat() for d in days], "v": np.sin(np.arange(30.0))}).to_csv(
        tmp_path / "dst.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "dst.csv", "--horizon", 2, *QUICK)
    assert code == 0, err
    assert [line.split()[0] for line in out.strip().splitlines()[1:]] == ["2021-04-14", "2021-04-15"]


def test_times_whose_offset_changes_are_read_with_a_note(tmp_path, capsys):
    """A long CSV of local month starts (+01:00, then +02:00) came out as
    naive dates without a word, where the Python API refuses such text
    times; the CLI keeps reading them, and says how."""
    months = pd.date_range("2020-01-01", periods=30, freq="MS", tz="Europe/Berlin")
    rows = [(key, t.isoformat(), 100 + i + 10 * np.sin(i / 2))
            for key in ("a", "b") for i, t in enumerate(months)]
    path = tmp_path / "long.csv"
    pd.DataFrame(rows, columns=["unique_id", "ds", "y"]).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--id-column", "unique_id", "--horizon", 2,
                         "--max-iter", 2)
    assert code == 0, err
    assert "UTC offset changes (+01:00, +02:00" in err and "without the offsets" in err
    assert out.strip().splitlines()[1].split()[1] == "2022-07-01"


def test_date_messages_give_the_fix_and_mixed_offsets_are_read(tmp_path, capsys):
    days = pd.date_range("2020-01-01", periods=40, freq="D")
    pd.DataFrame({"date": days.strftime("%d/%m/%Y"), "v": np.arange(40.0)}).to_csv(
        tmp_path / "dayfirst.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "dayfirst.csv", *QUICK)
    assert code == 2 and "day-first dates" in err and "YYYY-MM-DD" in err
    # local hours across a daylight-saving change: offsets +01:00, then +02:00
    hours = pd.date_range("2021-03-26", periods=96, freq="h", tz="Europe/Berlin")
    pd.DataFrame({"date": hours.astype(str), "v": np.sin(np.arange(96) / 4)}).to_csv(
        tmp_path / "dst.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "dst.csv", "--horizon", 3, *QUICK)
    assert code == 0 and "2021-03-30 00:00:00+00:00" in out
    # the column named with --time-column is not dates: the hint is not to name it
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "v": np.arange(40.0)}).to_csv(
        tmp_path / "plain.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "plain.csv", "--time-column", "v", *QUICK)
    assert code == 2 and "choose a column of dates or integer steps" in err


def test_a_dash_reads_standard_input_and_writes_standard_output(monthly_csv, tmp_path,
                                                                capsys, monkeypatch):
    """``cat data.csv | tsgate forecast - --output -``: the CSV in, the
    forecast's CSV alone out (session 32: a file named "-" was written, and
    read back by the next command)."""
    import io

    monkeypatch.chdir(tmp_path)
    code, table, _ = run(capsys, "forecast", monthly_csv, "--value-column", "y", "--horizon", 3,
                         *QUICK)
    assert code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(monthly_csv.read_text()))
    code, out, err = run(capsys, "forecast", "-", "--value-column", "y", "--horizon", 3,
                         "--output", "-", *QUICK)
    assert code == 0, err
    assert not (tmp_path / "-").exists()
    written = pd.read_csv(io.StringIO(out))
    assert list(written.columns) == ["ds", "y"] and len(written) == 3
    np.testing.assert_allclose(written["y"], [float(line.split()[1])
                                              for line in table.strip().splitlines()[1:]],
                               rtol=1e-4)
    monkeypatch.setattr("sys.stdin", io.StringIO("ds,y\n"))
    code, _, err = run(capsys, "forecast", "-", *QUICK)
    assert code == 2 and "standard input has a header but no rows" in err


def test_table_names_trailing_separators_and_missing_ids(tmp_path, capsys):
    """Session 32: a value column named like a bound ('lower', or 'x_lower'
    beside 'x') with --interval failed after the fit in pandas' join or wrote
    two columns of one name; a separator ending every line made an empty
    'Unnamed: 3' series; a blank id was placed by its row after sorting."""
    dates = pd.date_range("2020-01-01", periods=30, freq="MS").strftime("%Y-%m-%d")
    single = tmp_path / "lower.csv"
    pd.DataFrame({"date": dates, "lower": np.arange(30.0)}).to_csv(single, index=False)
    code, _, err = run(capsys, "forecast", single, "--interval", 0.9, *QUICK)
    assert code == 2 and "two columns named 'lower'" in err
    code, _, err = run(capsys, "forecast", single, *QUICK)  # no bounds: no clash
    assert code == 0, err
    wide = tmp_path / "wide.csv"
    pd.DataFrame({"date": dates, "x": np.arange(30.0), "x_lower": np.arange(30.0) + 5}).to_csv(
        wide, index=False)
    code, _, err = run(capsys, "forecast", wide, "--interval", 0.9, *QUICK)
    assert code == 2 and "two columns named 'x_lower'" in err
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("date,a,b,\n" + "".join(f"{d},{10 + i}.5,{50 - i}.25,\n"
                                                 for i, d in enumerate(dates)))
    code, out, err = run(capsys, "forecast", trailing, "--horizon", 2, *QUICK)
    assert code == 0, err
    assert out.splitlines()[0].split() == ["date", "a", "b"]
    long = tmp_path / "long.csv"
    frame = pd.DataFrame({"store": ["a"] * 30 + ["b"] * 30, "date": list(dates) * 2,
                          "sales": np.arange(60.0)})
    frame.loc[3, "store"] = np.nan
    frame.to_csv(long, index=False)
    code, _, err = run(capsys, "forecast", long, "--id-column", "store", *QUICK)
    assert code == 2 and "id column 'store' of" in err and "empty on line 5" in err


def test_a_plot_format_this_machine_cannot_draw_is_refused_before_the_fit(monthly_csv, capsys,
                                                                          monkeypatch):
    """.pgf is listed by matplotlib but needs LaTeX: it failed after the fit,
    with a traceback. A format whose drawing fails is refused first."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    def no_tex(self, *args, **kwargs):
        raise RuntimeError("'xelatex' not found; install it")

    monkeypatch.setattr(Figure, "savefig", no_tex)
    code, out, err = run(capsys, "forecast", monthly_csv, "--plot", "f.pgf", *QUICK)
    assert code == 2 and out == ""
    assert err.strip() == ("tsgate: error: --plot f.pgf: matplotlib cannot write .pgf files on "
                           "this machine ('xelatex' not found; install it); use .png, .svg or .pdf")


def test_the_printed_table_keeps_seven_digits_per_column():
    """One number of decimals for the whole table printed a series of 0.001
    beside one of 1e7 as 0.0."""
    from tsgate.clitext import to_text as _to_text

    table = pd.DataFrame({"ds": ["2020-01-01", "2020-02-01"], "big": [12345678.9, 23456789.1],
                          "small": [0.0012345, 0.0023456], "tiny": [5.1234e-7, 6.2e-7]})
    lines = _to_text(table).splitlines()
    assert lines[1].split() == ["2020-01-01", "12345678.9", "0.001234500", "5.123400e-07"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_an_output_file_that_cannot_be_written_is_named(capsys):
    """A full disk said "[Errno 28] No space left on device" without the path."""
    code, _, err = run(capsys, "forecast", "--dataset", "airline", "--horizon", 2,
                         "--output", "/dev/full", *QUICK)
    assert code == 2 and err.strip() == "tsgate: error: /dev/full: No space left on device"


def test_decimal_ids_print_as_written_in_the_table(tmp_path, capsys):
    """The printed table formatted ids as values: 1.50000, and 1234567890.5
    beside 1234567890.25 both as 1.234568e+09 (a sweep, session 47)."""
    rows = [(key, day.strftime("%Y-%m-%d"), 100 + i + 10 * np.sin(i / 2))
            for key in ("1.5", "1234567890.25", "1234567890.5") for i, day in
            enumerate(pd.date_range("2015-01-01", periods=30, freq="MS"))]
    path = tmp_path / "long.csv"
    pd.DataFrame(rows, columns=["store", "month", "sales"]).to_csv(path, index=False)
    code, out, err = run(capsys, "forecast", path, "--id-column", "store", "--horizon", 1, *QUICK)
    assert code == 0, err
    assert [line.split()[0] for line in out.strip().splitlines()[1:]] == \
        ["1.5", "1234567890.25", "1234567890.5"]


def test_a_freq_far_finer_than_the_dates_is_refused_before_its_grid_is_built(capsys):
    """--freq ms of monthly dates asked for 2.74 TiB (a MemoryError traceback)."""
    code, _, err = run(capsys, "forecast", "--dataset", "airline", "--freq", "ms", *QUICK)
    assert code == 2 and "of the 376012800001 periods" in err and "look like 'MS'" in err


def test_an_empty_named_column_is_skipped_with_a_note(tmp_path, capsys):
    """A spreadsheet's blank 'notes' column was a series: "y has a series
    with no observed value (all NaN): 'notes'", the whole file refused."""
    path = tmp_path / "notes.csv"
    days = pd.date_range("2020-01-01", periods=30, freq="D").strftime("%Y-%m-%d")
    path.write_text("ds,sales,notes\n" + "".join(f"{d},{i % 7},\n" for i, d in enumerate(days)))
    code, out, err = run(capsys, "forecast", path, "--horizon", 1, "--max-iter", 2)
    assert code == 0 and "skipping empty column(s) ['notes']" in err
    assert out.split()[:2] == ["ds", "sales"]


@pytest.mark.parametrize("freq, refused", [("MS", False), ("D", True), ("W-SUN", None)])
def test_freq_grids_follow_the_estimators_rule(tmp_path, freq, refused):
    """--freq MS of 16 monthly dates over 36 months was refused ("20 of the
    36 periods would be missing; the dates look like 'MS' data") though
    freq='MS' fits them: the command puts dates on a grid by the rule of
    tsgate.grids.on_grid, refusing a grid 4 times as dense as the dates' step."""
    from tsgate.csvinput import set_frequency
    from tsgate.grids import on_grid

    months = pd.date_range("2015-01-01", periods=36, freq="MS")
    keep = [0, 2, 3, 7, 8, 11, 14, 15, 19, 22, 23, 26, 29, 31, 33, 35]  # 16 of 36
    frame = pd.DataFrame({"y": 100.0 + np.arange(16)}, index=months[keep])
    outcomes = []
    for put in (lambda: set_frequency(frame, freq, "x.csv", []), lambda: on_grid(frame, freq)):
        try:
            outcomes.append(len(put()))
        except ValueError as exc:
            outcomes.append(str(exc))
    if refused is None:  # off the grid: both refuse
        assert all(isinstance(o, str) for o in outcomes)
    elif refused:
        assert all(isinstance(o, str) for o in outcomes)
        assert "look like 'MS' data: give --freq MS" in outcomes[0]
    else:
        assert outcomes == [36, 36]


def test_a_long_csv_keeps_a_sparse_series_beside_others_and_refuses_nearly_empty_grids(
        tmp_path, capsys):
    """A long file with one yearly series beside a monthly one was refused
    under --freq MS ("give --freq YS-JAN", which breaks the monthly one),
    where freq='MS' keeps it with a warning; 10 irregular dates over 30
    years were fitted on a daily grid 99.9% missing, by the command and by
    freq='D' alike."""
    rng = np.random.default_rng(0)
    months = pd.date_range("2015-01-01", periods=60, freq="MS")
    mixed = pd.concat([pd.DataFrame({"id": "A", "ds": months, "y": 10 + rng.normal(size=60)}),
                       pd.DataFrame({"id": "B", "ds": months[::12], "y": 5 + rng.normal(size=5)})])
    mixed.to_csv(tmp_path / "mixed.csv", index=False)
    code, out, err = run(capsys, "forecast", tmp_path / "mixed.csv", "--id-column", "id",
                         "--freq", "MS", "--horizon", 2, "--max-iter", 2)
    assert code == 0 and "kept, on the grid the other series follow" in err
    assert sorted(set(out.split()[3::3])) == ["A", "B"]  # both series forecast
    mixed[mixed["id"] == "B"].to_csv(tmp_path / "yearly.csv", index=False)
    code, _, err = run(capsys, "forecast", tmp_path / "yearly.csv", "--id-column", "id",
                       "--freq", "MS", *QUICK)
    assert code == 2 and "give --freq YS-JAN" in err and "every series of" in err
    # every series sparse, on other steps: no --freq named that breaks one of them
    apart = pd.concat([mixed[mixed["id"] == "B"],
                       pd.DataFrame({"id": "C", "ds": months[::3], "y": 1.0})])
    apart.to_csv(tmp_path / "apart.csv", index=False)
    code, _, err = run(capsys, "forecast", tmp_path / "apart.csv", "--id-column", "id",
                       "--freq", "D", *QUICK)
    assert code == 2 and "from their own files" in err and "give --freq" not in err
    days = pd.to_datetime(np.sort(rng.choice(pd.date_range("1990-01-01", "2019-12-31").values,
                                             10, replace=False)))
    pd.DataFrame({"ds": days.strftime("%Y-%m-%d"), "y": 5 + rng.normal(size=10)}).to_csv(
        tmp_path / "irregular.csv", index=False)
    code, _, err = run(capsys, "forecast", tmp_path / "irregular.csv", "--freq", "D", *QUICK)
    assert code == 2 and "would be missing; give the frequency the dates follow" in err
    with pytest.raises(ValueError, match=r"99\.9% of them missing.*Give the frequency"):
        GRUForecaster(freq="D", horizon=2).fit(pd.Series(5.0 + np.arange(10), days))
    # after a fit, a history is taken on the fitted grid however sparse
    dense = pd.Series(5.0 + rng.normal(size=400), pd.date_range("2020-01-01", periods=400))
    model = GRUForecaster(freq="D", horizon=3, max_iter=2, hidden_size=4).fit(dense)
    assert len(model.predict(y=dense.iloc[[0, 200, 399]])) == 3
