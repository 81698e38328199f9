"""The text the ``tsgate`` command prints: the forecast table and plain tables.

The CSV that ``--output`` writes keeps every digit; what is printed keeps
about 7 significant digits per column, so a column reads at a glance.
"""
import numpy as np
import pandas as pd


def forecast_table(forecast, intervals, time_label):
    """The forecast (and interval) as one flat DataFrame with the time as first column."""
    if isinstance(forecast, pd.Series):
        table = forecast.to_frame(name=forecast.name if forecast.name is not None else "forecast")
        if intervals is not None:
            table = table.join(intervals)
    else:
        parts = []
        for col in forecast.columns:
            parts.append(forecast[[col]])
            if intervals is not None:
                parts.append(intervals[col].add_prefix(f"{col}_"))
        table = pd.concat(parts, axis=1)
    table.index.name = time_label
    return table.reset_index()


def to_text(table, ids=None):
    """The table as text with about 7 significant digits per value column
    (the CSV keeps them all): one number of decimals for the whole column,
    from its largest value, printed a series of 0.001 beside one of 1e7 as
    0.0. The ``ids`` column (decimal series ids) prints as the file wrote
    them: 1.5, not 1.50000, and 1234567890.5 not as 1234567890.25 is."""
    return table.to_string(index=False, formatters={
        c: str if c == ids else column_format(table[c])
        for c in table.columns if pd.api.types.is_float_dtype(table[c])})


def column_format(column):
    """A formatter of ``column``'s values with about 7 significant digits:
    fixed decimals from its largest value, or 7 significant digits in
    scientific notation where that is below 0.001 or from 1e9 on."""
    values = np.abs(column.to_numpy(dtype=float))  # (rows,)
    largest = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    if largest and not 1e-3 <= largest < 1e9:
        return lambda v: f"{v:.6e}"
    digits = int(np.floor(np.log10(largest))) + 1 if largest > 0 else 1
    decimals = int(np.clip(7 - digits, 1, 9))
    return lambda v: f"{v:.{decimals}f}"


def plain_table(header, rows, right=()):
    """``rows`` under ``header`` in columns as wide as their widest cell, two
    spaces apart; the columns numbered in ``right`` aligned right."""
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    lines = []
    for row in (header, *rows):
        cells = [str(c).rjust(w) if i in right else str(c).ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
