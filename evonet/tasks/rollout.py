"""Population rollouts on the pole-balancing task: every cart and network stepped together.

A rollout runs ``P`` networks from ``C`` start states each: ``n = P * C``
carts, stepped as one batch. A cart that fails leaves the batch (its row is
dropped from every array), so the cost of a step follows the number of carts
still balancing, and the loop ends as soon as none is. When only a few carts
remain, each finishes on the scalar path (:mod:`evonet.tasks.scalar`),
which computes the same numbers one cart at a time without NumPy's per-call
cost; the switch depends only on the number of carts left, so a result is the
same for any ``n_jobs`` or backend.
"""

import math

import numpy as np

from evonet.tasks.damping import DAMPING_WINDOW, damping_from_window
from evonet.tasks.policies import select
from evonet.tasks.scalar import simulate_scalar

__all__ = ["SCALAR_BELOW", "RolloutResult", "rollout"]

SCALAR_BELOW = 16
"""Carts left when a rollout hands each of them to the scalar path."""


class RolloutResult:
    """What a rollout measured, one entry per cart (network-major: cart ``p * C + c``).

    Attributes
    ----------
    steps : ndarray of int, shape (P, C)
        Control steps balanced.
    window_sums : ndarray of float, shape (P, C), or None
        For the damping fitness: the sum of ``|x| + |x_dot| + |theta_1| +
        |theta_1_dot|`` over the last 100 balanced steps (``nan`` when fewer).
    """

    def __init__(self, steps, window_sums):
        self.steps = steps
        self.window_sums = window_sums

    def damping(self, max_steps):
        """Damping fitness of every cart (:func:`~evonet.tasks.damping.damping_from_window`)."""
        out = np.empty(self.steps.shape)
        for idx in np.ndindex(out.shape):
            total = self.window_sums[idx]
            out[idx] = damping_from_window(int(self.steps[idx]),
                                           None if math.isnan(total) else total, max_steps)
        return out


def rollout(task, policy, population, starts=None, max_steps=None, *, damping=False,
            scalar_below=SCALAR_BELOW, give_up_after=None):
    """Balance from ``starts`` with every network of ``population``; count steps.

    Parameters
    ----------
    task : PoleBalancing
    policy : MLPPolicy or RecurrentPolicy
        With ``task.n_observations`` inputs and one output (the force, scaled
        by :meth:`~evonet.tasks.PoleBalancing.forces`).
    population : ndarray of shape (P, policy.n_params)
    starts : ndarray of shape (C, task.state_size), default=None
        Start states shared by every network; the standard start by default.
        Recurrent networks start each one with a zero hidden state.
    max_steps : int, default=None
        Length of a trial; ``task.max_steps`` by default.
    damping : bool, default=False
        Also keep the last 100 values the damping fitness needs.
    scalar_below : int, default=SCALAR_BELOW
        Finish on the scalar path once at most this many carts remain
        (``0``: never; only for narrow networks, see ``policy.scalar_ok``).
    give_up_after : int, default=None
        Stop a network as soon as more than this many of its carts have
        failed (the steps of its carts still running are then those reached
        so far): for tests that need a number of successes.

    Returns
    -------
    RolloutResult

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.tasks import MLPPolicy, PoleBalancing
    >>> task = PoleBalancing(n_poles=1)
    >>> policy = MLPPolicy(4, (), bias=False)
    >>> population = np.array([[0.0, 0.0, 0.0, 0.0], [0.5, 1.0, 5.0, 1.0]])
    >>> rollout(task, policy, population, max_steps=2000).steps.ravel().tolist()
    [22, 2000]
    """
    population = policy.check_population(population)
    if policy.n_inputs != task.n_observations or policy.n_outputs != 1:
        raise ValueError(f"the policy maps {policy.n_inputs} inputs to {policy.n_outputs} "
                         f"outputs but {task!r} gives {task.n_observations} observations and "
                         f"takes 1 output (the force).")
    starts = task.initial_state(1) if starts is None else np.atleast_2d(
        task.check_states(starts, name="starts"))
    max_steps = task.max_steps if max_steps is None else int(max_steps)
    P, C = len(population), starts.shape[0]
    n = P * C
    steps = np.full(n, max_steps, dtype=np.int64)
    window = np.zeros((n, DAMPING_WINDOW)) if damping else None
    columns = task.to_columns(np.tile(starts, (P, 1)))
    params = select(policy.unpack(population), np.repeat(np.arange(P), C))
    memory = policy.initial_memory(n)
    alive = np.arange(n)
    scalar = scalar_below if policy.scalar_ok else 0
    failures = None if give_up_after is None else np.zeros(P, dtype=np.int64)
    t = 0
    while t < max_steps and alive.size:
        if alive.size <= scalar:
            _finish_scalar(task, policy, columns, params, memory, alive, t, max_steps, steps,
                           window)
            break
        outputs, memory = policy.forward(params, task.observe_columns(columns), memory)
        columns = task.step_columns(columns, task.forces(outputs[0]))
        failed = task.failed_columns(columns)
        any_failed = failed.any()
        if window is not None:
            # |x| + |x_dot| + |theta_1| + |theta_1_dot| of the balanced carts, in the
            # scalar path's order (a failing state never enters the window)
            flat = columns.reshape(task.state_size, -1)
            value = np.abs(flat[0]) + np.abs(flat[1])
            value += np.abs(flat[2])
            value += np.abs(flat[3])
            if any_failed:
                window[alive[~failed], t % DAMPING_WINDOW] = value[~failed]
            else:
                window[alive, t % DAMPING_WINDOW] = value
        t += 1
        if any_failed:
            steps[alive[failed]] = t - 1
            keep = ~failed
            if failures is not None:
                np.add.at(failures, alive[failed] // C, 1)
                hopeless = failures[alive // C] > give_up_after
                steps[alive[hopeless & keep]] = t
                keep &= ~hopeless
            alive = alive[keep]
            columns = columns[..., keep]
            params = select(params, keep)
            memory = None if memory is None else memory[:, keep]
    sums = None
    if window is not None:
        sums = np.full(n, np.nan)
        enough = steps >= DAMPING_WINDOW
        sums[enough] = [math.fsum(row) for row in window[enough]]
    return RolloutResult(steps.reshape(P, C), None if sums is None else sums.reshape(P, C))


def _finish_scalar(task, policy, columns, params, memory, alive, t, max_steps, steps, window):
    states = task.from_columns(columns)
    for j, cart in enumerate(alive):
        one = select(params, [j])
        actor = policy.scalar_actor(one, None if memory is None else memory[:, [j]])
        ring = None if window is None else window[cart].tolist()
        steps[cart], _ = simulate_scalar(task, actor, states[j], max_steps, start_step=t,
                                         window=ring)
        if ring is not None:
            window[cart] = ring
