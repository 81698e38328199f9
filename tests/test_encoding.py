"""Windows relative to the smoothing level: shapes, padding, no leakage."""
from dataclasses import replace

import numpy as np
import pytest

from tsgate import encoding, smoothing
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


def _stacked_cases():
    """Series of several kinds with their stages: seasonal (one with an inner
    cycle), missing values, shorter than a window, too big for float32."""
    r = np.random.default_rng(3)
    t = np.arange(96)
    cases = [
        (np.exp(0.2 * np.sin(2 * np.pi * t / 12)) + r.normal(0, 0.01, 96), "smooth", 12, 1),
        (np.r_[5.0, 6.0, np.nan, 7.0, 6.5, 8.0, 7.5, 9.0], "smooth", 1, 1),
        (np.array([1.0, 2.0, 1.5]), "last", 1, 1),
        (10 + np.sin(2 * np.pi * t / 4) + np.sin(2 * np.pi * t / 24) * 3 + r.normal(0, .1, 96),
         "smooth", 24, 4),
        (r.normal(size=30) * 1e200, "standard", 1, 1),  # past float32 but in units
        (np.cumsum(r.normal(size=40)), "smooth", 12, 1),
    ]
    zs, stages = [], []
    for y, norm, m, inner in cases:
        st = stage(y, norm, m, inner=inner)
        zs.append(st.to_working(y))
        stages.append(st)
    return zs, stages


def test_stacked_windows_are_each_series_windows_bit_for_bit():
    zs, stages = _stacked_cases()
    r = np.random.default_rng(0)
    for L, H in ((3, 2), (13, 5), (30, 1)):
        for pick in ("all", "tail", "last", "none"):
            ends = []
            for z in zs:
                n = len(z)
                ends.append({"all": np.arange(n), "tail": np.arange(max(n - 4, 0), n - 1),
                             "last": np.array([n - 1]), "none": np.zeros(0, dtype=int)}[pick])
            for with_exog in (False, True):
                exogs = [r.normal(size=(len(z) + H, 2)) for z in zs] if with_exog else None
                X, Y = encoding.stacked_windows(zs, stages, L, H, ends, exogs)
                parts = [encoding.series_windows(z, st, L, H, e, None if exogs is None else exogs[i])
                         for i, (z, st, e) in enumerate(zip(zs, stages, ends))]
                want_X = np.concatenate([p[0] for p in parts])
                want_Y = np.concatenate([p[1] for p in parts])
                assert X.dtype == want_X.dtype and X.shape == want_X.shape
                assert np.array_equal(X, want_X, equal_nan=True)
                assert np.array_equal(Y, want_Y, equal_nan=True)


def test_stacked_windows_of_cut_series_read_their_stage_whole():
    zs, stages = _stacked_cases()
    cut = [z[:len(z) - 5] for z in zs]
    ends = [np.arange(len(z)) for z in cut]
    X, Y = encoding.stacked_windows(cut, stages, 7, 3, ends)
    parts = [encoding.series_windows(z, st, 7, 3, e) for z, st, e in zip(cut, stages, ends)]
    assert np.array_equal(X, np.concatenate([p[0] for p in parts]))
    assert np.array_equal(Y, np.concatenate([p[1] for p in parts]), equal_nan=True)


def test_stacked_windows_in_small_chunks_are_the_same(monkeypatch):
    monkeypatch.setattr(encoding, "CHUNK_STEPS", 50)  # many chunks; a longer series alone
    test_stacked_windows_are_each_series_windows_bit_for_bit()


def test_a_long_series_windows_are_built_in_bounded_chunks(monkeypatch):
    """One series was one chunk however long: a 50,000-hour fit built (R, L)
    int64 index arrays of 134 MB each beside its windows (sweep, session
    57). Its rows go in chunks of CHUNK_STEPS window steps now."""
    zs, stages = _stacked_cases()
    seen = []
    rows_of = encoding._seasonal_rows

    def counting(season, daily, starts, *rest):
        seen.append(len(starts))  # (R,): the chunk's rows
        return rows_of(season, daily, starts, *rest)

    monkeypatch.setattr(encoding, "_seasonal_rows", counting)
    monkeypatch.setattr(encoding, "CHUNK_STEPS", 13 * 20)  # 20 windows of 13 steps
    longest = int(np.argmax([len(z) for z in zs]))
    z, st = zs[longest], stages[longest]
    assert len(z) > 40
    X, Y = encoding.stacked_windows([z], [st], 13, 2, [np.arange(len(z))])
    assert max(seen) == 20 and sum(seen) == len(z)
    want = encoding.series_windows(z, st, 13, 2, np.arange(len(z)))
    assert np.array_equal(X, want[0]) and np.array_equal(Y, want[1], equal_nan=True)


@pytest.mark.parametrize("group", [1, 60, 400])
def test_stacked_windows_in_small_groups_of_series_are_the_same(monkeypatch, group):
    monkeypatch.setattr(encoding, "GROUP_STEPS", group)  # one series, a few, or all a group
    test_stacked_windows_are_each_series_windows_bit_for_bit()


def test_the_last_windows_of_long_series_hold_one_group_at_a_time():
    """The flat arrays of all series' values and stages at once: 187 MiB to
    make one window of each of 200 series of 20,000 steps (predict's
    last_windows; a loop over the series held one series' worth)."""
    import tracemalloc

    t = np.arange(20_000)
    zs, stages = [], []
    for i in range(40):
        y = 100 + 10 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(i).normal(size=len(t))
        st = stage(y, "smooth", 24)
        zs.append(st.to_working(y))
        stages.append(st)
    data = sum(z.nbytes for z in zs)  # 6.1 MiB of values, as much in each stage array
    tracemalloc.start()
    try:
        X = encoding.last_windows(zs, stages, 48, 24)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert X.shape == (40, 48, 2)
    # about ten float64 arrays of a group (values, level, season, ...: 20 MiB at
    # GROUP_STEPS 2**18), not of all the series (ten times 6.1 MiB)
    assert peak < 20 * 2**20 < 4 * data, peak / 2**20


def test_inputs_beyond_float32_in_units_are_refused_by_both_encoders():
    """The inputs are cast after the unit divides them: only a spread beyond
    float32's range in units (a stage whose unit is far below its values'
    changes) overflows, and both encoders say so."""
    y = np.linspace(0.0, 1e5, 20)
    st = replace(stage(y, "standard", 1), scale=1e-35)
    z = st.to_working(y)
    with pytest.raises(ValueError, match="beyond float32's range"):
        encoding.series_windows(z, st, 4, 2, np.arange(4, 18))
    with pytest.raises(ValueError, match="beyond float32's range"):
        encoding.stacked_windows([z], [st], 4, 2, [np.arange(4, 18)])


def test_windows_of_many_features_are_built_in_bounded_memory():
    """Chunks were capped at 2**18 window steps whatever the features, and
    gathered them in float64: 1000 series of 200 features took 459 MiB
    beyond the 194 MiB of windows (sweep, session 52)."""
    import tracemalloc

    r = np.random.default_rng(0)
    zs = [np.cumsum(r.normal(size=48)) for _ in range(300)]
    stages = [smoothing.smooth(z, 1) for z in zs]
    L, H, m = 36, 6, 50
    exogs = [r.normal(size=(len(z) + H, m)) for z in zs]
    tracemalloc.start()
    try:
        X, Y = encoding.collection_windows(zs, stages, L, H, 6, exogs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    made = X.nbytes + Y.nbytes
    assert X.shape == (300 * 6, L + H, 2 + m)
    assert peak - made < 0.6 * made  # the features once in float32, a chunk's gather
