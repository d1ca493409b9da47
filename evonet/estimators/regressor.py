"""Neuroevolution regressor with scikit-learn's ``MLPRegressor`` interface."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor
from sklearn.utils.validation import column_or_1d, validate_data

from evonet.estimators._base import BaseNeuroEvolution
from evonet.estimators._fitdata import unless_all_equal
from evonet.estimators._rescale import TargetStats, check_scalable, reexpress_run

__all__ = ["NeuroEvolutionRegressor"]


class NeuroEvolutionRegressor(RegressorMixin, BaseNeuroEvolution):
    """Multi-layer perceptron regressor trained by evolution.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    the same network (linear outputs, one per target) and the same loss
    (squared error plus ``alpha``'s L2 term), minimised by an evolution
    strategy, or by default from 800 training rows and in ``partial_fit``
    by population-based training. The parameters and attributes are those of
    :class:`~evonet.NeuroEvolutionClassifier`, ``checkpoint`` and
    ``save`` included (``alpha`` defaults to 3.0
    here: on standardised targets a stronger L2 term keeps small, noisy data
    sets from being over-fitted; ``tol=1e-4`` and ``n_iter_no_change=50``, as
    the squared error tracks R^2 closely and make_friedman1's slow plateaus
    lose R^2 under the classifier's looser defaults); with ``early_stopping`` the validation score
    is R^2 (weighted by the validation part's ``sample_weight``, as in
    ``MLPRegressor``), and ``loss`` is ``"squared_error"``.

    ``strategy="auto"`` follows the same rule: population-based training for
    a ``fit`` of at least 800 rows on the loss and for ``partial_fit``, else
    full CMA-ES for networks
    of at most 150 weights with fitness on all training rows, the
    OpenAI-style ES for larger networks or minibatch fitness
    (:func:`~evonet.estimators.choose_strategy`). Stopping counts *checks*,
    not generations: ``n_iter_no_change`` checks without improvement, one
    ``loss_curve_`` entry (and one ``validation_scores_`` entry) per check,
    a check every ``ceil(100 / population)`` generations with full-data
    fitness (further apart with minibatches; see
    :class:`~evonet.NeuroEvolutionClassifier`).

    The network is evolved on standardised targets (each column centred and
    scaled to unit variance, sample-weighted), so that the search does not
    depend on the targets' units; the scaling is then folded into the output
    layer, so ``coefs_``, ``intercepts_``, ``predict`` and ``to_sklearn()``
    work in the targets' own units. ``loss_curve_`` (at each check) and
    ``best_loss_`` are the mean squared error of the standardised targets
    over rows and outputs (1 - R^2 on the training data, plus the L2 term),
    computed in float32 as the fitness (float64 on small data with
    ``scoring`` or ``learning``; predictions are always float64).
    With ``partial_fit`` (and a ``warm_start`` fit after a first one) the
    scaling is that of all the rows seen so far (running weighted statistics),
    and when it changes the run's networks are re-expressed in the new units
    so that each predicts what it did: a stream whose first batch is
    unrepresentative (sorted by target, say) is learnt as a whole. (NEAT
    graphs keep the scaling of their first batch.)

    ``scoring`` (both estimators' last parameter, default ``None``: the loss)
    is what evolution maximises instead of the loss: the name of a
    scikit-learn scorer (``sklearn.metrics.get_scorer_names()``) or a scorer
    built with :func:`sklearn.metrics.make_scorer` (a cost, say). Greater is
    better; fitness is ``-score`` plus ``alpha``'s L2 term. The default
    ``alpha`` suits scores in [0, 1] (accuracy, F1, AUC, R^2...); for a
    score in other units (``neg_mean_absolute_error`` in the targets' units,
    a cost) scale ``alpha`` to it, or set it to 0. ``sample_weight`` reaches
    the scorer; early stopping uses it on the validation split
    (``validation_scores_`` and ``best_validation_score_`` hold it),
    ``best_loss_`` and ``loss_curve_`` hold ``-score`` plus the L2 term, and
    ``score`` stays R^2 (accuracy for the classifier), as in scikit-learn.
    Accuracy, balanced accuracy, precision, recall and F1 (binary and
    averaged), ROC AUC, log-loss, R^2, mean absolute and (root) mean squared
    error are computed for the whole population at once
    (:mod:`evonet.metrics`); another scorer is called once per network on a
    stand-in whose ``predict`` (and the classifier's ``predict_proba``)
    return that network's outputs (a scorer that needs ``decision_function``
    fails, as on the fitted estimator, which has none). A network the scorer
    gives NaN for, or raises on, gets the worst fitness and a warning counts
    them; a scorer that cannot score the training targets themselves raises
    ``ValueError`` before the run. The objective needs no gradient, so every
    evolution strategy (``"es"``, ``"cmaes"``, ``"ipop-cmaes"``, ``"ga"``,
    ``"neat"``, ``"nsga2"``) accepts it; ``learning`` does not (it follows the
    loss's gradient), and ``"pbt"`` trains its members on the loss while it
    ranks and keeps them by the score on its validation split. A model file
    keeps a scorer name; a ``make_scorer`` object cannot be saved there
    (``save`` raises ``ValueError``: pickle the estimator, or
    ``set_params(scoring=None)`` first). With ``scoring`` a new fit first
    minimises the loss for up to ``round(loss_warmup * max_generations)``
    generations and starts the scored run from that network (``loss_warmup``,
    after ``scoring``, default 0.5; 0 turns it off: see the classifier). With
    ``strategy="nsga2"`` the first objective is ``-score`` without the L2
    term, and ``scoring`` must be a regression metric.

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

    loss = "squared_error"

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="tanh",
        *,
        strategy="auto",
        population_size=None,
        max_generations=5000,
        max_evaluations=None,
        batch_size="auto",
        alpha=3.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=50,
        tol=1e-4,
        strategy_params=None,
        n_jobs=None,
        retry_failed=False,
        random_state=None,
        verbose=0,
        warm_start=False,
        checkpoint=None,
        checkpoint_interval=60,
        scoring=None,
        learning=None, learning_steps=10, learning_rate_init=1e-3, learning_batch_size=None,
        loss_warmup=0.5,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes, activation=activation, strategy=strategy,
            population_size=population_size, max_generations=max_generations,
            max_evaluations=max_evaluations, batch_size=batch_size, alpha=alpha,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, strategy_params=strategy_params,
            n_jobs=n_jobs, retry_failed=retry_failed, random_state=random_state,
            verbose=verbose, warm_start=warm_start, checkpoint=checkpoint,
            checkpoint_interval=checkpoint_interval, scoring=scoring,
            loss_warmup=loss_warmup,
        )
        self.learning, self.learning_steps = learning, learning_steps
        self.learning_rate_init, self.learning_batch_size = learning_rate_init, learning_batch_size

    def _validate_xy(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, multi_output=True, y_numeric=True,
                             dtype=np.float64, accept_sparse="csr")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _encode_targets(self, y, first, classes, sample_weight):
        Y = y.reshape(y.shape[0], -1).astype(np.float64)
        if not first and Y.shape[1] != len(self._y_mean):  # a continued or resumed fit
            raise ValueError(f"warm_start/partial_fit needs as many targets as the previous "
                             f"fit: it had {len(self._y_mean)} target column(s), y has "
                             f"{Y.shape[1]}.")
        if first:
            rows, weights = Y, sample_weight
            if sample_weight is not None:
                # fit leaves rows of zero weight out; so does the scaling, exactly
                kept = sample_weight > 0
                rows, weights = Y[kept], unless_all_equal(sample_weight[kept])
            with np.errstate(over="ignore", invalid="ignore"):
                mean = np.average(rows, axis=0, weights=weights)
                variance = np.average((rows - mean) ** 2, axis=0, weights=weights)
            check_scalable(Y, variance)
            scale = np.sqrt(variance)
            self._y_ndim = y.ndim
            self._y_mean = mean
            self._y_scale = np.where(scale > 0, scale, 1.0)
            # running statistics for partial_fit / warm_start (weights' sum, squares' sum)
            self._y_count = float(len(rows) if weights is None else weights.sum())
            self._y_m2 = variance * self._y_count
        return (Y - self._y_mean) / self._y_scale, Y.shape[1], "identity"

    def get_target_state(self):
        """The targets' scaling: each column's mean and scale, and their number of dimensions.

        The network is evolved on standardised targets; this undoes it.
        Checkpoints and model files store it, :meth:`set_target_state`
        restores it.

        Returns
        -------
        dict
            ``mean`` and ``scale`` (arrays, one value per target) and ``ndim``
            (1 for a target vector, 2 for a matrix).

        Examples
        --------
        >>> X = np.linspace(-1, 1, 20)[:, None]
        >>> reg = NeuroEvolutionRegressor((2,), max_generations=3, random_state=0)
        >>> state = reg.fit(X, 10 + 2 * X[:, 0]).get_target_state()
        >>> state["mean"], state["ndim"]
        (array([10.]), 1)
        """
        return {"mean": self._y_mean, "scale": self._y_scale, "ndim": self._y_ndim,
                "count": self._y_count, "m2": self._y_m2}

    def set_target_state(self, state):
        """Restore the target scaling :meth:`get_target_state` returned.

        Parameters
        ----------
        state : dict
            ``mean``, ``scale`` and ``ndim``.

        Examples
        --------
        >>> reg = NeuroEvolutionRegressor()
        >>> reg.set_target_state({"mean": [10.0], "scale": [2.0], "ndim": 1})
        >>> reg.get_target_state()["scale"]
        array([2.])
        """
        self._y_mean = np.asarray(state["mean"], dtype=np.float64)
        self._y_scale = np.asarray(state["scale"], dtype=np.float64)
        self._y_ndim = int(state["ndim"])
        # a model file keeps no running statistics: a new partial_fit run starts them again
        self._y_count = None if state.get("count") is None else float(state["count"])
        self._y_m2 = None if state.get("m2") is None else np.asarray(state["m2"], np.float64)

    def _continue_targets(self, data):
        # the running statistics take the new rows; the run is re-expressed in the new
        # units, so its networks predict what they did (NEAT graphs keep the first scaling)
        if self._architecture.kind != "mlp" or self._y_count is None:
            return
        Y = data.y.reshape(data.y.shape[0], -1).astype(np.float64)
        stats = TargetStats(self._y_count, self._y_mean, self._y_m2)
        with np.errstate(over="ignore", invalid="ignore"):
            stats.update(Y, data.sample_weight)
        check_scalable(Y, stats.m2)
        reexpress_run(self._run, self._architecture.layout, self._y_mean, self._y_scale,
                      stats.mean, stats.scale)
        self._y_mean, self._y_scale = stats.mean, stats.scale
        self._y_count, self._y_m2 = stats.count, stats.m2
        data.targets = (Y - self._y_mean) / self._y_scale

    # the names estimators/_base.py calls for checkpoints

    def _to_output_units(self, layers):
        # the network is evolved on standardised targets; folding the scaling into the
        # output layer makes the fitted network predict in the targets' own units
        W, b = layers[-1]
        layers[-1] = (W * self._y_scale, b * self._y_scale + self._y_mean)
        return layers

    def _from_evolved_units(self, output):
        return output * self._y_scale + self._y_mean

    def _output_scaling(self):
        return np.array(self._y_scale, dtype=np.float64), np.array(self._y_mean, dtype=np.float64)

    def _validation_score(self, params, X_val, y_val, sample_weight=None):
        # R^2 (weighted or not) is the same for standardised targets and predictions as
        # for the originals
        standardised = (y_val.reshape(len(y_val), -1) - self._y_mean) / self._y_scale
        return float(r2_score(standardised, self._output(X_val, params),
                              sample_weight=sample_weight))

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
        output = self._cast_output(self._output(self._check_predict_input(X)), X)
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
