"""The scalar fast path: one cart stepped with plain ``math``, for long single runs.

NumPy pays a fixed cost per call, so stepping one cart with arrays is slower
than stepping it with Python floats. The 100,000-step success test and the
last few carts of a population rollout therefore run here. The functions
repeat the floating-point operations of
:meth:`~evonet.tasks.PoleBalancing.step` in the same order (NumPy's and
``math``'s ``sin`` and ``cos`` agree to the bit on the platforms we
measured), so a cart follows the same trajectory on either path.
"""

import math

from evonet.tasks.damping import DAMPING_WINDOW
from evonet.tasks.dynamics import CART_MASS, FORCE_MAGNITUDE, GRAVITY, TAU, TRACK_LIMIT

__all__ = ["make_scalar_step", "simulate_scalar"]

_H, _H2, _H6 = TAU, TAU / 2.0, TAU / 6.0


def _make_accelerations(task):
    """``acc(xd, th1, th1d[, th2, th2d], F) -> (xdd, th1dd[, th2dd])`` for the task."""
    sin, cos = math.sin, math.cos
    g, muc, M = GRAVITY, task.cart_friction, CART_MASS
    (ml1, q1, m1, k1, a1), *rest = task.constants
    n1 = -q1
    if not rest:
        def acc(xd, t1, t1d, F):
            s1 = sin(t1)
            c1 = cos(t1)
            tmp1 = g * s1 + k1 * t1d
            ft = ml1 * t1d * t1d * s1 + q1 * c1 * tmp1
            mt = c1 * c1 * n1 + m1
            sg = 1.0 if xd > 0.0 else (-1.0 if xd < 0.0 else 0.0)
            xdd = (F - sg * muc + ft) / (M + mt)
            return xdd, (xdd * c1 + tmp1) * a1
        return acc
    (ml2, q2, m2, k2, a2), = rest
    n2 = -q2

    def acc2(xd, t1, t1d, t2, t2d, F):
        s1 = sin(t1)
        c1 = cos(t1)
        s2 = sin(t2)
        c2 = cos(t2)
        tmp1 = g * s1 + k1 * t1d
        tmp2 = g * s2 + k2 * t2d
        ft = (ml1 * t1d * t1d * s1 + q1 * c1 * tmp1) + (ml2 * t2d * t2d * s2 + q2 * c2 * tmp2)
        mt = (c1 * c1 * n1 + m1) + (c2 * c2 * n2 + m2)
        sg = 1.0 if xd > 0.0 else (-1.0 if xd < 0.0 else 0.0)
        xdd = (F - sg * muc + ft) / (M + mt)
        return xdd, (xdd * c1 + tmp1) * a1, (xdd * c2 + tmp2) * a2
    return acc2


def make_scalar_step(task):
    """A function ``step(state, force) -> state`` for one cart, on tuples of floats.

    One control step (two RK4 steps), exactly as
    :meth:`~evonet.tasks.PoleBalancing.step` computes it for that cart.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.tasks import PoleBalancing
    >>> task = PoleBalancing(n_poles=2)
    >>> step = make_scalar_step(task)
    >>> state = tuple(task.initial_state(1)[0])
    >>> np.array_equal(step(state, 3.0), task.step(task.initial_state(1), [3.0])[0])
    True
    """
    acc = _make_accelerations(task)
    if task.n_poles == 1:
        def step1(state, F):
            x, xd, t, td = state
            for _ in (0, 1):
                b1, c1 = acc(xd, t, td, F)
                v2, w2 = xd + _H2 * b1, td + _H2 * c1
                b2, c2 = acc(v2, t + _H2 * td, w2, F)
                v3, w3 = xd + _H2 * b2, td + _H2 * c2
                b3, c3 = acc(v3, t + _H2 * w2, w3, F)
                v4, w4 = xd + _H * b3, td + _H * c3
                b4, c4 = acc(v4, t + _H * w3, w4, F)
                x, xd, t, td = (((v2 + v3) * 2.0 + xd + v4) * _H6 + x,
                                ((b2 + b3) * 2.0 + b1 + b4) * _H6 + xd,
                                ((w2 + w3) * 2.0 + td + w4) * _H6 + t,
                                ((c2 + c3) * 2.0 + c1 + c4) * _H6 + td)
            return x, xd, t, td
        return step1

    def step2(state, F):
        x, xd, t, td, u, ud = state
        for _ in (0, 1):
            b1, c1, e1 = acc(xd, t, td, u, ud, F)
            v2, w2, z2 = xd + _H2 * b1, td + _H2 * c1, ud + _H2 * e1
            b2, c2, e2 = acc(v2, t + _H2 * td, w2, u + _H2 * ud, z2, F)
            v3, w3, z3 = xd + _H2 * b2, td + _H2 * c2, ud + _H2 * e2
            b3, c3, e3 = acc(v3, t + _H2 * w2, w3, u + _H2 * z2, z3, F)
            v4, w4, z4 = xd + _H * b3, td + _H * c3, ud + _H * e3
            b4, c4, e4 = acc(v4, t + _H * w3, w4, u + _H * z3, z4, F)
            x, xd, t, td, u, ud = (((v2 + v3) * 2.0 + xd + v4) * _H6 + x,
                                   ((b2 + b3) * 2.0 + b1 + b4) * _H6 + xd,
                                   ((w2 + w3) * 2.0 + td + w4) * _H6 + t,
                                   ((c2 + c3) * 2.0 + c1 + c4) * _H6 + td,
                                   ((z2 + z3) * 2.0 + ud + z4) * _H6 + u,
                                   ((e2 + e3) * 2.0 + e1 + e4) * _H6 + ud)
        return x, xd, t, td, u, ud
    return step2


def simulate_scalar(task, actor, state, max_steps, start_step=0, window=None):
    """Run one cart under ``actor`` until it fails or reaches ``max_steps``.

    Parameters
    ----------
    task : PoleBalancing
    actor : callable
        ``actor(observations) -> output``: the network's first output for a
        list of scaled observations (it keeps its own memory).
    state : sequence of float
        The cart's current state.
    max_steps : int
        Total steps of the trial.
    start_step : int, default=0
        Steps already balanced (when a population rollout hands a cart over).
    window : list of float, default=None
        For the damping fitness: the ring of the last 100 values of
        ``|x| + |x_dot| + |theta_1| + |theta_1_dot|`` (slot ``(k - 1) % 100``
        holds step ``k``), updated in place.

    Returns
    -------
    steps : int
        Steps balanced.
    state : tuple of float
        The last state (the failing one if the cart failed).

    Examples
    --------
    >>> from evonet.tasks import PoleBalancing
    >>> task = PoleBalancing(n_poles=1)
    >>> simulate_scalar(task, lambda obs: 0.0, task.initial_state(1)[0], 1000)[0]
    22
    """
    step = make_scalar_step(task)
    x_limit, a_limit = TRACK_LIMIT, task.angle_limit
    scales = [float(s) for s in task.observation_scale]
    observed = [int(i) for i in task.observed]
    two = task.n_poles == 2
    state = tuple(float(v) for v in state)
    steps = int(start_step)
    fabs = math.fabs
    while steps < max_steps:
        y = actor([state[i] * s for i, s in zip(observed, scales)])
        # as PoleBalancing.forces: fmin/fmax clipping, where a NaN output counts as +1
        F = (y if -1.0 <= y <= 1.0 else (-1.0 if y < -1.0 else 1.0)) * FORCE_MAGNITUDE
        state = step(state, F)
        if fabs(state[0]) > x_limit or fabs(state[2]) > a_limit or (
                two and fabs(state[4]) > a_limit):
            break
        steps += 1
        if window is not None:
            window[(steps - 1) % DAMPING_WINDOW] = (
                fabs(state[0]) + fabs(state[1]) + fabs(state[2]) + fabs(state[3]))
    return steps, state
