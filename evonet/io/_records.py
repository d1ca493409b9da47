"""Columnar encoding of a logbook's records and of long float lists, for fast checkpoints.

A logbook gains a record per generation; encoded record by record, a run of
thousands of generations makes every checkpoint write slower. Here the
records become one array per column (ints or floats, exact), plus the
distinct key orders and which one each record has, so a write costs a few
array copies whatever the run's length and the records come back exactly
(values, types and key order).
"""

import numpy as np

__all__ = ["decode_floats", "decode_records", "encode_floats", "encode_records"]

INT64 = (-2**63, 2**63)


def encode_records(encoder, records, where):
    """The columnar form of a list of flat dicts of ints and floats, or ``None``.

    Examples
    --------
    >>> from evonet.io._state import Decoder, Encoder
    >>> enc = Encoder()
    >>> value = encode_records(enc, [{"gen": 1, "min": 0.5}, {"min": 0.25, "gen": 2}], "log")
    >>> decode_records(Decoder(enc.arrays.__getitem__), value, "log")
    [{'gen': 1, 'min': 0.5}, {'min': 0.25, 'gen': 2}]
    """
    orders, index = {}, []
    for record in records:
        if type(record) is not dict:
            return None
        order = tuple(record)
        index.append(orders.setdefault(order, len(orders)))
    keys = []
    for order in orders:
        keys += [key for key in order if key not in keys]
    if not all(type(key) is str for key in keys):
        return None
    columns = {}
    for key in keys:
        values = [record[key] for record in records if key in record]
        if all(type(v) is int and INT64[0] <= v < INT64[1] for v in values):
            array = np.array(values, dtype=np.int64)
        elif all(type(v) is float for v in values):
            array = np.array(values, dtype=np.float64)
        else:
            return None
        columns[key] = encoder._array(array, where)
    return {"orders": [list(order) for order in orders],
            "index": encoder._array(np.array(index, dtype=np.int64), where),
            "columns": columns}


def decode_records(decoder, value, where):
    """The records :func:`encode_records` encoded (``ValueError`` if malformed)."""
    orders = value["orders"]
    if not isinstance(orders, list) or not all(
            isinstance(order, list) and all(isinstance(k, str) for k in order)
            for order in orders):
        raise ValueError(f"{where}: invalid record key orders.")
    index = decoder._stored(value["index"], where)
    columns = {}
    for key, item in value["columns"].items():
        column = decoder._stored(item, where)
        if column.dtype.kind not in "if" or column.ndim != 1:
            raise ValueError(f"{where}: invalid column {key!r}.")
        columns[key] = iter(column.tolist())
    if index.dtype.kind != "i" or index.ndim != 1 or (index.size and (
            index.min() < 0 or index.max() >= len(orders))):
        raise ValueError(f"{where}: invalid record index.")
    try:
        records = [{key: next(columns[key]) for key in orders[k]} for k in index.tolist()]
    except (StopIteration, KeyError):
        raise ValueError(f"{where}: columns and records do not match.") from None
    return records


def encode_floats(encoder, values, where):
    """``{"$floats": array}`` for a long list of Python floats, or ``None``."""
    if len(values) < 16 or not all(type(v) is float for v in values):
        return None
    return {"$floats": encoder._array(np.array(values, dtype=np.float64), where)}


def decode_floats(decoder, value, where):
    array = decoder._stored(value["$floats"], where)
    if array.dtype.kind != "f" or array.ndim != 1:
        raise ValueError(f"{where}: invalid float list.")
    return array.tolist()
