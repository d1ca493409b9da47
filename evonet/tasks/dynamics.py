"""Cart-pole equations of motion, vectorised over carts, and their RK4 integration.

The equations (Wieland 1991; Gomez, Schmidhuber & Miikkulainen 2008,
Appendix A), for a cart of mass ``M`` carrying poles ``i`` of mass ``m_i``
and half-length ``l_i``::

    x_ddot       = (F - mu_c sgn(x_dot) + sum_i Ft_i) / (M + sum_i mt_i)
    theta_i_ddot = -3 / (4 l_i) (x_ddot cos theta_i + g sin theta_i + mu_p theta_i_dot / (m_i l_i))
    Ft_i = m_i l_i theta_i_dot^2 sin theta_i
           + 0.75 m_i cos theta_i (mu_p theta_i_dot / (m_i l_i) + g sin theta_i)
    mt_i = m_i (1 - 0.75 cos^2 theta_i)

with ``g = -9.8``; a control step holds the force for two classical
fourth-order Runge-Kutta steps of 0.01 s.

The states of ``n`` carts are kept as an array of shape ``(1 + n_poles, 2,
n)``: for the cart and each pole, its position (or angle) and its velocity,
each a contiguous row over carts. Every operation is elementwise over carts,
so a cart's result never depends on which other carts are stepped with it,
and :mod:`evonet.tasks.scalar` repeats the same floating-point operations in
the same order for one cart.
"""

import math

import numpy as np

__all__ = ["CART_MASS", "FORCE_MAGNITUDE", "GRAVITY", "TAU", "TRACK_LIMIT", "CartPoleDynamics"]

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
START_ANGLE = math.radians(4)


class CartPoleDynamics:
    """The physics of :class:`~evonet.tasks.PoleBalancing` on the internal layout.

    Subclasses set ``n_poles``, ``state_size``, ``angle_limit``,
    ``cart_friction`` and the per-pole constants (``_set_constants``).
    """

    def _set_constants(self, masses, half_lengths, hinge_friction, cart_friction, angle_limit):
        # per-pole constants, shaped (n_poles, 1); the scalar path reads the same numbers
        m = np.array(masses)[:, None]
        lengths = np.array(half_lengths)[:, None]
        self._ml = m * lengths
        self._m075 = 0.75 * m
        self._m = m
        self._k_mu = hinge_friction / (m * lengths)
        self._k_acc = -3.0 / (4.0 * lengths)
        self._cache = None
        self._minus_cart_friction = -cart_friction
        self._limits = np.array([TRACK_LIMIT] + [angle_limit] * len(masses))[:, None]

    @property
    def constants(self):
        """Per-pole constants shared with the scalar path, as plain floats.

        ``(ml, 0.75 m, m, mu_p / (m l), -3 / (4 l))`` per pole.

        Examples
        --------
        >>> from evonet.tasks import PoleBalancing
        >>> PoleBalancing(n_poles=1).constants[0][4]
        -1.5
        """
        return [tuple(float(a[i, 0]) for a in (self._ml, self._m075, self._m, self._k_mu,
                                                self._k_acc)) for i in range(self.n_poles)]

    def to_columns(self, states):
        """``(n, state_size)`` states -> the internal ``(1 + n_poles, 2, n)`` layout.

        Examples
        --------
        >>> from evonet.tasks import PoleBalancing
        >>> task = PoleBalancing(n_poles=2)
        >>> columns = task.to_columns(task.initial_state(5))
        >>> columns.shape, bool((task.from_columns(columns) == task.initial_state(5)).all())
        ((3, 2, 5), True)
        """
        states = np.asarray(states, dtype=np.float64)
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
        """:meth:`step` on the internal layout (no validation); returns a new array.

        Examples
        --------
        >>> import numpy as np
        >>> from evonet.tasks import PoleBalancing
        >>> task = PoleBalancing(n_poles=1)
        >>> start = task.initial_state(2)
        >>> after = task.step_columns(task.to_columns(start), np.array([1.0, -1.0]))
        >>> np.array_equal(task.from_columns(after), task.step(start, [1.0, -1.0]))
        True
        """
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
        """:meth:`failed` on the internal layout.

        Examples
        --------
        >>> from evonet.tasks import PoleBalancing
        >>> task = PoleBalancing(n_poles=1)
        >>> task.failed_columns(task.to_columns([[3.0, 0, 0, 0], [0, 0, 0, 0]])).tolist()
        [True, False]
        """
        return (np.abs(columns[:, 0]) > self._limits).any(axis=0)
