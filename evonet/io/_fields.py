"""Checked access to the fields of a model file: every error names the field."""

import math
import numbers

import numpy as np

__all__ = ["Fields", "jsonable"]


def jsonable(value, name):
    """``value`` as plain JSON values (tuples become lists); ``ValueError`` if it has no
    JSON form.

    Examples
    --------
    >>> jsonable({"a": (1, 2.5), "b": np.int64(3)}, "params")
    {'a': [1, 2.5], 'b': 3}
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        value = value.item()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        if not np.isfinite(value):
            raise ValueError(f"{name} = {value!r} cannot be saved (not finite).")
        return float(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v, f"{name}[{k}]") for k, v in enumerate(value)]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: jsonable(v, f"{name}[{k!r}]") for k, v in value.items()}
    raise ValueError(f"{name} = {value!r} cannot be saved in a model file.")


class Fields:
    """Typed reads from a JSON object of an :class:`~evonet.io._archive.Archive`.

    Each method takes a dotted field name, reads it from the document and
    checks it; failures raise ``ValueError`` naming the file and the field.
    The top-level fields and the arrays read are recorded, so that a reader
    can refuse, once done, what no part of it knew (:meth:`refuse_unread`).

    Parameters
    ----------
    archive : Archive
    newer_minor : bool, default=False
        The file is of a newer minor version than this evonet writes: fields
        and arrays this version does not know are then ignored, not refused.

    Examples
    --------
    >>> import os, tempfile
    >>> from evonet.io import Archive, write_archive
    >>> path = os.path.join(tempfile.mkdtemp(), "a.zip")
    >>> write_archive(path, "doc.json", {"n": 3, "extra": 1}, {})
    >>> with Archive(path, "doc.json") as archive:  # doctest: +ELLIPSIS
    ...     fields = Fields(archive)
    ...     n = fields.integer("n", 1, 10)
    ...     fields.refuse_unread()
    Traceback (most recent call last):
    ...
    ValueError: ...a.zip: field 'extra' is not a known field.
    """

    def __init__(self, archive, newer_minor=False):
        self.archive = archive
        self.newer_minor = newer_minor
        self.fields_read = set()
        self.arrays_read = set()

    def error(self, field, message):
        return self.archive.error(f"field {field!r} {message}")

    def refuse_unread(self, expected=()):
        """Raise for the first top-level field not read so far, and not in ``expected``."""
        unknown = sorted(set(self.archive.document) - self.fields_read - set(expected))
        if unknown and not self.newer_minor:
            raise self.error(unknown[0], "is not a known field")

    def refuse_unread_arrays(self):
        """Raise for the first array of the archive not read so far."""
        extra = sorted(set(self.archive.array_names()) - self.arrays_read)
        if extra and not self.newer_minor:
            raise self.error(f"arrays/{extra[0]}.npy", "is not a known array")

    def raw(self, field, optional=False):
        self.fields_read.add(field.split(".")[0])
        value = self.archive.document
        for part in field.split("."):
            if not isinstance(value, dict) or part not in value:
                if optional:
                    return None
                raise self.error(field, "is missing")
            value = value[part]
        return value

    def object(self, field, keys, optional_keys=(), optional=False):
        value = self.raw(field, optional)
        if value is None and optional:
            return None
        if not isinstance(value, dict):
            raise self.error(field, "must be a JSON object")
        missing = [k for k in keys if k not in value]
        if missing:
            raise self.error(f"{field}.{missing[0]}", "is missing")
        unknown = sorted(set(value) - set(keys) - set(optional_keys))
        if unknown and not self.newer_minor:
            raise self.error(f"{field}.{unknown[0]}", "is not a known field")
        return value

    def integer(self, field, minimum=0, maximum=2**62, optional=False):
        value = self.raw(field, optional)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) \
                or not minimum <= value <= maximum:
            raise self.error(field, f"must be an integer in [{minimum}, {maximum}], got "
                                    f"{_short(value)}")
        return value

    def number(self, field, optional=False):
        value = self.raw(field, optional)
        if value is None and optional:
            return None
        try:
            number = float(value) if isinstance(value, (int, float)) \
                and not isinstance(value, bool) else None
        except OverflowError:
            number = None
        if number is None or not math.isfinite(number):
            raise self.error(field, f"must be a finite number, got {_short(value)}")
        return number

    def boolean(self, field, optional=False):
        value = self.raw(field, optional)
        if value is None and optional:
            return None
        if not isinstance(value, bool):
            raise self.error(field, f"must be true or false, got {_short(value)}")
        return value

    def string(self, field, choices=None, optional=False):
        value = self.raw(field, optional)
        if value is None and optional:
            return None
        if not isinstance(value, str) or (choices is not None and value not in choices):
            allowed = f"one of {list(choices)}" if choices is not None else "a string"
            raise self.error(field, f"must be {allowed}, got {_short(value)}")
        return value

    def strings(self, field, length=None, optional=False):
        value = self.raw(field, optional)
        if value is None and optional:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value) \
                or (length is not None and len(value) != length):
            size = f" of {length}" if length is not None else ""
            raise self.error(field, f"must be a list{size} strings, got {_short(value)}")
        return value

    def sizes(self, field, minimum_length=1, maximum=10**8):
        value = self.raw(field)
        if not isinstance(value, list) or len(value) < minimum_length or not all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= maximum
                for v in value):
            raise self.error(field, f"must be a list of at least {minimum_length} positive "
                                    f"integers, got {_short(value)}")
        return value

    def array(self, name, field=None, shape=None, ndim=None, kinds="f", values="finite",
              keep_float32=False):
        """Read ``arrays/NAME.npy`` and check its shape (``None`` entries match any size),
        dtype kind and values (``"finite"``, ``"no-nan"`` or ``"any"``); floats come back
        as float64 (float32 ones stay float32 with ``keep_float32``)."""
        field = field or name
        self.arrays_read.add(name)
        array = self.archive.array(name, field)
        if array.dtype.kind not in kinds:
            raise self.error(field, f"has dtype {array.dtype}, expected "
                                    f"{'floats' if kinds == 'f' else 'kind ' + kinds}")
        if ndim is not None and array.ndim != ndim:
            raise self.error(field, f"has {array.ndim} dimensions, expected {ndim}")
        if shape is not None and (array.ndim != len(shape) or any(
                want is not None and have != want for have, want in zip(array.shape, shape))):
            expected = tuple("any" if s is None else s for s in shape)
            raise self.error(field, f"has shape {array.shape}, expected {expected}")
        if array.dtype.kind == "f":
            if not (keep_float32 and array.dtype == np.float32):
                array = array.astype(np.float64, copy=False)
            if values == "finite" and not np.isfinite(array).all():
                raise self.error(field, "holds NaN or infinite values")
            if values == "no-nan" and np.isnan(array).any():
                raise self.error(field, "holds NaN values")
        return array


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
