"""A forecaster's exogenous features: matched by name, standardized, and the
rows each forecast needs.

At ``fit`` the feature columns' labels of a DataFrame are kept
(``exog_names_``, of any type: scikit-learn's ``feature_names_in_`` keeps
only strings, but a forecaster's README promises columns matched by name);
``predict`` puts X's columns in that order or says which are missing or
unknown. Arrays have no labels: their columns go by position. The
networks read each window's exogenous rows standardized by the training
rows' mean and spread, and at ``predict`` the future rows of every forecast
step (with a new history ``y``, X holds y's rows and then the future).
"""
import math
import warnings

import numpy as np
import pandas as pd

from ._callers import callers_level
from ._series import check_unique_labels
from .collection import check_x_layout, trailing_gaps
from .featurerows import RowCountError, unlabelled
from .futurerows import exog_rows, exog_rows_or
from .matching import check_same_frequency


def described(names, n):
    """A fit's exogenous features as a warning names them: their names,
    else their count (an array's), or "no X"."""
    if not n:
        return "no X"
    return str(list(names)) if names is not None else f"{n} unnamed column(s)"


def feature_names(X, layout, id_col="unique_id", time_col="ds"):
    """The feature columns' labels of a DataFrame ``X`` (without the long
    layout's ``id_col`` and ``time_col``), or a named Series' name, whatever
    their type (strings, numbers, tuples), else None (arrays and unnamed
    Series: features then go by position).
    Labels that are not strings were matched by position until session 31,
    so a DataFrame with columns ``[1, 0]`` gave other forecasts than
    ``[0, 1]`` with the same data, silently."""
    if isinstance(X, pd.Series):  # one feature, by its name (ignored until session 35)
        columns = [] if X.name is None else [X.name]
    elif isinstance(X, pd.DataFrame):
        columns = list(X.columns)
    else:
        return None
    if not columns:
        return None
    skip = (id_col, time_col) if layout == "long" else ()
    names = [c.item() if isinstance(c, np.generic) else c for c in columns if c not in skip]
    if any(isinstance(c, float) and math.isnan(c) for c in names):  # NaN != NaN: unmatched
        raise ValueError(f"X has a column labelled NaN (its columns: {columns}); name "
                         "every feature column, e.g. X.columns = ['price', 'promo'].")
    return names


def in_name_order(X, id_col="unique_id", time_col="ds", like=None):
    """``X`` with its feature columns sorted by name (a long X's id and time
    columns first), as ``fit`` reads them, and the order that takes a row of
    X's features as given to the sorted one (positions, or None where
    nothing moved). The networks and the stage's regression take the
    features by position, so the order a table listed them in acted like a
    seed (two columns swapped: forecasts 2e-4 apart); predict matches a
    DataFrame to the fitted names (:func:`by_name`) and an array, by
    position as at fit, through that order. ``like``: the names of the fit
    a ``warm_start`` continues, whose order is kept where X has the same
    ones (a file of a fit before this order). Anything but a DataFrame is
    returned as it is (arrays go by position)."""
    if not isinstance(X, pd.DataFrame) or X.shape[1] < 2:
        return X, None
    columns = list(X.columns)
    lead = [i for i, c in enumerate(columns) if c in (id_col, time_col)]
    rest = [i for i in range(len(columns)) if i not in lead]
    names = [columns[i] for i in rest]
    if like is not None and len(set(names)) == len(names) and set(names) == set(like):
        order = [rest[names.index(c)] for c in like]
    else:
        order = sorted(rest, key=lambda i: (type(columns[i]).__name__, str(columns[i])))
    if order == rest:
        return X, None
    return X.iloc[:, lead + order], [rest.index(i) for i in order]


def by_name(X, fitted, layout, id_col="unique_id", time_col="ds", order=None):
    """``X`` with its feature columns in the order ``fitted`` (the names seen
    in fit), matched by name as scikit-learn does; an array's columns, which
    go by position as at fit, in the fitted ``order`` (:func:`in_name_order`).

    Raises
    ------
    ValueError
        Where X lacks a fitted feature or has one that fit did not see.
    """
    names = feature_names(X, layout, id_col, time_col)
    if names is None and order is not None and getattr(X, "ndim", np.ndim(X)) == 2 \
            and np.shape(X)[1] == len(order):  # the fit's columns, as given, to its order
        X = np.asarray(X)[:, order]
    labels = None if names is None else pd.Index(names, dtype=object)
    if labels is not None:  # as fit refuses them (align_exog)
        check_unique_labels(labels, "X", "feature")
    if fitted is None or names is None or names == list(fitted):
        return X
    missing = [c for c in fitted if c not in names]
    unknown = [c for c in names if c not in fitted]
    if missing or unknown:
        raise ValueError(f"X's feature columns differ from those seen in fit {list(fitted)}: "
                         f"missing {missing}, not seen in fit {unknown}. Pass the same columns.")
    keep = [c for c in X.columns if c not in names]  # the long layout's id and time columns
    # by position: pandas reads a list of bool labels as a row mask
    position = {c: i for i, c in reversed(list(enumerate(X.columns)))}
    return X.iloc[:, [position[c] for c in keep + list(fitted)]]


def standardized(model, history, future=None):
    """Standardized exogenous rows per series (a list of (n_i [+ h], m)):
    ``history`` then ``future`` rows; None without features."""
    if history is None:
        return None
    out = []
    for i, ex in enumerate(history):
        rows = ex if future is None else np.concatenate([ex, future[i]])
        out.append((rows - model.exog_mean_) / model.exog_scale_)
    return out


def check_scoring_X(model, X):
    """Raise where ``model`` (a forecaster, or a PerSeriesForecaster of them)
    was fitted with exogenous features and is scored without the test
    steps' rows: cross-validation with X in ``params=`` passes it to ``fit``
    only (its folds scored NaN, the error asking for predict(X=...), which a
    search cannot give); X as scikit-learn's second argument is split and
    passed to both."""
    fitted = getattr(model, "estimators_", None)
    members = fitted.values() if isinstance(fitted, dict) else [model]
    if X is None and any(getattr(m, "n_exog_", 0) for m in members):
        raise ValueError(
            f"{type(model).__name__} was fitted with exogenous features: scoring needs the test "
            "steps' rows, score(y_test, X=X_test). In cross-validation give X as scikit-learn's "
            "second argument, cross_val_score(model, y, X, cv=...) or search.fit(y, X), which "
            "splits it with y for fit and score (X in params= reaches fit only); or backtest "
            "with tsgate.backtest(model, y, X=X).")
    coll = getattr(model, "collection_", None)
    if X is None or coll is None or coll.layout not in ("multiindex", "long"):
        return
    id_col = model._columns(fitted=True)[0]
    if coll.layout == "multiindex" and isinstance(getattr(X, "index", None), pd.MultiIndex):
        given = X.index.get_level_values(0)
    elif coll.layout == "long" and isinstance(X, pd.DataFrame) and id_col in X:
        given = pd.Index(X[id_col])
    else:
        return  # (the layout's own error, at the forecast)
    missing = [k for k, has in zip(coll.ids, pd.Index(coll.ids, dtype=object).isin(given))
               if not has]
    if missing:
        raise ValueError(
            f"X has no rows for series {missing[:5]!r}" + (" ..." if len(missing) > 5 else "")
            + f": score forecasts all {len(coll.ids)} fitted series (y's rows then choose the "
            "steps scored), so X needs the test steps' rows of every one of them, also of the "
            "series y_test leaves out.")


def warn_constant(spread, names):
    """Warn of features that never change over the training rows
    (``spread`` (m,) 0): nothing shows their effect, so their future
    values move the forecast by the untrained weights' noise only (a
    promotion dummy all 0 in training and 1 in the future moved it 0.01)."""
    constant = np.flatnonzero(~(np.asarray(spread) > 0))  # (k,) column positions
    if len(constant):
        shown = [names[i] if names is not None else i for i in constant]
        warnings.warn(
            f"X's feature(s) {shown} never change over the training rows: no effect of theirs "
            "can be learnt, and other future values of them will not move the forecast as "
            "they should. Give training rows where they vary, or leave them out.",
            UserWarning, stacklevel=3)


def _whole_block(indexes_of, rows, each, h, H, gaps):
    """The future rows of the ``h`` steps asked, per series, and after them
    those of the rest of the block of ``H`` steps (the networks forecast at
    once) in which the series' forecast ends, where X holds them: the
    networks read every row of a block, and ``predict(1, X=<H rows>)``
    forecast as if the rows after the first were the first again (and
    ``predict(10)`` of a 7-step model, the rows after the 10th as the 10th).
    A series whose last ``g`` values (``gaps``, (k,)) are missing forecasts
    from its last observation, so its block ends ``g`` steps earlier in its
    future rows. Each series gets its block where X holds it, whatever the
    others' X holds (the choice was one for all until session 53: a series'
    forecast moved with another series' rows).

    ``indexes_of(ks)``: per series, its index of the steps whose rows are
    read for ``ks[i]`` future steps; ``rows(indexes)``: X's rows there, all
    series at once (raises where X lacks one); ``each(indexes, base)``: per
    series, the rows there where X holds them, else ``base[i]``.
    """
    want = [max(h, -(-(int(g) + h) // H) * H - int(g)) for g in gaps]  # (k,) to the block's end
    whole = -(-h // H) * H  # h rounded up to whole blocks, the count one X for all may hold
    longer = max(want) > h
    # per series, else one count for all (an array's rows go by position: one length)
    tries = [want] if longer else []
    tries += [[k] * len(want) for k in sorted({max(want), whole}, reverse=True)
              if k > h and [k] * len(want) != want]
    for ks in tries:
        try:
            return rows(indexes_of(ks))
        except ValueError:
            pass
    try:
        base = rows(indexes_of([h] * len(want)))
    except RowCountError as exc:
        if whole > h:  # ("exactly 2": 3 are taken too)
            raise RowCountError(f"{exc} (Or {whole} rows, the whole blocks of {H} steps the "
                                "networks forecast at once: they read every row.)") from None
        raise
    if longer and len(want) > 1:  # (one series: it was just tried)
        return each(indexes_of(want), base)
    return base


def future_rows(model, coll, X, h, given_history):
    """The future exogenous rows (h, m) of each series of ``coll`` from X, or
    None for a model fitted without features; checks that X is given
    exactly when the model needs it."""
    if model.n_exog_ == 0:
        if X is not None:
            raise ValueError("X was given to predict, but the forecaster was fitted without "
                             "exogenous features (a new history goes to predict(y=...)).")
        return None
    if X is None:
        raise ValueError(
            f"The forecaster was fitted with {model.n_exog_} exogenous feature(s): pass their "
            f"future values for the {h} forecast steps as predict(X=...)"
            + (", with y's rows first when y is given." if given_history else "."))
    id_col, time_col, value_col, _ = model._columns(fitted=True)
    # the layout first: a long X whose time column is named otherwise was told its
    # feature columns differ ("not seen in fit ['date']"), the missing 'ds' unnamed
    check_x_layout(X, coll.layout, id_col, time_col)
    X = by_name(X, getattr(model, "exog_names_", None), coll.layout, id_col, time_col,
                getattr(model, "exog_order_", None))

    def indexes_of(ks):  # per series, its first ks[i] future steps
        return [f[:k] for f, k in zip(coll.future_indexes(max(ks)), ks)]

    out = _whole_block(
        indexes_of, lambda indexes: exog_rows(coll, X, indexes, id_col, time_col, value_col),
        lambda indexes, base: exog_rows_or(coll, X, indexes, base, id_col, time_col),
        h, model.horizon_, trailing_gaps(coll.values))
    if out[0].shape[1] != model.n_exog_:
        raise ValueError(f"X has {out[0].shape[1]} columns; the forecaster was fitted on "
                         f"{model.n_exog_}.")
    _warn_far_outside(model, out)
    _warn_new_in_series(model, coll, out)
    return out


def _warn_new_in_series(model, coll, future):
    """Warn where a feature held one value over all of a series' history
    rows but takes another in its future rows, in a collection where it
    varies elsewhere, within a series or between them (a static feature;
    where it never varies, fit warned): each series'
    linear effect is fitted on its own rows (:mod:`tsgate.regression`), 0
    for this one, and the networks did not carry the others' effect over
    (a promotion worth +30 in four series, new to one of them: its forecast
    moved -1.6 to +0.8, without a word)."""
    if coll is None or coll.exog is None or len(coll.exog) < 2:
        return
    new, varies, ref = [], False, None  # (series, feature) pairs; features that vary in
    for key, past, ahead in zip(coll.ids, coll.exog, future):  # some history (n_i, m), (h, m)
        past, ahead = np.asarray(past), np.asarray(ahead)
        if not len(past):
            continue
        ref = past[0] if ref is None else ref  # (m,) the first history's first row
        # (m,) one value over the history, and not the same one as all the others': a
        # static feature (a store's size) varies between series, not within them
        still = (past == past[0]).all(axis=0)
        varies = varies | ~still | (past[0] != ref)
        new += [(key, j) for j in np.flatnonzero(still & (ahead != past[0]).any(axis=0))]
    new = [(key, j) for key, j in new if np.asarray(varies)[j]]  # (else fit warned of it)
    if not new:
        return
    names = getattr(model, "exog_names_", None)
    shown = [f"{names[j]!r} of series {key!r}" if names is not None else
             f"feature {j} of series {key!r}" for key, j in new[:3]]
    warnings.warn(
        f"X's {', '.join(shown)}{f' (and {len(new) - 3} more)' if len(new) > 3 else ''} "
        "held one value over the series' history and takes other values in its future rows: "
        "each series' effect of a feature is learnt from its own history, so its forecast "
        "will not move with them as the other series' do. Give a history in which they "
        "vary, or add their effect to the forecast yourself.", UserWarning,
        stacklevel=callers_level())


FAR = 10.0  # future features this many training spreads from their mean: a warning


def _warn_far_outside(model, future):
    """Warn where future feature values lie ``FAR`` spreads or more from the
    training rows' mean: their linear effect is extrapolated far beyond the
    fitted range (1e4 and 1e7 where training held N(0, 1) gave forecasts of
    1 and inf, without a word)."""
    rows = np.concatenate(future)  # (sum h, m)
    with np.errstate(over="ignore", invalid="ignore"):
        z = np.abs((rows - model.exog_mean_) / model.exog_scale_).max(axis=0)  # (m,)
    if not (z >= FAR).any():
        return
    j = int(np.argmax(z))
    names = getattr(model, "exog_names_", None)
    label = repr(names[j]) if names is not None else f"at position {j}"
    warnings.warn(f"X's future values of feature {label} lie {z[j]:.3g} training spreads from "
                  f"the training rows' mean: its linear effect is extrapolated far beyond the "
                  "range it was fitted on, and the forecast may be far off.", UserWarning,
                  stacklevel=callers_level())


def with_history(model, y, X, h):
    """The collection of a new history ``y`` with the exogenous rows of its
    steps, and the future rows (h, m) per series: X covers y's steps and
    then the ``h`` future steps."""
    if X is None:
        future_rows(model, None, None, h, True)
    coll = model._collection(y, fitted=True)
    check_same_frequency(coll, model.collection_)
    id_col, time_col, value_col, _ = model._columns(fitted=True)
    X = _labelled_by_position(X, y, coll)

    def indexes_of(ks):  # per series, y's steps, then its first ks[i] future ones
        return [idx.append(f[:k]) for idx, f, k in
                zip(coll.indexes, coll.future_indexes(max(ks)), ks)]

    try:
        X = by_name(X, getattr(model, "exog_names_", None), coll.layout, id_col, time_col,
                    getattr(model, "exog_order_", None))
        per = _whole_block(
            indexes_of, lambda indexes: exog_rows(coll, X, indexes, id_col, time_col, value_col),
            lambda indexes, base: exog_rows_or(coll, X, indexes, base, id_col, time_col),
            h, model.horizon_, trailing_gaps(coll.values))
    except ValueError as exc:
        raise ValueError(f"With y given, X needs rows for y's steps and then the {h} "
                         f"future steps: {exc}") from None
    n = [len(idx) for idx in coll.indexes]
    coll.exog = [p[:k] for p, k in zip(per, n)]
    return coll, [p[k:] for p, k in zip(per, n)]


def _labelled_by_position(X, y, coll):
    """A positional X (an array, or a frame on pandas' default labels beside
    dates) of a Series or wide history ``y`` whose leading NaN the
    collection ``coll`` cut: its rows labelled by y's steps and then the
    future ones, so that each series takes its rows from its first observed
    value on, as fit takes them (X of one row per y row was refused, "needs
    exactly 54", and a wide y with a later-starting series took no array
    length at all). Anything else is returned as it is."""
    if coll.layout not in ("series", "wide") or not isinstance(y, (pd.Series, pd.DataFrame)):
        return X
    framed = isinstance(X, (pd.Series, pd.DataFrame))
    dated = isinstance(y.index, (pd.DatetimeIndex, pd.PeriodIndex))
    if framed and not (dated and unlabelled(X.index)):
        return X  # (rows on labels: matched by them)
    if hasattr(X, "toarray") or not hasattr(X, "__len__"):
        return X  # (align_exog says what is wrong)
    n = len(y.index)
    extra = len(X) - n
    if extra < 0 or all(len(idx) == n for idx in coll.indexes) or any(
            not idx.equals(y.index[n - len(idx):]) for idx in coll.indexes):
        return X  # nothing cut, or y read onto other steps (a grid): by position, as before
    values = (X.to_frame() if isinstance(X, pd.Series) else X).to_numpy() if framed \
        else np.asarray(X)
    if values.ndim == 1:
        values = values[:, None]  # (n + extra, 1)
    if values.ndim != 2:
        return X
    labels = y.index.append(coll.future_indexes(extra)[0]) if extra else y.index
    columns = X.columns if isinstance(X, pd.DataFrame) else (
        [X.name] if isinstance(X, pd.Series) and X.name is not None else None)
    return pd.DataFrame(values, index=labels, columns=columns)
