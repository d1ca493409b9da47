"""A safe serialiser for a run's object graph: JSON for values, ``.npy`` for arrays.

Checkpoints hold strategy states, genomes, logbooks, halls of fame and
generator states. Pickle would store them all, but loading a pickle runs code
named by the file. This serialiser writes plain values as JSON and arrays as
``.npy`` members, and rebuilds objects only from an explicit whitelist of
classes (:data:`PLAIN_CLASSES` and the special cases in :class:`Encoder`),
never by importing a name read from the file.

Encoding of a value (JSON):

* ``None``, booleans, integers, strings and lists as themselves; finite floats
  as numbers, others as ``{"$float": "inf" | "-inf" | "nan"}``;
* tuples ``{"$tuple": [...]}``, dicts ``{"$dict": [[key, value], ...]}``,
  NumPy scalars ``{"$scalar": dtype, "value": ...}``;
* arrays ``{"$array": NAME, "$id": n}`` (stored as ``arrays/NAME.npy``);
  arrays of Python objects (strings, numbers) ``{"$objects": [...], "shape": ...}``;
* whitelisted objects ``{"$object": NAME, "$id": n, "fields": {...}}``, DEAP
  individuals ``{"$weights": ...}`` / ``{"$genome": ...}``, logbooks, halls of
  fame and generators in their own forms;
* a second reference to the same array or object ``{"$ref": n}``, so objects
  shared in the run stay shared after loading.
"""

import dataclasses
import math

import numpy as np
from deap import tools

from evonet.genome.neat import NeatGenome
from evonet.genome.types import NeatIndividual, WeightIndividual
from evonet.io._added import expected_fields, fill_added
from evonet.io._classes import PLAIN_CLASSES
from evonet.io._records import (
    decode_floats,
    decode_generator,
    decode_hall_of_fame,
    decode_logbook,
    encode_floats,
    encode_generator,
    encode_hall_of_fame,
    encode_logbook,
)

__all__ = ["Decoder", "Encoder", "PLAIN_CLASSES"]


LEGACY_STATE = "StrategyState"
"""evonet 0.1.0 saved every strategy state as one attribute bag, ``{"$object":
"StrategyState", "fields": {...}}``; since then each strategy has its own state
dataclass with the same attributes as fields. Such a state is read as the one
whitelisted state dataclass whose fields are exactly the saved attributes."""

MAX_DEPTH = 200


_PLAIN_NAMES = {cls: name for name, cls in PLAIN_CLASSES.items()}


def _plain_name(obj):
    return _PLAIN_NAMES.get(type(obj))


def _field_names(cls):
    """The field names of a dataclass, in order (``None`` for other classes)."""
    if not dataclasses.is_dataclass(cls):
        return None
    return [field.name for field in dataclasses.fields(cls)]


def _legacy_state_class(names, where):
    """The state dataclass a 0.1.0 ``StrategyState`` with attributes ``names`` now is."""
    for name in PLAIN_CLASSES:
        cls = PLAIN_CLASSES[name]
        if _field_names(cls) is not None and expected_fields(name, _field_names(cls), names):
            return name
    raise ValueError(f"{where}: no strategy state has the fields {sorted(names)}.")


def _encode_float(x):
    x = float(x)
    if math.isfinite(x):
        return x
    return {"$float": "nan" if math.isnan(x) else "inf" if x > 0 else "-inf"}


class Encoder:
    """Encode an object graph; arrays go to :attr:`arrays` (name -> ndarray).

    Examples
    --------
    >>> import numpy as np
    >>> enc = Encoder()
    >>> a = np.arange(3.0)
    >>> enc.encode({"a": a, "b": a, "t": (1, float("inf"))})["$dict"][:2]
    [['a', {'$array': 'pool_f8', 'offset': 0, 'shape': [3], '$id': 0}], ['b', {'$ref': 0}]]
    >>> sorted(enc.arrays)
    ['pool_f8']
    """

    POOLED = 4096
    """Arrays of at most this many elements (C-ordered) share one ``.npy`` member per dtype,
    at an offset: a NEAT population is hundreds of tiny gene arrays."""

    def __init__(self):
        self._arrays = {}
        self._pools = {}
        self._pool_sizes = {}
        self._ids = {}
        self._alive = []   # keeps encoded objects alive so that their ids stay unique

    def _remember(self, obj):
        n = len(self._ids)
        self._ids[id(obj)] = n
        self._alive.append(obj)
        return n

    def encode(self, obj, where="state"):
        """The JSON encoding of ``obj``; ``ValueError`` naming ``where`` if unsupported."""

        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int) and type(obj) is int:
            return obj
        if type(obj) is float:
            return _encode_float(obj)
        if isinstance(obj, np.generic):
            if obj.dtype.kind not in "fiub":
                raise ValueError(f"{where}: cannot save a NumPy scalar of dtype {obj.dtype}.")
            value = obj.item()
            return {"$scalar": obj.dtype.str,
                    "value": _encode_float(value) if obj.dtype.kind == "f" else value}
        if id(obj) in self._ids:
            return {"$ref": self._ids[id(obj)]}
        if type(obj) is list:
            return encode_floats(self, obj, where) or [
                self.encode(v, f"{where}[{k}]") for k, v in enumerate(obj)]
        if type(obj) is tuple:
            return {"$tuple": [self.encode(v, f"{where}[{k}]") for k, v in enumerate(obj)]}
        if type(obj) is dict:
            return {"$dict": [[self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")]
                              for k, v in obj.items()]}
        if isinstance(obj, WeightIndividual):   # the DEAP type, stable if its module reloads
            n = self._remember(obj)
            return {"$weights": type(obj).__name__, "$id": n,
                    "values": self.store(np.asarray(obj), where),
                    "fitness": self._fitness(obj)}
        if isinstance(obj, NeatGenome):
            n = self._remember(obj)
            return {"$genome": type(obj).__name__, "$id": n, "n_inputs": int(obj.n_inputs),
                    "n_outputs": int(obj.n_outputs), "nodes": self.encode(obj.nodes, where),
                    "connections": self.encode(obj.connections, where),
                    "fitness": self._fitness(obj)}
        if type(obj) is np.ndarray:
            if obj.dtype.hasobject:
                return {"$objects": [self.encode(v, where) for v in obj.ravel().tolist()],
                        "shape": list(obj.shape)}
            n = self._remember(obj)
            return dict(self.store(obj, where), **{"$id": n})
        if isinstance(obj, np.random.Generator):
            return encode_generator(self, obj, where)
        if type(obj) is tools.Logbook:
            return encode_logbook(self, obj, where)
        if type(obj) is tools.HallOfFame:
            return encode_hall_of_fame(self, obj, where)
        name = _plain_name(obj)
        if name is not None:
            n = self._remember(obj)
            names = _field_names(type(obj)) or vars(obj)
            return {"$object": name, "$id": n, "fields": {
                k: self.encode(getattr(obj, k), f"{where}.{k}") for k in names}}
        raise ValueError(f"{where}: cannot save an object of type {type(obj).__qualname__}.")

    @property
    def arrays(self):
        """Name -> array of everything encoded so far (pools concatenated)."""
        out = dict(self._arrays)
        for name, parts in self._pools.items():
            out[name] = np.concatenate(parts) if parts else np.zeros(0)
        return out

    def store(self, array, where):
        """The JSON reference to ``array``, stored as (part of) an ``.npy`` member."""
        if array.dtype.kind not in "fiubU" or array.dtype.fields is not None:
            raise ValueError(f"{where}: cannot save an array of dtype {array.dtype}.")
        if array.size <= self.POOLED and array.ndim >= 1 and array.flags.c_contiguous \
                and array.dtype.kind in "fiub" and array.dtype.isnative:
            name = "pool_" + array.dtype.str[1:]
            offset = self._pool_sizes.get(name, 0)
            self._pools.setdefault(name, []).append(array.ravel())
            self._pool_sizes[name] = offset + array.size
            return {"$array": name, "offset": offset, "shape": list(array.shape)}
        name = f"a{len(self._arrays)}"
        self._arrays[name] = array
        return {"$array": name}

    @staticmethod
    def _fitness(individual):
        fitness = getattr(individual, "fitness", None)
        if fitness is None:
            return None
        return [_encode_float(v) for v in fitness.values]


class Decoder:
    """Rebuild what :class:`Encoder` encoded; ``array(name)`` reads a stored array.

    Every unexpected form raises ``ValueError`` naming where in the graph it is.

    Examples
    --------
    >>> import numpy as np
    >>> enc = Encoder()
    >>> value = enc.encode([np.arange(2), (1, 2.5), {"k": None}])
    >>> Decoder(enc.arrays.__getitem__).decode(value)
    [array([0, 1]), (1, 2.5), {'k': None}]
    """

    def __init__(self, array):
        self._read = array
        self._cache = {}
        self._objects = {}

    def _array(self, name):
        if not isinstance(name, str):
            raise ValueError(f"invalid array name {name!r}.")
        if name not in self._cache:
            self._cache[name] = self._read(name)
        return self._cache[name]

    def decode(self, value, where="state", depth=0):
        if depth > MAX_DEPTH:
            raise ValueError(f"{where}: nested too deeply.")
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list):
            return [self.decode(v, f"{where}[{k}]", depth + 1) for k, v in enumerate(value)]
        if not isinstance(value, dict) or len(value) == 0:
            raise ValueError(f"{where}: unexpected value {str(value)[:60]!r}.")
        tag = next(iter(value))
        handler = getattr(self, "_decode_" + tag[1:], None) if tag.startswith("$") else None
        if handler is None:
            raise ValueError(f"{where}: unknown entry {tag!r}.")
        try:
            return handler(value, where, depth + 1)
        except (KeyError, TypeError, AttributeError, IndexError, OverflowError) as exc:
            raise ValueError(f"{where}: malformed {tag} entry ({type(exc).__name__}: "
                             f"{exc}).") from None

    def _register(self, value, obj, where):
        n = value["$id"]
        if not isinstance(n, int) or n in self._objects:
            raise ValueError(f"{where}: invalid object id {n!r}.")
        self._objects[n] = obj
        return obj

    def _decode_ref(self, value, where, depth):
        if value["$ref"] not in self._objects:
            raise ValueError(f"{where}: reference to unknown object {value['$ref']!r}.")
        return self._objects[value["$ref"]]

    def _decode_float(self, value, where, depth):
        if value["$float"] not in ("inf", "-inf", "nan"):
            raise ValueError(f"{where}: invalid float {value['$float']!r}.")
        return float(value["$float"])

    def _decode_floats(self, value, where, depth):
        return decode_floats(self, value, where)

    def _decode_tuple(self, value, where, depth):
        return tuple(self.decode(value["$tuple"], where, depth))

    def _decode_dict(self, value, where, depth):
        out = {}
        for pair in value["$dict"]:
            key, item = pair
            key = self.decode(key, f"{where} key", depth)
            out[key] = self.decode(item, f"{where}[{key!r}]", depth)
        return out

    def _decode_scalar(self, value, where, depth):
        dtype = np.dtype(str(value["$scalar"]))
        if dtype.kind not in "fiub":
            raise ValueError(f"{where}: invalid scalar dtype {dtype}.")
        raw = self.decode(value["value"], where, depth)
        if isinstance(raw, (list, dict, str)) or raw is None:
            raise ValueError(f"{where}: invalid scalar value.")
        return dtype.type(raw)

    def stored(self, value, where):
        """The array a ``{"$array": ...}`` reference (from :meth:`Encoder.store`) names."""
        array = self._array(value["$array"])
        if not isinstance(array, np.ndarray):
            raise ValueError(f"{where}: missing array.")
        if "offset" not in value:
            return array
        offset, shape = value["offset"], [int(n) for n in value["shape"]]
        size = int(np.prod(shape))
        if array.ndim != 1 or not isinstance(offset, int) or offset < 0 or min(shape) < 0 \
                or offset + size > array.size:
            raise ValueError(f"{where}: array slice out of bounds.")
        return array[offset:offset + size].reshape(shape).copy()

    def _decode_array(self, value, where, depth):
        return self._register(value, self.stored(value, where), where)

    def _decode_objects(self, value, where, depth):
        items = self.decode(value["$objects"], where, depth)
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out.reshape([int(n) for n in value["shape"]])

    def _decode_generator(self, value, where, depth):
        return decode_generator(self, value, where, depth)

    def _fitness(self, individual, values, where):
        values = self.decode(values, where) if values is not None else ()
        if not isinstance(values, list) or not all(isinstance(v, float) for v in values):
            raise ValueError(f"{where}: invalid fitness values.")
        if values:
            individual.fitness.values = tuple(values)
        return individual

    def _decode_weights(self, value, where, depth):

        if value["$weights"] != WeightIndividual.__name__:
            raise ValueError(f"{where}: unknown individual type {value['$weights']!r}.")
        values = self.stored(value["values"], where)
        individual = self._register(value, WeightIndividual(values), where)
        return self._fitness(individual, value["fitness"], where)

    def _decode_genome(self, value, where, depth):

        kinds = {NeatIndividual.__name__: NeatIndividual, "NeatGenome": NeatGenome}
        cls = kinds.get(value["$genome"])
        if cls is None:
            raise ValueError(f"{where}: unknown genome type {value['$genome']!r}.")
        nodes = self.decode(value["nodes"], f"{where}.nodes", depth)
        connections = self.decode(value["connections"], f"{where}.connections", depth)
        n_inputs, n_outputs = value["n_inputs"], value["n_outputs"]
        genome = cls.from_genes(int(n_inputs), int(n_outputs), nodes, connections)
        try:
            genome.validate()
        except ValueError as exc:
            raise ValueError(f"{where}: invalid genome ({exc})") from None
        self._register(value, genome, where)
        if cls is NeatGenome:
            return genome
        return self._fitness(genome, value["fitness"], where)

    def _decode_logbook(self, value, where, depth):
        return decode_logbook(self, value, where, depth)

    def _decode_halloffame(self, value, where, depth):
        return decode_hall_of_fame(self, value, where, depth)

    def _decode_object(self, value, where, depth):
        name, fields = value["$object"], value["fields"]
        if not isinstance(fields, dict):
            raise ValueError(f"{where}: invalid fields.")
        if name == LEGACY_STATE:
            name = _legacy_state_class(fields, where)
        if name not in PLAIN_CLASSES:
            raise ValueError(f"{where}: objects of type {name!r} are not allowed.")
        cls = PLAIN_CLASSES[name]
        names = _field_names(cls)
        if names is not None and not expected_fields(name, names, fields):
            raise ValueError(f"{where}: a {name} has the fields {names}, not {sorted(fields)}.")
        obj = self._register(value, cls.__new__(cls), where)
        fill_added(name, obj, fields)
        for key, item in fields.items():
            if not key.isidentifier() or key.startswith("__"):
                raise ValueError(f"{where}: invalid field name {key!r}.")
            obj.__dict__[key] = self.decode(item, f"{where}.{key}", depth)
        return obj

