"""The front of a multi-objective fit (``strategy="nsga2"``): ``pareto_front_``, ``select_network``.

With ``strategy="nsga2"`` a fit ends with several networks none of which is
both more accurate and smaller than another. The estimator keeps them all: its
``pareto_front_`` lists them (loss and number of non-zero weights and biases, best
loss first), ``predict``, ``to_sklearn``, ``save`` and ``to_json`` use one of them
(the best loss, until :meth:`ParetoMixin.select_network` picks another in a copy),
and model files keep the whole front.
"""

import copy
import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from evonet.stopping import (
    HypervolumeStopping,
    NoImprovementStopping,
    StepSizeStopping,
    ValidationStopping,
)

__all__ = ["ParetoMixin", "stopping_rules"]

MULTI_OBJECTIVE = ("nsga2",)
"""Strategies whose fit ends with a front of networks."""


def stopping_rules(strategy_name, tol, n_iter_no_change, validated, incremental):
    """The stopping rules of a fit: the loss, the validation score or the front's hypervolume.

    Examples
    --------
    >>> [type(r).__name__ for r in stopping_rules("nsga2", 1e-4, 10, False, False)]
    ['HypervolumeStopping']
    >>> stopping_rules("nsga2", 1e-4, 10, True, False)
    Traceback (most recent call last):
    ...
    ValueError: early_stopping=True is not supported with strategy='nsga2' (a front of networks
    is chosen on the training loss); set early_stopping=False.
    """
    if strategy_name in MULTI_OBJECTIVE and validated:
        raise ValueError(f"early_stopping=True is not supported with strategy="
                         f"{strategy_name!r} (a front of networks is chosen on the training "
                         f"loss); set early_stopping=False.")
    if incremental:
        return []
    if strategy_name in MULTI_OBJECTIVE:
        return [HypervolumeStopping(tol=tol, n_iter_no_change=n_iter_no_change)]
    # the loss or the validation score, and a search distribution that collapsed (CMA-ES)
    return [ValidationStopping(tol=tol, n_iter_no_change=n_iter_no_change) if validated
            else NoImprovementStopping(tol, n_iter_no_change), StepSizeStopping()]


class ParetoMixin:
    """``pareto_front_`` and ``select_network`` of an estimator fitted with ``strategy="nsga2"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import scale
    >>> from evonet import NeuroEvolutionClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = NeuroEvolutionClassifier((4,), strategy="nsga2", max_generations=30,
    ...                                random_state=0).fit(scale(X), y)
    >>> front = clf.pareto_front_
    >>> sorted(front[0]), front[0]["index"], len(front) > 2
    (['index', 'loss', 'n_weights'], 0, True)
    >>> small = clf.select_network(len(front) - 1)
    >>> small.network_index_ == len(front) - 1, clf.network_index_
    (True, 0)
    >>> bool(np.count_nonzero(small.coefs_[0]) < np.count_nonzero(clf.coefs_[0]))
    True
    """

    def _store_front(self, run):
        """Keep the front of a multi-objective run (and use its best network)."""
        for name in ("pareto_front_", "network_index_", "_front_params"):
            self.__dict__.pop(name, None)
        if self.strategy_ not in MULTI_OBJECTIVE:
            return
        params, objectives = run.strategy.front(run.state)
        if not len(params):  # not told yet: the run's own result
            params = np.asarray(run.best, dtype=np.float64)[None, :]
            objectives = np.array([[run.best_loss, np.count_nonzero(params)]])
        self._set_front(params, objectives)
        self._use_network(0)

    def _set_front(self, params, objectives):
        self._front_params = np.array(params, dtype=np.float64)
        self.pareto_front_ = [{"loss": float(loss), "n_weights": int(size), "index": i}
                              for i, (loss, size) in enumerate(objectives)]

    def _use_network(self, index):
        self.__dict__.update(self._network_attributes(index))

    def _network_attributes(self, index):
        """``coefs_``, ``intercepts_`` and ``network_index_`` of front network ``index``."""
        layers = self._architecture.layout.unpack(self._front_params[index])
        layers = self._to_output_units([(np.array(W), np.array(b)) for W, b in layers])
        dtype = self.coefs_[0].dtype
        return {"coefs_": [np.array(W, dtype=dtype) for W, _ in layers],
                "intercepts_": [np.array(b, dtype=dtype) for _, b in layers],
                "network_index_": index}

    def select_network(self, index):
        """A copy of this fitted estimator that uses front network ``index``.

        ``predict``, ``to_sklearn``, ``save`` and ``to_json`` of the copy use
        ``pareto_front_[index]``; this estimator is left unchanged, and both
        keep the whole front.

        Parameters
        ----------
        index : int
            A position in ``pareto_front_`` (0: the best loss).

        Returns
        -------
        estimator
            A fitted deep copy.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        ValueError
            For a model without a front (another strategy) or an index out of range.

        Examples
        --------
        See :class:`ParetoMixin`.
        """
        check_is_fitted(self)
        if "pareto_front_" not in self.__dict__:
            raise ValueError(f"select_network needs a model fitted with strategy='nsga2'; "
                             f"this one was fitted with strategy={self.strategy_!r}.")
        n = len(self.pareto_front_)
        if not isinstance(index, numbers.Integral) or isinstance(index, bool) \
                or not -n <= index < n:
            raise ValueError(f"index={index!r} is not a network of the front; pass an "
                             f"integer in [0, {n - 1}] (pareto_front_ holds {n} networks).")
        selected = copy.deepcopy(self)
        selected.__dict__.update(self._network_attributes(int(index) % n))
        return selected

    # -- model files -------------------------------------------------------------
    def _front_document(self, document, arrays):
        """Add field ``pareto`` and arrays ``pareto_params`` / ``pareto_objectives``."""
        if "pareto_front_" not in self.__dict__:
            return
        document["pareto"] = {"network_index": int(self.network_index_)}
        arrays["pareto_params"] = self._front_params
        arrays["pareto_objectives"] = np.array(
            [[entry["loss"], entry["n_weights"]] for entry in self.pareto_front_],
            dtype=np.float64)

    def _read_front(self, fields):
        """The front of a model file (required for ``nsga2``, absent for other strategies)."""
        if self.strategy_ not in MULTI_OBJECTIVE:
            if fields.raw("pareto", optional=True) is not None:
                raise fields.error("pareto", f"is given for strategy {self.strategy_!r}, "
                                             f"which has no front")
            return
        fields.object("pareto", ("network_index",))
        n_params = self._architecture.layout.n_params
        params = fields.array("pareto_params", shape=(None, n_params))
        objectives = fields.array("pareto_objectives", shape=(params.shape[0], 2))
        if not len(params) or (objectives[:, 1] != np.round(objectives[:, 1])).any():
            raise fields.error("pareto_objectives", "must hold one (loss, n_weights) row per "
                                                    "front network, n_weights whole numbers")
        index = fields.integer("pareto.network_index", 0, len(params) - 1)
        self._set_front(params, objectives)
        self.network_index_ = index  # coefs_ and intercepts_ are the saved ones, exactly
