"""Zip archives of one JSON document and ``.npy`` arrays: atomic writes, safe reads.

Both evonet file kinds (models and checkpoints) are such an archive. Writing
is atomic (:mod:`evonet.io._writing`): a crash at any moment leaves either the
old file or the new one, never a mix. Reading
never unpickles: every array header is parsed and checked (plain numeric,
boolean or unicode dtype, size matching the bytes present) before the array is
loaded with ``allow_pickle=False``, and every failure of the zip container,
the JSON or an array becomes a ``ValueError`` naming the member.
"""

import io
import json
import math
import os
import struct
import zipfile
import zlib

import numpy as np

from evonet.io._writing import atomic_write

__all__ = ["Archive", "write_archive"]

MAX_DOCUMENT_BYTES = 256 * 2**20
"""Largest JSON document read (a checkpoint's logbook and object graph)."""

MAX_ARRAY_BYTES = 8 * 2**30
"""Largest single array read."""

ARRAY_KINDS = "fiubU"
"""dtype kinds an archive may hold: floats, integers, booleans and unicode strings."""

_CONTAINER_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
                     struct.error, NotImplementedError, RuntimeError, KeyError, IndexError,
                     OverflowError, UnicodeDecodeError, ValueError, TypeError, MemoryError)

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
