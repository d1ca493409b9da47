"""to_json(): the network evaluated from its JSON alone, in plain NumPy, gives the same outputs."""

import json
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor

ACTIVATIONS = {
    "identity": lambda z: z,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "neat_sigmoid": lambda z: 1.0 / (1.0 + np.exp(-4.9 * z)),
    "softmax": lambda z: np.exp(z - z.max(axis=1, keepdims=True))
    / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
}


def mlp_forward(spec, X):
    h = np.asarray(X, dtype=np.float64)
    layers = list(zip(spec["coefs"], spec["intercepts"]))
    for k, (W, b) in enumerate(layers):
        h = h @ np.array(W) + np.array(b)
        last = k == len(layers) - 1
        h = ACTIVATIONS[spec["output_activation"] if last else spec["activation"]](h)
    return h


def neat_forward(spec, X):
    genome = spec["genome"]
    X = np.asarray(X, dtype=np.float64)
    nodes = {n["id"]: n for n in genome["nodes"]}
    incoming = {node: [] for node in nodes}
    for c in genome["connections"]:
        if c["enabled"]:
            incoming[c["out_node"]].append((c["in_node"], c["weight"]))
    values = {n["id"]: X[:, n["id"]] for n in genome["nodes"] if n["kind"] == "input"}

    def value(node):   # depth-first evaluation in topological order
        if node not in values:
            z = nodes[node]["bias"] + sum(w * value(a) for a, w in incoming[node])
            z = np.broadcast_to(np.asarray(z, dtype=np.float64), (len(X),))
            kind = nodes[node]["kind"]
            values[node] = z if kind == "output" else ACTIVATIONS[nodes[node]["activation"]](z)
        return values[node]

    outputs = [n["id"] for n in genome["nodes"] if n["kind"] == "output"]
    out = np.column_stack([value(o) for o in sorted(outputs)])
    out = ACTIVATIONS[spec["output_activation"]](out)
    return out * np.array(spec["output_scale"]) + np.array(spec["output_offset"])


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic"])
def test_mlp_classifier_json(activation):
    X, y = load_iris(return_X_y=True)
    clf = NeuroEvolutionClassifier((5, 3), activation=activation, max_generations=30,
                                   random_state=0).fit(X, y)
    spec = json.loads(clf.to_json())
    proba = mlp_forward(spec, X)
    assert np.allclose(proba, clf.predict_proba(X), rtol=1e-12, atol=1e-15)
    classes = np.array(spec["classes"])
    assert np.array_equal(classes[proba.argmax(axis=1)], clf.predict(X))


def test_mlp_binary_and_regressor_json():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    clf = NeuroEvolutionClassifier((4,), max_generations=20, random_state=0).fit(X, X[:, 0] > 0)
    spec = json.loads(clf.to_json())
    assert np.allclose(mlp_forward(spec, X)[:, 0], clf.predict_proba(X)[:, 1], rtol=1e-12)
    Y = np.column_stack([3 * X[:, 0] + 7, X[:, 1] * X[:, 2]])
    reg = NeuroEvolutionRegressor((4,), max_generations=20, random_state=0).fit(X, Y)
    assert np.allclose(mlp_forward(json.loads(reg.to_json()), X), reg.predict(X), rtol=1e-12)


def test_neat_classifier_and_regressor_json():
    X, y = load_iris(return_X_y=True)
    clf = NeuroEvolutionClassifier(strategy="neat", population_size=50, max_generations=40,
                                   activation="tanh",
                                   strategy_params={"add_node_rate": 0.3,
                                                    "add_connection_rate": 0.3},
                                   random_state=0).fit(X, y)
    spec = json.loads(clf.to_json())
    assert clf.genome_.n_hidden > 0   # the test covers hidden nodes
    assert any(not c["enabled"] for c in spec["genome"]["connections"])
    assert np.allclose(neat_forward(spec, X), clf.predict_proba(X), rtol=1e-12, atol=1e-15)
    rng = np.random.default_rng(1)
    Xr = rng.normal(size=(60, 2))
    reg = NeuroEvolutionRegressor(strategy="neat", population_size=30, max_generations=20,
                                  strategy_params={"add_node_rate": 0.3},
                                  random_state=0).fit(Xr, 5 * Xr[:, 0] - 2)
    assert np.allclose(neat_forward(json.loads(reg.to_json()), Xr)[:, 0], reg.predict(Xr),
                       rtol=1e-12)
