"""Zip archives of one JSON document and ``.npy`` arrays: atomic writes, safe reads.

Both evonet file kinds (models and checkpoints) are such an archive. Writing
goes through a temporary file in the destination's folder that is flushed,
``fsync``-ed and moved over the destination with ``os.replace``, so a crash at
any moment leaves either the old file or the new one, never a mix. Reading
never unpickles: every array header is parsed and checked (plain numeric,
boolean or unicode dtype, size matching the bytes present) before the array is
loaded with ``allow_pickle=False``, and every failure of the zip container,
the JSON or an array becomes a ``ValueError`` naming the member.
"""

import contextlib
import errno
import glob
import io
import json
import math
import os
import stat
import struct
import tempfile
import zipfile
import zlib

import numpy as np

__all__ = ["Archive", "WriteError", "atomic_write", "remove_temporaries", "write_archive",
           "write_problem"]

MAX_DOCUMENT_BYTES = 256 * 2**20
"""Largest JSON document read (a checkpoint's logbook and object graph)."""

MAX_ARRAY_BYTES = 8 * 2**30
"""Largest single array read."""

ARRAY_KINDS = "fiubU"
"""dtype kinds an archive may hold: floats, integers, booleans and unicode strings."""

_CONTAINER_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
                     struct.error, NotImplementedError, RuntimeError, KeyError, IndexError,
                     OverflowError, UnicodeDecodeError, ValueError, TypeError, MemoryError)

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
    if problem is not None and mode is not None:  # a folder, a read-only file (else mkstemp says)
        raise WriteError(errno.EISDIR if stat.S_ISDIR(mode) else errno.EACCES,
                         f"could not write {shown}: {problem}")
    if mode is not None and not stat.S_ISREG(mode):  # a device or a pipe: no file to replace
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
    return _write_problem(os.fspath(path))[0]


def _write_problem(path):
    """``(problem or None, st_mode of what is there or None)``."""
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


def _write_in_place(path, write):
    try:
        with open(path, "wb") as f:
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


def write_archive(path, document_name, document, arrays):
    """Atomically write a zip of ``document`` (JSON) and ``arrays`` (``arrays/NAME.npy``).

    Parameters
    ----------
    path : str or os.PathLike
    document_name : str
        Member name of the JSON document (``model.json``, ``checkpoint.json``).
    document : dict
        JSON-ready values only (``NaN`` and infinities are refused).
    arrays : dict of str to ndarray
        Arrays of numbers, booleans or unicode strings (never objects).

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "a.zip")
    >>> write_archive(path, "doc.json", {"n": 1}, {"w": np.arange(3.0)})
    >>> with Archive(path, "doc.json") as archive:
    ...     archive.document, archive.array("w", "w").tolist()
    ({'n': 1}, [0.0, 1.0, 2.0])
    """
    text = json.dumps(document, allow_nan=False, separators=(",", ":")).encode()
    for name, array in arrays.items():
        if not isinstance(array, np.ndarray) or array.dtype.kind not in ARRAY_KINDS \
                or array.dtype.fields is not None:
            raise ValueError(f"array {name!r} cannot be saved: only arrays of numbers, booleans "
                             f"or strings are (got {type(array).__name__} "
                             f"{getattr(array, 'dtype', '')}).")

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(document_name, text)
            for name, array in arrays.items():
                with archive.open(f"arrays/{name}.npy", "w",
                                  force_zip64=array.nbytes > 2**30) as member:
                    np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)

    atomic_write(path, write)


class Archive:
    """A zip archive written by :func:`write_archive`, read without trusting it.

    Opening parses the JSON document; :meth:`array` reads one array. Every
    problem with the container, the document or an array raises
    ``ValueError`` naming the file and the member or field. A missing file
    raises ``FileNotFoundError``.

    Parameters
    ----------
    path : str or os.PathLike
    document_name : str
    what : str, default="evonet file"
        How errors describe the file.

    Attributes
    ----------
    document : dict

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.zip")
    >>> write_archive(path, "doc.json", {"kind": "example"}, {})
    >>> with Archive(path, "doc.json") as archive:
    ...     archive.document["kind"], archive.array_names()
    ('example', [])
    """

    def __init__(self, path, document_name, what="evonet file"):
        self.path = os.fspath(path)
        self.what = what
        with open(self.path, "rb") as f:   # FileNotFoundError and friends stay as they are
            data = f.read()
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self._members = {info.filename: info for info in self._zip.infolist()}
        except _CONTAINER_ERRORS as exc:
            raise self.error(f"is not a valid {what} (not a readable zip archive: "
                             f"{_describe(exc)})") from None
        if document_name not in self._members:
            raise self.error(f"is not a valid {what}: it has no {document_name} member")
        raw = self._read(document_name, MAX_DOCUMENT_BYTES)
        try:
            document = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except RecursionError:
            raise self.error(f"{document_name} is nested too deeply") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise self.error(f"{document_name} is not valid JSON ({_describe(exc)})") from None
        if not isinstance(document, dict):
            raise self.error(f"{document_name} must hold a JSON object")
        self.document = document

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._zip.close()

    def error(self, message):
        """A ``ValueError`` about this file: ``PATH is not ...`` or ``PATH: what is wrong``."""
        separator = " " if message.startswith("is ") else ": "
        return ValueError(f"{self.path}{separator}{message.rstrip('.')}.")

    def has_array(self, name):
        """Whether the archive holds ``arrays/NAME.npy``."""
        return f"arrays/{name}.npy" in self._members

    def array_names(self):
        """Names of all arrays in the archive."""
        return sorted(n[len("arrays/"):-len(".npy")] for n in self._members
                      if n.startswith("arrays/") and n.endswith(".npy"))

    def _read(self, member, limit):
        info = self._members[member]
        if info.file_size > limit:
            raise self.error(f"member {member} is too large ({info.file_size} bytes)")
        try:
            with self._zip.open(info) as f:
                data = f.read(info.file_size + 1)
        except _CONTAINER_ERRORS as exc:
            raise self.error(f"member {member} is corrupted ({_describe(exc)})") from None
        if len(data) != info.file_size:
            raise self.error(f"member {member} is truncated")
        return data

    def array(self, name, field):
        """The array ``arrays/NAME.npy``; errors name ``field``.

        The header is checked before anything is loaded: a pickled (object)
        array, a structured dtype or a size that does not match the bytes
        present is refused.
        """
        member = f"arrays/{name}.npy"
        if member not in self._members:
            raise self.error(f"field {field!r}: the array {member} is missing")
        data = self._read(member, MAX_ARRAY_BYTES)
        return parse_npy(data, lambda message: self.error(f"field {field!r}: {message}"))


def parse_npy(data, error):
    """Load ``.npy`` bytes after checking their header; ``error(message)`` makes the exception.

    Examples
    --------
    >>> buffer = io.BytesIO()
    >>> np.save(buffer, np.array([1, 2]), allow_pickle=False)
    >>> parse_npy(buffer.getvalue(), ValueError)
    array([1, 2])
    >>> buffer = io.BytesIO()
    >>> np.save(buffer, np.array([{}], dtype=object), allow_pickle=True)
    >>> parse_npy(buffer.getvalue(), ValueError)
    Traceback (most recent call last):
    ...
    ValueError: holds Python objects (a pickle), which evonet never loads
    """
    f = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"unknown .npy version {version}")
    except Exception as exc:  # numpy's header parser raises several kinds
        raise error(f"not a valid .npy array ({_describe(exc)})") from None
    if dtype.hasobject:
        raise error("holds Python objects (a pickle), which evonet never loads")
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise error(f"has the unsupported dtype {dtype}")
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise error(f"has an invalid shape {shape!r}")
    expected = math.prod(shape) * dtype.itemsize
    if len(data) - f.tell() != expected:
        raise error(f"holds {len(data) - f.tell()} bytes of data where shape {shape} and dtype "
                    f"{dtype} need {expected}")
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as exc:
        raise error(f"not a valid .npy array ({_describe(exc)})") from None
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array


def _refuse_constant(name):
    raise ValueError(f"the non-standard constant {name} is not allowed")


def _describe(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__
