"""Generators, DEAP's logbooks and halls of fame in the state serialiser, and long lists.

A logbook gains a record per generation; encoded record by record, a run of
thousands of generations makes every checkpoint write slower. Here the
records become one array per column (ints or floats, exact), plus the
distinct key orders and which one each record has, so a write costs a few
array copies whatever the run's length and the records come back exactly
(values, types and key order). The functions take the
:class:`~evonet.io._state.Encoder` or :class:`~evonet.io._state.Decoder` at
work, for the values and arrays inside.
"""

import operator

import numpy as np
from deap import tools

from evonet.evolve import same_individual

__all__ = ["decode_floats", "decode_generator", "decode_hall_of_fame", "decode_logbook",
           "decode_records", "encode_floats", "encode_generator", "encode_hall_of_fame",
           "encode_logbook", "encode_records"]

BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
"""Bit generators a saved ``numpy.random.Generator`` may use."""

SIMILAR_TESTS = {"evonet.evolve._similar": same_individual,   # its name in evonet 0.1.0
                 "numpy.array_equal": np.array_equal,
                 "operator.eq": operator.eq}
"""Functions a hall of fame may hold as its ``similar`` test, by the name saved."""

LOGBOOK_FIELDS = ("buffindex", "columns_len", "header", "log_header")

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
        columns[key] = encoder.store(array, where)
    return {"orders": [list(order) for order in orders],
            "index": encoder.store(np.array(index, dtype=np.int64), where),
            "columns": columns}


def decode_records(decoder, value, where):
    """The records :func:`encode_records` encoded (``ValueError`` if malformed)."""
    orders = value["orders"]
    if not isinstance(orders, list) or not all(
            isinstance(order, list) and all(isinstance(k, str) for k in order)
            for order in orders):
        raise ValueError(f"{where}: invalid record key orders.")
    index = decoder.stored(value["index"], where)
    columns = {}
    for key, item in value["columns"].items():
        column = decoder.stored(item, where)
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
    return {"$floats": encoder.store(np.array(values, dtype=np.float64), where)}


def decode_floats(decoder, value, where):
    array = decoder.stored(value["$floats"], where)
    if array.dtype.kind != "f" or array.ndim != 1:
        raise ValueError(f"{where}: invalid float list.")
    return array.tolist()


def _similar_test(name):
    return SIMILAR_TESTS[name]


def encode_logbook(encoder, logbook, where):
    """``{"$logbook": records, "fields": ..., "chapters": ...}``, records columnar if they can be.

    Examples
    --------
    >>> from evonet.io._state import Decoder, Encoder
    >>> logbook = tools.Logbook()
    >>> logbook.record(gen=1, min=0.5)
    >>> enc = Encoder()
    >>> value = encode_logbook(enc, logbook, "log")
    >>> list(Decoder(enc.arrays.__getitem__).decode(value))
    [{'gen': 1, 'min': 0.5}]
    """
    fields = {k: encoder.encode(v, f"{where}.{k}") for k, v in vars(logbook).items()
              if k != "chapters"}
    chapters = {k: encoder.encode(v, f"{where}.chapters") for k, v in logbook.chapters.items()}
    records = encode_records(encoder, logbook, where) or [
        encoder.encode(r, f"{where}[{k}]") for k, r in enumerate(logbook)]
    return {"$logbook": records, "fields": fields, "chapters": chapters}


def decode_logbook(decoder, value, where, depth):
    """The logbook :func:`encode_logbook` encoded (``ValueError`` if malformed)."""
    logbook = tools.Logbook()
    for key, item in value["fields"].items():
        if key not in LOGBOOK_FIELDS:
            raise ValueError(f"{where}: unknown logbook field {key!r}.")
        setattr(logbook, key, decoder.decode(item, f"{where}.{key}", depth))
    for key, item in value["chapters"].items():
        logbook.chapters[key] = decoder.decode(item, f"{where}.chapters", depth)
    records = value["$logbook"]
    if isinstance(records, dict) and "orders" in records:
        records = decode_records(decoder, records, where)
    else:
        records = decoder.decode(records, where, depth)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError(f"{where}: logbook records must be dicts.")
    logbook.extend(records)
    return logbook


def encode_hall_of_fame(encoder, hall, where):
    """``{"$halloffame": maxsize, "similar": name, "items": [...]}``; a known ``similar`` only."""
    similar = next((name for name in SIMILAR_TESTS if _similar_test(name) is hall.similar),
                   None)
    if similar is None:
        raise ValueError(f"{where}: cannot save a hall of fame whose similar test is "
                         f"{hall.similar!r}.")
    return {"$halloffame": hall.maxsize, "similar": similar,
            "items": [encoder.encode(v, f"{where}[{k}]") for k, v in enumerate(hall.items)]}


def decode_hall_of_fame(decoder, value, where, depth):
    """The hall of fame :func:`encode_hall_of_fame` encoded (``ValueError`` if malformed)."""
    name = value["similar"]
    if name not in SIMILAR_TESTS:
        raise ValueError(f"{where}: unknown similar test {name!r}.")
    maxsize = value["$halloffame"]
    if not isinstance(maxsize, int) or maxsize < 1:
        raise ValueError(f"{where}: invalid hall of fame size {maxsize!r}.")
    hall = tools.HallOfFame(maxsize, similar=_similar_test(name))
    items = decoder.decode(value["items"], where, depth)
    if not all(hasattr(item, "fitness") for item in items):
        raise ValueError(f"{where}: hall of fame items must be individuals.")
    hall.items = items
    hall.keys = [item.fitness for item in items]
    return hall


def encode_generator(encoder, rng, where):
    """``{"$generator": state}`` of a ``numpy.random.Generator`` (state dict encoded)."""
    state = rng.bit_generator.state
    if state.get("bit_generator") not in BIT_GENERATORS:
        raise ValueError(f"{where}: cannot save a {state.get('bit_generator')} generator.")
    return {"$generator": encoder.encode(state, where)}


def decode_generator(decoder, value, where, depth):
    """The generator :func:`encode_generator` encoded, continuing exactly where it was."""
    state = decoder.decode(value["$generator"], where, depth)
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in BIT_GENERATORS:
        raise ValueError(f"{where}: unsupported bit generator {name!r}.")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = state
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{where}: invalid generator state ({exc}).") from None
    return np.random.Generator(bit_generator)
