"""The class docstring of :class:`tsgate.LSTMRegressor`, the reference of
every parameter and fitted attribute of both regressors (the GRU's says it
has the same). Kept apart from :mod:`tsgate.regressors` so that the
implementation stays one screenful of concepts, as the forecasters' is
(``_forecaster_doc``).
"""

LSTM_REGRESSOR_DOC = """LSTM network regressor on windows, trained with Adam.

    A stack of LSTM layers (optionally bidirectional, with dropout on each
    layer's outputs, the last one's too) reads each window; a dense head (optionally fed by additive
    attention over the steps) maps the final state to the outputs.

    Parameters
    ----------
    hidden_size : int, default=32
        Hidden units per layer and direction.
    num_layers : int, default=1
    bidirectional : bool, default=False
    attention : bool, default=False
        Additive (Bahdanau) attention over the steps of the last layer;
        ``predict_attention(X)`` returns its weights for windows X.
    dropout : float, default=0.0
        Inverted dropout on non-recurrent connections (every layer's
        outputs, the last layer's before the head too: unlike PyTorch's
        ``nn.LSTM(dropout=)``, it acts with one layer), one mask per sample
        and layer.
    loss : {"squared_error", "absolute_error", "huber", "quantile"}, default="squared_error"
    huber_delta : float, default=1.0
        Threshold of the Huber loss (in units of the scaled target).
    quantile : float, default=0.5
        Quantile of the pinball loss.
    max_iter : int, default=200
        Maximum number of epochs.
    batch_size : int, default=32
    learning_rate_init : float, default=5e-3
        Adam's step size. (With 1e-3, 200 epochs were too few for an LSTM to
        fit scikit-learn's ``check_regressors_train`` data to R^2 > 0.5.)
    alpha : float, default=1e-4
        L2 penalty on the weight matrices (not the biases).
    weight_decay : float, default=0.0
        Decoupled weight decay (AdamW).
    clip_norm : float or None, default=1.0
        Clip the gradient to this global L2 norm; None disables clipping.
    early_stopping : bool, default=False
        Hold out the LAST ``validation_fraction`` of the samples (time order,
        never a random split), stop when the validation loss has not improved
        by ``tol`` for ``n_iter_no_change`` epochs, and restore the best weights.
        Without it, training stops when the training loss stalls likewise.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
        The least improvement of the loss that counts, in the loss's own
        units, as scikit-learn's MLP: a Huber loss scales with
        ``huber_delta`` (with ``huber_delta=1e-3`` its improvements fall
        below 1e-4 within a few epochs and the fit stops there; lower ``tol``
        with it).
    scale_target : bool, default=True
        Standardize each output with its training mean and deviation before
        fitting, and undo it in ``predict``; the losses are then in
        standardized units.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train. "auto" trains on a usable GPU (never Numba's CUDA
        simulator) when one epoch's forward pass is at least
        ``tsgate.config.AUTO_CUDA_MIN_WORK`` multiply-adds, else on the CPU.
        A model fitted on a GPU predicts on the CPU when no GPU is usable.
    random_state : int, RandomState instance or None, default=None
        Drives initialization, batch order and dropout masks; an int gives
        bit-identical models.
    verbose : bool or int, default=False
        Show the fit's progress: a progress bar of the epochs with the loss and
        validation loss on a terminal, else lines on stdout (the first epoch,
        every tenth of ``max_iter`` and the last); ``verbose=2`` prints a
        line per epoch, terminal or not.
    warm_start : bool, default=False
        Continue from the previous fit's weights and optimizer state (when the
        network's shape is unchanged); ``max_iter`` epochs more are run, and
        ``n_iter_``, ``loss_curve_`` and the other curves continue, as with
        scikit-learn's ``MLPRegressor``. The targets' scaling (``y_mean_``,
        ``y_scale_``) stays the first fit's, the units the weights learnt in.
        A network whose shape changed (other features, outputs or
        ``hidden_size``) or a changed ``scale_target`` starts from new
        weights, with a ``UserWarning`` that says what changed.

    Attributes
    ----------
    params_ : ndarray of shape (n_params,)
        All weights in one flat float32 vector.
    loss_curve_ : list of float
        Training loss per epoch.
    best_loss_ : float
    validation_scores_ : list of float or None
        R^2 on the validation samples per epoch (with early stopping), per
        output then averaged, as ``score``; NaN where no output has 2
        validation targets.
    validation_loss_curve_ : list of float
        Validation loss per epoch (with early stopping).
    best_validation_loss_ : float
        The lowest of ``validation_loss_curve_`` (with early stopping only).
    best_epoch_ : int
        The last fit's epoch whose weights were kept: the best validation
        loss with early stopping, else 0 (the last epoch's weights).
    diverged_at_ : int or None
        The epoch in which the last fit diverged (a ``RuntimeWarning`` said
        so and the weights of the epoch before were restored), else None.
    n_iter_ : int
        Epochs run (over all fits, with ``warm_start``).
    grad_norm_curve_ : list of float
        Mean gradient norm (before clipping) per epoch.
    clipped_fraction_ : float
        Share of steps whose gradient was clipped.
    n_features_in_ : int
        ``X.shape[1]`` as scikit-learn counts it: the window length.
    window_ : int
        Steps per window.
    n_step_features_ : int
        Features per step (1 for 2-D X).
    n_outputs_ : int
        Targets per sample (``Y.shape[1]``; 1 for a 1-D ``y``).
    y_mean_, y_scale_ : ndarray of shape (n_outputs_,)
        The targets' mean and scale the network learns ``(Y - y_mean_) /
        y_scale_`` in (0 and 1 with ``scale_target=False``); a ``warm_start``
        fit keeps the first fit's.
    spec_ : tsgate.engine.NetworkSpec
        The network's shape (cell, features, hidden size, outputs, layers,
        directions, attention, dropout), as saved.
    device_ : str
        Where the fit ran: "cpu" or "cuda" (``device="auto"`` resolved).
    attention_weights_ : ndarray of shape (n_samples, window)
        Deprecated (``FutureWarning``; removed in the next release): the
        weights of this thread's last ``predict``. Use ``predict_attention``.

    Examples
    --------
    >>> import numpy as np, tsgate
    >>> X, Y = tsgate.make_windows(np.sin(np.arange(200) / 5), window=12, horizon=3)
    >>> reg = tsgate.LSTMRegressor(hidden_size=8, max_iter=5, random_state=0).fit(X, Y)
    >>> reg.predict(X[-1:]).shape
    (1, 3)
    """
