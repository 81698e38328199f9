"""Interval half-widths from out-of-sample residuals."""
import itertools
from statistics import NormalDist

import numpy as np
import pytest

from tsgate.calibration import (
    CalibrationWarning,
    band_pairs,
    bound_columns,
    half_widths,
    increasing,
    needed,
)


def test_conformal_quantile_per_step():
    rng = np.random.default_rng(0)
    R = rng.normal(size=(400, 3)) * np.array([1.0, 2.0, 3.0])
    hw = half_widths(R, 0.9)
    for j in range(3):
        r = np.sort(np.abs(R[:, j]))
        assert hw[j] == r[int(np.ceil(401 * 0.9)) - 1]


@pytest.mark.parametrize("coverage, n, rank", [(0.55, 99, 55), (0.9, 399, 360), (0.875, 7, 7)])
def test_conformal_rank_of_a_whole_product_is_not_rounded_up(coverage, n, rank):
    # (n + 1) c = 55 exactly, 55.00000000000001 in floats: the 56th smallest was taken
    hw = half_widths(np.arange(1.0, n + 1)[:, None], coverage)
    assert hw[0] == rank


def test_levels_nest_and_widen_with_horizon():
    rng = np.random.default_rng(1)
    R = rng.normal(size=(60, 6)) * np.sqrt(np.arange(1, 7))
    R[40:, 3:] = np.nan  # fewer residuals for the far steps
    widths = [half_widths(R, c, 9) for c in (0.5, 0.8, 0.95)]
    assert (widths[0] < widths[1]).all() and (widths[1] < widths[2]).all()
    for w in widths:
        assert (np.diff(w) >= 0).all()  # never narrower further ahead
    assert widths[2][-1] > widths[2][5]  # beyond the trained horizon: still growing


def test_too_few_residuals_warn_and_use_the_pool():
    R = np.array([[0.5, 1.0], [-1.0, np.nan], [0.2, 2.0]])
    assert needed(0.95) == 19
    with pytest.warns(CalibrationWarning, match="19"):
        hw = half_widths(R, 0.95)
    assert np.isfinite(hw).all() and hw[1] >= hw[0] > 0


def test_all_nan_is_an_error():
    with pytest.raises(ValueError, match="all NaN"):
        half_widths(np.full((3, 2), np.nan), 0.8)


def test_increasing_pools_a_dip_at_the_weighted_mean_not_the_maximum():
    out = increasing(np.array([1.0, 3.0, 2.0, 4.0]), np.array([1.0, 1.0, 3.0, 1.0]))
    assert np.allclose(out, [1.0, 2.25, 2.25, 4.0])  # (3 * 1 + 2 * 3) / 4
    assert np.array_equal(increasing(np.arange(4.0), np.ones(4)), np.arange(4.0))  # kept as is
    rng = np.random.default_rng(2)
    v, w = rng.normal(size=30), rng.uniform(1, 5, size=30)
    fit = increasing(v, w)
    assert (np.diff(fit) >= 0).all()
    assert np.isclose((fit * w).sum(), (v * w).sum())  # each block keeps its weighted mean
    assert (increasing(v - 0.1, w) <= fit).all()  # monotone in the values: levels stay nested


def test_a_noisy_step_does_not_widen_every_later_step():
    # step 2's quantile is high by chance: a running maximum carried it to
    # steps 3-4; the isotonic fit pools it with its neighbours
    R = np.tile(np.array([1.0, 3.0, 2.0, 2.0]), (100, 1)) * np.linspace(0.01, 1, 100)[:, None]
    hw = half_widths(R, 0.8)
    raw = [np.sort(np.abs(R[:, j]))[int(np.ceil(101 * 0.8)) - 1] for j in range(4)]
    assert hw[0] == raw[0] and hw[1] < raw[1] and hw[3] < raw[1]
    assert np.isclose(hw[1:].mean(), np.mean(raw[1:]))


def test_a_growing_unit_gets_no_second_growth():
    """Residuals in a unit that grows with the step (band_unit): a step with
    too few residuals takes the pooled quantile as it is, and steps beyond H
    the last step's width; in a flat unit both grow as sqrt(step)."""
    rng = np.random.default_rng(3)
    R = rng.normal(size=(40, 3))
    R[9:, 2] = np.nan  # step 3: 9 residuals, fewer than a 95% band needs (19)
    flat = half_widths(R, 0.95, 5)
    grown = half_widths(R, 0.95, 5, unit_grows=True)
    pooled = np.abs(R[np.isfinite(R)])
    q = np.sort(pooled)[int(np.ceil((len(pooled) + 1) * 0.95)) - 1]
    r3 = np.abs(R[:9, 2])  # the floor: step 3's largest, on the normal tail from 9/10 to 95%
    z = NormalDist().inv_cdf
    floor = r3.max() * z(0.975) / z(0.5 + 9 / 10 / 2)
    assert np.isclose(grown[2], max(q, floor, grown[1]))
    scaled = np.abs(R / np.sqrt([1.0, 2.0, 3.0]))
    scaled = scaled[np.isfinite(scaled)]
    q_rw = np.sort(scaled)[int(np.ceil((len(scaled) + 1) * 0.95)) - 1]
    assert np.isclose(flat[2], max(q_rw * np.sqrt(3), floor, flat[1]))
    assert np.allclose(grown[3:], grown[2])  # beyond H: the unit's own growth only
    assert np.allclose(flat[3:], flat[2] * np.sqrt(np.array([4.0, 5.0]) / 3))


@pytest.mark.parametrize("seed", range(4))
def test_a_higher_coverage_is_wider_at_every_step(seed):
    """Whatever mix of per-step and pooled quantiles each level takes: steps
    with 5 to 60 residuals whose errors do not grow as sqrt(step) (a step's
    own 95% quantile then exceeded the pooled 98% one), and a pool too small
    for the highest levels."""
    rng = np.random.default_rng(seed)
    H = 6
    R = rng.standard_t(3, size=(60, H)) * rng.uniform(0.5, 2.0, size=H)
    for j, n in enumerate(rng.integers(5, 61, size=H)):
        R[n:, j] = np.nan
    levels = (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)
        widths = np.array([half_widths(R, c, H + 3) for c in levels])  # (levels, H + 3)
        small = np.array([half_widths(R[:3, :2], c) for c in levels])  # a pool of 6
    assert (np.diff(widths, axis=0) > 0).all()
    assert (np.diff(small, axis=0) > 0).all()


def test_band_pairs_read_back_the_names_bound_columns_writes():
    for coverage in (0.9, [0.8, 0.95], [0.975, 0.5]):
        written = [(lo, hi) for _, lo, hi in bound_columns(coverage)]
        names = ["unique_id", "ds"] + [c for pair in written for c in pair]
        assert [(lo, hi) for _, lo, hi in band_pairs(names)] == written
    assert band_pairs(["lower_80", "upper_80", "lower_95", "upper_95"])[1] == (
        "95", "lower_95", "upper_95")
    assert band_pairs(["lower_80", "upper_95", "y"]) == []  # no pair
    assert band_pairs(["lower_80", "upper_80", "lower", "upper"]) == [("", "lower", "upper")]


def test_outlying_series_are_those_an_order_of_magnitude_beyond_the_others():
    from tsgate.calibration import OUTLYING_FACTOR, outlying_series
    rng = np.random.default_rng(0)
    R = np.abs(rng.normal(size=(40, 4)))  # (rows, H)
    owners = np.repeat(np.arange(4), 10)
    assert outlying_series(R, owners) == set()
    wild = R.copy()
    wild[owners == 2] *= 3 * OUTLYING_FACTOR
    assert outlying_series(wild, owners) == {2}
    # two series: the wild one, not the calm one; one series: none
    assert outlying_series(wild[owners >= 2], owners[owners >= 2]) == {2}
    assert outlying_series(wild[owners == 2], owners[owners == 2]) == set()



def test_series_quantiles_are_each_series_nanquantile():
    from tsgate.calibration import _series_quantiles
    r = np.random.default_rng(4)
    for rows, H in ((40, 3), (7, 1), (60, 5)):
        R = np.abs(r.normal(size=(rows, H))) * 10.0 ** r.integers(-2, 3, size=(rows, 1))
        R[r.random(size=R.shape) < 0.2] = np.nan
        owners = r.integers(0, 9, size=rows) * 3  # labels with gaps, rows interleaved
        R[owners == 6] = np.nan  # a series without a finite residual
        R[np.flatnonzero(owners == 3)[:1], 0] = np.inf
        got = _series_quantiles(R, owners, 0.9)
        want = [np.nanquantile(R[owners == k], 0.9) if np.isfinite(R[owners == k]).any() else 0.0
                for k in np.unique(owners)]
        assert np.array_equal(got, want, equal_nan=True)


def test_zero_shares_are_each_series_shares_computed_alone():
    from types import SimpleNamespace

    from tsgate.bands import _rarely_negative, zero_shares
    from tsgate.bandunit import noise_half_life

    def alone(v, period, h):  # the plain per-series computation
        out = np.zeros(h)
        ok = np.isfinite(v)
        if not _rarely_negative(v):
            return out
        n, m = len(v), max(int(period), 1)
        w = np.where(ok, 0.5 ** ((n - 1 - np.arange(n)) / noise_half_life(period)), 0.0)
        zero = ok & (v <= 0)
        phases = np.arange(n) % m
        for j in range(min(h, m)):
            phase = phases == (n + j) % m
            total = np.sum(w[phase])
            out[j::m] = np.sum(w[phase & zero]) / total if total > 0 and (
                np.count_nonzero(phase & zero) >= 2) else 0.0
        return out

    r = np.random.default_rng(1)
    values = [r.poisson(0.7, 30).astype(float), r.normal(50, 1, 20), np.r_[np.nan, 0.0, 3.0, 1.0],
              r.normal(0, 1, 25), np.r_[-np.inf, 2.0, 3.0, 4.0], np.zeros(6), np.r_[5.0, -0.0, 1.0]]
    values[0][3] = np.nan
    periods = [4, 12, 1, 1, 1, 2, 1]
    stages = [SimpleNamespace(period=p) for p in periods]
    got = zero_shares(values, stages, 7)
    want = np.array([alone(v, p, 7) for v, p in zip(values, periods)])
    assert np.array_equal(got, want) and (got > 0).any()
    assert zero_shares([], [], 3).shape == (0, 3)


def test_a_coverage_near_zero_is_the_narrowest_band():
    """(n + 1) c below 1e-9 gave the conformal rank 0, which read the largest
    residual: a coverage of 1.2e-12 (a quantile 6e-13 off the median) was
    wider than one of 0.5, and the quantiles were not monotone in q."""
    from tsgate.calibration import half_widths, needed

    r = np.random.default_rng(0).normal(size=(40, 3))  # (n, H)
    widths = [half_widths(r, c) for c in (1.2e-12, 1e-6, 0.5, 0.8)]
    for low, high in itertools.pairwise(widths):
        assert (low <= high).all()
    assert needed(1e-12) == 1


def test_one_residual_is_said_in_the_singular():
    """'Only 1 out-of-sample residuals ... a normal quantile of their spread'."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        half_widths(np.array([[0.5]]), 0.9)
    message = str(caught[0].message)
    assert message.startswith("Only 1 out-of-sample residual calibrates the interval;")
    assert "a normal quantile of its size" in message


def test_a_step_of_few_residuals_beyond_its_quantile_reads_its_near_steps_too():
    """36 residuals a step (one series, horizon 12): the 95% conformal rank
    is 36, so each step's band was its largest residual (1.37 times the
    true 95% width on white noise, 1.47 under t(3) noise). With fewer than
    TAIL_POINTS residuals beyond the quantile, a step takes the quantile of
    its own and its NEAR_STEPS neighbours' residuals, each divided by its
    step's mean size, times its own mean size. A step with enough keeps its
    own conformal quantile."""
    rng = np.random.default_rng(11)
    H = 12
    scale = np.linspace(1.0, 2.0, H)  # (H,) errors that grow with the step
    R = rng.normal(size=(36, H)) * scale
    widths = half_widths(R, 0.95)
    true = 1.959964 * scale
    assert np.all(np.diff(widths) >= 0)
    ratio = widths / true
    assert 0.85 < ratio.mean() < 1.1, ratio  # each step's largest: about 1.2 times the truth
    largest = np.maximum.accumulate(np.abs(R).max(axis=0))
    assert (widths < largest).mean() > 0.5
    # each step: the quantile of steps j - 2 .. j + 2, each in its mean size
    sizes = np.abs(R).mean(axis=0)  # (H,)
    q = np.empty(H)
    for j in range(H):
        near = np.sort((np.abs(R) / sizes)[:, max(0, j - 2):j + 3].ravel())
        q[j] = near[int(np.ceil((len(near) + 1) * 0.95)) - 1]
    own = np.sort(np.abs(R), axis=0)[int(np.ceil(37 * (1 - 10 / 36))) - 1]  # the floor
    from tsgate.calibration import increasing
    np.testing.assert_allclose(widths, increasing(np.maximum(q * sizes, own), np.full(H, 36.0)))
    # 400 residuals a step: 20 beyond the 95% quantile, each step's own
    R = rng.normal(size=(400, 3)) * np.array([1.0, 2.0, 3.0])
    own = np.sort(np.abs(R), axis=0)[int(np.ceil(401 * 0.95)) - 1]
    np.testing.assert_allclose(half_widths(R, 0.95), own)


def test_near_steps_leave_a_step_of_zeros_and_huge_residuals_as_before():
    """The regression sweep of the near-steps rule: a step of 10 zero
    residuals beside usable steps got a band of 0 at every coverage (its
    mean size, 0, times the near steps' quantile), where too few residuals
    for 95% had taken the pooled width; residuals near 1e307 gave NaN (a
    step's mean past float64, inf, divided them to 0) where inf was due."""
    R = np.full((60, 3), np.nan)
    R[:, 0], R[:10, 1] = 0.0, 0.0
    R[:, 2] = np.random.default_rng(0).normal(size=60)
    widths = half_widths(R, 0.95, 2)
    assert widths[0] == 0.0 and widths[1] > 1.0  # the pooled width, as before
    big = np.abs(np.random.default_rng(1).normal(size=(36, 4))) * 1e307
    with np.errstate(over="ignore"):
        out = half_widths(big, 0.8)
    assert not np.isnan(out).any()  # inf, as before: the band passes float64
