"""Ctrl-C (SIGINT) and SIGTERM at the command line: the run is saved, then the command exits.

A ``KeyboardInterrupt`` inside a fit writes the checkpoint of the last
complete generation before it propagates (:func:`evonet.runs.run_generations`),
but only if it arrives while a generation is being scored or between two:
one that lands while the progress line is printed, say, comes after the
strategy was told and before the run was marked complete, and leaves only the
last periodic checkpoint (none before the first write). So while a fit runs,
the command's handler notes the signal and :class:`StopAtGenerationEnd`, the
last callback of every run, raises it once the generation is complete and
seen by the checkpoint's callbacks. A second signal stops at once. SIGTERM
raises :class:`Terminated`, a ``KeyboardInterrupt``, so it saves the run the
same way; :func:`evonet.cli.main` exits with 130 after SIGINT, 143 after
SIGTERM.
"""

import signal
from contextlib import contextmanager

from evonet.callbacks import Callback

__all__ = ["StopAtGenerationEnd", "Terminated", "handle_signals", "raised_after"]


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as Ctrl-C's ``KeyboardInterrupt`` is (and saved the same way)."""


class _Signals:
    """The handler of SIGINT and SIGTERM, and the signal it holds back during a fit."""

    def __init__(self):
        self.deferring = False
        self.pending = None
        self.seen = None

    def handle(self, signum, frame):
        self.seen = signum
        if self.deferring and self.pending is None:
            self.pending = signum   # raised at the end of this generation
            return
        self.raise_signal(signum)

    def raise_signal(self, signum):
        self.pending = None
        if signum == signal.SIGTERM:
            raise Terminated()
        raise KeyboardInterrupt()


_SIGNALS = _Signals()


@contextmanager
def handle_signals():
    """SIGINT and SIGTERM raise ``KeyboardInterrupt`` / :class:`Terminated` inside the block.

    Only in the main thread, and SIGINT only where it is not ignored (a
    command started with ``nohup`` keeps ignoring it). The previous handlers
    come back afterwards, so calling :func:`evonet.cli.main` from Python
    leaves the process as it was.

    Examples
    --------
    >>> import signal
    >>> before = signal.getsignal(signal.SIGTERM)
    >>> with handle_signals():
    ...     signal.getsignal(signal.SIGTERM) is before    # ours inside (in the main thread)
    False
    >>> signal.getsignal(signal.SIGTERM) is before
    True
    """
    previous = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, _SIGNALS.handle)
    except ValueError:   # not the main thread: signals are not ours to handle
        pass
    _SIGNALS.pending = None
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def raised_after():
    """A block of code that swallows ``KeyboardInterrupt``: a signal in it is raised after it.

    scikit-learn's MLPs end their training quietly on ``KeyboardInterrupt``
    (with a warning), so a Ctrl-C or SIGTERM while ``evonet fit`` trains its
    comparison MLP ended in exit code 0 and a half-trained MLP's score. The
    signal still ends the MLP's training at once (there is nothing to save),
    and is raised again when the block ends.

    Examples
    --------
    >>> with raised_after():
    ...     pass   # no signal came: nothing is raised
    """
    _SIGNALS.seen = None
    yield
    if _SIGNALS.seen is not None:
        _SIGNALS.raise_signal(_SIGNALS.seen)


class StopAtGenerationEnd(Callback):
    """Hold SIGINT and SIGTERM back while a fit runs, and raise them at a generation's end.

    Added last to the runs started inside :meth:`deferring` (through
    :func:`evonet.runs.fit_context`), so the run's own callbacks, its
    checkpoint's included, have seen the generation when it raises.

    Examples
    --------
    >>> stop = StopAtGenerationEnd()
    >>> with stop.deferring():
    ...     pass   # a fit
    >>> stop.raise_pending()   # nothing held back: returns
    """

    @contextmanager
    def deferring(self):
        """The block (a fit) during which a first signal waits for the generation's end.

        A signal that came in the fit's last generation stays held back (the
        fit is complete, and its model worth saving) until :meth:`raise_pending`.
        """
        _SIGNALS.deferring = True
        try:
            yield
        finally:
            _SIGNALS.deferring = False

    def raise_pending(self):
        """Raise the signal held back since the end of the fit, if any."""
        if _SIGNALS.pending is not None:
            _SIGNALS.raise_signal(_SIGNALS.pending)

    def on_generation(self, run):
        if _SIGNALS.pending is not None:
            _SIGNALS.raise_signal(_SIGNALS.pending)
