"""The activations: tanh's accuracy in float32 (the fitness path) and float64 (predictions),
its edge cases and symmetry, dtypes and in-place semantics of every activation."""

import numpy as np
import pytest

from evonet.nn.activations import ACTIVATIONS, apply_activation, tanh

FLOAT32_TANH_MAX_ERROR = 1e-6
"""Largest absolute error allowed of the float32 tanh against float64 tanh (XLA's is ~1e-6)."""


def dense_grid():
    """Every magnitude of float32: a dense linear grid, tiny to huge values, both signs."""
    linear = np.linspace(-20.0, 20.0, 1_000_001)
    magnitudes = np.logspace(-45.0, 38.0, 50_001)
    return np.concatenate([linear, magnitudes, -magnitudes]).astype(np.float32)


def test_float32_tanh_within_the_error_bound_over_the_float32_range():
    x = dense_grid()
    got = tanh(x.copy())
    assert got.dtype == np.float32
    error = np.abs(got.astype(np.float64) - np.tanh(x.astype(np.float64)))
    assert error.max() <= FLOAT32_TANH_MAX_ERROR, x[np.argmax(error)]


def test_float32_tanh_is_relatively_accurate_for_tiny_inputs():
    # an absolute bound alone would let tanh(1e-20) be 0; it must be about 1e-20
    x = np.logspace(-37.0, -3.0, 20_001).astype(np.float32)  # normal float32 numbers
    x = np.concatenate([x, -x])
    got = tanh(x.copy()).astype(np.float64)
    exact = np.tanh(x.astype(np.float64))
    assert np.abs(got / exact - 1).max() <= 1e-6


def test_float64_tanh_is_numpys_exact_tanh():
    # the prediction path (float64) must stay exactly NumPy's tanh
    x = np.concatenate([np.linspace(-30, 30, 100_001), np.logspace(-300, 300, 1001)])
    assert np.array_equal(tanh(x.copy()), np.tanh(x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_edge_cases(dtype):
    big = np.finfo(dtype).max
    tiny = np.finfo(dtype).smallest_subnormal
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, big, -big, 1e30, -1e30, tiny, -tiny],
                 dtype=dtype)
    with np.errstate(all="raise"):
        got = tanh(x.copy())
    assert np.isnan(got[0])
    np.testing.assert_array_equal(got[1:], [1, -1, 0, 0, 1, -1, 1, -1, tiny, -tiny])
    assert not np.signbit(got[3]) and np.signbit(got[4])  # the sign of zero is kept


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_is_odd_and_saturates_at_plus_minus_one(dtype):
    x = np.linspace(0.0, 60.0, 600_001).astype(dtype)
    positive = tanh(x.copy())
    assert np.array_equal(tanh(-x), -positive)
    assert (np.abs(positive) <= 1).all()
    # exactly 1 once 1 - tanh(x) is below half a unit in the last place:
    # tanh(12) = 1 - 7.6e-11 in float32, tanh(20) = 1 - 8.5e-18 in float64
    saturated = 12 if dtype == np.float32 else 20
    assert (positive[x >= saturated] == 1).all()
    assert (positive[x > 0] > 0).all()


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_keep_the_dtype_and_work_in_place(name, dtype):
    z = np.random.default_rng(0).normal(size=(3, 4, 5)).astype(dtype) * 3
    expected = ACTIVATIONS[name](z.copy(), axis=1)
    out = apply_activation(name, z, axis=1)
    assert out is z and out.dtype == dtype
    np.testing.assert_array_equal(z, expected)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_leave_read_only_and_integer_inputs_alone(name):
    z = np.array([[-2, 0, 3]])
    frozen = z.astype(np.float32)
    frozen.flags.writeable = False
    for source in (z, frozen):
        kept = source.copy()
        out = ACTIVATIONS[name](source)
        if name != "identity":
            assert out is not source and not np.shares_memory(out, source)
        np.testing.assert_array_equal(source, kept)
    assert ACTIVATIONS[name](frozen).dtype == np.float32


def test_activations_in_place_on_a_view_change_only_the_view():
    z = np.full((4, 6), -5.0, dtype=np.float32)
    view = z[1:3, ::2]
    tanh(view)
    assert (z[1:3, ::2] == np.tanh(np.float32(-5.0))).all()
    untouched = np.ones_like(z, dtype=bool)
    untouched[1:3, ::2] = False
    assert (z[untouched] == -5.0).all()
