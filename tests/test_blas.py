"""The CPU kernels' matrix product and the private BLAS behind it."""
import os
import platform
import subprocess
import sys

import numpy as np
import pytest

from tsgate.kernels.cpu import blas


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_gemm_matches_numpy_for_every_operand_layout(dtype, ta, tb):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((7, 5)).astype(dtype)
    b = rng.standard_normal((5, 9)).astype(dtype)
    op_a = np.ascontiguousarray(a.T).T if ta else a  # same values, column-major storage
    op_b = np.ascontiguousarray(b.T).T if tb else b
    out = np.full((7, 9), np.nan, dtype)
    blas.gemm(op_a, op_b, out, 0.0)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, a @ b, rtol=tol, atol=tol)
    before = out.copy()
    blas.gemm(op_a, op_b, out, 1.0)  # accumulate
    np.testing.assert_allclose(out, before + a @ b, rtol=tol, atol=tol)


def test_gemm_writes_only_its_block_of_a_larger_array():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal((3, 5)).astype(np.float32)
    big = np.zeros((8, 10), np.float32)
    blas.gemm(a, b, big[2:6, 3:8], 0.0)
    np.testing.assert_allclose(big[2:6, 3:8], a @ b, rtol=1e-5, atol=1e-6)
    big[2:6, 3:8] = 0
    assert not big.any()
    row = np.empty((1, 5), np.float32)
    blas.gemm(a[2:3], b, row, 0.0)  # a one-row product (a matrix-vector one inside BLAS)
    np.testing.assert_allclose(row, a[2:3] @ b, rtol=1e-5, atol=1e-6)


def test_gemm_empty_inner_dimension_assigns_zeros_or_keeps():
    out = np.full((3, 4), 7.0, np.float32)
    a, b = np.empty((3, 0), np.float32), np.empty((0, 4), np.float32)
    blas.gemm(a, b, out, 1.0)
    assert (out == 7).all()
    blas.gemm(a, b, out, 0.0)
    assert (out == 0).all()


def test_gemm_refuses_an_operand_without_contiguous_rows_or_columns():
    a = np.ones((6, 6), np.float32)[::2, ::2]  # strided both ways
    out = np.empty((3, 3), np.float32)
    with pytest.raises(ValueError, match="contiguous"):
        blas.gemm(a, np.ones((3, 3), np.float32), out, 0.0)


def test_blas_is_loaded_and_described():
    info = blas.INFO
    assert info["mode"] in ("private", "shared")
    assert os.path.exists(info["path"]) and info["core"]
    if info["mode"] == "private":
        assert info["path"] != info["source"]  # a separate instance, SciPy's left alone


def test_private_blas_kernel_family_can_be_chosen():
    if (blas.INFO["mode"] != "private" or not sys.platform.startswith("linux")
            or platform.machine() != "x86_64"):
        pytest.skip("needs the private OpenBLAS copy on x86-64 Linux")
    code = "from tsgate.kernels.cpu import blas; print(blas.INFO['core'])"
    env = dict(os.environ, TSGATE_OPENBLAS_CORETYPE="Nehalem")  # SSE4.2: every x86-64 of the last 15 years
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out.lower() == "nehalem"
