"""Reductions over the segments of a flat array: NumPy's per-segment values, bit for bit."""
import numpy as np

from tsgate import segments


def _ragged(seed):
    r = np.random.default_rng(seed)
    parts = [r.normal(size=n) * 10.0 ** r.integers(-3, 4) for n in (0, 1, 2, 3, 4, 7, 0, 8, 1)]
    parts[3][1] = np.nan
    parts.append(np.array([-0.0, -0.0]))
    parts.append(np.array([-0.0]))
    parts.append(np.array([np.inf, 1.0, -np.inf, 2.0]))
    parts.append(np.zeros(0))
    return parts


def test_medians_and_maxima_are_numpys_per_segment():
    for seed in range(5):
        parts = _ragged(seed)
        offsets = segments.offsets_of([len(p) for p in parts])
        flat = np.concatenate(parts)
        med, top = segments.medians(flat, offsets), segments.maxima(flat, offsets)
        for p, m, t in zip(parts, med, top):
            want_m = np.median(p) if len(p) else 0.0
            want_t = np.max(p) if len(p) else 0.0
            assert np.array_equal(m, want_m, equal_nan=True), (p, m, want_m)
            assert np.signbit(m) == np.signbit(want_m)
            assert np.array_equal(t, want_t, equal_nan=True), (p, t, want_t)


def test_offsets():
    np.testing.assert_array_equal(segments.offsets_of([2, 0, 3]), [0, 2, 2, 5])
    np.testing.assert_array_equal(segments.offsets_of([]), [0])
