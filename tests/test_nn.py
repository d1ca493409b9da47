import warnings

import numpy as np
import pytest

from evonet.nn import ACTIVATIONS, ROW_CHUNK, MLPLayout, chunk_memory_bound, forward
from evonet.nn.activations import softmax


def test_hand_worked_forward_2_2_1():
    # W1 = [[1, -1], [2, 0.5]], b1 = [0, 1]; W2 = [[1], [-2]], b2 = [0.5]
    layout = MLPLayout(2, (2,), 1, activation="tanh")
    weights = np.array([1.0, -1.0, 2.0, 0.5, 0.0, 1.0, 1.0, -2.0, 0.5])
    X = np.array([[1.0, 0.0], [0.5, -1.0]])
    # row 0: z1 = [1, -1 + 1] = [1, 0]; h = [tanh 1, 0]; out = tanh(1) + 0.5
    # row 1: z1 = [0.5 - 2, -0.5 - 0.5 + 1] = [-1.5, 0]; out = tanh(-1.5) + 0.5
    expected = np.array([[np.tanh(1.0) + 0.5], [np.tanh(-1.5) + 0.5]])
    np.testing.assert_allclose(forward(layout, weights, X, dtype=np.float64), expected, rtol=1e-15)
    pop = forward(layout, np.stack([weights, weights]), X, dtype=np.float64)
    np.testing.assert_allclose(pop[1], expected, rtol=1e-15)


@pytest.mark.parametrize("hidden", [(), (3,), (5, 4), (7, 3, 2)])
@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic", "identity"])
@pytest.mark.parametrize("output", ["identity", "softmax", "logistic"])
def test_population_forward_equals_per_individual(hidden, activation, output):
    rng = np.random.default_rng(0)
    layout = MLPLayout(4, hidden, 3, activation=activation, output_activation=output)
    pop = rng.normal(size=(7, layout.n_params))
    X = rng.normal(size=(11, 4))
    for dtype, tol in ((np.float32, 1e-5), (np.float64, 1e-12)):
        batched = forward(layout, pop, X, dtype=dtype)
        assert batched.shape == (7, 11, 3) and batched.dtype == dtype
        single = np.stack([forward(layout, w, X, dtype=dtype) for w in pop])
        np.testing.assert_allclose(batched, single, atol=tol, rtol=tol)


def test_rows_beyond_one_chunk_match_unchunked_reference():
    rng = np.random.default_rng(1)
    layout = MLPLayout(3, (4,), 2)
    pop = rng.normal(size=(3, layout.n_params))
    X = rng.normal(size=(ROW_CHUNK * 2 + 17, 3))
    out = forward(layout, pop, X, dtype=np.float64)
    for p, w in enumerate(pop):
        (W1, b1), (W2, b2) = layout.unpack(w)
        ref = np.tanh(X @ W1 + b1) @ W2 + b2
        np.testing.assert_allclose(out[p], ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "n_inputs, hidden, n_outputs, output",
    [(30, (100,), 1, "identity"), (64, (32, 16), 10, "softmax"), (5, (), 3, "logistic"),
     (2, (3,), 2, "softmax")],
)
def test_one_network_gives_each_row_the_same_outputs_alone_or_in_a_batch(
        n_inputs, hidden, n_outputs, output, dtype):
    rng = np.random.default_rng(2)
    layout = MLPLayout(n_inputs, hidden, n_outputs, output_activation=output)
    w = rng.normal(size=layout.n_params) / np.sqrt(n_inputs)
    X = rng.normal(size=(ROW_CHUNK + 41, n_inputs))
    batch = forward(layout, w, X, dtype=dtype)
    assert batch.dtype == dtype
    alone = np.concatenate([forward(layout, w, X[i:i + 1], dtype=dtype) for i in range(60)])
    assert np.array_equal(alone, batch[:60])
    for start, stop in ((3, 10), (500, 530), (ROW_CHUNK, ROW_CHUNK + 41)):
        assert np.array_equal(forward(layout, w, X[start:stop], dtype=dtype),
                              batch[start:stop])
    # the same network through BLAS (the population path) agrees to rounding
    expected = forward(layout, w[None], X, dtype=np.float64)[0]
    np.testing.assert_allclose(batch, expected, rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-5 if dtype == np.float32 else 1e-12)


def test_pack_unpack_round_trip():
    layout = MLPLayout(5, (4, 3), 2)
    w = np.random.default_rng(2).normal(size=layout.n_params)
    layers = layout.unpack(w)
    assert [(W.shape, b.shape) for W, b in layers] == [((5, 4), (4,)), ((4, 3), (3,)),
                                                       ((3, 2), (2,))]
    np.testing.assert_array_equal(layout.pack(layers), w)
    assert layout.n_params == 5 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2


def test_unpack_of_population_has_leading_axis():
    layout = MLPLayout(2, (3,), 1)
    pop = np.zeros((6, layout.n_params))
    (W1, b1), (W2, b2) = layout.unpack(pop)
    assert W1.shape == (6, 2, 3) and b2.shape == (6, 1)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_stable_at_extremes(name, dtype):
    z = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            out = ACTIVATIONS[name](z.copy())
    assert np.isfinite(out).all()


def test_softmax_rows_sum_to_one_and_is_in_place():
    z = np.array([[1e4, 0.0, -1e4], [1.0, 2.0, 3.0]])
    out = softmax(z)
    assert out is z
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    np.testing.assert_allclose(out[0], [1.0, 0.0, 0.0])


def test_forward_stays_finite_with_huge_weights():
    layout = MLPLayout(2, (3,), 2, activation="logistic", output_activation="softmax")
    pop = np.full((2, layout.n_params), 1e4)
    pop[1] *= -1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = forward(layout, pop, np.ones((4, 2)) * 1e3)
    assert np.isfinite(out).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_inputs=0), "n_inputs"),
        (dict(n_outputs=-1), "n_outputs"),
        (dict(hidden_layer_sizes=(3, 0)), "hidden layer size"),
        (dict(hidden_layer_sizes="abc"), "hidden layer size"),
        (dict(activation="sigmoid"), "activation='sigmoid'"),
        (dict(activation="softmax"), "activation='softmax'"),
        (dict(output_activation="gelu"), "output_activation='gelu'"),
    ],
)
def test_layout_rejects_bad_parameters(kwargs, match):
    args = dict(n_inputs=2, hidden_layer_sizes=(3,), n_outputs=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        MLPLayout(**args)


def test_forward_rejects_bad_input():
    layout = MLPLayout(2, (3,), 1)
    w = np.zeros(layout.n_params)
    with pytest.raises(ValueError, match="3 features"):
        forward(layout, w, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="2-D"):
        forward(layout, w, np.zeros(4))
    with pytest.raises(ValueError, match="n_params=13"):
        forward(layout, np.zeros(12), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="n_params=13"):
        forward(layout, np.zeros((5, 14)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        forward(layout, np.full(13, np.nan), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="X contains NaN"):
        forward(layout, w, np.array([[0.0, np.inf]]))
    with pytest.raises(ValueError, match="numeric"):
        forward(layout, w, np.array([["a", "b"]], dtype=object))
    with pytest.raises(ValueError, match="floating dtype"):
        forward(layout, w, np.zeros((1, 2)), dtype=np.int32)


def test_memory_bound_does_not_depend_on_rows_and_holds(tmp_path):
    import tracemalloc

    layout = MLPLayout(8, (16,), 1)
    pop = np.random.default_rng(0).normal(size=(10, layout.n_params))
    X = np.random.default_rng(1).normal(size=(ROW_CHUNK * 5, 8))
    tracemalloc.start()
    forward(layout, pop, X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out_bytes = 10 * X.shape[0] * 1 * 4
    assert peak <= chunk_memory_bound(layout, 10) + out_bytes
