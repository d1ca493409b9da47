"""Cart-pole dynamics with one or two poles, vectorised over many carts.

The equations, constants and task definitions are those of the standard
neuroevolution benchmark (Wieland 1991; Gruau, Whitley & Pyeatt 1996; Stanley
& Miikkulainen 2002; Gomez, Schmidhuber & Miikkulainen 2008, Appendix A). For
a cart of mass ``M`` carrying poles ``i`` of mass ``m_i`` and half-length
``l_i``::

    x_ddot       = (F - mu_c sgn(x_dot) + sum_i Ft_i) / (M + sum_i mt_i)
    theta_i_ddot = -3 / (4 l_i) (x_ddot cos theta_i + g sin theta_i + mu_p theta_i_dot / (m_i l_i))
    Ft_i = m_i l_i theta_i_dot^2 sin theta_i
           + 0.75 m_i cos theta_i (mu_p theta_i_dot / (m_i l_i) + g sin theta_i)
    mt_i = m_i (1 - 0.75 cos^2 theta_i)

with ``g = -9.8``. A control step holds the force for 0.02 s: two classical
fourth-order Runge-Kutta steps of 0.01 s.

Internally the states of ``n`` carts are kept as an array of shape
``(1 + n_poles, 2, n)``: for the cart and each pole, its position (or angle)
and its velocity, each a contiguous row over carts. Every operation is
elementwise over carts, so the result for one cart never depends on which
other carts are stepped with it (removing finished carts changes nothing for
the others), and the scalar path of :mod:`evonet.control.scalar` repeats the
same floating-point operations in the same order.
"""

import itertools
import math
import numbers

import numpy as np

__all__ = ["TASKS", "PoleBalancing", "damping_fitness", "make_task"]

GRAVITY = -9.8
CART_MASS = 1.0
POLE_MASSES = (0.1, 0.01)
POLE_HALF_LENGTHS = (0.5, 0.05)
CART_FRICTION = 0.0005
HINGE_FRICTION = 0.000002
FORCE_MAGNITUDE = 10.0
TRACK_LIMIT = 2.4
TAU = 0.01
"""Runge-Kutta step (s); a control step is two of them."""
SUCCESS_STEPS = 100_000
DAMPING_STEPS = 1_000
DAMPING_WINDOW = 100
START_ANGLE = math.radians(4)

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


class PoleBalancing:
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
        # per-pole constants, shaped (n_poles, 1) to broadcast over carts; the
        # scalar path reads the same numbers from `constants`
        m = np.array(self.masses)[:, None]
        lengths = np.array(self.half_lengths)[:, None]
        self._ml = m * lengths
        self._m075 = 0.75 * m
        self._m = m
        self._k_mu = self.hinge_friction / (m * lengths)
        self._k_acc = -3.0 / (4.0 * lengths)
        self._cache = None
        self._minus_cart_friction = -self.cart_friction
        self._limits = np.array([TRACK_LIMIT] + [self.angle_limit] * self.n_poles)[:, None]
        if self.markovian:
            scale = [_SCALE_POSITION, _SCALE_VELOCITY] + [_SCALE_ANGLE, _SCALE_VELOCITY] * n_poles
            self._observed = np.arange(self.state_size)
        else:
            scale = [_SCALE_POSITION] + [_SCALE_ANGLE] * n_poles
            self._observed = np.array([0] + [2 + 2 * i for i in range(n_poles)])
        self._obs_scale = np.array(scale)
        self._obs_scale_column = self._obs_scale[:, None]

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

    @property
    def constants(self):
        """Per-pole constants shared with the scalar path, as plain floats.

        ``(ml, 0.75 m, m, mu_p / (m l), -3 / (4 l))`` per pole.

        Examples
        --------
        >>> PoleBalancing(n_poles=1).constants[0][4]
        -1.5
        """
        return [tuple(float(a[i, 0]) for a in (self._ml, self._m075, self._m, self._k_mu,
                                                self._k_acc)) for i in range(self.n_poles)]

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
        """Validate a float array of ``n`` finite forces."""
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

    def to_columns(self, states):
        """``(n, state_size)`` states -> the internal ``(1 + n_poles, 2, n)`` layout."""
        n = states.shape[0]
        return np.ascontiguousarray(states.T).reshape(1 + self.n_poles, 2, n)

    def from_columns(self, columns):
        """The internal layout -> ``(n, state_size)`` states."""
        n = columns.shape[-1]
        return np.ascontiguousarray(columns.reshape(self.state_size, n).T)

    # ----------------------------------------------------------------- physics
    def _constants_for(self, n):
        """Per-pole constants as full ``(n_poles, n)`` rows (broadcasting a column is slower)."""
        cache = self._cache
        if cache is None or cache[0] < n:
            capacity = max(n, 2 * cache[0] if cache else 64)
            cache = (capacity, tuple(np.repeat(a, capacity, axis=1) for a in (
                self._k_mu, self._ml, self._m075, self._m, -self._m075, self._k_acc)))
            self._cache = cache
        return tuple(a[:, :n] for a in cache[1])

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_cache"] = None
        return state

    def _accelerations(self, p, v, F):
        """``(1 + n_poles, n)`` accelerations of positions ``p`` and velocities ``v``."""
        k_mu, ml, m075, m, m_075, k_acc = self._constants_for(p.shape[1])
        th, thd = p[1:], v[1:]
        s = np.sin(th)
        c = np.cos(th)
        tmp = s * GRAVITY
        tmp += k_mu * thd                                # g sin + mu_p thd / (m l)
        ft = ml * thd
        ft *= thd
        ft *= s
        q = m075 * c
        q *= tmp
        ft += q                                          # m l thd^2 sin + 0.75 m cos (...)
        mt = c * c
        mt *= m_075
        mt += m                                          # m (1 - 0.75 cos^2)
        acc = np.empty_like(p)
        xdd = acc[0]
        np.sign(v[0], out=xdd)
        xdd *= self._minus_cart_friction
        xdd += F                                         # F - mu_c sgn(x_dot)
        if self.n_poles == 2:
            xdd += ft[0] + ft[1]
            mass = mt[0] + mt[1]
            mass += CART_MASS
        else:
            xdd += ft[0]
            mass = mt[0] + CART_MASS
        xdd /= mass
        thdd = acc[1:]
        np.multiply(c, xdd, out=thdd)
        thdd += tmp
        thdd *= k_acc
        return acc

    def step_columns(self, columns, F):
        """:meth:`step` on the internal layout (no validation); returns a new array."""
        p, v = columns[:, 0], columns[:, 1]
        for _ in range(2):
            p, v = self._rk4(p, v, F)
        out = np.empty_like(columns)
        out[:, 0] = p
        out[:, 1] = v
        return out

    def _rk4(self, p, v, F):
        # classical Runge-Kutta: y' = (v, a(p, v)); k1..k4 evaluated at the stages
        h, h2, h6 = TAU, TAU / 2.0, TAU / 6.0
        a1 = self._accelerations(p, v, F)
        p2 = p + h2 * v
        v2 = v + h2 * a1
        a2 = self._accelerations(p2, v2, F)
        p3 = p + h2 * v2
        v3 = v + h2 * a2
        a3 = self._accelerations(p3, v3, F)
        p4 = p + h * v3
        v4 = v + h * a3
        a4 = self._accelerations(p4, v4, F)
        # y + h/6 (k1 + 2 k2 + 2 k3 + k4), summed as ((k2 + k3) 2 + k1) + k4
        dp = v2 + v3
        dp *= 2.0
        dp += v
        dp += v4
        dp *= h6
        dp += p
        dv = a2 + a3
        dv *= 2.0
        dv += a1
        dv += a4
        dv *= h6
        dv += v
        return dp, dv

    def failed_columns(self, columns):
        """:meth:`failed` on the internal layout."""
        return (np.abs(columns[:, 0]) > self._limits).any(axis=0)

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
        return s[:, self._observed] * self._obs_scale

    def observe_columns(self, columns):
        """Scaled inputs ``(n_observations, n)`` from the internal layout."""
        flat = columns.reshape(self.state_size, -1)
        return flat[self._observed] * self._obs_scale_column

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


def damping_fitness(trajectory, max_steps=DAMPING_STEPS):
    """Gruau et al.'s (1996) damping fitness ``0.1 f1 + 0.9 f2`` of one trial.

    ``f1 = t / 1000`` with ``t`` the steps balanced; ``f2 = 0`` for
    ``t < 100``, else ``0.75 / sum(|x| + |x_dot| + |theta_1| + |theta_1_dot|)``
    over the states after the last 100 steps (simulator values, unscaled).

    Parameters
    ----------
    trajectory : array-like of shape (t, state_size)
        The states after each balanced control step (the start not included).
    max_steps : int, default=1000

    Examples
    --------
    >>> import numpy as np
    >>> states = np.zeros((150, 6))
    >>> states[:, 0] = 0.01                       # |x| = 0.01 each step
    >>> round(damping_fitness(states), 6)         # 0.1 * 0.15 + 0.9 * 0.75 / 1.0
    0.69
    """
    traj = np.asarray(trajectory, dtype=np.float64)
    if traj.ndim != 2 or traj.shape[1] < 4:
        raise ValueError(f"trajectory must have shape (t, state_size), got {traj.shape}.")
    t = min(traj.shape[0], max_steps)
    window = np.abs(traj[t - DAMPING_WINDOW:t, :4]).sum(axis=1) if t >= DAMPING_WINDOW else None
    return float(damping_from_window(t, None if window is None else math.fsum(window),
                                     max_steps))


def damping_from_window(steps, window_sum, max_steps=DAMPING_STEPS):
    """Damping fitness from the steps balanced and the sum over the last 100 steps.

    Examples
    --------
    >>> damping_from_window(1000, 7.5)
    0.19
    >>> damping_from_window(50, None)
    0.005
    """
    f1 = steps / max_steps
    if steps < DAMPING_WINDOW or window_sum is None:
        return 0.1 * f1
    f2 = 0.75 / window_sum if window_sum > 0 else math.inf
    return 0.1 * f1 + 0.9 * f2
