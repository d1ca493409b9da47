"""Built-in data sets (from :mod:`evonet.datasets`), CSV loading and CSV writing for the CLI."""

import csv
import hashlib
import io
import json

import numpy as np

from evonet.datasets import DATASETS, load_dataset  # re-exported: the CLI's built-in data

__all__ = ["DATASETS", "DataError", "class_labels", "csv_text", "load_csv", "load_dataset",
           "read_csv_rows", "read_table", "table_digest"]


class DataError(ValueError):
    """A data set or CSV file that cannot be used, with a one-line reason."""


def _numeric(values, what, path, lines):
    """``values`` as float64, or a ``DataError`` naming the first bad value and its line."""
    try:
        out = np.array([float(v) for v in values], dtype=np.float64)
    except ValueError:
        k = next(k for k, v in enumerate(values) if not _is_float(v))
        bad = values[k]
        if bad == "":
            raise DataError(f"{path}, line {lines[k]}: {what} is empty") from None
        raise DataError(f"{path}, line {lines[k]}: {what} holds a non-numeric value "
                        f"{bad!r}") from None
    finite = np.isfinite(out)
    if not finite.all():
        k = int(np.flatnonzero(~finite)[0])
        raise DataError(f"{path}, line {lines[k]}: {what} holds a missing or infinite value "
                        f"{values[k]!r}")
    return out


def _is_float(value):
    try:
        float(value)
    except ValueError:
        return False
    return True


def _first_non_utf8_line(path):
    with open(path, "rb") as f:
        content = f.read()
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return content[:exc.start].count(b"\n") + 1
    return 1


def _read_rows(path):
    try:
        # utf-8-sig: a byte order mark (spreadsheets write one) is not part of the header
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            rows, lines = [], []
            for row in reader:
                if row and any(v.strip() for v in row):
                    rows.append(row)
                    lines.append(reader.line_num)
    except FileNotFoundError:
        raise DataError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}, line {_first_non_utf8_line(path)}: not UTF-8 text; save "
                        f"the file as UTF-8 (a spreadsheet's 'CSV UTF-8')") from None
    except (OSError, csv.Error) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None
    if not rows:
        raise DataError(f"{path} is empty")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    if not body:
        raise DataError(f"{path} has a header but no data rows")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise DataError(f"{path}: the header repeats the column name {repeated[0]!r}")
    for line, row in zip(lines[1:], body):
        if len(row) != len(header):
            raise DataError(f"{path}, line {line}: {len(row)} fields, the header has "
                            f"{len(header)}")
    return header, [[v.strip() for v in row] for row in body], lines[1:]


def read_csv_rows(path):
    """Header and rows of a CSV file, checked for emptiness and ragged rows.

    Blank lines are skipped; errors name the file and the line.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "d.csv")
    >>> _ = open(path, "w").write("a,b\\n1,2\\n")
    >>> read_csv_rows(path)
    (['a', 'b'], [['1', '2']])
    """
    header, rows, _ = _read_rows(path)
    return header, rows


def load_csv(path, target=None, feature_names=None, table=None):
    """Load a CSV file with a header row: ``(X, y, feature_names)``.

    With ``target`` the named column is returned as ``y`` (numbers if every
    value is numeric, else strings) and the others as ``X``; without it all
    columns are features (``y`` is ``None``). With ``feature_names`` those
    columns are taken, in that order. Every feature value must be a finite
    number. Problems raise :class:`DataError` with a one-line reason naming
    the file, the line and the column. ``table`` is the file as
    :func:`read_table` read it (the file is not read again: a pipe is read once).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "d.csv")
    >>> _ = open(path, "w").write("x1,x2,label\\n1,2,a\\n3,4,b\\n")
    >>> X, y, names = load_csv(path, target="label")
    >>> X.tolist(), y.tolist(), names
    ([[1.0, 2.0], [3.0, 4.0]], ['a', 'b'], ['x1', 'x2'])
    """
    header, rows, lines = read_table(path) if table is None else table
    columns = list(zip(*rows))
    y = None
    if target is not None:
        if target not in header:
            raise DataError(f"target column {target!r} is not in {path} "
                            f"(columns: {', '.join(header)})")
        values = columns[header.index(target)]
        if any(v == "" for v in values):
            k = values.index("")
            raise DataError(f"{path}, line {lines[k]}: target column {target!r} is empty")
        y = (_numeric(values, f"target column {target!r}", path, lines)
             if all(_is_float(v) for v in values) else np.array(values, dtype=object))
    names = feature_names if feature_names is not None else [h for h in header if h != target]
    missing = [n for n in names if n not in header]
    if missing:
        raise DataError(f"{path} lacks the column(s) {', '.join(missing)}")
    if not names:
        raise DataError(f"{path} has no feature columns")
    X = np.column_stack([_numeric(columns[header.index(n)], f"column {n!r}", path, lines)
                         for n in names])
    return X, y, list(names)


def read_table(path):
    """``(header, rows, line numbers)`` of a CSV file, checked (see :func:`read_csv_rows`)."""
    return _read_rows(path)


def table_digest(table):
    """SHA-256 (hex) of a table's header and rows as read: a resumed run checks its data.

    The values, not the bytes: a file saved again with other line endings is the same data.

    Examples
    --------
    >>> table_digest((["a"], [["1"]], [2]))[:12]
    '111ffd7b2a7e'
    """
    header, rows, _ = table
    text = json.dumps([header, rows], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def class_labels(table, target, numbers):
    """Class labels as the file writes them, for a target column read as ``numbers``.

    A number written two ways (``1`` and ``1.0``) is one class, labelled as it
    is first written.

    Examples
    --------
    >>> table = (["x", "zip"], [["1", "02139"], ["2", "10001"], ["3", "2139"]], [2, 3, 4])
    >>> class_labels(table, "zip", [2139.0, 10001.0, 2139.0]).tolist()
    ['02139', '10001', '02139']
    """
    header, rows, _ = table
    column = header.index(target)
    first = {}
    return np.array([first.setdefault(float(v), row[column]) for v, row in zip(numbers, rows)],
                    dtype=object)


def _csv_value(value):
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value.item() if isinstance(value, np.generic) else value)


def csv_text(columns, rows):
    """CSV text (the csv module's quoting) of a header and rows of parts to concatenate.

    Examples
    --------
    >>> print(csv_text(["prediction", "proba_a, b"], [(["a, b"], [0.5]),
    ...                                               (['a "b" c'], [0.25])]), end="")
    prediction,"proba_a, b"
    "a, b",0.5
    "a ""b"" c",0.25
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_value(v) for part in row for v in part] for row in rows)
    return buffer.getvalue()
