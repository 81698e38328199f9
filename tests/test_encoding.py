"""Windows relative to the smoothing level: shapes, padding, no leakage."""
import numpy as np

from tsgate import encoding
from tsgate.smoothing import stage


def test_window_values_and_targets_invert_to_the_series():
    y = np.array([10.0, 12.0, np.nan, 13.0, 15.0, 16.0, 18.0])
    st = stage(y, "standard", 1)  # level = mean, scale = std: easy to invert
    X, Y = encoding.series_windows(y, st, 3, 2, np.array([0, 3, 5]))
    assert X.shape == (3, 3, 2) and Y.shape == (3, 2)
    # window ending at 0 is padded before the series' start
    np.testing.assert_array_equal(X[0, :, 1], [0, 0, 1])
    # the missing value is flagged, not filled with garbage
    np.testing.assert_array_equal(X[1, :, 1], [1, 0, 1])
    back = Y * st.scale + st.level[0]
    np.testing.assert_allclose(back[0], [12.0, np.nan])
    np.testing.assert_allclose(back[1], [15.0, 16.0])
    np.testing.assert_allclose(back[2], [18.0, np.nan])  # partial target at the end


def test_validation_cut_keeps_training_targets_before_it():
    n, cut, H = 40, 6, 4
    y = np.arange(n, dtype=float) + 1.0
    st = stage(y[:n - cut], "standard", 1)
    X, Y = encoding.collection_windows([y], [st], 5, H, 1000, cut=cut)
    positions = Y * st.scale + st.level[0] - 1.0  # the value is the step + 1
    seen = positions[np.isfinite(positions)]
    assert seen.max() == n - cut - 1  # the newest training target: just before the cut
    assert len(X) == n - cut - 1


def test_forecast_base_is_level_plus_season_of_the_phase():
    t = np.arange(36)
    y = np.exp(0.2 * np.sin(2 * np.pi * t / 12))
    st = stage(y, "smooth", 12)
    base = encoding.forecast_base(st, 36, 14)
    np.testing.assert_allclose(base[:12], st.level[-1] + st.season[24:36])
    np.testing.assert_allclose(base[12:], base[:2])


def test_window_lengths():
    assert encoding.window_lengths(12, 24, 3) == [48, 30, 72]
    assert encoding.window_lengths(1, 4, 4) == [8, 5, 12, 8]
    assert encoding.window_lengths(4, 8, 2, window=10) == [10, 10]


def test_last_window_of_a_series_is_its_window_among_all_ends():
    y = np.array([3.0, 5.0, np.nan, 4.0, 6.0, 7.0, 5.0, 8.0])
    st = stage(y, "standard", 1)
    for L in (3, 8, 11):  # inside the series, all of it, longer (padded)
        X_all, _ = encoding.series_windows(y, st, L, 2, np.arange(len(y)))
        last = encoding.last_windows([y], [st], L, 2)
        np.testing.assert_allclose(last[0], X_all[-1], rtol=1e-6, atol=1e-6)
        pad = max(L - len(y), 0)
        assert (last[0, :pad] == 0).all() and (last[0, pad:, 1] == np.isfinite(y[-(L - pad):])).all()
