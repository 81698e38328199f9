"""A fit that raises leaves its estimator as it was before the call."""
import contextlib
import copy


@contextlib.contextmanager
def restored_on_failure(estimator, deep=()):
    """Put ``estimator``'s attributes back as they were if the block raises
    (a refused input, an interrupt): a fit sets some fitted attributes
    before its checks or its training end.

    Parameters
    ----------
    estimator : object
    deep : tuple of str
        Attributes the block may change in place (a warm start's weights
        and optimizer moments): copied first, so that their values come
        back too, not only the objects.
    """
    before = dict(estimator.__dict__)
    for name in deep:
        if name in before:
            before[name] = copy.deepcopy(before[name])
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(before)
        raise
