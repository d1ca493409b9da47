"""Batched gradient optimisers: Adam and SGD with momentum, one state per network.

A population of ``P`` networks ``(P, n_params)`` takes one step together.
The optimiser object holds fixed settings (scikit-learn's names and
defaults, :mod:`sklearn.neural_network._stochastic_optimizers`); what changes
from step to step is a small typed state (:class:`AdamState`,
:class:`SGDState`) of plain arrays with one row per network, so it can be
checkpointed, and its rows copied from one network to another (population
based training). ``step`` returns new arrays and a new state; it changes
neither its inputs nor the optimiser.

The learning rate is a scalar or one per network (shape ``(P,)``), and
``active`` (a boolean mask ``(P,)``) leaves the networks outside it, and their
state, unchanged.

Each update is scikit-learn's, network by network:

* Adam (Kingma & Ba 2015, algorithm 1, with the bias correction folded into
  the step size as scikit-learn does):
  ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``,
  ``w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``;
* SGD with momentum ``mu``: ``u = mu u - lr g``, then ``w += mu u - lr g``
  (Nesterov's momentum) or ``w += u``.
"""

from dataclasses import dataclass, fields, replace

import numpy as np

__all__ = ["Adam", "AdamState", "SGD", "SGDState", "check_learning_rate", "take_rows"]


def check_learning_rate(learning_rate, n_networks, name="learning_rate"):
    """A positive learning rate, scalar or ``(n_networks,)``, as a float64 column ``(P, 1)``.

    Examples
    --------
    >>> check_learning_rate(0.1, 2).ravel()
    array([0.1, 0.1])
    """
    lr = np.asarray(learning_rate, dtype=np.float64)
    if lr.ndim == 0:
        lr = np.full(n_networks, float(lr))
    if lr.shape != (n_networks,):
        raise ValueError(f"{name} must be a number or an array of shape ({n_networks},), "
                         f"got shape {lr.shape}.")
    if not (np.isfinite(lr).all() and (lr > 0).all()):
        raise ValueError(f"{name} must be positive and finite, got {learning_rate!r}.")
    return lr[:, None]


def _check_step(params, grads, active):
    params = np.asarray(params, dtype=np.float64)
    grads = np.asarray(grads, dtype=np.float64)
    if params.ndim != 2 or grads.shape != params.shape:
        raise ValueError(f"params must have shape (P, n_params) and grads the same, got "
                         f"{params.shape} and {grads.shape}.")
    if active is None:
        return params, grads, np.ones(params.shape[0], dtype=bool)
    active = np.asarray(active, dtype=bool)
    if active.shape != (params.shape[0],):
        raise ValueError(f"active must have shape ({params.shape[0]},), got {active.shape}.")
    return params, grads, active


def _check_unit(value, name, upper=1.0):
    if not (isinstance(value, (int, float, np.floating)) and 0 <= value < upper):
        raise ValueError(f"{name} must be in [0, {upper}), got {value!r}.")
    return float(value)


def take_rows(state, index):
    """A state whose row ``i`` is row ``index[i]`` of ``state`` (copies, of every array field).

    For population-based training: ``take_rows(state, source)`` gives each
    network the optimiser state of the network it copies.

    Examples
    --------
    >>> import numpy as np
    >>> state = Adam().init(np.zeros((3, 2)))
    >>> take_rows(state, [0, 0, 2]).t.shape
    (3,)
    """
    index = np.asarray(index, dtype=np.intp)
    return replace(state, **{f.name: np.array(getattr(state, f.name)[index])
                             for f in fields(state)})


@dataclass(frozen=True)
class AdamState:
    """Adam's state: moments and step counts, one row per network.

    Attributes
    ----------
    m : ndarray of shape (P, n_params)
        First-moment estimates.
    v : ndarray of shape (P, n_params)
        Second-moment estimates.
    t : ndarray of shape (P,), int64
        Steps taken by each network.
    """

    m: np.ndarray
    v: np.ndarray
    t: np.ndarray


@dataclass(frozen=True)
class SGDState:
    """SGD's state: the velocity of each network, one row per network.

    Attributes
    ----------
    velocity : ndarray of shape (P, n_params)
    t : ndarray of shape (P,), int64
        Steps taken by each network.
    """

    velocity: np.ndarray
    t: np.ndarray


@dataclass(frozen=True)
class Adam:
    """Adam for a population of networks, with scikit-learn's defaults.

    Parameters
    ----------
    learning_rate : float or ndarray of shape (P,), default=1e-3
        Step size, one for all networks or one per network.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of the moment estimates, in ``[0, 1)``.
    epsilon : float, default=1e-8
        Added to ``sqrt(v)`` for numerical stability.

    Examples
    --------
    >>> import numpy as np
    >>> opt = Adam(learning_rate=0.1)
    >>> w = np.zeros((2, 3))
    >>> state = opt.init(w)
    >>> w, state = opt.step(w, np.ones((2, 3)), state)
    >>> w.round(6), state.t
    (array([[-0.1, -0.1, -0.1],
           [-0.1, -0.1, -0.1]]), array([1, 1]))
    """

    learning_rate: object = 1e-3
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8

    def __post_init__(self):
        _check_unit(self.beta_1, "beta_1")
        _check_unit(self.beta_2, "beta_2")
        if not (isinstance(self.epsilon, (int, float)) and self.epsilon > 0):
            raise ValueError(f"epsilon must be a positive number, got {self.epsilon!r}.")

    def init(self, params):
        """A zero state for ``params`` ``(P, n_params)``."""
        params = np.asarray(params)
        return AdamState(m=np.zeros(params.shape), v=np.zeros(params.shape),
                         t=np.zeros(params.shape[0], dtype=np.int64))

    def step(self, params, grads, state, active=None):
        """One Adam step of the ``active`` networks; returns ``(params, state)`` anew.

        Parameters
        ----------
        params, grads : ndarray of shape (P, n_params)
        state : AdamState
        active : ndarray of bool of shape (P,), default=None
            Networks that step (``None``: all); the others keep their weights
            and state.
        """
        params, grads, active = _check_step(params, grads, active)
        lr = check_learning_rate(self.learning_rate, params.shape[0])
        t = state.t + active
        m = self.beta_1 * state.m + (1 - self.beta_1) * grads
        v = self.beta_2 * state.v + (1 - self.beta_2) * grads ** 2
        tt = np.maximum(t, 1)[:, None]
        step_size = lr * np.sqrt(1 - self.beta_2 ** tt) / (1 - self.beta_1 ** tt)
        denominator = np.sqrt(v)
        denominator += self.epsilon
        new = -step_size * m
        new /= denominator
        new += params
        if not active.all():   # the others keep their weights and state
            on = active[:, None]
            m, v, new = (np.where(on, a, b) for a, b in ((m, state.m), (v, state.v),
                                                         (new, params)))
        return new, AdamState(m=m, v=v, t=t)


@dataclass(frozen=True)
class SGD:
    """Stochastic gradient descent with momentum for a population of networks.

    scikit-learn's ``learning_rate="constant"`` schedule.

    Parameters
    ----------
    learning_rate : float or ndarray of shape (P,), default=1e-3
        Step size, one for all networks or one per network.
    momentum : float, default=0.9
        In ``[0, 1)``.
    nesterovs_momentum : bool, default=True
        Nesterov's momentum (else the classical one).

    Examples
    --------
    >>> import numpy as np
    >>> opt = SGD(learning_rate=0.1, momentum=0.5)
    >>> w = np.zeros((1, 2))
    >>> w, state = opt.step(w, np.ones((1, 2)), opt.init(w))
    >>> w
    array([[-0.15, -0.15]])
    """

    learning_rate: object = 1e-3
    momentum: float = 0.9
    nesterovs_momentum: bool = True

    def __post_init__(self):
        _check_unit(self.momentum, "momentum")
        if not isinstance(self.nesterovs_momentum, (bool, np.bool_)):
            raise ValueError(f"nesterovs_momentum must be a bool, got "
                             f"{self.nesterovs_momentum!r}.")

    def init(self, params):
        """A zero state for ``params`` ``(P, n_params)``."""
        params = np.asarray(params)
        return SGDState(velocity=np.zeros(params.shape),
                        t=np.zeros(params.shape[0], dtype=np.int64))

    def step(self, params, grads, state, active=None):
        """One SGD step of the ``active`` networks; returns ``(params, state)`` anew.

        Parameters are as for :meth:`Adam.step`.
        """
        params, grads, active = _check_step(params, grads, active)
        lr = check_learning_rate(self.learning_rate, params.shape[0])
        on = active[:, None]
        velocity = self.momentum * state.velocity - lr * grads
        update = self.momentum * velocity - lr * grads if self.nesterovs_momentum else velocity
        return (np.where(on, params + update, params),
                SGDState(velocity=np.where(on, velocity, state.velocity), t=state.t + active))
