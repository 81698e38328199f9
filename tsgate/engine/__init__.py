"""The engine: parameter layout, pass plans, forward/backward passes, the
network that ties them to a backend, and the training loop.

It knows NumPy and the backend only -- nothing of pandas or scikit-learn.
"""
from .layout import Layout, NetworkSpec
from .network import Network
from .passes import forward, loss_and_grad
from .plan import Plan
from .training import TrainConfig, TrainResult, evaluate, train, zero_prediction_loss

__all__ = ["Layout", "Network", "NetworkSpec", "Plan", "TrainConfig", "TrainResult", "evaluate",
           "forward", "loss_and_grad", "train", "zero_prediction_loss"]
