"""The regressor's target scaling on streams: running statistics, and the run re-expressed.

The regressor evolves its network on standardised targets ``(y - mean) / scale``.
With ``partial_fit`` (and a ``warm_start`` fit after a first one) the mean and
scale are those of all the data seen so far, kept as running weighted
statistics (Chan et al.'s pairwise update). When they change, every network of
the run is re-expressed so that it predicts exactly what it predicted before in
the targets' own units: the output layer's affine map absorbs the change
(``W' = W s / s'``, ``b' = (b s + m - m') / s'``). The strategy's state follows
(the ES's mean and Adam moments, the GA's population, CMA-ES's mean, covariance
and evolution path), so the search goes on where it was, in the new units.
"""

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["TargetStats", "check_scalable", "reexpress_run"]


def check_scalable(Y, variance):
    """Raise ``ValueError`` when the targets' spread overflows float64 (it cannot be scaled).

    Examples
    --------
    >>> check_scalable(np.array([[1.0], [2.0]]), np.array([0.25]))
    >>> check_scalable(np.array([[1e300], [-1e300]]), np.array([np.inf]))
    Traceback (most recent call last):
    ...
    ValueError: y holds values too large to standardise (their spread overflows float64; \
largest |y| is 1e+300): divide y by a constant before fitting.
    """
    if not np.isfinite(variance).all():
        raise ValueError(f"y holds values too large to standardise (their spread overflows "
                         f"float64; largest |y| is {np.abs(Y).max():.4g}): divide y by a "
                         f"constant before fitting.")


@dataclass
class TargetStats:
    """Running weighted mean and variance of the target columns.

    Examples
    --------
    >>> stats = TargetStats.of(np.array([[0.0], [2.0]]))
    >>> stats.update(np.array([[4.0], [6.0]])).mean, stats.scale
    (array([3.]), array([2.23606798]))
    """

    count: float
    mean: np.ndarray
    m2: np.ndarray

    @classmethod
    def of(cls, Y, weights=None):
        """The statistics of rows ``Y`` (weighted by ``weights``)."""
        w = np.ones(Y.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
        count = float(w.sum())
        mean = np.average(Y, axis=0, weights=w)
        return cls(count, mean, (w[:, None] * (Y - mean) ** 2).sum(axis=0))

    @property
    def scale(self):
        """Standard deviation of each column (1 where it is 0)."""
        scale = np.sqrt(self.m2 / self.count)
        return np.where(scale > 0, scale, 1.0)

    def update(self, Y, weights=None):
        """Add rows ``Y``; returns ``self``."""
        batch = TargetStats.of(Y, weights)
        count = self.count + batch.count
        delta = batch.mean - self.mean
        self.mean = self.mean + delta * batch.count / count
        self.m2 = self.m2 + batch.m2 + delta**2 * self.count * batch.count / count
        self.count = count
        return self


def _affine(layout, ratio, shift):
    """Per-parameter ``(a, c)`` with ``params' = a * params + c`` on the output layer."""
    ones = [(np.ones(w.shape), np.ones(b.shape)) for w, b in layout.unpack(
        np.zeros(layout.n_params))]
    W, b = ones[-1]
    ones[-1] = (W * ratio, b * ratio)
    a = layout.pack(ones)
    zeros = [(np.zeros(w.shape), np.zeros(b.shape)) for w, b in ones]
    zeros[-1] = (zeros[-1][0], np.asarray(shift, dtype=np.float64))
    return a, layout.pack(zeros)


def _transform_cma(es, a, c):
    """Re-express deap's CMA-ES (mean, covariance, evolution path) under ``x' = a x + c``."""
    es.centroid = a * np.asarray(es.centroid) + c
    es.pc = a * es.pc
    es.C = a[:, None] * es.C * a[None, :]
    eigenvalues, B = np.linalg.eigh(es.C)
    order = np.argsort(eigenvalues)
    es.diagD = np.sqrt(np.maximum(eigenvalues[order], 0.0))
    es.B = B[:, order]
    es.BD = es.B * es.diagD
    es.cond = es.diagD[-1] ** 2 / max(es.diagD[0] ** 2, np.finfo(float).tiny)


def _transform_vectors(vectors, a, c):
    """``v[...] = a v + c`` for each distinct array of ``vectors`` (shared ones once)."""
    seen = set()
    for vector in vectors:
        if vector is not None and id(vector) not in seen:
            seen.add(id(vector))
            vector[...] = a * vector + c


def reexpress_run(run, layout, old_mean, old_scale, new_mean, new_scale):
    """Re-express every network of ``run`` from one target scaling to another, in place.

    Each network predicts the same values in the targets' units before and
    after; losses recorded in the old units (the hall of fame, the
    strategy's best so far) are dropped, since they no longer compare.

    Examples
    --------
    >>> from evonet.nn import MLPLayout
    >>> layout = MLPLayout(1, (), 1, output_activation="identity")
    >>> a, c = _affine(layout, np.array([0.5]), np.array([1.0]))
    >>> a, c
    (array([0.5, 0.5]), array([0., 1.]))
    """
    a, c = _affine(layout, old_scale / new_scale, (old_mean - new_mean) / new_scale)
    state = run.state
    _transform_vectors([getattr(state, "theta", None), getattr(state, "x0", None),
                        state.best_params, run.incumbent, run.selected], a, c)
    if getattr(state, "population", None) is not None:
        state.population = a * state.population + c
    if getattr(state, "m", None) is not None:  # Adam's moments of the gradient
        state.m, state.v = state.m / a, state.v / a**2
    if getattr(state, "adam_m", None) is not None:  # PBT's, one row per member
        state.adam_m, state.adam_v = state.adam_m / a, state.adam_v / a**2
    if getattr(state, "cma", None) is not None:
        _transform_cma(state.cma, a, c)
    if getattr(state, "restart_best", None) is not None:
        state.restart_best = math.inf
    run.forget_best()
