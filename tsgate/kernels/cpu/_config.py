"""Compile options shared by every CPU kernel.

``error_model="numpy"`` drops Python's division checks, which otherwise stop the
gate loops from vectorizing; ``cache=True`` keeps compile time to the first run
on a machine; ``nogil`` lets two fits in two threads run at once.
"""
JIT = dict(cache=True, nogil=True, error_model="numpy")
PARALLEL_JIT = dict(JIT, parallel=True)
