"""Predicting: float64, row by row as in a batch, exported and unpickled alike."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from estimator_helpers import regression_data
from sklearn.datasets import load_iris, make_classification, make_multilabel_classification

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.nn import MLPLayout, forward

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_to_sklearn_matches_predictions(iris):
    X, y = iris
    for Xs, ys in ((X, y), (X, (y == 1).astype(int)),
                   make_multilabel_classification(n_samples=80, n_features=4,
                                                  random_state=0)):
        clf = NeuroEvolutionClassifier((5,), max_generations=20, random_state=0).fit(Xs, ys)
        mlp = clf.to_sklearn()
        np.testing.assert_array_equal(mlp.predict(Xs), clf.predict(Xs))
        np.testing.assert_allclose(mlp.predict_proba(Xs), clf.predict_proba(Xs),
                                   rtol=0, atol=1e-12)
    Xr, yr = regression_data(outputs=2)
    reg = NeuroEvolutionRegressor((5,), max_generations=20, random_state=0).fit(Xr, yr)
    np.testing.assert_allclose(reg.to_sklearn().predict(Xr), reg.predict(Xr), rtol=1e-12)


def row_independence_cases():
    rng = np.random.default_rng(5)
    X30 = rng.normal(size=(200, 30))
    y30 = X30[:, :3].sum(axis=1) + 0.1 * rng.normal(size=200)
    X10, y10 = make_classification(n_samples=300, n_features=20, n_informative=10,
                                   n_classes=10, random_state=0)
    Xb, yb = make_classification(n_samples=200, n_features=30, random_state=1)
    Xm, Ym = make_multilabel_classification(n_samples=100, n_features=8, n_classes=4,
                                            random_state=0)
    return [
        (NeuroEvolutionRegressor((16,)), X30, y30),              # the audit's case
        (NeuroEvolutionRegressor((12, 7), activation="relu"), X30, np.column_stack(
            [y30, -y30])),
        (NeuroEvolutionClassifier((6,)), *load_iris(return_X_y=True)),
        (NeuroEvolutionClassifier((16,)), X10, y10),              # 10-way softmax
        (NeuroEvolutionClassifier((9, 5), activation="logistic"), Xb, yb),
        (NeuroEvolutionClassifier((5,)), Xm, Ym),                 # multilabel
        (NeuroEvolutionClassifier((700,), max_generations=1), X30[:, :4],
         (y30 > 0).astype(int)),                                  # wide hidden layer
    ]


@pytest.mark.parametrize("case", range(7))
def test_prediction_is_float64_and_each_row_predicts_the_same_alone_or_in_a_batch(case):
    estimator, X, y = row_independence_cases()[case]
    estimator.set_params(max_generations=min(estimator.max_generations, 5), random_state=0)
    estimator.fit(X, y)
    method = estimator.predict_proba if hasattr(estimator, "predict_proba") \
        else estimator.predict
    batch = method(X)
    assert batch.dtype == np.float64
    alone = np.concatenate([method(X[i:i + 1]) for i in range(len(X))])
    assert np.array_equal(alone, batch)
    pairs = np.concatenate([method(X[i:i + 2]) for i in range(0, len(X), 2)])
    assert np.array_equal(pairs, batch)
    reordered = np.arange(len(X))[::-1]
    assert np.array_equal(method(X[reordered]), batch[reordered])
    assert np.array_equal(method(np.vstack([X, X]))[len(X):], batch)  # a larger batch
    assert np.array_equal(np.concatenate([estimator.predict(X[i:i + 1]) for i in range(len(X))]),
                          estimator.predict(X))
    # the network of coefs_ and intercepts_ through the population forward pass, in float64
    layout = MLPLayout(estimator.n_features_in_, estimator.hidden_layer_sizes,
                       estimator.n_outputs_, estimator.activation, estimator.out_activation_)
    manual = forward(layout, layout.pack(zip(estimator.coefs_, estimator.intercepts_)), X,
                     dtype=np.float64)
    if isinstance(estimator, NeuroEvolutionClassifier):
        assert np.array_equal(manual, batch[:, 1:] if estimator.n_outputs_ == 1 else batch)


def test_row_independence_across_row_chunks():
    # more rows than one chunk of the forward pass (512): rows alone equal the batch
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1300, 30))
    reg = NeuroEvolutionRegressor((20,), max_generations=2, random_state=0).fit(
        X, X[:, 0] - X[:, 1])
    batch = reg.predict(X)
    picks = [0, 511, 512, 513, 1023, 1024, 1299]
    assert np.array_equal(np.concatenate([reg.predict(X[i:i + 1]) for i in picks]), batch[picks])
    assert np.array_equal(reg.predict(X[500:530]), batch[500:530])


def test_pickle_round_trip_in_fresh_process(tmp_path, iris):
    X, y = iris
    clf = NeuroEvolutionClassifier((6,), max_generations=20, random_state=0).fit(X, y)
    model, data = tmp_path / "model.pkl", tmp_path / "X.npy"
    model.write_bytes(pickle.dumps(clf))
    np.save(data, X)
    code = (
        "import pickle, sys, numpy as np; "
        "clf = pickle.loads(open(sys.argv[1], 'rb').read()); "
        "np.save(sys.argv[3], clf.predict_proba(np.load(sys.argv[2])))"
    )
    out = tmp_path / "proba.npy"
    subprocess.run([sys.executable, "-c", code, str(model), str(data), str(out)], check=True,
                   env={**os.environ, "PYTHONHASHSEED": "1"})
    np.testing.assert_array_equal(np.load(out), clf.predict_proba(X))
    # the pickled model carries the network, not the training data
    assert len(model.read_bytes()) < 200_000
