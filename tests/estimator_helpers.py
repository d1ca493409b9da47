"""Data shared by the estimator tests."""

import numpy as np


def regression_data(n=200, outputs=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    Y = np.column_stack([X[:, 0] - 2 * X[:, 1], np.sin(2 * X[:, 2])])[:, :outputs]
    return X, (Y[:, 0] if outputs == 1 else Y)
