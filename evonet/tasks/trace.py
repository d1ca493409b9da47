"""One network's trajectory on the pole-balancing task, for plots and inspection."""

import numpy as np

from evonet.tasks.pole import make_task

__all__ = ["trajectory"]


def trajectory(task, policy, weights, max_steps=1000, start=None):
    """States and forces of one network balancing from ``start``, step by step.

    The same computation as a population rollout for that cart (one cart
    stepped through the batched path), recorded until it fails or reaches
    ``max_steps``.

    Parameters
    ----------
    task : PoleBalancing or str
    policy : MLPPolicy or RecurrentPolicy
    weights : array-like of shape (policy.n_params,)
    max_steps : int, default=1000
    start : array-like of shape (task.state_size,), default=None
        The standard start by default.

    Returns
    -------
    states : ndarray of shape (t + 1, task.state_size)
        From the start to the last state (the failing one if it failed).
    forces : ndarray of shape (t,)
        Newtons applied at each step.

    Examples
    --------
    >>> from evonet.tasks import MLPPolicy
    >>> states, forces = trajectory("1-markov", MLPPolicy(4, (), bias=False), [0, 0, 0, 0])
    >>> states.shape, forces.shape, float(forces[0])
    ((24, 4), (23,), 0.0)
    """
    task = make_task(task)
    population = policy.check_population(weights)[:1]
    state = task.initial_state(1) if start is None else np.atleast_2d(
        task.check_states(start, name="start"))[:1]
    columns = task.to_columns(state)
    params = policy.unpack(population)
    memory = policy.initial_memory(1)
    states, forces = [state[0]], []
    for _ in range(int(max_steps)):
        outputs, memory = policy.forward(params, task.observe_columns(columns), memory)
        F = task.forces(outputs[0])
        columns = task.step_columns(columns, F)
        states.append(task.from_columns(columns)[0])
        forces.append(float(F[0]))
        if task.failed_columns(columns)[0]:
            break
    return np.array(states), np.array(forces)
