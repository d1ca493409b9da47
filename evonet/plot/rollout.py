"""A pole-balancing policy's rollout: cart position, pole angles and force over time."""

import numbers

import numpy as np

from evonet.plot._common import policy_parts
from evonet.tasks.dynamics import TAU
from evonet.tasks.trace import trajectory

__all__ = ["RolloutDisplay"]

CONTROL_STEP = 2 * TAU
"""Seconds between two actions: the force is held for two Runge-Kutta steps of ``TAU``."""


class RolloutDisplay:
    """One episode of a pole-balancing policy, step by step, on three stacked axes.

    Use :meth:`from_policy`; a policy that does not balance poles (a
    gymnasium one) raises ``ValueError``.

    Parameters
    ----------
    time : ndarray of shape (n_steps + 1,)
        Seconds from the start.
    states : ndarray of shape (n_steps + 1, 2 + 2 * n_poles)
        ``x, x_dot, theta_1, theta_1_dot[, theta_2, theta_2_dot]``.
    forces : ndarray of shape (n_steps,)
        Newtons applied at each step.
    title : str, default=None

    Attributes
    ----------
    axes_ : ndarray of 3 Axes
        Cart position, pole angles and force.
    ax_ : matplotlib Axes
        The first of them.
    figure_ : matplotlib Figure
    lines_ : dict of str to Line2D
        ``"x"``, ``"theta_1"`` (and ``"theta_2"``) and ``"force"``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from evonet.control import EvolvedPolicy, MLPPolicy
    >>> policy = EvolvedPolicy(MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0], "1-markov")
    >>> display = RolloutDisplay.from_policy(policy, max_steps=200,
    ...                                      ax=Figure().subplots(3, 1, sharex=True))
    >>> sorted(display.lines_), len(display.forces)
    (['force', 'theta_1', 'x'], 200)
    """

    def __init__(self, *, time, states, forces, title=None):
        self.time = time
        self.states = states
        self.forces = forces
        self.title = title

    @classmethod
    def from_policy(cls, policy, *, max_steps=1000, start=None, ax=None):
        """The rollout of an :class:`~evonet.control.EvolvedPolicy` on its pole-balancing task.

        Parameters
        ----------
        policy : EvolvedPolicy
        max_steps : int, default=1000
            Steps to draw at most (the episode ends earlier if a pole falls).
        start : array-like of shape (2 + 2 * n_poles,), default=None
            The task's standard start by default.
        ax : sequence of 3 matplotlib Axes, default=None
        """
        network, weights, env = policy_parts(policy)
        if not hasattr(env, "n_poles"):
            raise ValueError(f"RolloutDisplay draws pole-balancing rollouts; this policy acts "
                             f"in {env!r}.")
        if not isinstance(max_steps, numbers.Integral) or isinstance(max_steps, bool) \
                or max_steps < 1:
            raise ValueError(f"max_steps must be a positive integer, got {max_steps!r}.")
        states, forces = trajectory(env, network, [weights], max_steps=max_steps, start=start)
        time = np.arange(len(states)) * CONTROL_STEP
        title = f"{env.name}: {len(forces)} steps" if getattr(env, "name", None) else None
        return cls(time=time, states=states, forces=forces, title=title).plot(ax=ax)

    def plot(self, ax=None):
        """Draw on three axes ``ax`` (a new figure if ``None``); return ``self``."""
        if ax is None:
            import matplotlib.pyplot as plt

            ax = plt.subplots(3, 1, figsize=(8, 6), sharex=True)[1]
        axes = np.asarray(ax, dtype=object).ravel()
        if axes.size != 3 or not all(hasattr(a, "plot") for a in axes):
            raise ValueError("ax must be a sequence of 3 matplotlib Axes (position, angles, "
                             "force) or None.")
        t, s = self.time, self.states
        self.lines_ = {"x": axes[0].plot(t, s[:, 0], label="x")[0]}
        for i in range((s.shape[1] - 2) // 2):
            self.lines_[f"theta_{i + 1}"] = axes[1].plot(
                t, np.degrees(s[:, 2 + 2 * i]), label=f"theta_{i + 1}")[0]
        self.lines_["force"] = axes[2].plot(t[1:], self.forces, lw=0.8, color="tab:red",
                                            label="force")[0]
        for a, label in zip(axes, ("cart position (m)", "pole angle (deg)", "force (N)")):
            a.set_ylabel(label)
            a.grid(alpha=0.3)
        axes[1].legend(loc="upper right", fontsize=8)
        axes[2].set_xlabel("time (s)")
        if self.title:
            axes[0].set_title(self.title, fontsize=9)
        self.axes_ = axes
        self.ax_ = axes[0]
        self.figure_ = axes[0].figure
        return self
