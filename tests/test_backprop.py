"""Batched back-propagation of MLPs: finite differences, scikit-learn's gradients, the losses."""

import warnings
import zlib

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from evonet.losses import loss_and_output_delta
from evonet.nn import ROW_CHUNK, MLPLayout, forward, population_backward
from evonet.problems import SupervisedProblem, loss_and_grad, population_loss_and_grad

HIDDEN = ["identity", "tanh", "relu", "logistic"]
# (output activation, loss, kind of targets)
HEADS = [("identity", "squared_error", "real"), ("tanh", "squared_error", "real"),
         ("relu", "squared_error", "real"), ("logistic", "squared_error", "real"),
         ("softmax", "squared_error", "real"), ("softmax", "log_loss", "labels"),
         ("logistic", "log_loss", "binary")]


def make_data(rng, n_rows, n_in, n_out, kind):
    X = rng.normal(size=(n_rows, n_in))
    if kind == "labels":
        y = rng.integers(0, n_out, size=n_rows)
    elif kind == "binary":
        y = (rng.random((n_rows, n_out)) < 0.5).astype(float)
    else:
        y = rng.normal(size=(n_rows, n_out))
    return X, y


def central_differences(problem, pop, rows=None, eps=1e-6):
    # every network is independent: perturb weight j of all networks at once
    fd = np.empty_like(pop)
    for j in range(pop.shape[1]):
        up, down = pop.copy(), pop.copy()
        up[:, j] += eps
        down[:, j] -= eps
        fd[:, j] = (problem.evaluate(up, rows) - problem.evaluate(down, rows)) / (2 * eps)
    return fd


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize(("output", "loss", "kind"), HEADS)
def test_gradient_equals_central_differences(activation, output, loss, kind):
    # a seed of the case's own (str hashes change from one process to the next)
    rng = np.random.default_rng(zlib.crc32(f"{activation}-{output}-{loss}".encode()))
    layout = MLPLayout(3, (4, 3), 3, activation=activation, output_activation=output)
    X, y = make_data(rng, 40, 3, 3, kind)
    problem = SupervisedProblem(layout, X, y, loss=loss, alpha=0.3, dtype=np.float64,
                                sample_weight=rng.uniform(0.1, 2.0, size=40))
    pop = rng.normal(size=(3, layout.n_params))
    rows = np.sort(rng.choice(40, size=25, replace=False))
    for r in (None, rows):
        losses, grads = loss_and_grad(problem, pop, r)
        np.testing.assert_array_equal(losses, problem.evaluate(pop, r))
        fd = central_differences(problem, pop, r)
        for p in range(3):
            assert relative_error(grads[p], fd[p]) < 1e-6


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("output", "loss", "kind"), HEADS)
def test_losses_equal_evaluate_over_several_chunks(dtype, output, loss, kind):
    rng = np.random.default_rng(3)
    n_rows = ROW_CHUNK * 2 + 37
    layout = MLPLayout(5, (6,), 3, activation="tanh", output_activation=output)
    X, y = make_data(rng, n_rows, 5, 3, kind)
    problem = SupervisedProblem(layout, X, y, loss=loss, alpha=0.5, dtype=dtype,
                                sample_weight=rng.uniform(0, 2, size=n_rows))
    pop = rng.normal(size=(9, layout.n_params))
    rows = np.sort(rng.choice(n_rows, size=700, replace=False))
    for r in (None, rows):
        losses, grads = loss_and_grad(problem, pop, r)
        np.testing.assert_array_equal(losses, problem.evaluate(pop, r))
        assert grads.shape == pop.shape and grads.dtype == np.float64


def test_batched_equals_one_network_at_a_time():
    rng = np.random.default_rng(4)
    layout = MLPLayout(4, (8, 5), 3, activation="relu", output_activation="softmax")
    X, y = make_data(rng, 600, 4, 3, "labels")
    problem = SupervisedProblem(layout, X, y, loss="log_loss", alpha=0.1, dtype=np.float64)
    pop = rng.normal(size=(12, layout.n_params))
    losses, grads = loss_and_grad(problem, pop)
    for p in range(12):
        one_loss, one_grad = loss_and_grad(problem, pop[p])
        np.testing.assert_allclose(one_loss, losses[p:p + 1], rtol=1e-12)
        np.testing.assert_allclose(one_grad[0], grads[p], rtol=1e-10, atol=1e-12)


def test_float32_gradient_is_close_to_float64():
    rng = np.random.default_rng(5)
    layout = MLPLayout(4, (8,), 3, output_activation="softmax")
    X, y = make_data(rng, 150, 4, 3, "labels")
    pop = rng.normal(size=(6, layout.n_params))
    _, g32 = population_loss_and_grad(layout, pop, X, y, "log_loss", dtype=np.float32)
    _, g64 = population_loss_and_grad(layout, pop, X, y, "log_loss", dtype=np.float64)
    assert relative_error(g32, g64) < 1e-5


def test_sparse_input_gives_the_dense_gradient():
    rng = np.random.default_rng(6)
    layout = MLPLayout(20, (5,), 2, activation="tanh", output_activation="logistic")
    X = rng.normal(size=(700, 20)) * (rng.random((700, 20)) < 0.1)
    y = (rng.random((700, 2)) < 0.5).astype(float)
    pop = rng.normal(size=(4, layout.n_params))
    dense = population_loss_and_grad(layout, pop, X, y, "log_loss", alpha=0.2, dtype=np.float64)
    sparse = population_loss_and_grad(layout, pop, sp.csr_matrix(X), y, "log_loss", alpha=0.2,
                                      dtype=np.float64)
    np.testing.assert_allclose(sparse[0], dense[0], rtol=1e-12)
    np.testing.assert_allclose(sparse[1], dense[1], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("output", ["identity", "tanh", "softmax"])
def test_population_backward_from_output_gradient(output):
    # squared error: dLoss/dOutput = 2 / (K N) (out - y), so the result is loss_and_grad's
    rng = np.random.default_rng(7)
    layout = MLPLayout(3, (4,), 2, activation="logistic", output_activation=output)
    X, y = make_data(rng, 30, 3, 2, "real")
    pop = rng.normal(size=(5, layout.n_params))
    out = forward(layout, pop, X, dtype=np.float64)
    dout = 2.0 / (2 * 30) * (out - y[None])
    got = population_backward(layout, pop, X, dout, dtype=np.float64)
    _, expected = population_loss_and_grad(layout, pop, X, y, "squared_error", dtype=np.float64)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)
    if output == "identity":
        logits = population_backward(layout, pop, X, dout, of="logits", dtype=np.float64)
        np.testing.assert_allclose(logits, expected, rtol=1e-10, atol=1e-14)


def test_bad_input_names_the_parameter():
    layout = MLPLayout(2, (), 2, output_activation="softmax")
    problem = SupervisedProblem(layout, np.zeros((3, 2)), [0, 1, 0], loss="error_rate")
    with pytest.raises(ValueError, match="error_rate"):
        loss_and_grad(problem, np.zeros((1, layout.n_params)))
    with pytest.raises(ValueError, match="output_grad"):
        population_backward(layout, np.zeros((1, 6)), np.zeros((3, 2)), np.zeros((1, 3, 1)))
    with pytest.raises(ValueError, match="of="):
        population_backward(layout, np.zeros((1, 6)), np.zeros((3, 2)), np.zeros((1, 3, 2)),
                            of="weights")
    with pytest.raises(ValueError, match="population"):
        loss_and_grad(SupervisedProblem(layout, np.zeros((3, 2)), [0, 1, 0], loss="log_loss"),
                      np.full((1, 6), np.nan))


def test_output_delta_leaves_the_logits_unchanged():
    layout = MLPLayout(2, (), 3, output_activation="tanh")
    Z = np.arange(12.0).reshape(2, 3, 2) / 10
    before = Z.copy()
    loss_and_output_delta("squared_error", Z, np.zeros((3, 2)), layout)
    np.testing.assert_array_equal(Z, before)


def sklearn_gradient(model, layout, weights, X, Y, sample_weight):
    """scikit-learn's own loss and flat gradient for ``weights`` (private ``_backprop``)."""
    layers = layout.unpack(weights)
    model.coefs_ = [W.copy() for W, _ in layers]
    model.intercepts_ = [b.copy() for _, b in layers]
    activations = [X] + [None] * layout.n_layers
    deltas = [None] * layout.n_layers
    coef_grads = [np.empty(w) for w, _ in layout.shapes]
    intercept_grads = [np.empty(b) for _, b in layout.shapes]
    loss, coef_grads, intercept_grads = model._backprop(
        X, Y, sample_weight, activations, deltas, coef_grads, intercept_grads)
    return loss, layout.pack(zip(coef_grads, intercept_grads))


def fitted(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("case", ["multiclass", "binary", "multilabel"])
def test_classifier_gradient_equals_sklearn(activation, case):
    rng = np.random.default_rng(8)
    X = rng.normal(size=(50, 4))
    sw = rng.uniform(0.2, 2.0, size=50)
    if case == "multiclass":
        y = rng.integers(0, 3, size=50)
        Y, targets, n_out, out = np.eye(3)[y], y, 3, "softmax"
    else:
        n_out = 1 if case == "binary" else 3
        Y = (rng.random((50, n_out)) < 0.5).astype(float)
        targets, out = Y, "logistic"
    model = fitted(MLPClassifier((6, 5), activation=activation, alpha=0.7, max_iter=1,
                                 random_state=0), X, Y[:, 0] if case == "binary" else targets)
    layout = MLPLayout(4, (6, 5), n_out, activation=activation, output_activation=out)
    pop = rng.normal(scale=0.5, size=(3, layout.n_params))
    losses, grads = population_loss_and_grad(layout, pop, X, targets, "log_loss", alpha=0.7,
                                             sample_weight=sw, dtype=np.float64)
    for p in range(3):
        sk_loss, sk_grad = sklearn_gradient(model, layout, pop[p], X, Y, sw)
        assert losses[p] == pytest.approx(sk_loss, rel=1e-10)
        assert relative_error(grads[p], sk_grad) < 1e-10


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("n_out", [1, 2])
def test_regressor_gradient_equals_sklearn(activation, n_out):
    # evonet's squared_error is the mean over K outputs of (y_hat - y)^2, scikit-learn's
    # half of it with a gradient of (y_hat - y) per output: evonet's gradient is 2 / K
    # times scikit-learn's when evonet's alpha is 2 / K times scikit-learn's alpha
    rng = np.random.default_rng(9)
    X = rng.normal(size=(40, 3))
    Y = rng.normal(size=(40, n_out))
    sw = rng.uniform(0.2, 2.0, size=40)
    model = fitted(MLPRegressor(hidden_layer_sizes=(5,), activation=activation, alpha=0.4,
                                max_iter=1, random_state=0), X, Y[:, 0] if n_out == 1 else Y)
    layout = MLPLayout(3, (5,), n_out, activation=activation)
    pop = rng.normal(scale=0.5, size=(3, layout.n_params))
    c = 2.0 / n_out
    losses, grads = population_loss_and_grad(layout, pop, X, Y, "squared_error", alpha=c * 0.4,
                                             sample_weight=sw, dtype=np.float64)
    for p in range(3):
        sk_loss, sk_grad = sklearn_gradient(model, layout, pop[p], X, Y, sw)
        assert relative_error(grads[p], c * sk_grad) < 1e-10
        if n_out == 1:
            assert losses[p] == pytest.approx(2 * sk_loss, rel=1e-10)
