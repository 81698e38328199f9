"""tsgate: LSTM and GRU forecasting with Numba kernels and scikit-learn estimators.

The public surface: forecasters on pandas series (:class:`LSTMForecaster`,
:class:`GRUForecaster`), regressors on windows (:class:`LSTMRegressor`,
:class:`GRURegressor`), windows (:func:`make_windows`,
:class:`SlidingWindowTransformer`), :func:`backtest`, :func:`warmup` (compile the kernels ahead of time), and the modules
:mod:`tsgate.metrics` and :mod:`tsgate.datasets`.
"""
from . import datasets, distributed, metrics  # distributed: registers PerSeriesForecaster for load()
from ._version import __version__
from .backtest import backtest
from .forecasters import GRUForecaster, LSTMForecaster
from .persistence import load
from .plotting import plot_forecast  # imports matplotlib only when called
from .regressors import GRURegressor, LSTMRegressor
from .warmup import warmup
from .windows import SlidingWindowTransformer, last_window, make_windows

__all__ = [
    "LSTMForecaster", "GRUForecaster", "LSTMRegressor", "GRURegressor",
    "SlidingWindowTransformer", "make_windows", "last_window", "backtest",
    "datasets", "metrics", "plot_forecast", "load", "warmup", "__version__",
]
