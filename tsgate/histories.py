"""New histories given to ``predict(y=...)`` and ``score``: read as the
training data was (the zeros before a launch left out), checked (at least
two observations; ids that read as fitted ones but are not), and a short
one joined to its fitted series' past so that the smoothing stage finds
the season the networks were trained with. A mixin of the forecasters
(:mod:`tsgate.forecasters`), as :mod:`tsgate.bands` and
:mod:`tsgate.holdout` are.
"""
import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import exogenous
from ._callers import callers_level
from ._series import future_index
from .collection import launched
from .folds import MIN_OBSERVATIONS
from .grids import joined
from .matching import check_same_frequency
from .seasonality import MIN_SEASONS, lag_testable, testable
from .timedtypes import same_unit


class NewHistories:
    """The forecasters' reading of a new history; see the module docstring."""

    def _history(self, y, X, h):
        """The collection to forecast from: the training data or ``y`` (with ``X``)."""
        check_is_fitted(self, "regressors_")
        if y is None:
            coll = self.collection_
            return coll, exogenous.future_rows(self, coll, X, h, False)
        if self.n_exog_:
            coll, future = exogenous.with_history(self, y, X, h)
            coll = self._launched(coll)
        else:
            coll = self._launched(self._collection(y, fitted=True))
            check_same_frequency(coll, self.collection_)
        self._warn_id_types(coll)
        for key, v in zip(coll.ids, coll.values):  # (with X or without)
            if len(v) < 2:
                raise ValueError(f"y's series {key!r} has {len(v)} observation(s); at least 2 "
                                 "are needed to forecast from it.")
        if not self.n_exog_:
            future = exogenous.future_rows(self, coll, X, h, True)
        return self._with_fitted_past(coll), future

    def _launched(self, coll):
        """A new history ``coll`` without its zeros before a launch, as fit
        reads its series (:func:`tsgate.collection.launched`)."""
        return launched(coll, self.season_length_, MIN_OBSERVATIONS)

    def _with_fitted_past(self, coll):
        """``coll`` with each history of fewer than three seasons extended back
        by the training values of the fitted series of the same id before its
        first step, where it continues or overlaps that series (so that the
        smoothing stage can find the season the networks were trained with)."""
        fitted, m = self.collection_, self.season_length_
        where = None  # fitted series by id, made at the first short history
        for i, (key, v, index) in enumerate(zip(coll.ids, coll.values, coll.indexes)):
            if lag_testable(v, m):
                continue
            where = where or self._fitted_positions()
            # (the one series fitted is matched whatever its name, as in scoring)
            j = where.get(key, 0 if len(fitted) == len(coll) == 1 else None)
            if j is None:
                continue
            past = same_unit(fitted.indexes[j], index)
            if index.dtype != past.dtype:
                continue  # e.g. dates after periods: a history of its own
            if index[0] in past:
                p = past.get_loc(index[0])  # overlapping: the fitted values before it
            elif future_index(past, 1)[0] == index[0]:
                p = len(past)  # continuing: all of them
            else:
                continue  # a gap: the history stands alone
            coll.values[i] = np.concatenate([fitted.values[j][:p], v])
            coll.indexes[i] = joined(past[:p], index)
            if coll.exog is not None:
                coll.exog[i] = np.concatenate([fitted.exog[j][:p], coll.exog[i]])
        return coll

    def _warn_id_types(self, coll):
        """Warn where a new history's id is not a fitted one but reads as one
        (``'2'`` for the fitted ``2``): it is then a new series, without its
        fitted past or its own band, which the user did not mean."""
        if len(self.collection_) < 2 and len(coll) < 2:
            return  # (the one series fitted is matched whatever its name)
        fitted = self._fitted_positions()
        unknown = [k for k in coll.ids if k not in fitted]
        texts = {str(k): k for k in fitted} if unknown else {}  # (none: the usual case)
        like = [(k, texts[str(k)]) for k in unknown if str(k) in texts]
        if like:
            new, old = like[0]
            warnings.warn(
                f"y's series {new!r} ({type(new).__name__}) is not a fitted series, but the "
                f"fitted {old!r} ({type(old).__name__}) reads the same: it is forecast as a new "
                "series (without its fitted past or its own band). Give the ids as fitted.",
                UserWarning, stacklevel=callers_level())
        value_col = self._columns(fitted=True)[2]
        if coll.layout == "series" and unknown and unknown[0] == value_col:
            # a column pulled out of a long frame (df.set_index("ds")["y"]): named "y"
            warnings.warn(
                f"y is a Series named {value_col!r}, the value column, not a fitted series' id: "
                "it is forecast as a new series (without its fitted past or its own band). "
                "Name it by its id (y.rename(id)) to continue a fitted series.",
                UserWarning, stacklevel=callers_level())

    def _fitted_positions(self):
        """Each fitted series' position in ``collection_``, by id."""
        return {key: j for j, key in enumerate(self.collection_.ids)}

    def _warn_unseasonal(self, coll, stages):
        """Warn where a new history is too short to show the seasonality
        that the fitted stage of the same series (or of the one series fitted)
        has: its forecast then carries no seasonal pattern."""
        m = self.season_length_
        fitted = self.collection_
        where = None  # fitted series by id, made at the first short history
        for key, v, sm in zip(coll.ids, coll.values, stages):
            if sm.period > 1 or testable(v, m):
                continue  # seasonal, or long enough to be tested (seasonality.is_seasonal)
            where = where or self._fitted_positions()
            i = where.get(key, 0 if len(fitted) == 1 else None)
            # the fitted stage's own season (a short series of a weekly model: the day)
            p = 1 if i is None else self._stages(
                [fitted.values[i]], fitted.exog and [fitted.exog[i]])[1][0].period
            if p == 1 or testable(v, p):
                continue
            warnings.warn(
                f"y's series {key!r} has {int(np.isfinite(v).sum())} observations, fewer than the "
                f"{MIN_SEASONS * p} that show a season of {p} steps, while the fitted series was "
                "seasonal: this forecast has no seasonal pattern. Give at least two seasons "
                "of history.", UserWarning, stacklevel=callers_level())
