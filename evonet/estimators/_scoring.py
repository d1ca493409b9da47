"""``scoring=``: the estimators evolve networks for a scikit-learn scorer instead of the loss.

With ``scoring`` set, a fit's fitness is ``-score + alpha's L2 term``
(greater scores are better, as in scikit-learn), computed by a
:class:`~evonet.problems.ScoredProblem`. Scorer names with a vectorised
metric (:data:`VECTORISED`) are computed for the whole population at once by
:mod:`evonet.metrics`; any other name, or a scorer from
:func:`sklearn.metrics.make_scorer`, is called once per network on a fitted
stand-in whose ``predict`` (and the classifier's ``predict_proba``) return
that network's outputs. Early stopping scores the validation split with the
same scorer. The objective needs no gradient, so every strategy takes it.

A new scoring fit of a fixed-topology network first minimises the loss for
``round(loss_warmup * max_generations)`` generations (:func:`warmup_initializer`)
and starts the scored run from what that found: a random network's score is
flat (all of them predict the majority class, say) where its loss still tells
better from worse. ``strategy="nsga2"`` minimises ``-score`` exactly (its
second objective, the size, takes the place of ``alpha``'s L2 term).
"""

import numbers
from functools import partial

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.metrics import get_scorer, get_scorer_names

from evonet import metrics
from evonet.evaluation import Evaluator
from evonet.evolve import evolve
from evonet.problems.scored import ScoredProblem
from evonet.runs import start_run
from evonet.stopping import NoImprovementStopping

__all__ = ["VECTORISED", "check_loss_warmup", "check_scoring", "check_storable", "scored_fit",
           "scored_problem", "warmup_initializer"]

_AVERAGED = {f"{m}_{a}": (m, a) for m in ("f1", "precision", "recall")
             for a in ("micro", "macro", "weighted")}
_REGRESSION = {"r2": (metrics.r2, 1.0),
               "neg_mean_absolute_error": (metrics.mean_absolute_error, -1.0),
               "neg_mean_squared_error": (metrics.mean_squared_error, -1.0),
               "neg_root_mean_squared_error": (metrics.root_mean_squared_error, -1.0)}
VECTORISED = frozenset({"accuracy", "balanced_accuracy", "f1", "precision", "recall", "roc_auc",
                        "roc_auc_ovr", "roc_auc_ovr_weighted", "neg_log_loss",
                        *_AVERAGED, *_REGRESSION})
"""Scorer names computed for a whole population at once (binary or multiclass targets)."""


def check_scoring(scoring):
    """``scoring`` if valid (None, a scorer name or a callable scorer), else ``ValueError``.

    Examples
    --------
    >>> check_scoring("f1_macro")
    'f1_macro'
    """
    if scoring is None or callable(scoring):
        return scoring
    if isinstance(scoring, str) and scoring in get_scorer_names():
        return scoring
    raise ValueError(f"scoring={scoring!r} is not supported: use None (the loss), a scorer "
                     f"from sklearn.metrics.make_scorer, or one of the scorer names "
                     f"{sorted(get_scorer_names())}.")


def check_loss_warmup(loss_warmup):
    """``loss_warmup`` as a float if it is a number in [0, 1], else ``ValueError``.

    Examples
    --------
    >>> check_loss_warmup(0.25)
    0.25
    """
    if not (isinstance(loss_warmup, numbers.Real) and not isinstance(loss_warmup, bool)
            and 0 <= loss_warmup <= 1):
        raise ValueError(f"loss_warmup must be a number in [0, 1] (the fraction of "
                         f"max_generations spent on the loss before a scoring fit; 0 turns "
                         f"the warm-up off), got {loss_warmup!r}.")
    return float(loss_warmup)


def is_regression_scorer(scoring):
    """Whether ``scoring`` scores regression (a name or scorer of ``sklearn.metrics._regression``).

    A scorer built from a function of one's own is taken at its word (True).

    Examples
    --------
    >>> is_regression_scorer("r2"), is_regression_scorer("accuracy")
    (True, False)
    """
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    module = getattr(getattr(scorer, "_score_func", None), "__module__", None) or ""
    if isinstance(scoring, str) or module.startswith("sklearn."):
        return module == "sklearn.metrics._regression"
    return True


def check_storable(scoring):
    """Raise ``ValueError`` unless a model file can keep ``scoring`` (None or a name).

    Examples
    --------
    >>> check_storable("accuracy")
    """
    if scoring is not None and not isinstance(scoring, str):
        raise ValueError(f"scoring={scoring!r} cannot be saved in a model file: only None or "
                         f"a scorer name can. Pickle the estimator instead, or set "
                         f"scoring to a name or None (set_params) before saving: the fitted "
                         f"network does not depend on it.")


class _NetworkOutputs(BaseEstimator):
    """A fitted stand-in for one network: its predictions, computed beforehand."""

    def __init__(self, labels=None, proba=None, classes=None):
        self.labels = labels
        self.proba = proba
        self.classes = classes

    def __sklearn_is_fitted__(self):
        return True

    def predict(self, X):
        """The network's predictions."""
        return self.labels


class _ClassifierOutputs(ClassifierMixin, _NetworkOutputs):
    @property
    def classes_(self):
        return self.classes

    def predict_proba(self, X):
        """The network's class probabilities."""
        return self.proba


class _RegressorOutputs(RegressorMixin, _NetworkOutputs):
    pass


class Objective:
    """Scores of a population's outputs ``(P, rows, n_outputs)`` (evolved units).

    ``target_state`` is the estimator's ``get_target_state()``: the classes
    and label type of a classifier, the target scaling of a regressor.
    """

    def __init__(self, scoring, classifier, target_state, y, sample_weight):
        self.scoring = scoring
        self.classifier = classifier
        self.state = target_state
        self.y = np.asarray(y)
        self.sample_weight = sample_weight
        label_type = target_state.get("label_type")
        self.codes = None
        if classifier and label_type in ("binary", "multiclass"):
            self.codes = np.searchsorted(target_state["classes"], self.y)
        self.vectorised = scoring if self._can_vectorise() else None

    def _can_vectorise(self):
        if not isinstance(self.scoring, str) or self.scoring not in VECTORISED:
            return False
        if not self.classifier:
            return self.scoring in _REGRESSION
        if self.codes is None or self.scoring in _REGRESSION:
            return False
        if self.scoring in ("f1", "precision", "recall"):
            # scikit-learn's pos_label=1 on binary targets
            classes = self.state["classes"]
            return self.state["label_type"] == "binary" and classes.dtype.kind in "iuf" \
                and 1 in classes
        return not (self.scoring == "roc_auc" and self.state["label_type"] != "binary")

    def __call__(self, outputs, rows=None):
        """``(scores, failures)`` of networks' ``outputs`` on ``rows`` (None: all rows)."""
        y = self.y if rows is None else self.y[rows]
        w = self.sample_weight if self.sample_weight is None or rows is None \
            else self.sample_weight[rows]
        predictions = self._predictions(outputs)
        if self.vectorised is not None:
            if self.codes is not None:
                y = self.codes if rows is None else self.codes[rows]
            with np.errstate(all="ignore"):
                return self._vectorised_scores(y, predictions, w), []
        return self.scores_one_by_one(y, predictions, w)

    def _predictions(self, outputs):
        """A classifier's ``(labels, proba)`` (codes unless multilabel), a regressor's values."""
        if not self.classifier:
            values = outputs * self.state["scale"] + self.state["mean"]
            return values[:, :, 0] if self.state["ndim"] == 1 else values
        if self.state["label_type"] == "multilabel-indicator":
            return (outputs > 0.5).astype(int), outputs
        if outputs.shape[2] == 1:
            p = outputs[:, :, 0]
            return (p > 0.5).astype(np.intp), np.stack([1 - p, p], axis=2)
        return outputs.argmax(axis=2), outputs

    def _vectorised_scores(self, y, predictions, w):
        name = self.vectorised
        if not self.classifier:
            fn, sign = _REGRESSION[name]
            return sign * fn(y, predictions, w)
        labels, proba = predictions
        K = proba.shape[2]
        if name == "accuracy":
            return metrics.accuracy(y, labels, w)
        if name == "balanced_accuracy":
            return metrics.balanced_accuracy(y, labels, K, w)
        if name in ("f1", "precision", "recall"):
            pos = int(np.searchsorted(self.state["classes"], 1))
            return getattr(metrics, name)(y, labels, K, "binary", pos, w)
        if name in _AVERAGED:
            metric, average = _AVERAGED[name]
            return getattr(metrics, metric)(y, labels, K, average, 0, w)
        if name == "neg_log_loss":
            return -metrics.log_loss(y, proba, w)
        if K == 2:  # roc_auc and the one-vs-rest AUCs of binary targets
            return metrics.roc_auc(y == 1, proba[:, :, 1], w)
        return metrics.roc_auc_ovr(y, proba, "weighted" if name.endswith("weighted")
                                   else "macro", w)

    def _standin(self, predictions, p):
        if not self.classifier:
            return _RegressorOutputs(labels=predictions[p])
        labels, proba = predictions
        classes = self.state["classes"]
        if self.codes is not None:
            return _ClassifierOutputs(classes[labels[p]], proba[p], classes)
        return _ClassifierOutputs(labels[p], proba[p], classes)

    def scores_one_by_one(self, y, predictions, w):
        """``(scores, failures)``: the scorer called on a stand-in for each network."""
        scorer = get_scorer(self.scoring) if isinstance(self.scoring, str) else self.scoring
        n = len(predictions[0]) if self.classifier else len(predictions)
        X = np.zeros((len(y), 0))  # the stand-ins ignore X
        scores, failures = np.full(n, np.nan), []
        kwargs = {} if w is None else {"sample_weight": w}
        for p in range(n):
            try:
                scores[p] = float(scorer(self._standin(predictions, p), X, y, **kwargs))
            except Exception as exc:  # noqa: BLE001  (the network gets the worst fitness)
                failures.append(exc)
        return scores, failures


def _validate(params, architecture, X, objective):
    """The validation score of one network (``-inf`` when it has none)."""
    outputs = np.asarray(architecture.output(params, X), dtype=np.float64)[None]
    scores, _ = objective(outputs)
    return float(scores[0]) if np.isfinite(scores[0]) else -np.inf


def scored_fit(est, problem, architecture, data, validation):
    """The ``(problem, validation)`` of a fit with ``est.scoring`` (unchanged without it).

    The scorer is first tried on the training targets themselves (a perfect
    prediction): a scorer that cannot score this estimator's predictions (a
    classification metric on a regressor, say) raises ``ValueError`` naming
    ``scoring`` before the run starts.
    """
    scoring = check_scoring(est.scoring)
    check_loss_warmup(est.loss_warmup)
    if scoring is None:
        return problem, validation
    classifier, state = is_classifier(est), est.get_target_state()
    nsga2 = est.strategy == "nsga2"
    if nsga2 and not classifier and not is_regression_scorer(scoring):
        raise ValueError(f"scoring={scoring!r} is not a regression metric: "
                         f"{type(est).__name__} with strategy='nsga2' needs one, such as "
                         f"'r2', 'neg_mean_absolute_error' or 'neg_mean_squared_error'.")
    objective = Objective(scoring, classifier, state, data.y, data.sample_weight)
    _dry_run(objective, data)
    problem = ScoredProblem(problem, objective, penalised=not nsga2)
    if data.X_val is not None:
        validation = partial(_validate, architecture=architecture, X=data.X_val,
                             objective=Objective(scoring, classifier, state, data.y_val,
                                                 data.val_weight))
    return problem, validation


def _dry_run(objective, data):
    """Score the training targets as a prediction; ``ValueError`` if the scorer cannot."""
    if objective.vectorised is not None:
        return
    y = objective.y
    if not objective.classifier:
        predictions = y[None]
    elif objective.codes is not None:
        codes = objective.codes
        predictions = (codes[None], np.eye(len(objective.state["classes"]))[codes][None])
    else:
        predictions = (y[None], y[None].astype(np.float64))
    _, failures = objective.scores_one_by_one(y, predictions, data.sample_weight)
    if failures:
        raise ValueError(f"scoring={objective.scoring!r} cannot score this estimator's "
                         f"predictions: {failures[0]!r}.") from failures[0]


def scored_problem(est, problem, y, sample_weight):
    """``problem`` scored by ``est.scoring`` on targets ``y`` (PBT's judge of its members).

    ``problem`` as it is when ``scoring`` is ``None`` or ``"loss"``.
    """
    scoring = check_scoring(est.scoring)
    if scoring is None:
        return problem
    return ScoredProblem(problem, Objective(scoring, is_classifier(est), est.get_target_state(),
                                            y, sample_weight))


def warmup_initializer(est, strategy, architecture, problem, batch_size, rng, total_weight=1.0):
    """The first population of a new run: after a short fit of the loss, for a scoring fit.

    Without ``scoring`` (``problem`` not a :class:`ScoredProblem`), with
    ``loss_warmup=0``, for NEAT's graphs or a resumed run (``rng`` None) this
    is ``architecture.initializer(est.alpha, total_weight)``: starting
    weights scaled to the L2 term of the training rows, whose weights sum to
    ``total_weight`` (PBT, which draws alphas of its own, takes ``alpha=0``).
    Otherwise ``strategy`` first minimises
    the wrapped loss for ``round(loss_warmup * max_generations)`` generations
    (stopping as a fit does when the loss stops improving by ``tol`` for
    ``n_iter_no_change`` checks), on a generator drawn from ``rng``, without
    checkpoints or :func:`~evonet.runs.fit_context`'s callbacks; the
    scored run then starts from its best network (row 0, or the mean of a
    strategy that starts from one point) and from the population it would
    have asked next (the other rows).
    """
    alpha = 0.0 if strategy.name == "pbt" else est.alpha
    initializer = architecture.initializer(alpha, total_weight)
    generations = int(round(check_loss_warmup(est.loss_warmup) * est.max_generations))
    if not isinstance(problem, ScoredProblem) or generations == 0 \
            or architecture.kind != "mlp" or rng is None:
        return initializer
    warm_rng = np.random.default_rng(int(rng.integers(0, 2**63 - 1)))
    rule = NoImprovementStopping(est.tol, est.n_iter_no_change)
    warm = start_run(strategy, Evaluator(problem.problem, n_jobs=est.n_jobs), warm_rng,
                     initializer, batch_size, stopping=[rule])
    evolve(warm, generations, stopping=[rule])  # fit_context's callbacks see the scored run only
    best = np.asarray(warm.best, dtype=np.float64)
    population = np.asarray(strategy.ask(warm.state, warm_rng), dtype=np.float64)
    return partial(_warm_population, best=best, population=population,
                   initializer=initializer)


def _warm_population(n, rng, best, population, initializer):
    rows = [best[None, :], population[:n - 1]]
    missing = n - 1 - min(n - 1, len(population))
    if missing:
        rows.append(np.asarray(initializer(missing, rng), dtype=np.float64))
    return np.concatenate(rows)
