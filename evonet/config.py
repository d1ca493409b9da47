"""evonet's settings, the scikit-learn way: ``set_config``, ``get_config``, ``config_context``.

One setting so far, ``n_threads``: how many threads of this process score the
chunks of a generation at once (``None``, the default: the cores this process
may run on, or inside a joblib worker the share of the cores joblib gave it).
Threads change speed only: every chunk is scored with single-threaded BLAS,
whichever thread scores it, so the results are the same for any setting.

As in scikit-learn, the settings are kept per thread: :func:`set_config` and
:func:`config_context` change them for the calling thread, which starts from
the defaults of the process.
"""

import contextlib
import numbers
import threading

__all__ = ["config_context", "get_config", "set_config"]

_DEFAULTS = {"n_threads": None}
_LOCAL = threading.local()


def _settings():
    """The calling thread's settings (mutable), made from the defaults on first use."""
    settings = getattr(_LOCAL, "settings", None)
    if settings is None:
        settings = _LOCAL.settings = dict(_DEFAULTS)
    return settings


def check_n_threads(n_threads):
    """``n_threads`` if it is ``None`` or an integer of at least 1, else ``ValueError``.

    Examples
    --------
    >>> check_n_threads(4), check_n_threads(None)
    (4, None)
    >>> check_n_threads(0)
    Traceback (most recent call last):
    ...
    ValueError: n_threads must be a positive integer or None (the cores available), got 0.
    """
    # evonet.checks is a sibling of this module in the bottom layer: not imported here
    is_int = isinstance(n_threads, numbers.Integral) and not isinstance(n_threads, bool)
    if n_threads is not None and (not is_int or n_threads < 1):
        raise ValueError(f"n_threads must be a positive integer or None (the cores "
                         f"available), got {n_threads!r}.")
    return None if n_threads is None else int(n_threads)


def get_config():
    """A copy of the current settings, as a dict.

    Examples
    --------
    >>> get_config()
    {'n_threads': None}
    """
    return dict(_settings())


def set_config(n_threads=None):
    """Change evonet's settings for the calling thread.

    Parameters
    ----------
    n_threads : int or None, default=None
        Threads of this process that score the chunks of a generation at
        once; ``None``: the cores available (``os.sched_getaffinity``), or
        inside a joblib worker the share of the cores joblib gave it. ``1``
        scores them one after another in the calling thread. The results do
        not depend on it. Process workers (``n_jobs``) score their chunks on
        one thread each.

    Raises
    ------
    ValueError
        If ``n_threads`` is neither ``None`` nor an integer of at least 1.

    Examples
    --------
    >>> import evonet
    >>> evonet.set_config(n_threads=2)
    >>> evonet.get_config()["n_threads"]
    2
    >>> evonet.set_config(n_threads=None)
    """
    _settings()["n_threads"] = check_n_threads(n_threads)


@contextlib.contextmanager
def config_context(*, n_threads=None):
    """Settings for the code inside a ``with`` block (of the calling thread).

    Parameters
    ----------
    n_threads : int or None, default=None
        As in :func:`set_config`.

    Examples
    --------
    >>> import evonet
    >>> with evonet.config_context(n_threads=1):
    ...     evonet.get_config()["n_threads"]
    1
    >>> evonet.get_config()["n_threads"] is None
    True
    """
    n_threads = check_n_threads(n_threads)
    settings = _settings()
    old = dict(settings)
    settings["n_threads"] = n_threads
    try:
        yield
    finally:
        settings.clear()
        settings.update(old)
