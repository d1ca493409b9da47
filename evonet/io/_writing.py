"""Atomic writes: a temporary file in the destination's folder, ``fsync``-ed, moved into place.

A crash at any moment leaves either the old file or the new one, never a mix;
what a path is stays what it was (a symbolic link, a file's permissions, a
device), and :func:`write_problem` says before a long run whether a path can
be written at all.
"""

import contextlib
import errno
import glob
import os
import stat
import tempfile

__all__ = ["WriteError", "atomic_write", "remove_temporaries", "write_problem"]

NO_FILE_NAME = "it needs a file name"

_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _temporary_pattern(path):
    # next to the file a symbolic link points to, where the write puts them
    folder, name = os.path.split(os.path.realpath(os.fspath(path)))
    return folder, f".{name}.", ".tmp"


class WriteError(OSError):
    """A file could not be written: ``strerror`` names the destination and the reason.

    The ``OSError`` of the temporary file behind the write is its ``__cause__``.

    Examples
    --------
    >>> import os, tempfile
    >>> missing = os.path.join(tempfile.mkdtemp(), "no-such-folder", "x.bin")
    >>> try:
    ...     atomic_write(missing, lambda f: f.write(b"abc"))
    ... except WriteError as exc:
    ...     print(str(exc).startswith(f"could not write {missing}"))
    True
    """

    def __str__(self):
        return self.strerror or super().__str__()


def atomic_write(path, write):
    """Write ``path`` atomically: ``write(file)`` fills a temporary file that replaces it.

    The temporary file lives in the same folder (so ``os.replace`` is atomic),
    is flushed and ``fsync``-ed before the replace, and is removed if
    ``write`` fails. The folder is ``fsync``-ed after the replace where the
    system allows it, so the new name survives a power cut too.

    What ``path`` is stays what it was: a symbolic link keeps pointing where it
    did (the file it points to is replaced), a file replaced keeps its
    permissions, a read-only file or a folder is refused, and a device or a
    named pipe (``/dev/null``, say) is written in place, as no temporary file
    can stand in for it.

    Parameters
    ----------
    path : str or os.PathLike
    write : callable
        ``write(file)`` writes the content to a binary file object.

    Raises
    ------
    WriteError
        When the file system refuses the write (a missing or read-only
        folder, a full disk), naming ``path`` rather than the temporary file;
        whatever was at ``path`` before is left as it was.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "x.bin")
    >>> atomic_write(path, lambda f: f.write(b"abc"))
    >>> open(path, "rb").read()
    b'abc'
    """
    shown = os.fspath(path)
    problem, mode = _write_problem(shown)
    # a folder, a read-only file, no file name (a missing folder: mkstemp says so)
    if problem is not None and (mode is not None or problem == NO_FILE_NAME):
        code = errno.EINVAL if mode is None else \
            errno.EISDIR if stat.S_ISDIR(mode) else errno.EACCES
        raise WriteError(code, f"could not write {shown}: {problem}")
    if mode is not None and (not stat.S_ISREG(mode) or _stream(shown)):
        # a device or a pipe, or /dev/stdout sent to a file: no file to replace
        _write_in_place(shown, write)
        return
    path = os.path.realpath(shown)  # a symbolic link's file is replaced, the link kept
    folder, prefix, suffix = _temporary_pattern(path)
    try:
        fd, temporary = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    except OSError as exc:
        raise WriteError(exc.errno, f"could not write {shown}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise WriteError(exc.errno, f"could not write {shown}: "
                                        f"{exc.strerror or exc}") from exc
        raise
    with contextlib.suppress(OSError, AttributeError):
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def write_problem(path):
    """Why ``path`` cannot be written, or ``None``: what a write checks before it starts.

    A file may be written where its folder (the folder of the file a
    symbolic link points to) exists and is writable, and where what is
    already there is not a folder and may be written (a read-only file is
    not replaced); a device or a named pipe only needs to be writable. A
    command checks its output paths with this before hours of work.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> print(write_problem(os.path.join(folder, "x.csv")))
    None
    >>> write_problem(folder)
    'it is a folder, not a file'
    >>> write_problem(os.path.join(folder, "no", "x.csv")).endswith("does not exist")
    True
    """
    try:
        path = os.fsdecode(os.fspath(path))
    except TypeError:
        raise ValueError(f"path must be a str or os.PathLike, got {path!r}.") from None
    return _write_problem(path)[0]


def _write_problem(path):
    """``(problem or None, st_mode of what is there or None)``."""
    if not path or path.endswith(os.sep) or (os.altsep and path.endswith(os.altsep)):
        return NO_FILE_NAME, None
    try:
        mode = os.stat(path).st_mode  # through links, /dev/stdout's included
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    except OSError as exc:
        return exc.strerror or str(exc), None
    if mode is not None and stat.S_ISDIR(mode):
        return "it is a folder, not a file", mode
    if mode is not None and not os.access(path, os.W_OK):
        return ("it is read-only" if stat.S_ISREG(mode) else "it is not writable"), mode
    if mode is not None and not stat.S_ISREG(mode):
        return None, mode
    folder = os.path.dirname(os.path.realpath(path))
    if not os.path.exists(folder):
        return f"the folder {folder} does not exist", mode
    if not os.path.isdir(folder):
        return f"{folder} is a file, not a folder", mode
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable", mode
    return None, mode


def _stream(path):
    """Whether ``path`` names a stream of this process (``/dev/stdout``, ``/dev/fd/N``): a
    shell's ``>> log`` behind it is appended to, never replaced (a file in ``/dev/shm``
    is a file like any other)."""
    path = os.path.abspath(path)
    return path in ("/dev/stdout", "/dev/stderr") or path.startswith("/dev/fd/") \
        or (path.startswith("/proc/") and "/fd/" in path)


def _write_in_place(path, write):
    try:
        # appended: a shell's "> out" has emptied the file already, and ">> log" must keep it
        with open(path, "ab") as f:
            write(f)
    except OSError as exc:
        raise WriteError(exc.errno, f"could not write {path}: {exc.strerror or exc}") from exc


def remove_temporaries(path):
    """Remove temporary files left next to ``path`` by writes a crash interrupted.

    Examples
    --------
    >>> import os, tempfile
    >>> remove_temporaries(os.path.join(tempfile.mkdtemp(), "x.ckpt"))
    0
    """
    folder, prefix, suffix = _temporary_pattern(path)
    removed = 0
    for name in glob.glob(os.path.join(glob.escape(folder), glob.escape(prefix) + "*" + suffix)):
        with contextlib.suppress(OSError):
            os.unlink(name)
            removed += 1
    return removed
