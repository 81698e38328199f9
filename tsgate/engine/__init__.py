"""The engine: network (flat parameters, layer stack) and training loop.

It knows NumPy and the backend only -- nothing of pandas or scikit-learn.
"""
from .network import Network, NetworkSpec
from .training import TrainConfig, TrainResult, train

__all__ = ["Network", "NetworkSpec", "TrainConfig", "TrainResult", "train"]
