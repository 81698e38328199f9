"""Progress of a fit, shown when an estimator has ``verbose`` set.

On a terminal (``sys.stderr`` is a TTY) a tqdm bar on stderr counts the
epochs and shows the loss and validation loss; elsewhere (a log file, a pipe,
a notebook's captured output) each epoch prints one line on stdout, as
scikit-learn's estimators do. ``verbose=2`` or more always prints the lines.
The display is named after the estimator the user built: an estimator that
owns several regressors sets their ``_progress_name`` (see
``regressors._BaseRNNRegressor._logger``).
"""
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
        if int(verbose) == 1 and _is_terminal(sys.stderr):
            from tqdm import tqdm  # imported on first use: `import tsgate` stays quick

            self.bar = tqdm(total=max_iter, desc=name, unit="epoch", file=sys.stderr,
                            dynamic_ncols=True, leave=True)

    def __call__(self, epoch, loss, val_loss, seconds):
        if self.bar is not None:
            postfix = {"loss": f"{loss:.5f}"}
            if val_loss is not None:
                postfix["val_loss"] = f"{val_loss:.5f}"
            self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(epoch - self.bar.n)
            return
        val = "" if val_loss is None else f" - val_loss {val_loss:.5f}"
        print(f"{self.name} epoch {epoch}/{self.max_iter} - loss {loss:.5f}{val} - {seconds:.2f}s",
              flush=True)

    def close(self):
        """End the bar (at the epoch the fit stopped at, shown as complete)."""
        if self.bar is not None:
            self.bar.total = self.bar.n
            self.bar.refresh()
            self.bar.close()
            self.bar = None


def _is_terminal(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed streams
        return False
