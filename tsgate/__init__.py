"""tsgate: LSTM and GRU forecasting with Numba kernels and scikit-learn estimators."""
from .regressors import GRURegressor, LSTMRegressor
from .windows import SlidingWindowTransformer, make_windows

__version__ = "0.1.0"

__all__ = ["LSTMRegressor", "GRURegressor", "SlidingWindowTransformer", "make_windows", "__version__"]
