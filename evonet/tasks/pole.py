"""The pole-balancing task: one or two poles, with or without velocities.

The task definitions are those of the standard neuroevolution benchmark
(Wieland 1991; Gruau, Whitley & Pyeatt 1996; Stanley & Miikkulainen 2002;
Gomez, Schmidhuber & Miikkulainen 2008, Appendix A): the equations of motion
(:mod:`evonet.tasks.dynamics`), the start, the failure conditions, the
observations of the Markovian and non-Markovian variants, the steps and
damping fitnesses (:mod:`evonet.tasks.damping`) and the 625-start
generalisation test.
"""

import itertools
import math
import numbers

import numpy as np

from evonet.tasks.damping import (
    DAMPING_STEPS,
    DAMPING_WINDOW,
    damping_fitness,
    damping_from_window,
)
from evonet.tasks.dynamics import (
    CART_FRICTION,
    FORCE_MAGNITUDE,
    HINGE_FRICTION,
    POLE_HALF_LENGTHS,
    POLE_MASSES,
    START_ANGLE,
    CartPoleDynamics,
)

__all__ = ["DAMPING_WINDOW", "TASKS", "PoleBalancing", "damping_fitness", "damping_from_window",
           "make_task"]

SUCCESS_STEPS = 100_000
"""Steps a network must balance from the standard start to solve a task."""

# observation scaling to about [-1, 1] (POLE_BALANCING.md): x/2.4, x_dot/2, theta/0.52, theta_dot/2
_SCALE_POSITION = 1.0 / 2.4
_SCALE_VELOCITY = 0.5
_SCALE_ANGLE = 1.0 / 0.52

# generalisation test (Gruau et al. 1996): 5 values of each of x, x_dot, theta_1, theta_1_dot
GENERALIZATION_FRACTIONS = (0.05, 0.25, 0.5, 0.75, 0.95)
GENERALIZATION_RANGES = (2.16, 1.35, math.radians(3.6), math.radians(8.6))
GENERALIZATION_STEPS = 1_000
GENERALIZATION_REQUIRED = 200

TASKS = {
    "1-markov": dict(n_poles=1, markovian=True, fitness="steps"),
    "1-nonmarkov": dict(n_poles=1, markovian=False, fitness="steps"),
    "2-markov": dict(n_poles=2, markovian=True, fitness="steps"),
    "2-nonmarkov": dict(n_poles=2, markovian=False, fitness="steps"),
    "2-damping": dict(n_poles=2, markovian=False, fitness="damping"),
}
"""The five benchmark tasks by name."""


def make_task(name):
    """The :class:`PoleBalancing` task called ``name`` (a key of :data:`TASKS`).

    Examples
    --------
    >>> make_task("2-damping")
    PoleBalancing(n_poles=2, markovian=False, fitness='damping')
    """
    if isinstance(name, PoleBalancing):
        return name
    if not isinstance(name, str) or name not in TASKS:
        raise ValueError(f"task={name!r} is not supported; choose one of {list(TASKS)}.")
    return PoleBalancing(**TASKS[name])


class PoleBalancing(CartPoleDynamics):
    """The pole-balancing task: dynamics, observations, failure and fitness.

    Parameters
    ----------
    n_poles : {1, 2}, default=2
        One pole (half-length 0.5 m, fails beyond 12 degrees) or two poles
        (half-lengths 0.5 and 0.05 m, failing beyond 36 degrees).
    markovian : bool, default=True
        Whether the policy sees the velocities (``x, x_dot, theta_i,
        theta_i_dot``) or only ``x`` and the pole angles.
    fitness : {"steps", "damping"}, default="steps"
        Steps balanced (up to 100,000), or Gruau et al.'s damping fitness over
        at most 1,000 steps (see :func:`damping_fitness`).
    cart_friction, hinge_friction : float
        ``mu_c`` and ``mu_p``; the benchmark's values by default.

    Attributes
    ----------
    state_size : int
        ``2 + 2 * n_poles``: ``x, x_dot, theta_1, theta_1_dot[, theta_2, theta_2_dot]``.
    n_observations : int
        Width of :meth:`observe`'s result.
    max_steps : int
        Length of one fitness trial (100,000 or 1,000 for damping).
    angle_limit : float
        Failure angle in radians.
    observed : ndarray of int
        The state variables the policy sees, in the order of :meth:`observe`.
    observation_scale : ndarray
        The factor each observed variable is scaled by.

    Examples
    --------
    >>> import numpy as np
    >>> task = PoleBalancing(n_poles=2)
    >>> states = task.initial_state(3)
    >>> states[0]
    array([0.        , 0.        , 0.06981317, 0.        , 0.        , 0.        ])
    >>> after = task.step(states, np.array([10.0, 0.0, -10.0]))
    >>> bool(after[0, 1] > 0 > after[2, 1]), task.failed(after).tolist()
    (True, [False, False, False])
    """

    def __init__(self, n_poles=2, markovian=True, fitness="steps", *,
                 cart_friction=CART_FRICTION, hinge_friction=HINGE_FRICTION):
        if n_poles not in (1, 2) or isinstance(n_poles, bool):
            raise ValueError(f"n_poles must be 1 or 2, got {n_poles!r}.")
        if fitness not in ("steps", "damping"):
            raise ValueError(f"fitness={fitness!r} is not supported; choose 'steps' or "
                             f"'damping'.")
        if fitness == "damping" and markovian:
            raise ValueError("the damping fitness is defined for the non-Markovian task "
                             "(markovian=False).")
        for value, name in ((cart_friction, "cart_friction"), (hinge_friction, "hinge_friction")):
            if not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
        self.n_poles = int(n_poles)
        self.markovian = bool(markovian)
        self.fitness = fitness
        self.cart_friction = float(cart_friction)
        self.hinge_friction = float(hinge_friction)
        self.state_size = 2 + 2 * self.n_poles
        self.n_observations = self.state_size if self.markovian else 1 + self.n_poles
        self.max_steps = DAMPING_STEPS if fitness == "damping" else SUCCESS_STEPS
        self.angle_limit = math.radians(36.0 if self.n_poles == 2 else 12.0)
        self.masses = POLE_MASSES[: self.n_poles]
        self.half_lengths = POLE_HALF_LENGTHS[: self.n_poles]
        self._set_constants(self.masses, self.half_lengths, self.hinge_friction,
                            self.cart_friction, self.angle_limit)
        if self.markovian:
            scale = [_SCALE_POSITION, _SCALE_VELOCITY] + [_SCALE_ANGLE, _SCALE_VELOCITY] * n_poles
            self.observed = np.arange(self.state_size)
        else:
            scale = [_SCALE_POSITION] + [_SCALE_ANGLE] * n_poles
            self.observed = np.array([0] + [2 + 2 * i for i in range(n_poles)])
        self.observation_scale = np.array(scale)
        self._observation_scale_column = self.observation_scale[:, None]

    def __repr__(self):
        return (f"PoleBalancing(n_poles={self.n_poles}, markovian={self.markovian}, "
                f"fitness={self.fitness!r})")

    @property
    def name(self):
        """The task's key in :data:`TASKS` (``"custom"`` for modified friction)."""
        for key, spec in TASKS.items():
            if spec == dict(n_poles=self.n_poles, markovian=self.markovian,
                            fitness=self.fitness) and self._standard_friction():
                return key
        return "custom"

    def _standard_friction(self):
        return self.cart_friction == CART_FRICTION and self.hinge_friction == HINGE_FRICTION

    # ------------------------------------------------------------------ states
    def initial_state(self, n=1):
        """``n`` copies of the standard start: the long pole at 4 degrees, all else 0.

        Examples
        --------
        >>> PoleBalancing(n_poles=1).initial_state(2)
        array([[0.        , 0.        , 0.06981317, 0.        ],
               [0.        , 0.        , 0.06981317, 0.        ]])
        """
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}.")
        states = np.zeros((int(n), self.state_size))
        states[:, 2] = START_ANGLE
        return states

    def check_states(self, states, name="states"):
        """Validate ``(n, state_size)`` states (or one ``(state_size,)`` state).

        Examples
        --------
        >>> PoleBalancing(n_poles=1).check_states([[0.0, 0.0, 0.1]])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: states has 3 values per cart but the task with 1 pole(s) needs ...
        """
        try:
            s = np.asarray(states, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be an array of numbers: {exc}") from None
        if s.ndim not in (1, 2):
            raise ValueError(f"{name} must have shape (n, {self.state_size}), got {s.shape}.")
        if s.shape[-1] != self.state_size:
            raise ValueError(f"{name} has {s.shape[-1]} values per cart but the task with "
                             f"{self.n_poles} pole(s) needs state_size={self.state_size} "
                             f"(x, x_dot, theta_i, theta_i_dot).")
        if not np.isfinite(s).all():
            raise ValueError(f"{name} contains NaN or infinite values.")
        return s

    def step(self, states, forces):
        """One control step (two RK4 steps of 0.01 s holding the force) for every cart.

        Parameters
        ----------
        states : array-like of shape (n, state_size)
        forces : array-like of shape (n,)
            Force on each cart in newtons (policies apply ``[-10, 10]``).

        Returns
        -------
        ndarray of shape (n, state_size)

        Examples
        --------
        >>> import numpy as np
        >>> task = PoleBalancing(n_poles=1)
        >>> task.step(np.zeros((1, 4)), [0.0])
        array([[0., 0., 0., 0.]])
        """
        s = self.check_states(states)
        single = s.ndim == 1
        s = np.atleast_2d(s)
        F = self.check_forces(forces, s.shape[0])
        columns = self.to_columns(s)
        return self.from_columns(self.step_columns(columns, F))[0 if single else slice(None)]

    def check_forces(self, forces, n):
        """Validate a float array of ``n`` finite forces.

        Examples
        --------
        >>> PoleBalancing().check_forces([1, -2], 2)
        array([ 1., -2.])
        """
        try:
            F = np.asarray(forces, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"forces must be an array of numbers: {exc}") from None
        if F.ndim == 0 and n == 1:
            F = F.reshape(1)
        if F.shape != (n,):
            raise ValueError(f"forces must have shape ({n},) (one per cart), got {F.shape}.")
        if not np.isfinite(F).all():
            raise ValueError("forces contains NaN or infinite values.")
        return F

    def failed(self, states):
        """Whether each cart has failed: off the track or a pole beyond the angle limit.

        Examples
        --------
        >>> import numpy as np
        >>> PoleBalancing(n_poles=1).failed([[0.0, 0, 0.1, 0], [2.5, 0, 0, 0], [0, 0, -0.3, 0]])
        array([False,  True,  True])
        """
        s = np.atleast_2d(self.check_states(states))
        return self.failed_columns(self.to_columns(s))

    # ------------------------------------------------------------ observations
    def observe(self, states):
        """Network inputs scaled to about [-1, 1]: all variables, or x and the angles.

        ``x / 2.4``, ``x_dot / 2``, ``theta / 0.52``, ``theta_dot / 2``; the
        non-Markovian task drops the velocities.

        Examples
        --------
        >>> import numpy as np
        >>> PoleBalancing(n_poles=2, markovian=False).observe([[1.2, 5, 0.26, 5, -0.52, 5]])
        array([[ 0.5,  0.5, -1. ]])
        """
        s = np.atleast_2d(self.check_states(states))
        return s[:, self.observed] * self.observation_scale

    def observe_columns(self, columns):
        """Scaled inputs ``(n_observations, n)`` from the internal layout.

        Examples
        --------
        >>> task = PoleBalancing(n_poles=1, markovian=False)
        >>> task.observe_columns(task.to_columns([[1.2, 0.0, 0.26, 0.0]])).tolist()
        [[0.5], [0.5]]
        """
        flat = columns.reshape(self.state_size, -1)
        return flat[self.observed] * self._observation_scale_column

    def forces(self, outputs):
        """Forces in newtons from network outputs: ``10 * clip(y, -1, 1)``.

        A NaN output (only a diverging network with identity units makes one)
        counts as ``+1``, as ``numpy.fmin`` leaves it.

        Examples
        --------
        >>> import numpy as np
        >>> PoleBalancing().forces(np.array([0.5, -3.0, np.nan]))
        array([  5., -10.,  10.])
        """
        y = np.asarray(outputs, dtype=np.float64)
        F = np.fmin(y, 1.0)
        np.fmax(F, -1.0, out=F)
        F *= FORCE_MAGNITUDE
        return F

    # ---------------------------------------------------------- generalisation
    def generalization_starts(self):
        """The 625 starts of the generalisation test (Gruau et al. 1996).

        ``x, x_dot, theta_1, theta_1_dot`` each at 0.05, 0.25, 0.5, 0.75 and
        0.95 of ``[-2.16, 2.16]`` m, ``[-1.35, 1.35]`` m/s, ``[-3.6, 3.6]``
        degrees and ``[-8.6, 8.6]`` degrees/s; the short pole at rest.

        Examples
        --------
        >>> starts = PoleBalancing(n_poles=2, markovian=False).generalization_starts()
        >>> starts.shape, starts[0, :2].round(3).tolist()
        ((625, 6), [-1.944, -1.215])
        """
        values = [[-r + f * 2.0 * r for f in GENERALIZATION_FRACTIONS]
                  for r in GENERALIZATION_RANGES]
        starts = np.zeros((5**4, self.state_size))
        starts[:, :4] = np.array(list(itertools.product(*values)))
        return starts


