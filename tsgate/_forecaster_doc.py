"""The class docstring of :class:`tsgate.LSTMForecaster` and
:class:`tsgate.GRUForecaster`, one template for both (``{cell}``, ``{name}``).

Kept apart from :mod:`tsgate.forecasters` so that the implementation stays
one screenful of concepts; it is the user-facing reference of every
parameter and fitted attribute.
"""

FORECASTER_DOC = """{cell} forecaster for pandas time series: one series, or a collection
    with ONE global model.

    Give it a ``pd.Series`` on a time index, a wide ``pd.DataFrame`` (one
    column per series), a ``pd.Series`` on a (series id, time) MultiIndex, or
    a long DataFrame ``unique_id, ds, y`` (column names: ``id_col``,
    ``time_col``, ``value_col``); the forecasts come back in the same
    layout, indexed by each series' next periods. For one model per series
    use :class:`tsgate.distributed.PerSeriesForecaster`.

    The method (details in :mod:`tsgate.forecasters`): per series, a log
    scale where positive, seasonal and multiplicative, and exponential smoothing of level
    and seasonal indices; windows relative to their end's level, in units of the series'
    typical change; a validation fit on all but the last steps of every
    series, whose out-of-sample errors calibrate the intervals; the same
    networks then trained on everything; the median of ``n_models``
    networks. Any series of at least 4 observations forecasts with the
    defaults, whatever the horizon.

    Parameters
    ----------
    window : int or None, default=None
        Input steps per window. None gives the ensemble members lookbacks
        of 2, 1.25 and 3 times the longer of a season and the horizon
        (shorter histories are padded and flagged); where the season is the
        week of sub-daily steps, of a day (the stage's weekly indices carry
        the week).
    horizon : int, default=1
        Steps forecast at once (direct multi-output). Longer ``predict``
        horizons are forecast recursively in blocks of ``horizon``.
    loss : str, default="absolute_error"
        With the default, members alternate "absolute_error" and "huber"
        (both aim at the median, which MASE and MAE reward); any other
        choice applies to every member.
    max_iter : int or None, default=None
        Epochs per fit. None: a budget of 4 gradient steps per training
        window (counting at most 250 windows of each series,
        ``fitplan.SERIES_WINDOWS``), at least 300 and at most 4000 steps,
        and fewer where the windows are longer than 160 steps
        (``fitplan.LONG_WINDOW``: the budget's work on windows of 160
        steps, but at least 300 steps) and never more than the work of
        4000 batches of 64 windows of 160 steps (``fitplan.MAX_WINDOW_STEPS``:
        a ``batch_size`` of 512 on windows of 400 steps gets 200 steps), in
        the whole epochs that hold it, or where one epoch holds more than
        twice it (a long series), within that epoch. The validation fits
        train for it; the final fits continue them on all the data for a
        quarter of it (``fitplan.FINAL_STEPS``), unless ``early_stopping``.
    batch_size : int, default=64
    learning_rate_init : float, default=3e-3
    early_stopping : bool, default=False
        Choose each member's number of epochs on the validation fit (its
        loss on the cut tail), then refit on everything for that many.
    validation_fraction : float or None, default=None
        Steps cut off every series for the validation fit: None cuts the
        last ``horizon`` steps; a float cuts that fraction of each series
        (at least ``horizon``). A series always keeps 3 observations to fit
        on, so a series of 4 validates on its last point only. With None
        and fewer than 10 series, the intervals also calibrate on up to two
        earlier folds: the validation ensemble fitted again with the cuts
        moved back by one and two horizons of at least 10 steps (keeping
        half of each series), adding the forecasts from the origins before
        the next fold's (:mod:`tsgate.folds`; point forecasts unchanged,
        about twice the fit time). Where the last fold's cut is at most a
        quarter of every series, that one cut replaces the folds.
    normalize : {{"smooth", "last", "standard"}}, default="smooth"
        "smooth": the smoothing stage above. "last": each window minus its
        last value, divided by the standard deviation of one-step changes.
        "standard": the series' mean and standard deviation.
    season_length : int or None, default=None
        Seasonal period; None infers it from the frequency, the steps in
        its natural cycle (12 monthly, 4 quarterly, 24 semi-monthly, 52
        weekly, 7 daily, 5 business-daily, 24 hourly, 8 business-hourly,
        48 half-hourly, 60 secondly; minutes: the day up to 96 steps, else
        the hour; a multiple divides the cycle, "2h": 12; 1 for yearly
        steps, integer steps and cycles a multiple does not divide), and for
        sub-daily steps takes the week instead (168 hourly) where the
        series of more than three weeks show it and it fits them better
        than the day (:mod:`tsgate.seasons`); a series too short for the
        week then smooths the day alone. Used only where a series passes a
        seasonality test.
    n_models : int, default=3
        Ensemble members (seed, window length and loss vary), combined by
        their median; at most 1000.
    id_col, time_col, value_col : str, default="unique_id", "ds", "y"
        Column names of the long layout.
    freq : str or None, default=None
        A pandas frequency (e.g. "MS", "W-SUN", "D") to put each series'
        dates on, from its first date to its last: missing dates become
        NaN, which are masked. None: every series must be regular already
        (a frequency set or inferable).
    **others
        hidden_size (default 32), num_layers, bidirectional, attention,
        dropout, huber_delta, quantile, alpha, weight_decay, clip_norm,
        n_iter_no_change (default 20), tol, device, random_state, verbose,
        warm_start: as in :class:`tsgate.{cell}Regressor`, except that
        ``n_iter_no_change`` and ``tol`` act only with ``max_iter`` set (the
        step budget of ``max_iter=None`` is a plan: its fits train for it;
        other values warn). ``warm_start=True`` continues
        training the fitted networks on the data given to ``fit`` (the
        normalisation is per window, so the networks stay valid on new or
        longer series); the smoothing stage and the intervals are estimated
        anew. Networks whose shape changed (another horizon, features in
        ``X`` added or dropped, another ``hidden_size``), or whose features
        in ``X`` have other names (as many: one renamed), start from new
        weights, with a ``UserWarning`` that says what changed.

    Attributes
    ----------
    regressors_ : list of {cell}Regressor
        The final ensemble members: the validation members trained on
        (copies; unless ``early_stopping``).
    holdout_regressors_ : list of {cell}Regressor
        The validation fit's members (what a ``warm_start`` fit continues).
    windows_ : list of int
        Each member's window length.
    horizon_, normalize_ : int, str
        ``horizon`` and ``normalize`` as fitted: what ``predict`` uses, so
        that ``set_params`` after a fit takes effect at the next fit, as in
        scikit-learn.
    exog_names_ : list or None
        The exogenous feature columns' labels of fit (strings, numbers,
        tuples), by which ``predict`` matches a DataFrame X's columns (None:
        fitted without X, or on an array, whose columns go by position).
    n_exog_ : int
        Exogenous features per row at fit (0: fitted without X).
    exog_order_ : list of int or None
        Where fit sorted a DataFrame X's feature columns by name (the
        networks take them by position, so a table's column order acted as
        a seed), each sorted column's position among X's columns as given;
        an array X at ``predict`` is read through it. None: nothing moved.
    input_format_ : tuple
        ``(id_col, time_col, value_col, freq)`` as the fit read its input:
        ``predict`` reads y and X so (``set_params`` changes them at the
        next fit).
    exog_effect_ : bool
        Fitted with X: each series' smoothing stage takes the features'
        linear effect out and its forecast adds it back for the future rows
        (:mod:`tsgate.regression`; estimated anew on each history given to
        ``predict``). False in files saved before that effect, which leave
        the features to the networks, as they were fitted.
    shrinkage_ : float
        Weight (0 to 1) of the networks' forecast against the statistical
        one, from their errors on the validation fit (inverse-MSE weights).
    network_steps_ : int
        The steps ahead (1 to ``horizon_``) the validation fit had targets
        for, where it chose the trend weight (a horizon of 10 or more, or 10
        series or more; else ``horizon_``). Past them a series without
        seasonality is forecast by the statistical forecast alone
        (:func:`tsgate.combination.network_cells`). Absent from files saved
        before it, which use the networks at every step.
    drift_weight_ : float
        Weight (0 to 2) of the Theta trend term (series without
        seasonality), chosen on the validation fit; 1, the Theta method's
        own, for a fit of fewer than 10 series forecast fewer than 10 steps
        ahead (:func:`tsgate.combination.pools_folds`).
    season_drift_ : bool
        The seasonal series' forecasts carry the Theta method's trend in
        their statistical part, at weight ``1 - shrinkage_``
        (:mod:`tsgate.combination`). False in files saved before it, which
        forecast as they were fitted.
    trend_shapes_ : bool
        On the log scale the Theta trend term is a straight line in the
        logs or in the values, whichever fits the series' history better
        (:mod:`tsgate.trendterm`). False in files saved before it, whose
        trend term is the logs' line.
    season_length_ : int
        The seasonal period the smoothing stage tests and uses.
    launch_zeros_ : ndarray of shape (n_series,)
        Zeros cut from the start of each series: a run longer than a season
        before its launch (a product not yet sold) is fitted as a series
        that starts later. The scorers put them back into ``y_train``.
        Absent from files saved before it.
    inner_period_ : int
        The inner cycle the stage also smooths where ``season_length_`` is
        the week of sub-daily steps (the day: double seasonal smoothing,
        :func:`tsgate.smoothing.smooth`), else 1. Files saved before it
        lack it and forecast with one season, as they were fitted.
    n_iter_ : int
        Epochs run (the most over the final members, counting those of the
        validation fits they continue; with ``warm_start``, over all fits).
    collection_ : tsgate.collection.Collection
        The training data as arrays.
    calibration_residuals_ : ndarray of shape (n_residuals, horizon)
        Out-of-sample residuals of the validation folds, the first fold's
        rows first, each in its series' unit at its step
        (``interval_unit_``); the validation networks' forecasts with the
        smoothing stage filtered causally with the whole history's
        coefficients (:mod:`tsgate.holdout`).
    calibration_owners_ : ndarray of shape (n_residuals,) or None
        For a fit of 2 to 9 series, each residual's series (its position in
        the fitted collection): each series' band comes from its own rows,
        a series without rows (new at ``predict``, or left out as
        outlying) from all of them. None (and absent from files of older
        versions): every band from all the rows.
    model_band_floor_ : ndarray of bool of shape (n_series,) or None
        For a fit of fewer than 10 series, per fitted series, whether every
        calibration row of it came from a validation cut whose stage had no
        season where its whole history's has one (the cut too short for it,
        or tested so): its band is then no narrower than its smoothing stage's
        model band (normal quantile times the one-step noise times its
        error growth). None for 10 or more series (and absent from files of
        older versions): no floor.
    stage_choices_ : ndarray of shape (n_series, 8)
        What the fit chose for each series' smoothing stage (log scale,
        period, alpha, gamma, unit, inner period, delta, first level:
        :func:`tsgate.smoothing.choices`), with which a loaded model
        filters its training data again instead of choosing anew (2 ms a
        series). Absent from files saved before it.
    stage_betas_ : ndarray of shape (n_series, n_features) or None
        The features' linear effect in each series' stage, None without.
    noise_from_ : str
        "first_scored": the unit's one-step errors are scored from one and
        a half seasons on (:func:`tsgate.bandunit.first_scored`). Absent
        from files of older versions, whose units scored from one season
        on, as their residuals were divided by.
    interval_unit_ : str
        The unit of ``calibration_residuals_``. "step noise" (collections
        of 10 or more series): the one-step
        noise with weights halving every two seasons, times the square root
        of the stage's error growth to the step (:func:`tsgate.bandunit.band_unit`).
        "robust noise" (fewer series): the one-step noise with every error
        weighing the same, each clipped to 3 robust standard deviations.
        "noise" (files of fewer series from tsgate 0.1 before it): the same
        without clipping. Older files have no such attribute and residuals
        in network units. Each is read in its own unit.

    Examples
    --------
    >>> import tsgate
    >>> from tsgate.datasets import load_airline
    >>> y = load_airline()
    >>> model = tsgate.{name}(horizon=12, max_iter=5, random_state=0).fit(y)
    >>> model.predict().index[0]
    Timestamp('1961-01-01 00:00:00')
    """
