"""The CPU kernels' own matrix product (``tsgate/kernels/cpu/matmul.py``)."""
import numpy as np
import pytest

from tsgate.kernels.cpu.matmul import K_BLOCK, K_BLOCK_T, gemm


def _operands(rng, M, K, N, ta, tb, dtype):
    a = rng.standard_normal((M, K)).astype(dtype)
    b = rng.standard_normal((K, N)).astype(dtype)
    stored_a = np.ascontiguousarray(a.T) if ta else a  # (K, M) storage of a transposed operand
    stored_b = np.ascontiguousarray(b.T) if tb else b
    return a, b, stored_a, stored_b


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("M,K,N", [(7, 5, 9), (1, 13, 3), (6, 2 * K_BLOCK + 3, 10), (4, 1, 1),
                                   (3, 2 * K_BLOCK + 3, 165), (2, 40, 96)])
def test_gemm_matches_numpy_for_every_operand_layout(dtype, ta, tb, M, K, N):
    a, b, sa, sb = _operands(np.random.default_rng(0), M, K, N, ta, tb, dtype)
    out = np.full((M, N), np.nan, dtype)
    gemm(sa, ta, sb, tb, out, 0.0)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, a.astype(np.float64) @ b, rtol=tol, atol=tol)
    before = out.copy()
    gemm(sa, ta, sb, tb, out, 1.0)  # accumulate
    np.testing.assert_allclose(out, before + a.astype(np.float64) @ b, rtol=tol, atol=tol)


@pytest.mark.parametrize("tb,M,N", [(False, 13, 37), (True, 13, 5), (False, 15, 165),
                                    (False, 9, 200)])
def test_a_row_does_not_depend_on_the_rows_beside_it(tb, M, N):
    # register panels, blocks of four rows, strips of two rows, wide strips of
    # one row and their masked last columns do the same operations in the
    # same order (13 = 8 + 4 + 1 rows, 37 = 2 panels + 5 masked columns;
    # 15 = 8 + 4 + 2 + 1 rows (AVX2: 4 + 4 + 4 + 2 + 1), 165 = 5 strips of two
    # rows + 5 masked columns, or a wide strip + 37 columns; a row alone takes
    # the wide strips; 200 = a wide strip + half of one + 8 masked columns)
    a, b, sa, sb = _operands(np.random.default_rng(1), M, 2 * K_BLOCK + 37, N,
                             False, tb, np.float32)
    full = np.empty((M, b.shape[1]), np.float32)
    gemm(sa, False, sb, tb, full, 0.0)
    for i in range(M):
        row = np.empty((1, b.shape[1]), np.float32)
        gemm(np.ascontiguousarray(sa[i:i + 1]), False, sb, tb, row, 0.0)
        assert np.array_equal(row[0], full[i])


@pytest.mark.parametrize("M,N", [(13, 37), (64, 256), (1, 20)])
def test_a_transposed_left_operand_gives_the_untransposed_bits(M, N):
    # op(a) = a.T runs in k blocks of K_BLOCK_T, a plain a in blocks of
    # K_BLOCK: each element is still one chain of multiply-adds in k order,
    # its sum only stored and reloaded at the block ends
    K = 3 * K_BLOCK + 2 * K_BLOCK_T + 7
    a, b, _, _ = _operands(np.random.default_rng(2), M, K, N, False, False, np.float32)
    plain = np.empty((M, N), np.float32)
    gemm(a, False, b, False, plain, 0.0)
    through_t = np.empty((M, N), np.float32)
    gemm(np.ascontiguousarray(a.T), True, b, False, through_t, 0.0)
    np.testing.assert_array_equal(through_t, plain)


@pytest.mark.parametrize("M,N,K", [(32, 16, 64), (5, 1, 40), (64, 31, 124), (3, 8, 300)])
def test_a_transposed_right_operand_gives_the_untransposed_bits(M, N, K):
    """Products by b.T with fewer than 32 columns (a recurrent gradient at
    hidden 16) ran as dot products with reassociated sums, whose rounding
    followed the vector width: a hidden-16 network forecast airline up to
    3.2 apart with AVX2 and AVX-512 code (sweep, session 57). They run as
    the same register tiles on b.T's copy now, one fused chain in k order."""
    a, b, _, sb = _operands(np.random.default_rng(3), M, K, N, False, True, np.float32)
    plain = np.empty((M, N), np.float32)
    gemm(a, False, b, False, plain, 0.0)
    through_t = np.empty((M, N), np.float32)
    gemm(a, False, sb, True, through_t, 0.0)
    np.testing.assert_array_equal(through_t, plain)


_ISA_CHILD = """
import sys
import numpy as np
from tsgate.kernels.cpu.matmul import AVX512, gemm
rng = np.random.default_rng(4)
out = []
for M, N, K in [(32, 16, 64), (13, 37, 300), (9, 5, 48), (64, 160, 96)]:
    a = rng.standard_normal((M, K)).astype(np.float32)
    b = rng.standard_normal((N, K)).astype(np.float32)
    o = np.empty((M, N), np.float32)
    gemm(a, False, b, True, o, 0.0)
    out.append(o.ravel())
np.save(sys.argv[1], np.concatenate(out))
print(AVX512)
"""


def test_avx2_and_avx512_code_multiply_to_the_same_bits(tmp_path):
    """On an AVX-512 machine: the products of Numba's AVX-512 code and of
    its AVX2 code (``NUMBA_CPU_FEATURES`` without AVX-512), bit for bit."""
    import os
    import subprocess
    import sys

    from llvmlite import binding as llvm

    host = llvm.get_host_cpu_features()
    if not host.get("avx512f"):
        pytest.skip("no AVX-512 here: nothing to compare")
    avx2 = ",".join(f"{'+' if on else '-'}{name}" for name, on in host.items()
                    if not name.startswith("avx512"))
    avx2 += "," + ",".join(f"-{name}" for name in host if name.startswith("avx512"))
    runs = {}
    for isa, extra in (("native", {}), ("avx2", {"NUMBA_CPU_FEATURES": avx2})):
        env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / isa), **extra)
        done = subprocess.run([sys.executable, "-c", _ISA_CHILD, str(tmp_path / f"{isa}.npy")],
                              env=env, capture_output=True, text=True, check=True)
        runs[isa] = (done.stdout.strip(), np.load(tmp_path / f"{isa}.npy"))
    assert runs["native"][0] == "True" and runs["avx2"][0] == "False"  # two kinds of code
    np.testing.assert_array_equal(runs["native"][1], runs["avx2"][1])


def test_gemm_empty_dimensions_assign_zeros_or_keep():
    out = np.full((3, 4), 7.0, np.float32)
    a, b = np.empty((3, 0), np.float32), np.empty((0, 4), np.float32)
    gemm(a, False, b, False, out, 1.0)
    assert (out == 7).all()
    gemm(a, False, b, False, out, 0.0)
    assert (out == 0).all()


def test_product_helpers_compile_one_signature_each():
    """A literal 0 passed to a helper once made Numba compile it twice (for
    Literal[int](0) and int64): about 3 CPU s more on a first import. With a
    warm cache nothing compiles here (0 signatures); a fresh one, one per
    float dtype."""
    from tsgate.kernels.cpu import matmul

    dtypes = [sig[0].dtype for sig in matmul._plain_rows.signatures]
    assert len(dtypes) == len(set(dtypes)), matmul._plain_rows.signatures


@pytest.mark.parametrize("N", [1, 15, 16, 17, 31, 33, 47])
def test_masked_columns_touch_nothing_beyond_the_row(N):
    # the last columns of each row go through a masked tile: out's columns
    # beyond N (here the next row of a wider buffer) keep their values, and
    # the rows of every tile size (8/4, 2, 1) get the right sums
    rng = np.random.default_rng(2)
    M, K = 15, 9
    a = rng.standard_normal((M, K)).astype(np.float32)
    b = rng.standard_normal((K, N)).astype(np.float32)
    buf = np.full(M * N + 16, 7.0, np.float32)  # (M*N + 16,): a guard after out
    out = buf[:M * N].reshape(M, N)
    gemm(a, False, b, False, out, 0.0)
    np.testing.assert_allclose(out, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)
    assert (buf[M * N:] == 7.0).all()
