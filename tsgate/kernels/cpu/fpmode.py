"""The processor's handling of subnormal floats, set around a kernel's loops.

Saturated gates (an LSTM trained at a learning rate of 1 or more) make
gradients so small that float32 stores them as subnormal numbers, below
1.18e-38. x86 processors compute on those through microcode assists, each
operation tens of times slower: such an LSTM fit's backward kernel took
8.3 s instead of 0.21 s, with 17% of its gate gradients subnormal
(``benchmarks/README.md``, session 41). Flushing them in the cell math did
not help enough (4% left, 4.8 s): products of small factors go subnormal at
too many points.

:func:`flush_subnormals` sets the processor's flush-to-zero and
denormals-are-zero modes (the FTZ and DAZ bits of the MXCSR register) in
the calling thread and returns the mode it found; :func:`restore_fp_mode`
puts that back. A kernel calls the pair around the work of each parallel
iteration, so the modes hold in Numba's worker threads too, and the
caller's floating-point environment is never left changed (NumPy and the
user's code run as before). Results change only where a subnormal number
would have appeared: the default fit of airline had none (counted), and
the default forecasts compared (airline, US employment, whole Tourism) are
the same bits. Each thread flushes alike, so results stay independent
of the number of threads.

On processors other than x86 both are no-ops returning 0: their mode
register is another one (AArch64's FPCR), not set here, and the slowdown
above was measured on x86 only.
"""
import platform

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686", "x86")
FTZ_DAZ = 0x8040  # MXCSR bit 15 (flush to zero) and bit 6 (denormals are zero)

_I32 = ir.IntType(32)
_SLOT = ir.FunctionType(ir.VoidType(), [ir.IntType(8).as_pointer()])


def _mxcsr(builder, name, slot):
    """Call LLVM's ``llvm.x86.sse.{stmxcsr,ldmxcsr}`` on the i32 ``slot``."""
    fn = cgutils.get_or_insert_function(builder.module, _SLOT, name)
    builder.call(fn, [builder.bitcast(slot, ir.IntType(8).as_pointer())])


def _read_mode(builder):
    """The i32 slot holding this thread's MXCSR, and its value (0 off x86)."""
    if not X86:
        return None, ir.Constant(_I32, 0)
    slot = cgutils.alloca_once(builder, _I32)
    _mxcsr(builder, "llvm.x86.sse.stmxcsr", slot)
    return slot, builder.load(slot)


@intrinsic
def flush_subnormals(typingctx):
    """Set FTZ and DAZ in this thread; return the mode before (uint32; 0 off x86)."""

    def codegen(context, builder, signature, args):
        slot, old = _read_mode(builder)
        if slot is not None:
            builder.store(builder.or_(old, ir.Constant(_I32, FTZ_DAZ)), slot)
            _mxcsr(builder, "llvm.x86.sse.ldmxcsr", slot)
        return old

    return types.uint32(), codegen


@intrinsic
def restore_fp_mode(typingctx, mode):
    """Put back the mode ``flush_subnormals`` returned (no-op off x86)."""
    if mode != types.uint32:
        return None

    def codegen(context, builder, signature, args):
        if X86:
            slot = cgutils.alloca_once(builder, _I32)
            builder.store(args[0], slot)
            _mxcsr(builder, "llvm.x86.sse.ldmxcsr", slot)
        return context.get_dummy_value()

    return types.void(types.uint32), codegen


@intrinsic
def fp_mode(typingctx):
    """This thread's mode (the MXCSR register; 0 off x86), for tests."""

    def codegen(context, builder, signature, args):
        return _read_mode(builder)[1]

    return types.uint32(), codegen
