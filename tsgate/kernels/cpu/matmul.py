"""Small dense matrix products for the CPU kernels, written in Numba.

The kernels multiply 1 to about 64 rows by small weights, e.g. (BT, H) x
(H, G*H) once per step; at these shapes a library BLAS spends most of a call
on dispatch (SciPy's OpenBLAS: 13-17 us for (1 x 64) x (64 x 256) on an AVX2
Zen 3, against about 1 us here), and reaching a BLAS from compiled code means
either loading a private copy of it (a security and portability problem) or
sharing the process's thread pool with it. So tsgate multiplies on its own.

How: blocks of ``PANEL_ROWS`` rows by 16 columns of ``out`` (``_panel``)
keep their sums in vector registers over a block of ``K_BLOCK`` k: per k,
one vector of ``b`` and one broadcast of ``a`` per row feed one fused
multiply-add per row. Numba cannot say that ``out`` does not alias ``a`` or
``b``, so a loop that updates ``out`` in memory stores and reloads it every
few k (the former row-update kernel, 45-75 GFLOP/s on Zen 4); the panel is
written in LLVM IR instead, its sums SSA values that never touch memory:
85-100 GFLOP/s at the kernels' shapes on Zen 4, with AVX-512 (8 rows, one
zmm each) and AVX2 (4 rows, two ymm each) alike (measured December 2026).
Rows and columns left over go through smaller tiles of the same form (four
rows, two, one; the last columns of a row masked), so every element, whatever
tile computes it, is ONE chain of fused multiply-adds in k order,
``o = fma(a[i, k], b[k, j], o)``.

Every element of ``out`` is computed by the same operations whatever the
number of rows or the row's place in a block, so a row's product never depends
on the rows beside it (scikit-learn's batch-invariance checks) nor on the
thread count, and results do not depend on a BLAS library nor on the vector
width: AVX2 and AVX-512 give the same bits (where the CPU has fused
multiply-adds). Products by ``b.T`` with few columns once ran as dot products
with reassociated (vectorized) sums, whose rounding followed the vector width:
a network of hidden size 16 forecast airline up to 3.2 apart on the two
instruction sets (session 57's sweep). The tiles on ``b.T``'s C copy are
also 1.7-3x faster with 32 rows or more and 8-31 columns on Zen 5, AVX-512
or AVX2 code alike; with 1-4 rows or 1-2 columns the copy and the mostly
masked tiles cost 1.4-15x the dot products (1 x 512 by (31 x 512).T: 0.5
-> 7.5 us), shapes the kernels do not multiply by ``b.T`` (all steps of a
tile at once, or the recurrent product on ``W_h.T`` copied once a pass).

Operands are C-contiguous 2-D arrays; a transposed operand is passed as its
C-contiguous storage with a flag, so ``gemm`` compiles one signature per
float dtype (each signature costs compile time on a user's first run).
"""
import numpy as np
from llvmlite import binding as llvm
from llvmlite import ir
from numba import carray, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from ._config import CACHE, INNER, JIT, cfunc, njit

K_BLOCK = 128  # rows of b per pass over the row blocks of a (a multiple of 4)
# The same where op(a) = a.T (a_col > 1: the weight gradients' products
# over all steps, K = steps x rows): a block of a is then K_BLOCK_T rows of
# all M columns (32 x 64 floats, 8 KB, at hidden 64), which stays in L1 while
# the tiles stream b; with 128 rows (32 KB) it did not: (3008 x 64)^T
# (3008 x 256), LSTM W1's over 47 steps, took 1.62 ms against 1.19 now, a
# tile of 32 rows 6% more (AVX2 Zen 3, bench_products.py). Same bits: each
# element's chain of multiply-adds is the same, only stored and reloaded
# more often.
K_BLOCK_T = 32
FMA = dict(INNER, fastmath={"contract"})  # a * b + c as one fused multiply-add, nothing reordered
# The transpose flags that kernels pass to ``gemm``. NumPy bools, not the
# literals False/True: Numba types a literal argument as Literal[bool] and
# compiles ``gemm`` once per combination of literal flags it sees (three in
# the default network, about 0.5 CPU s each), where a NumPy bool is a plain
# ``bool`` and one signature serves them all. The flags are tested at run
# time either way (a few branches per call, next to the product).
PLAIN = np.False_  # op(x) = x
TRANS = np.True_  # op(x) = x.T


@njit(**JIT)
def gemm(a, trans_a, b, trans_b, out, beta):
    """``out = op(a) @ op(b) + beta * out`` with beta 0 (assign) or 1 (accumulate).

    Parameters
    ----------
    a : ndarray of shape (M, K), or (K, M) when ``trans_a`` (then op(a) = a.T)
    trans_a : bool
    b : ndarray of shape (K, N), or (N, K) when ``trans_b`` (then op(b) = b.T)
    trans_b : bool
    out : ndarray of shape (M, N)
    beta : float
        0.0 or 1.0.

    All arrays are C-contiguous and of one float dtype; ``out`` must not
    overlap ``a`` or ``b``.
    """
    M, N = out.shape
    K = a.shape[0] if trans_a else a.shape[1]
    if beta == 0:
        out[:] = 0
    if M == 0 or N == 0 or K == 0:
        return
    if trans_b:
        b = transposed(b)  # (K, N): a small weight matrix, copied once a call
    a_row, a_col = (1, M) if trans_a else (K, 1)
    _multiply(a, a_row, a_col, b, out, M, N, K)


@njit(**INNER, inline="always")  # typed in its caller: no compile of its own
def transposed(a):
    """``a.T`` (C, R) as a new C-contiguous array, for a (R, C) C-contiguous one.

    Not ``np.ascontiguousarray(a.T)``: that overload compiled on its own on
    every first run (about 0.2 CPU s) for this one small copy.
    """
    R, C = a.shape
    out = np.empty((C, R), dtype=a.dtype)  # (C, R)
    for i in range(R):
        for j in range(C):
            out[j, i] = a[i, j]
    return out


def _multiply(a, a_row, a_col, b, out, M, N, K):
    """``out += op(a) @ b``; picked by dtype when compiled."""


# Not cached on its own (``cache`` off): its code is linked into ``gemm``'s,
# which is, and an overload's dispatcher is Numba's, out of reach of the
# damaged-file mending of ``_config.njit``.
@overload(_multiply, jit_options=dict(INNER, cache=False))
def _multiply_overload(a, a_row, a_col, b, out, M, N, K):
    if out.dtype == types.float32:
        def impl(a, a_row, a_col, b, out, M, N, K):
            _products_f32(a.ctypes.data, a_row, a_col, b.ctypes.data, out.ctypes.data, M, N, K)
    else:  # float64: the finite-difference tests only; plain loops compile quickly
        def impl(a, a_row, a_col, b, out, M, N, K):
            _plain_rows(a.reshape(-1), a_row, a_col, b, out, M, N, K)
    return impl


def _update_rows(a_ptr, a_row, a_col, b_ptr, out_ptr, M, N, K):
    """``out += op(a) @ b`` for b (K, N), in register tiles. The
    arrays come as pointers: this is the body of the products cfunc
    (:func:`_products`), not a Numba function of its own.

    Blocks of ``PANEL_ROWS`` rows go through ``_panel`` (16 columns at a
    time, the sums held in registers over a k block), a block of four rows
    left over (AVX-512) through ``_quad``, pairs of rows through ``_pair``
    (32 columns at a time) and a last row through ``_wide`` (then
    ``_half``); the columns left over by each go through its 16-column
    tile, the last one masked to the columns that remain. Every element is
    one chain of fused multiply-adds in k order, ``o = fma(a[i, k], b[k,
    j], o)``, whichever tile computes it, so a row's result never depends on
    the rows beside it.

    Written out in the cfunc's own body: as an ``njit`` function it was
    either compiled on its own and again inside the cfunc, or, inlined
    (``inline="always"``), its Numba IR copied block by block at a cost
    that grows with its size (about 0.3 s of a first import, measured).
    """
    out = carray(out_ptr, (M, N))
    af = carray(a_ptr, (M * K,))  # op(a) through its strides a_row, a_col
    bf = carray(b_ptr, (K * N,))  # (K*N,) b row-major
    n16 = N - N % PANEL_COLS  # columns the full 16-column tiles cover
    n_pair = N - N % PAIR_COLS  # columns the strips of two rows cover
    n_wide = N - N % WIDE_COLS  # columns the strips of one row cover
    kb = K_BLOCK if a_col == 1 else K_BLOCK_T
    for k0 in range(0, K, kb):
        k1 = k0 + kb if k0 + kb < K else K  # not min(): one overload fewer to compile
        i = np.int64(0)  # the tiles' row index: int64, as every other index they take
        while i + PANEL_ROWS <= M:
            for j0 in range(0, n16, PANEL_COLS):
                _panel(af, a_row, a_col, bf, N, out, i, j0, k0, k1)
            if n16 < N:
                _panel_left(af, a_row, a_col, bf, N, out, i, n16, k0, k1, N - n16)
            i += PANEL_ROWS
        if AVX512:  # a block of four rows left over from blocks of 8 (at most one)
            while i + 4 <= M:
                for j0 in range(0, n16, PANEL_COLS):
                    _quad(af, a_row, a_col, bf, N, out, i, j0, k0, k1)
                if n16 < N:
                    _quad_left(af, a_row, a_col, bf, N, out, i, n16, k0, k1, N - n16)
                i += 4
        while i + 2 <= M:
            for j0 in range(0, n_pair, PAIR_COLS):
                _pair(af, a_row, a_col, bf, N, out, i, j0, k0, k1)
            if n_pair < n16:  # one full 16-column tile left over
                _two(af, a_row, a_col, bf, N, out, i, n_pair, k0, k1)
            if n16 < N:
                _two_left(af, a_row, a_col, bf, N, out, i, n16, k0, k1, N - n16)
            i += 2
        if i < M:
            for j0 in range(0, n_wide, WIDE_COLS):
                _wide(af, a_row, a_col, bf, N, out, i, j0, k0, k1)
            j0 = n_wide
            if AVX512:  # half a wide strip left over (on AVX2 a wide strip is 64 columns)
                if j0 + HALF_COLS <= n16:
                    _half(af, a_row, a_col, bf, N, out, i, j0, k0, k1)
                    j0 += HALF_COLS
            for j1 in range(j0, n16, PANEL_COLS):
                _one(af, a_row, a_col, bf, N, out, i, j1, k0, k1)
            if n16 < N:
                _one_left(af, a_row, a_col, bf, N, out, i, n16, k0, k1, N - n16)


def _has_avx512():
    """Whether Numba compiles for a CPU with AVX-512 (32 vector registers)."""
    from numba.core import config

    features = config.CPU_FEATURES
    if features is None:  # the host's, as Numba's code generator takes them
        features = llvm.get_host_cpu_features().flatten()
    return "+avx512f" in features


PANEL_COLS = 16  # one AVX-512 vector, two AVX2 ones
AVX512 = _has_avx512()
PANEL_ROWS = 8 if AVX512 else 4  # 8 (or 4 AVX2 x 2) accumulator registers
# The tiles that only AVX-512's shapes reach (``_quad``, ``_half``) sit under
# ``if AVX512:`` in ``_update_rows``: a global constant, so on AVX2 Numba
# prunes them before typing (0.11 CPU s less of a first import, measured).


def _tile(rows, vecs, masked=False):
    """An intrinsic for rows i..i+rows-1, columns j0..j0+vecs*PANEL_COLS-1 of
    ``out += op(a) @ b`` over k0..k1-1, the sums in vector registers.

    Written as LLVM IR: one ``<PANEL_COLS x float>`` sum per row and vector,
    per k ``vecs`` vector loads of ``b[k, j0:]``, one broadcast of ``a[i + r,
    k]`` per row and one ``llvm.fmuladd`` per sum -- the ``contract``
    semantics (a fused multiply-add wherever the CPU has one), so every
    element is one such chain whichever tile computes it. ``masked``: one
    vector whose loads and stores of ``b`` and ``out`` cover only its first
    ``width`` columns (a last argument, 1 to PANEL_COLS), for the columns left
    over at the end of a row; nothing outside them is read or written. As
    Python source of named sums for LLVM's SLP vectorizer to pack, the full
    tile cost about 2 CPU s of Numba's passes and LLVM's on a first import,
    and the leftover rows and columns, as row updates in Python loops, about
    1.3 CPU s; as IR, nothing measurable.
    """
    assert not masked or vecs == 1

    def typer(typingctx, af, a_row, a_col, bf, N, out, i, j0, k0, k1):
        return types.void(af, a_row, a_col, bf, N, out, i, j0, k0, k1), codegen

    def masked_typer(typingctx, af, a_row, a_col, bf, N, out, i, j0, k0, k1, width):
        return types.void(af, a_row, a_col, bf, N, out, i, j0, k0, k1, width), codegen

    def codegen(context, builder, signature, args):
        int64 = types.int64
        ints = [context.cast(builder, v, t, int64)
                for v, t in zip(args, signature.args) if isinstance(t, types.Integer)]
        a_row_, a_col_, n_, i_, j0_, k0_, k1_ = ints[:7]
        a_ptr = context.make_array(signature.args[0])(context, builder, args[0]).data
        b_ptr = context.make_array(signature.args[3])(context, builder, args[3]).data
        o_ptr = context.make_array(signature.args[5])(context, builder, args[5]).data
        i32, i64 = ir.IntType(32), ir.IntType(64)
        vec = ir.VectorType(a_ptr.type.pointee, PANEL_COLS)
        suffix = f"v{PANEL_COLS}f{8 * context.get_abi_sizeof(vec.element)}"  # v16f32
        fmuladd = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vec, [vec, vec, vec]), f"llvm.fmuladd.{suffix}")
        splat = ir.Constant(ir.VectorType(i32, PANEL_COLS), [0] * PANEL_COLS)
        undef = ir.Constant(vec, ir.Undefined)

        def broadcast(x, like):
            first = builder.insert_element(like, x, ir.Constant(i32, 0))
            return builder.shuffle_vector(first, like, splat)  # x in every lane

        if masked:  # lanes 0..width-1 on
            lanes = ir.Constant(ir.VectorType(i64, PANEL_COLS), list(range(PANEL_COLS)))
            width = broadcast(ints[7], ir.Constant(lanes.type, ir.Undefined))
            mask = builder.icmp_signed("<", lanes, width)  # <16 x i1>
            align = ir.Constant(i32, 4)
            # "p0": the pointer's name in the intrinsics with opaque pointers;
            # LLVM 14's typed pointers take it too (checked with numba 0.59)
            ptr = "p0"
            masked_load = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(vec, [vec.as_pointer(), i32, mask.type, vec]),
                f"llvm.masked.load.{suffix}.{ptr}")
            masked_store = cgutils.get_or_insert_function(
                builder.module,
                ir.FunctionType(ir.VoidType(), [vec, vec.as_pointer(), i32, mask.type]),
                f"llvm.masked.store.{suffix}.{ptr}")
            zeros = ir.Constant(vec, [0.0] * PANEL_COLS)

            def load(p):
                return builder.call(masked_load, [p, align, mask, zeros])

            def store(v, p):
                builder.call(masked_store, [v, p, align, mask])
        else:
            def load(p):
                return builder.load(p, align=4)

            def store(v, p):
                builder.store(v, p, align=4)

        def at(ptr, offset):
            return builder.gep(ptr, [offset], inbounds=True)

        cols = [builder.add(j0_, ir.Constant(i64, PANEL_COLS * v)) for v in range(vecs)]
        row_idx = [builder.add(i_, ir.Constant(i64, r)) for r in range(rows)]
        o_ptrs = [builder.bitcast(at(o_ptr, builder.add(builder.mul(row, n_), col)),
                                  vec.as_pointer())
                  for row in row_idx for col in cols]  # &out[i + r, j0 + 16 v], row-major
        a_rows = [builder.mul(row, a_row_) for row in row_idx]  # offset of op(a)[i + r, 0]
        start = [load(p) for p in o_ptrs]
        entry = builder.block
        loop = builder.append_basic_block("tile.k")
        done = builder.append_basic_block("tile.done")
        builder.cbranch(builder.icmp_signed("<", k0_, k1_), loop, done)
        builder.position_at_end(loop)
        k = builder.phi(i64)
        sums = [builder.phi(vec) for _ in o_ptrs]
        row_k = builder.mul(k, n_)
        bs = [load(builder.bitcast(at(b_ptr, builder.add(row_k, col)), vec.as_pointer()))
              for col in cols]  # b[k, j0 + 16 v : ...]
        c = builder.mul(k, a_col_)
        new = []
        for r, a_r in enumerate(a_rows):
            xs = broadcast(builder.load(at(a_ptr, builder.add(a_r, c))), undef)  # op(a)[i + r, k]
            new.extend(builder.call(fmuladd, [xs, v, sums[r * vecs + q]]) for q, v in enumerate(bs))
        k_next = builder.add(k, ir.Constant(i64, 1))
        body = builder.block
        k.add_incoming(k0_, entry)
        k.add_incoming(k_next, body)
        for s_, s0, s1 in zip(sums, start, new):
            s_.add_incoming(s0, entry)
            s_.add_incoming(s1, body)
        builder.cbranch(builder.icmp_signed("<", k_next, k1_), loop, done)
        builder.position_at_end(done)
        final = [builder.phi(vec) for _ in o_ptrs]  # phis first in a block
        for s_, s0, s1, p in zip(final, start, new, o_ptrs):
            s_.add_incoming(s0, entry)
            s_.add_incoming(s1, body)
            store(s_, p)
        return context.get_dummy_value()

    return intrinsic(masked_typer if masked else typer)


# PANEL_ROWS rows x 16 columns: the blocks of 8 (AVX-512) or 4 (AVX2) rows
_panel = _tile(PANEL_ROWS, 1)
_panel_left = _tile(PANEL_ROWS, 1, masked=True)
_quad = _tile(4, 1)  # four rows left over from blocks of 8
_quad_left = _tile(4, 1, masked=True)
# The rows left over (fewer than four: x^T dgates for a layer's 1-3 input
# features, (F x T*BT) @ (T*BT x G*H)): two at a time, PAIR_COLS columns at a
# time, so that b streams from L2 once per pair of rows; a last single row
# WIDE_COLS columns at a time (one broadcast feeding 8 sums). As row updates
# they ran at 16-28 GFLOP/s (b read once per row, out loaded and stored every
# four k); measured in ``benchmarks/README.md``.
PAIR_COLS = 2 * PANEL_COLS
WIDE_COLS = (8 if PANEL_ROWS == 8 else 4) * PANEL_COLS  # 8 zmm sums, or 8 ymm (AVX2)
_pair = _tile(2, PAIR_COLS // PANEL_COLS)
_two = _tile(2, 1)
_two_left = _tile(2, 1, masked=True)
_wide = _tile(1, WIDE_COLS // PANEL_COLS)
HALF_COLS = 4 * PANEL_COLS  # four sums of one row (on AVX2 a whole wide strip)
_half = _tile(1, HALF_COLS // PANEL_COLS)
_one = _tile(1, 1)
_one_left = _tile(1, 1, masked=True)


@njit(**INNER)
def _plain_rows(af, a_row, a_col, b, out, M, N, K):
    """``out += op(a) @ b`` in the plainest loops: the float64 products."""
    for i in range(M):
        for k in range(K):
            x = af[i * a_row + k * a_col]
            for j in range(N):
                out[i, j] += x * b[k, j]


# ----------------------------------------------------------------- linking
# The float32 loops are compiled ONCE, as a C-callable function whose address
# is registered with LLVM under a fixed name; the kernels reach it through
# ``gemm`` as an external function. Linked in as ordinary Numba calls, every
# kernel that multiplies re-optimized its own copy of them: the first default
# forecast then compiled for 22 s instead of 13 s (measured). The name is
# bound when compiled code is loaded, so kernels still cache on disk; the
# function itself is in Numba's cache too (about 2 CPU s to compile, once).
def _products(real):
    ptr = types.CPointer(real)
    i64 = types.int64
    signature = types.void(ptr, i64, i64, ptr, ptr, i64, i64, i64)
    # FMA's options: the tiles' sums stay fused multiply-adds
    compiled = cfunc(signature, cache=CACHE, error_model="numpy",
                     fastmath=FMA["fastmath"])(_update_rows)
    name = f"tsgate_matmul_{real}"
    llvm.add_symbol(name, compiled.address)
    uintp = types.uintp
    return types.ExternalFunction(name, types.void(uintp, i64, i64, uintp, uintp, i64, i64, i64))


_products_f32 = _products(types.float32)
