"""Gruau et al.'s (1996) damping fitness for the non-Markovian double pole."""

import math

import numpy as np

__all__ = ["DAMPING_STEPS", "DAMPING_WINDOW", "damping_fitness", "damping_from_window"]

DAMPING_STEPS = 1_000
"""Length of a damping-fitness trial."""
DAMPING_WINDOW = 100
"""Steps at the end of a trial whose oscillation ``f2`` measures."""


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
