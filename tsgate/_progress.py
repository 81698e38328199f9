"""Progress of a fit, shown when an estimator has ``verbose`` set.

On a terminal (``sys.stderr`` is a TTY) a tqdm bar on stderr counts the
epochs and shows the loss and validation loss; elsewhere (a log file, a pipe,
a notebook's captured output) lines on stdout, as scikit-learn's estimators
print: the first epoch, every tenth of ``max_iter`` and the last (a default
forecaster trains 12 networks of some 200 epochs: a line per epoch made
2,451 lines). ``verbose=2`` or more always prints a line per epoch.
The display is named after the estimator the user built: an estimator that
owns several regressors sets their ``_progress_name`` (see
``regressors._BaseRNNRegressor._logger``). A forecaster's ensemble, whose
members fit two or more at once, shares ONE bar (:class:`EnsembleProgress`):
the epochs of all its members, the model and loss of the latest epoch.
"""
import threading
import os
import sys


_LINES = threading.Lock()  # an ensemble's members print from several threads


def _print_line(text):
    """``text`` and its newline on stdout in one write, whole: ``print``
    writes them apart, and two members' lines ran together on one line."""
    out = sys.stdout
    if out is None:  # pythonw, some services: print() wrote nowhere, silently
        return
    with _LINES:
        out.write(text + "\n")
        out.flush()


class EpochProgress:
    """The ``log(epoch, loss, val_loss, seconds)`` callback of ``engine.train``.

    Parameters
    ----------
    name : str
        What the bar or the lines are labelled with.
    max_iter : int
        The most epochs the fit may run.
    verbose : int or bool
        1 (True): a bar on a terminal, else lines; 2 or more: lines.
    """

    def __init__(self, name, max_iter, verbose):
        self.name = name
        self.max_iter = max_iter
        self.bar = None
        self.every = 1 if int(verbose) >= 2 else max(1, max_iter // 10)  # lines: epochs apart
        self.pending = None  # the last epoch's line, not printed yet
        tqdm = _tqdm() if int(verbose) == 1 and _is_terminal(sys.stderr) else None
        if tqdm is not None:  # (without tqdm: the lines)
            self.bar = tqdm(total=max_iter, desc=name, unit="epoch", file=sys.stderr,
                            leave=True, **_bar_size(sys.stderr))

    def __call__(self, epoch, loss, val_loss, seconds):
        if self.bar is not None:
            self.bar.set_postfix(_losses(loss, val_loss), refresh=False)
            self.bar.update(epoch - self.bar.n)
            return
        val = "" if val_loss is None else f" - val_loss {val_loss:.5f}"
        self.pending = (f"{self.name} epoch {epoch}/{self.max_iter} - loss {loss:.5f}{val} - "
                        f"{seconds:.2f}s")
        if epoch == 1 or epoch % self.every == 0 or epoch == self.max_iter:
            _print_line(self.pending)
            self.pending = None

    def close(self, completed=True):
        """End the display: where the fit ``completed``, the bar at the epoch
        it stopped at, shown as complete (else where it was); the line of the
        last epoch if it was not printed."""
        if self.pending is not None:
            _print_line(self.pending)
            self.pending = None
        if self.bar is not None:
            if completed:  # stopped early: complete; interrupted: where it was
                self.bar.total = self.bar.n
            self.bar.refresh()
            self.bar.close()
            self.bar = None


class EnsembleProgress:
    """One bar on a terminal for the fits of a forecaster's ensemble, which run
    at once on several threads (``verbose=1`` only; elsewhere each member
    prints its lines, see :class:`EpochProgress`).

    Members register with :meth:`member` when their fit starts: the bar's
    total grows by their ``max_iter``, and shrinks by the epochs an early
    stop leaves unrun. While they run, the bar names the member of the latest
    epoch; at the end, how many models were fitted (members finish out of
    order: the last epoch's "model 2/3" read as if the fit had stopped there).
    """

    def __init__(self, name):
        tqdm = _tqdm()

        self.lock = threading.Lock()
        self.fitted = 0  # members whose fit ended
        self.losses = {}  # of the latest epoch
        self.bar = tqdm(total=0, desc=name, unit="epoch", file=sys.stderr, leave=True,
                        **_bar_size(sys.stderr))

    @staticmethod
    def wanted(verbose):
        """Whether ``verbose`` asks for a bar here (1 on a terminal)."""
        return int(verbose) == 1 and _is_terminal(sys.stderr) and _tqdm() is not None

    def member(self, name, max_iter):
        """The ``log`` callback (with ``close``) of one member's fit."""
        with self.lock:
            self.bar.total += max_iter
            self.bar.refresh()
        return _Member(self, name, max_iter)

    def close(self, completed=True):
        """End the bar: where the fit ``completed``, the count of fitted
        models and the loss of the last epoch; else where it was."""
        with self.lock:
            if completed and self.fitted:
                self.bar.set_postfix({"models fitted": self.fitted, **self.losses},
                                     refresh=False)
            self.bar.close()


class _Member:
    def __init__(self, shared, name, max_iter):
        self.shared, self.name, self.max_iter, self.done = shared, name, max_iter, 0

    def __call__(self, epoch, loss, val_loss, seconds):
        losses = _losses(loss, val_loss)
        postfix = {"model": self.name.split(", ", 1)[-1], **losses}
        with self.shared.lock:
            self.shared.losses = losses
            self.shared.bar.set_postfix(postfix, refresh=False)
            self.shared.bar.update(epoch - self.done)
        self.done = epoch

    def close(self, completed=True):
        """End one member's part: where its fit ``completed``, count it and
        take the epochs an early stop left unrun out of the total (not from
        ``sys.exc_info()``: a fit run inside the caller's ``except`` block
        read as interrupted and left its unrun epochs in the total)."""
        if not completed:  # interrupted: the bar stays where it was
            return
        with self.shared.lock:  # an early stop: the epochs not run leave the total
            self.shared.fitted += 1
            self.shared.bar.total -= self.max_iter - self.done
            self.shared.bar.refresh()


def _losses(loss, val_loss):
    """A bar's postfix: the epoch's loss and, with early stopping, validation loss."""
    return {"loss": f"{loss:.5f}"} if val_loss is None else {
        "loss": f"{loss:.5f}", "val_loss": f"{val_loss:.5f}"}


def _terminal_size(stream):
    """(columns, lines) the terminal behind ``stream`` reports (0 for a
    pseudo-terminal never sized), or None where there is no terminal to ask."""
    try:
        return tuple(os.get_terminal_size(stream.fileno()))
    except (AttributeError, OSError, ValueError):
        return None


def _bar_size(stream):
    """tqdm's size options: the terminal's, followed as it is resized, unless
    it reports a width or a height of 0 (a pseudo-terminal never sized,
    e.g. under ``script``): tqdm then drew a bar of width 0, or hid it as
    beyond the screen's 0 lines, that is nothing; it gets 120 x 24."""
    size = _terminal_size(stream)
    if size is not None and 0 in size:
        return {"ncols": size[0] or 120, "nrows": size[1] or 24}
    return {"dynamic_ncols": True}


def _tqdm():
    """tqdm's bar class, imported on first use (``import tsgate`` stays quick),
    or None where it cannot be imported: the progress is then printed as
    lines (a verbose fit on a terminal failed with ModuleNotFoundError)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


def _is_terminal(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed streams
        return False
