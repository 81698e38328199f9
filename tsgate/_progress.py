"""Progress of a fit, shown when an estimator has ``verbose`` set.

On a terminal (``sys.stderr`` is a TTY) a tqdm bar on stderr counts the
epochs and shows the loss and validation loss; elsewhere (a log file, a pipe,
a notebook's captured output) lines on stdout, as scikit-learn's estimators
print: the first epoch, every tenth of ``max_iter`` and the last (a default
forecaster trains 12 networks of some 200 epochs: a line per epoch made
2,451 lines). ``verbose=2`` or more always prints a line per epoch.
The display is named after the estimator the user built: an estimator that
owns several regressors sets their ``_progress_name`` (see
``regressors._BaseRNNRegressor._logger``).
"""
import os
import sys


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
        if int(verbose) == 1 and _is_terminal(sys.stderr):
            from tqdm import tqdm  # imported on first use: `import tsgate` stays quick

            # a terminal that reports no width (a pseudo-terminal never sized)
            # would get a bar of width 0, that is nothing
            width = {"ncols": 120} if _columns(sys.stderr) == 0 else {"dynamic_ncols": True}
            self.bar = tqdm(total=max_iter, desc=name, unit="epoch", file=sys.stderr,
                            leave=True, **width)

    def __call__(self, epoch, loss, val_loss, seconds):
        if self.bar is not None:
            postfix = {"loss": f"{loss:.5f}"}
            if val_loss is not None:
                postfix["val_loss"] = f"{val_loss:.5f}"
            self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(epoch - self.bar.n)
            return
        val = "" if val_loss is None else f" - val_loss {val_loss:.5f}"
        self.pending = (f"{self.name} epoch {epoch}/{self.max_iter} - loss {loss:.5f}{val} - "
                        f"{seconds:.2f}s")
        if epoch == 1 or epoch % self.every == 0 or epoch == self.max_iter:
            print(self.pending, flush=True)
            self.pending = None

    def close(self):
        """End the display: the bar at the epoch the fit stopped at, shown as
        complete; the line of the last epoch if it was not printed."""
        if self.pending is not None:
            print(self.pending, flush=True)
            self.pending = None
        if self.bar is not None:
            self.bar.total = self.bar.n
            self.bar.refresh()
            self.bar.close()
            self.bar = None


def _columns(stream):
    """The width the terminal behind ``stream`` reports (0 for a pseudo-terminal
    never sized), or None where ``stream`` has no terminal to ask."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return None


def _is_terminal(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed streams
        return False
