"""Property-based tests: mutated model files raise ValueError or load a working model.

Each example takes a valid model file and damages it one way: flipped,
inserted or deleted bytes, truncation, a JSON field replaced by any JSON value
or removed, an array replaced by one of another shape, dtype or content (a
pickle among them), a member dropped, renamed or added. ``load`` must then
either raise ``ValueError`` (and nothing else) or return a model that
predicts finite values; it must never run code from the file.

The regular run tries a few hundred files; the target of 10,000 is run with
``EVONET_FUZZ_EXAMPLES=10000 pytest tests/test_io_fuzz.py``.
"""

import io
import json
import os
import tempfile
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor, load, save

EXAMPLES = int(os.environ.get("EVONET_FUZZ_EXAMPLES", "300"))
EXECUTED = []


def _boom(*args):
    EXECUTED.append(args)


class Exploit:
    def __reduce__(self):
        return (_boom, ("code from the file ran",))


_BASES = {}


def bases():
    """Valid model files (bytes) of each kind, made once."""
    if not _BASES:
        rng = np.random.default_rng(0)
        X = rng.normal(size=(60, 3))
        y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            models = {
                "pipeline": make_pipeline(StandardScaler(), NeuroEvolutionClassifier(
                    (3,), max_generations=3, random_state=0)).fit(X, y),
                "regressor": NeuroEvolutionRegressor((2,), max_generations=3, random_state=0)
                .fit(X, X[:, :2]),
                "neat": NeuroEvolutionClassifier(strategy="neat", population_size=10,
                                                 max_generations=5, random_state=0)
                .fit(X, np.array(["a", "b", "c"])[y]),
            }
        from evonet.control import EvolvedPolicy, MLPPolicy

        models["policy"] = EvolvedPolicy(MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0],
                                         "1-markov")
        folder = tempfile.mkdtemp()
        for name, model in models.items():
            path = os.path.join(folder, name)
            save(model, path)
            with open(path, "rb") as f:
                _BASES[name] = f.read()
    return _BASES


def members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def pack(items, compression):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in items:
            archive.writestr(name, data)
    return buffer.getvalue()


def npy(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=12) | st.sampled_from(["mlp", "neat", "tanh", "softmax", "classes",
                                             "values", "binary", "1.0", "2.0", "cmaes"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                        children, max_size=4),
    max_leaves=8)

shapes = st.lists(st.integers(0, 5), min_size=0, max_size=3).map(tuple)


@st.composite
def replacement_arrays(draw):
    kind = draw(st.sampled_from(["float", "special", "int", "bool", "complex", "str",
                                 "pickle", "structured", "bytes", "header"]))
    shape = draw(shapes)
    if kind == "float":
        dtype = draw(st.sampled_from(["<f8", "<f4", ">f8"]))
        return npy(np.random.default_rng(draw(st.integers(0, 9))).normal(size=shape)
                   .astype(dtype))
    if kind == "special":
        values = draw(st.lists(st.sampled_from([np.nan, np.inf, -np.inf, 0.0, 1e308, -1e308]),
                               min_size=1, max_size=12))
        return npy(np.array(values))
    if kind == "int":
        return npy(np.arange(int(np.prod(shape))).reshape(shape) - 2)
    if kind == "bool":
        return npy(np.ones(shape, dtype=bool))
    if kind == "complex":
        return npy(np.ones(shape, dtype=complex))
    if kind == "str":
        return npy(np.array(draw(st.lists(st.text(max_size=5), max_size=4)), dtype=str))
    if kind == "pickle":
        return npy(np.array([Exploit(), {}], dtype=object), allow_pickle=True)
    if kind == "structured":
        return npy(np.zeros(3, dtype=[("a", "f8"), ("b", "i4")]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    data = bytearray(npy(np.zeros(shape)))
    at = draw(st.integers(0, min(len(data), 128) - 1))
    data[at] = draw(st.integers(0, 255))
    return bytes(data)


def all_paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from all_paths(item, prefix + (key,))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from all_paths(item, prefix + (k,))


@st.composite
def mutated_files(draw):
    name = draw(st.sampled_from(sorted(bases())))
    data = bases()[name]
    how = draw(st.sampled_from(["flip", "truncate", "splice", "json", "json-nan", "array",
                                "drop", "rename", "add"]))
    if how == "flip":
        out = bytearray(data)
        for at, value in draw(st.lists(st.tuples(st.integers(0, len(data) - 1),
                                                 st.integers(0, 255)), min_size=1, max_size=6)):
            out[at] = value
        return (name, how), bytes(out)
    if how == "truncate":
        return (name, how), data[:draw(st.integers(0, len(data) - 1))]
    if how == "splice":
        at = draw(st.integers(0, len(data)))
        cut = draw(st.integers(0, 40))
        return (name, how), data[:at] + draw(st.binary(max_size=40)) + data[at + cut:]
    items = members(data)
    compression = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    if how.startswith("json"):
        doc = json.loads(items["model.json"])
        paths = list(all_paths(doc))
        path = draw(st.sampled_from(paths[1:]))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = (draw(st.sampled_from([float("nan"), float("inf")]))
                                if how == "json-nan" else draw(json_values))
        items["model.json"] = json.dumps(doc).encode()
    elif how == "array":
        arrays = sorted(n for n in items if n.endswith(".npy"))
        items[draw(st.sampled_from(arrays))] = draw(replacement_arrays())
    elif how == "drop":
        del items[draw(st.sampled_from(sorted(items)))]
    elif how == "rename":
        old = draw(st.sampled_from(sorted(items)))
        items[draw(st.sampled_from(["model.json", "arrays/x.npy", "arrays/coefs_0.npy",
                                    "arrays/classes.npy", "other"]))] = items.pop(old)
    else:
        items[draw(st.sampled_from(["arrays/extra.npy", "notes.txt", "arrays/classes.npy"]))] \
            = draw(replacement_arrays())
    return (name, how), pack(items.items(), compression)


X_CHECK = np.random.default_rng(1).normal(size=(5, 3))


def check_loaded(model):
    """A model that loaded must work: predictions of the right kind, finite."""
    if type(model).__name__ == "EvolvedPolicy":
        assert np.isfinite(model.act(np.zeros(model.network_.n_inputs)))
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # feature names
        predictions = model.predict(X_CHECK)
        assert len(predictions) == len(X_CHECK)
        if hasattr(model, "predict_proba"):
            assert np.isfinite(model.predict_proba(X_CHECK)).all()
        elif predictions.dtype.kind == "f":
            assert np.isfinite(predictions).all()


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          derandomize="EVONET_FUZZ_EXAMPLES" not in os.environ,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_files())
def test_mutated_files_raise_value_error_or_load_a_working_model(example):
    (name, how), data = example
    event(f"mutation: {how}")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.evonet")
        with open(path, "wb") as f:
            f.write(data)
        try:
            model = load(path)
        except ValueError as exc:
            assert str(exc).startswith(path)
            event("outcome: ValueError")
        else:
            check_loaded(model)
            event("outcome: loaded a working model")
    assert EXECUTED == []


@pytest.mark.parametrize("name", ["pipeline", "regressor", "neat", "policy"])
def test_unmutated_bases_load(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(bases()[name])
    check_loaded(load(path))
