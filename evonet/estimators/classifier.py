"""Neuroevolution classifier with scikit-learn's ``MLPClassifier`` interface."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.neural_network import MLPClassifier
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d, validate_data

from evonet.estimators._base import BaseNeuroEvolution
from evonet.estimators._labels import ClassLabelsMixin, check_same_classes
from evonet.estimators._learning import LEARNING_PARAM_NAMES
from evonet.estimators._pbt_docs import document_learning_and_pbt

__all__ = ["NeuroEvolutionClassifier"]


@document_learning_and_pbt
class NeuroEvolutionClassifier(ClassLabelsMixin, ClassifierMixin, BaseNeuroEvolution):
    """Multi-layer perceptron classifier trained by evolution.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    the same network (``hidden_layer_sizes``, ``activation``, softmax output
    for several classes, one logistic unit for two, independent logistic
    units for multilabel targets) and the same loss (``log_loss`` plus
    ``alpha``'s L2 term), minimised by an evolution strategy over whole
    populations of networks evaluated in one batched NumPy pass; or, by
    default from 800 training rows and in ``partial_fit``, by
    population-based training, where back-propagation trains a population
    of networks and evolution chooses their learning rates and L2 terms
    (``strategy`` below).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer.
    activation : {"tanh", "relu", "logistic", "identity"}, default="tanh"
        Activation of the hidden layers.
    strategy : {"auto", "es", "cmaes", "ga", "neat", "nsga2"}, default="auto"
        Search strategy (see :mod:`evonet.strategies`). ``"auto"`` trains by
        population-based training (``"pbt"``, below) a ``fit`` of at least
        800 rows whose objective is the loss (no ``scoring`` or ``learning``,
        no ``strategy_params``, ``batch_size="auto"``): measured on digits,
        make_friedman1 and make_classification, it was as accurate as the ES
        or more in a seventh to three quarters of its time; and ``partial_fit``
        whatever its batches, under the same conditions: on streams of
        batches it was as accurate as ``MLPClassifier.partial_fit`` or more
        where the ES fell behind (:func:`~evonet.estimators.auto_picks_pbt`).
        Otherwise it uses full
        CMA-ES when the network has at most 150 weights and fitness is
        computed on all training rows, and the OpenAI-style ES otherwise:
        for larger networks (the covariance model of CMA-ES grows with the
        square of the weights) and whenever fitness uses minibatches
        (``batch_size``, including ``"auto"`` beyond 2,000 rows), whose noise
        CMA-ES's covariance estimate handles badly while the ES averages it
        out through its Adam step
        (:func:`~evonet.estimators.choose_strategy`). ``strategy_`` says
        which was used. ``"neat"`` evolves
        the topology too, from a minimal network with every input wired to
        every output: ``hidden_layer_sizes`` and ``alpha`` are then ignored,
        ``activation`` is that of new hidden nodes, and the fitted model has
        ``genome_`` instead of ``coefs_`` / ``intercepts_``. ``"nsga2"`` trades the loss
        against the non-zero weights (``pareto_front_``, ``select_network``; never "auto").
    population_size : int, default=None
        Networks per generation; ``None`` uses the strategy's default.
    max_generations : int, default=5000
        Budget of generations for one ``fit``.
    max_evaluations : int, default=None
        Optional budget of network evaluations, checked before each
        generation: the generation that reaches it runs whole, so a fit may
        end up to a population (and its checks) past it.
    batch_size : "auto", int or None, default="auto"
        Rows each generation's fitness is computed on: a fresh minibatch per
        generation, the same rows for every network of that generation.
        ``None`` uses all rows; ``"auto"`` uses all rows up to 2,000 (10,000
        with ``scoring``, whose metrics are far noisier on minibatches) and
        256 rows beyond. The returned model is always chosen on all training rows
        (or on the validation split with ``early_stopping``). With
        minibatches the ES divides its Adam step by 3 when the training loss
        stops improving, up to 3 times, before the fit stops
        (``adaptive_steps`` of :class:`~evonet.strategies.OpenES`; set it in
        ``strategy_params``, 0 to stop at the first stall).
    alpha : float, default=1.0
        L2 penalty ``0.5 * alpha * ||W||^2 / n_samples`` on the weights,
        included in ``loss_curve_`` and ``best_loss_``. Larger than
        ``MLPClassifier``'s 1e-4: an evolution strategy lacks gradient
        descent's implicit pull toward small weights, and this default
        generalises better on the benchmark data sets. Population-based
        training (``strategy="pbt"``, and what ``"auto"`` picks from 800
        rows and for ``partial_fit``) explores each member's own, and this
        ``alpha`` scales the range they are drawn from (see ``strategy``).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified) and stop when
        its accuracy has not improved by ``tol`` for ``n_iter_no_change``
        checks; the network with the best validation accuracy is kept. With
        ``sample_weight``, the training part's weights weight the loss and the
        validation part's weight the accuracy, as in ``MLPClassifier``.
    validation_fraction : float, default=0.1
    n_iter_no_change : int or np.inf, default=50
        Checks without improvement of more than ``tol`` (training loss, or
        validation accuracy with ``early_stopping``) before stopping. A
        *check* scores the strategy's current network on all training rows
        (and on the validation split): every ``ceil(100 / P)`` generations
        for ``P`` networks per generation, so that at least 100 networks are
        evaluated between two checks (see :data:`evonet.evolve.CHECK_EVALUATIONS`);
        with minibatches at least ``ceil(10 * n_samples / (P * batch_size))``
        generations apart, so checks cost at most about a tenth of the
        fitness work. For ``P=16`` and full-data fitness, 50 checks are 350
        generations. CMA-ES also stops once its steps have collapsed (``StepSizeStopping``).
        With ``strategy="pbt"`` it counts epochs, in whole rounds (at most
        ``n_iter_no_change`` rounds).
    tol : float, default=1e-4
        As in ``MLPClassifier``. (A looser ``tol=3e-4, n_iter_no_change=30`` ends fits
        25-50% sooner; on digits, repeated 5-fold CV, it cost 0.3 points of accuracy.)
    strategy_params : dict, default=None
        Settings passed to the strategy, e.g. ``{"sigma": 0.1, "learning_rate": 0.01}``
        for ``"es"``.
    n_jobs : int, default=None
        Parallel fitness evaluation through joblib (any backend, Dask
        included: see :class:`~evonet.evaluation.Evaluator`); results do not
        depend on it.
    retry_failed : bool, default=False
        When a worker process dies while scoring a generation, score the
        chunks it lost again on fresh workers (once) instead of raising a
        ``RuntimeError``; the result is the same as without the failure.
    random_state : None, int or numpy.random.RandomState, default=None
        Turned once per ``fit`` into a ``numpy.random.Generator``, the only
        source of randomness.
    verbose : int, default=0
        1 prints progress every 10 generations and the last (so each
        ``partial_fit`` call prints its line), 2 every generation; a run that
        a stopping rule ended then says why.
    warm_start : bool, default=False
        Continue the previous population and strategy state on the next
        ``fit``. The run's ``strategy``, ``population_size`` and
        ``strategy_params`` (for PBT also ``alpha`` and
        ``learning_rate_init``, which set its members) cannot change between
        such fits (``ValueError``); ``alpha`` and the other settings of the
        loss can, and the fit then learns under them. A fit that holds out
        validation rows splits as the fit that started the run did, as
        scikit-learn's MLPs do with an integer ``random_state`` (on the same
        rows and ``validation_fraction``, the same rows).
    checkpoint : str or path-like, default=None
        A checkpoint file for ``fit``. While ``fit`` runs the whole state of
        the run (population, strategy state, generator, logbook, stopping
        counters...) is saved there every ``checkpoint_interval`` seconds,
        atomically; when the file exists, ``fit`` resumes from it instead of
        starting over, and the result is identical to that of an
        uninterrupted ``fit``. A checkpoint written with other parameters or
        data raises ``ValueError`` saying what differs (only
        ``max_generations``, ``max_evaluations``, ``n_jobs``, ``retry_failed``,
        ``verbose`` and the checkpoint settings may change). The file is
        removed when ``fit`` ends. When scoring a generation fails (a worker
        died, a fitness raised), the state before that generation is written
        there before the error propagates, so a later ``fit`` resumes from it;
        a failure after the strategy has taken the generation's losses (in
        the periodic full-data check of the best network, say) keeps the last
        periodic checkpoint, and the error says so.
        ``partial_fit`` ignores it.
    checkpoint_interval : float, default=60
        Seconds between checkpoint writes; 0 writes after every generation.
    scoring : None, str or callable, default=None
        Maximise a scikit-learn scorer (its name, or ``make_scorer(...)``) instead of the
        loss: fitness is ``-score`` plus ``alpha``'s term (whose default suits scores in
        [0, 1]); early stopping and ``validation_scores_`` use it, ``score`` stays
        accuracy. No gradient needed: any strategy takes it (NeuroEvolutionRegressor's notes).
    loss_warmup : float in [0, 1], default=0.5
        With ``scoring``, a new fit of a fixed-topology network first minimises the loss
        for up to ``round(loss_warmup * max_generations)`` generations (ending early when
        the loss stops improving, as ``tol`` and ``n_iter_no_change`` say) and the scored
        run starts from its best network: a score is flat where random networks all
        predict one class. 0 turns it off; ignored without ``scoring``, by NEAT, by
        ``warm_start``/``partial_fit`` continuations and by resumed fits.

    Attributes
    ----------
    classes_ : ndarray
        Class labels.
    coefs_, intercepts_ : list of ndarray
        Weights and biases per layer, as in ``MLPClassifier``.
    n_iter_ : int
        Generations run by the latest ``fit`` (1 after ``partial_fit``), as MLPClassifier.
    n_evaluations_ : int
        Networks evaluated.
    stop_reason_ : str
        Why the last ``fit`` ended: ``"converged"``, ``"validation"`` (early
        stopping), ``"budget"``, ``"max_evaluations"`` or ``"interrupted"``
        (Ctrl-C; the best network so far is kept): :mod:`evonet.stopping`.
    best_loss_ : float or None
        Lowest training loss (full training data, with the L2 term; computed in
        float32 as the fitness, or in float64 on small data with ``scoring``
        or ``learning``); None with early_stopping.
    loss_ : float or None
        The last entry of ``loss_curve_`` (None if it is empty): the loss of the strategy's current
        network at the fit's last check (``MLPClassifier``'s current loss).
    loss_curve_ : list of float
        Full-data training loss (with the L2 term) of the strategy's current
        network at each check (see ``n_iter_no_change``), plus one after the
        last generation if that was not a check: one entry per check, not
        per generation.
    validation_scores_ : list of float or None
        Validation accuracy of the strategy's current network at each check
        during the run, with ``early_stopping`` (a final check added after
        the last generation is not scored).
    best_validation_score_ : float or None
    logbook_ : deap.tools.Logbook
        Per-generation statistics.
    strategy_ : str
        The strategy used (``"auto"`` resolved).
    loss : str
        ``"log_loss"``, the loss minimised (a class attribute, as in
        ``MLPClassifier``; not a parameter).
    genome_ : NeatIndividual
        The evolved graph (``strategy="neat"`` only).
    n_features_in_ : int
    feature_names_in_ : ndarray
        Present when fitted on a DataFrame with string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from evonet import NeuroEvolutionClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = NeuroEvolutionClassifier(hidden_layer_sizes=(4,), max_generations=200,
    ...                                random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """

    loss = "log_loss"

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
        alpha=1.0,
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
        params = {k: v for k, v in locals().items() if k not in ("self", "__class__")}
        learning = {k: params.pop(k) for k in LEARNING_PARAM_NAMES}
        super().__init__(**params)
        vars(self).update(learning)   # the learning parameters (estimators/_learning.py)

    def _validate_xy(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, multi_output=True, dtype=np.float64,
                             accept_sparse="csr")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        return X, y

    def _validation_score(self, params, X_val, y_val, sample_weight=None):
        # accuracy (subset accuracy for multilabel targets), weighted as sklearn's score
        predicted = self._decode(self._output(X_val, params))
        correct = predicted == y_val if y_val.ndim == 1 else np.all(predicted == y_val, axis=1)
        return float(np.average(correct, weights=sample_weight))

    def fit(self, X, y, sample_weight=None):
        """Evolve the network's weights on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (any type), or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; the loss is their weighted mean.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one generation on ``(X, y)``, continuing the same population.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        classes : array-like, default=None
            All class labels; required on the first call. For a multilabel
            indicator ``y`` the labels are its columns (``classes_`` becomes
            ``arange(n_labels)``, as in ``MLPClassifier``).
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        if not hasattr(self, "_run") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if classes is not None and hasattr(self, "_run"):
            check_same_classes(classes, self.classes_)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True,
                         classes=self.classes_ if classes is None else classes)

    def predict_proba(self, X):
        """Class probabilities, columns ordered as ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        output = self._cast_output(self._output(self._check_predict_input(X)), X)
        if self.n_outputs_ == 1:
            p = output.ravel()
            return np.column_stack([1 - p, p])
        return output

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        X = self._check_predict_input(X)
        return self._decode(self._output(X))

    def to_sklearn(self):
        """A fitted :class:`sklearn.neural_network.MLPClassifier` with these weights.

        Its ``predict`` equals this model's and its ``predict_proba`` matches
        to floating-point accuracy.

        Returns
        -------
        MLPClassifier

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_iris
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = NeuroEvolutionClassifier((4,), max_generations=20, random_state=0)
        >>> mlp = clf.fit(X, y).to_sklearn()
        >>> bool(np.all(mlp.predict(X) == clf.predict(X)))
        True
        """
        model = self._sklearn_network(MLPClassifier())
        model.classes_ = self.classes_.copy()
        model._label_binarizer = self._label_binarizer  # noqa: SLF001  (where MLPClassifier keeps it)
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
