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


def offsets_of(lengths):
    """Segment boundaries (k + 1,) int64 of segments of ``lengths`` (k,)."""
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    return out


def medians(values, offsets):
    """``np.median`` of each segment of values (n,) float64: (k,); 0 for an
    empty segment.

    The same numbers as ``np.median`` (NaN where a segment holds one; the
    mean of the two middle values of an even count, summed from 0, as
    NumPy's mean sums). One sort of all values by (segment, value) rather
    than a compiled loop: a Numba sort added over a second to a first
    forecast's compile time.
    """
    values = np.asarray(values, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    counts = np.diff(offsets)  # (k,)
    owner = np.repeat(np.arange(len(counts)), counts)  # (n,) each value's segment
    ordered = values[np.lexsort((values, owner))]  # (n,) by segment, then value, NaN last
    out = np.zeros(len(counts))  # (k,)
    full = counts > 0
    start, c = offsets[:-1][full], counts[full]
    high = ordered[start + c // 2]  # the middle value (odd), the upper middle (even)
    low = ordered[start + np.maximum(c - 1, 0) // 2]  # the lower middle (odd: the same)
    with np.errstate(invalid="ignore", over="ignore"):  # inf and -inf in the middle: NaN,
        # as np.median's; two finite middles whose sum passes float64 (at 1e308): halved first
        pair = (0.0 + low + high) / 2.0
        pair = np.where(np.isinf(pair) & np.isfinite(low) & np.isfinite(high),
                        low / 2.0 + high / 2.0, pair)
        mid = np.where(c % 2 == 1, 0.0 + high, pair)
    # a NaN sorts last: the segment's median is NaN, as np.median's
    out[full] = np.where(np.isnan(ordered[start + c - 1]), np.nan, mid)
    return out


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
