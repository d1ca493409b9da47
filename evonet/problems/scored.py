"""A supervised problem scored by any objective of the networks' outputs, not by its loss.

:class:`ScoredProblem` wraps a :class:`~evonet.problems.supervised.SupervisedProblem`
or a :class:`~evonet.problems.graph.GraphProblem` and follows the same
:class:`~evonet.problems.base.Problem` protocol: it asks the wrapped problem
for the activated outputs of a population (``outputs(population, rows)``),
hands them to an ``objective`` that returns one score per network (greater
is better, as scikit-learn's scorers) and minimises ``-score`` plus the
wrapped problem's L2 term. The objective needs no gradient: accuracy, F1, a
cost matrix... Estimators build it from ``scoring=``
(:class:`~evonet.NeuroEvolutionClassifier`).
"""

import warnings

import numpy as np

__all__ = ["ScoredProblem"]


class ScoredProblem:
    """Minimise ``-objective(outputs)`` (plus the L2 term) of a wrapped supervised problem.

    Parameters
    ----------
    problem : SupervisedProblem or GraphProblem
        Gives ``outputs(population, rows)`` (``(P, rows, n_outputs)``,
        activated), ``n_samples``, the population chunks and, if it has one,
        ``penalty(population)``.
    objective : callable
        ``objective(outputs, rows) -> (scores, failures)``: ``P`` scores
        (NaN for a network the score is not defined for) and a list of the
        exceptions of networks it could not score (their score NaN too).
        It must be picklable for process workers.
    penalised : bool, default=True
        Add the wrapped problem's L2 term (``penalty``), if it has one; False
        minimises ``-score`` alone (as a multi-objective strategy whose other
        objective, the network's size, regularises it).

    Notes
    -----
    A network whose score is NaN (or whose objective raised) gets the worst
    fitness, ``inf``; a ``UserWarning`` counts them (raised where the chunk
    is scored: in a worker process with ``n_jobs``) and the run goes on. If
    the objective raised for every network of a population scored on all
    rows, the first exception propagates: the objective is broken, not the
    networks (on a minibatch, which may lack a class, they all get ``inf``).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> from evonet.problems import SupervisedProblem
    >>> base = SupervisedProblem(MLPLayout(1, (), 1), [[0.0], [1.0]], [0.0, 1.0])
    >>> def objective(outputs, rows):  # minus the largest absolute error
    ...     return -np.abs(outputs[:, :, 0] - [0.0, 1.0]).max(axis=1), []
    >>> ScoredProblem(base, objective).evaluate(np.array([[1.0, 0.0], [0.0, 0.5]]))
    array([0. , 0.5])
    """

    def __init__(self, problem, objective, penalised=True):
        self.problem = problem
        self.objective = objective
        self.penalised = penalised

    @property
    def n_samples(self):
        """Rows of the data."""
        return self.problem.n_samples

    @property
    def n_params(self):
        """Length of a genome (fixed-topology problems)."""
        return self.problem.n_params

    def population_chunk(self, rows=None):
        """Networks per chunk: those of the wrapped problem."""
        chunker = getattr(self.problem, "population_chunk", None)
        return chunker(rows) if chunker is not None else self.problem.chunk_size

    def evaluate(self, population, rows=None):
        """``-score`` (plus the L2 term) of each network; ``inf`` where no score.

        Parameters
        ----------
        population : ndarray of shape (P, n_params) or list of genomes
        rows : ndarray of int, default=None

        Returns
        -------
        ndarray of shape (P,), float64
        """
        outputs = self.problem.outputs(population, rows)
        scores, failures = self.objective(outputs, rows)
        losses = -np.asarray(scores, dtype=np.float64)
        penalty = getattr(self.problem, "penalty", None) if self.penalised else None
        if penalty is not None:
            losses += penalty(population)
        bad = ~np.isfinite(losses)
        if rows is None and failures and len(failures) == len(losses):
            raise failures[0]
        if bad.any():
            first = f" (first error: {failures[0]!r})" if failures else ""
            warnings.warn(f"scoring gave no score for {int(bad.sum())} of {len(losses)} "
                          f"networks{first}: they get the worst fitness.", UserWarning,
                          stacklevel=2)
            losses[bad] = np.inf
        return losses
