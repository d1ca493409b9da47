"""Neuroevolution regressor with scikit-learn's ``MLPRegressor`` interface."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor
from sklearn.utils.validation import column_or_1d, validate_data

from evonet.estimators._base import BaseNeuroEvolution

__all__ = ["NeuroEvolutionRegressor"]


class NeuroEvolutionRegressor(RegressorMixin, BaseNeuroEvolution):
    """Multi-layer perceptron regressor whose weights are evolved, not back-propagated.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    the same network (linear outputs, one per target) and the same loss
    (squared error plus ``alpha``'s L2 term), minimised by an evolution
    strategy. The parameters and attributes are those of
    :class:`~evonet.NeuroEvolutionClassifier`; with ``early_stopping`` the
    validation score is R^2. ``loss_curve_`` is the mean squared error over
    rows and outputs (scikit-learn's MLP reports half of it).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet import NeuroEvolutionRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(200, 2))
    >>> y = X[:, 0] - 2 * X[:, 1]
    >>> reg = NeuroEvolutionRegressor((4,), max_generations=300, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    _loss = "squared_error"

    def _validate_xy(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, multi_output=True, y_numeric=True,
                             dtype=np.float64)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _encode_targets(self, y, first, classes):
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if first:
            self._y_ndim = y.ndim
        return y.reshape(y.shape[0], -1).astype(np.float64), n_outputs, "identity"

    def _validation_score(self, params, X_val, y_val):
        pred = self._output(X_val, params)
        return float(r2_score(y_val.reshape(len(y_val), -1), pred))

    def fit(self, X, y, sample_weight=None):
        """Evolve the network's weights on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight)

    def partial_fit(self, X, y, sample_weight=None):
        """Run one generation on ``(X, y)``, continuing the same population.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        X = self._check_predict_input(X)
        output = self._output(X)
        return output.ravel() if self._y_ndim == 1 else output

    def to_sklearn(self):
        """A fitted :class:`sklearn.neural_network.MLPRegressor` with these weights.

        Returns
        -------
        MLPRegressor

        Examples
        --------
        >>> import numpy as np
        >>> X = np.linspace(-1, 1, 50)[:, None]
        >>> reg = NeuroEvolutionRegressor((3,), max_generations=20, random_state=0).fit(X, X[:, 0])
        >>> bool(np.allclose(reg.to_sklearn().predict(X), reg.predict(X), rtol=1e-12))
        True
        """
        return self._sklearn_network(MLPRegressor())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
