"""``tsgate.warmup``: the kernels a default fit uses are compiled by it."""
import numba
import pytest

import tsgate
from tsgate import config
from tsgate.kernels import cpu
from tsgate.kernels.cpu import serial


def test_warmup_compiles_the_serial_and_parallel_kernels():
    threshold = config.PARALLEL_MIN_WORK
    done = tsgate.warmup(models=("lstm",))
    assert done["models"] == ["lstm"] and done["parallel"] and done["seconds"] > 0
    # the small-batch builds, and the multi-threaded ones where two threads run
    builds = (serial, cpu) if numba.get_num_threads() > 1 else (serial,)
    for kernels in builds:
        assert kernels.lstm_forward.signatures and kernels.lstm_backward.signatures
    assert config.PARALLEL_MIN_WORK == threshold  # restored


@pytest.mark.parametrize("models", [("tcn",), ()])
def test_warmup_rejects_unknown_models(models):
    with pytest.raises(ValueError, match="lstm"):
        tsgate.warmup(models=models)
