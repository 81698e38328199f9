"""Many series as one flat array: reductions over its segments.

A collection's per-series arrays of different lengths (values, levels,
window ends) are stacked into one flat array, series after series; series
``i`` is the segment ``flat[offsets[i]:offsets[i + 1]]``. The functions here
reduce every segment at once, each giving what NumPy gives for the segment
alone, bit for bit: the collection-wide code (:mod:`tsgate.encoding`) then
makes the same numbers as a loop over the series did, without the loop's
per-series overhead (10,000 short series: most of a fit's Python time).
"""
import numpy as np
from numba import njit

from ._jitcache import CACHE


def offsets_of(lengths):
    """Segment boundaries (k + 1,) int64 of segments of ``lengths`` (k,)."""
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    return out


@njit(cache=CACHE, nogil=True)
def _medians(values, offsets):  # pragma: no cover - compiled
    k = len(offsets) - 1
    out = np.empty(k)  # (k,)
    for i in range(k):
        a, b = offsets[i], offsets[i + 1]
        c = b - a
        if c == 0:
            out[i] = 0.0
            continue
        s = np.sort(values[a:b])  # NaN last
        if np.isnan(s[c - 1]):
            out[i] = np.nan
        elif c % 2 == 1:
            # np.median's mean of the middle value: the sum starts at 0 (-0.0 -> 0.0)
            out[i] = 0.0 + s[c // 2]
        else:
            out[i] = (0.0 + s[c // 2 - 1] + s[c // 2]) / 2.0
    return out


def medians(values, offsets):
    """``np.median`` of each segment of values (n,) float64: (k,); 0 for an
    empty segment.

    The same numbers as ``np.median`` (NaN where a segment holds one; the
    mean of the two middle values of an even count, summed from 0, as
    NumPy's mean sums).
    """
    return _medians(np.ascontiguousarray(values, dtype=np.float64),
                    np.ascontiguousarray(offsets, dtype=np.int64))


def maxima(values, offsets):
    """``np.max`` of each segment of values (n,): (k,); 0 for an empty
    segment (NaN where a segment holds one, as ``np.max``)."""
    values = np.asarray(values)
    offsets = np.asarray(offsets, dtype=np.int64)
    out = np.zeros(len(offsets) - 1, dtype=values.dtype if values.size else np.float64)
    full = offsets[1:] > offsets[:-1]  # (k,) reduceat gives an empty segment a value
    if full.any():
        # each full segment runs to the next full one's start: its own end, as
        # the empty ones between hold no values
        out[full] = np.maximum.reduceat(values, offsets[:-1][full])
    return out
