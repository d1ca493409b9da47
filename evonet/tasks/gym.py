"""gymnasium environments for policies: spaces checked once, outputs turned into actions.

:class:`GymEnvironment` checks an environment's spaces once and turns network
outputs into actions; :class:`~evonet.problems.gym.GymProblem` scores
populations on it.

gymnasium is an optional dependency (``pip install evonet[control]``).
"""


import numpy as np

from evonet.checks import check_int

__all__ = ["SEED_BOUND", "GymEnvironment"]

SEED_BOUND = 2**31 - 1
"""Episode seeds are drawn from ``[0, SEED_BOUND)``."""


def _gymnasium():
    try:
        import gymnasium
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("gymnasium environments need gymnasium: pip install 'evonet[control]'"
                          ) from None
    return gymnasium


class GymEnvironment:
    """A gymnasium environment id with its spaces checked and its action mapping.

    Supported: a ``Box`` observation space (flattened) and a ``Discrete`` or
    1-D ``Box`` action space. A ``Discrete(n)`` action is the argmax of ``n``
    outputs, or for ``n = 2`` optionally the sign of one output
    (``1`` if positive); a ``Box`` action maps each output ``y`` in
    ``[-1, 1]`` linearly onto ``[low, high]`` (clipped), or passes it
    unchanged where the bounds are infinite.

    Parameters
    ----------
    env_id : str
        A registered environment id, e.g. ``"CartPole-v1"``.
    max_episode_steps : int, default=None
        Episode length limit; the environment's registered limit by default.
    **env_kwargs
        Passed to ``gymnasium.make``.

    Attributes
    ----------
    n_observations : int
    n_actions : int
        Outputs a policy needs (``n`` for ``Discrete(n)``, the number of values
        of a ``Box`` action; a multi-dimensional ``Box`` takes them in
        row-major order).
    discrete : bool
    reward_threshold : float or None
        The environment's registered threshold for "solved".
    has_vector_entry_point : bool
        Whether gymnasium has a NumPy-vectorised implementation (:meth:`make_vec`).

    Examples
    --------
    >>> import numpy as np
    >>> env = GymEnvironment("CartPole-v1")
    >>> env.n_observations, env.n_actions, env.discrete, env.max_episode_steps
    (4, 2, True, 500)
    >>> env.actions(np.array([[0.3, -0.2], [0.1, 0.5]])).tolist()
    [0, 1]
    """

    def __init__(self, env_id, max_episode_steps=None, **env_kwargs):
        gym = _gymnasium()
        if not isinstance(env_id, str):
            raise ValueError(f"env_id must be a registered environment id, got {env_id!r}.")
        self.env_id = env_id
        self.env_kwargs = dict(env_kwargs)
        env = self.make()
        try:
            obs_space, act_space = env.observation_space, env.action_space
            spec = env.spec
        finally:
            env.close()
        if not isinstance(obs_space, gym.spaces.Box):
            raise ValueError(f"{env_id} has observation space {obs_space}; only Box "
                             f"observation spaces are supported.")
        self.n_observations = int(np.prod(obs_space.shape))
        if isinstance(act_space, gym.spaces.Discrete):
            self.discrete = True
            self.n_actions = int(act_space.n)
            self.action_start = int(act_space.start)
            self.low = self.high = None
        elif isinstance(act_space, gym.spaces.Box) and len(act_space.shape) >= 1:
            self.discrete = False
            self.action_shape = tuple(int(d) for d in act_space.shape)
            self.n_actions = int(np.prod(self.action_shape))
            self.low = np.asarray(act_space.low, dtype=np.float64).reshape(-1)
            self.high = np.asarray(act_space.high, dtype=np.float64).reshape(-1)
            self._bounded = np.isfinite(self.low) & np.isfinite(self.high)
        else:
            raise ValueError(f"{env_id} has action space {act_space}; only Discrete and Box "
                             f"action spaces are supported.")
        limit = max_episode_steps if max_episode_steps is not None else (
            spec.max_episode_steps if spec is not None else None)
        if limit is None:
            raise ValueError(f"{env_id} has no registered episode limit; pass "
                             f"max_episode_steps.")
        check_int(limit, "max_episode_steps")
        self.max_episode_steps = int(limit)
        self.reward_threshold = None if spec is None else spec.reward_threshold
        self.has_vector_entry_point = bool(spec is not None and spec.vector_entry_point)

    def __repr__(self):
        return f"GymEnvironment({self.env_id!r})"

    def make(self, **kwargs):
        """A new environment (``gymnasium.make``)."""
        return _gymnasium().make(self.env_id, **{**self.env_kwargs, **kwargs})

    def make_vec(self, num_envs):
        """``num_envs`` copies stepped as one by the environment's own vectorised code.

        ``gymnasium.make_vec(..., vectorization_mode="vector_entry_point")``;
        only for environments with a ``vector_entry_point``
        (:attr:`has_vector_entry_point`).
        """
        return _gymnasium().make_vec(self.env_id, num_envs=num_envs,
                                     vectorization_mode="vector_entry_point", **self.env_kwargs)

    def check_policy(self, policy):
        """Raise ``ValueError`` naming the mismatch if ``policy`` does not fit the spaces."""
        if policy.n_inputs != self.n_observations:
            raise ValueError(f"the policy has n_inputs={policy.n_inputs} but {self.env_id} "
                             f"observations have {self.n_observations} values.")
        allowed = (1, 2) if self.discrete and self.n_actions == 2 else (self.n_actions,)
        if policy.n_outputs not in allowed:
            space = f"Discrete({self.n_actions})" if self.discrete else \
                f"Box of dimension {self.n_actions}"
            raise ValueError(f"the policy has n_outputs={policy.n_outputs} but the {space} "
                             f"action space of {self.env_id} needs "
                             f"{' or '.join(map(str, allowed))}.")

    def actions(self, outputs):
        """Actions for outputs ``(n_outputs, n)``: ``(n,)`` ints or ``(n, *box_shape)`` floats."""
        outputs = np.asarray(outputs, dtype=np.float64)
        if self.discrete:
            if outputs.shape[0] == 1:
                return (outputs[0] > 0).astype(np.int64) + self.action_start
            return np.argmax(outputs, axis=0) + self.action_start
        actions = outputs.T.copy()
        f = self._bounded
        if f.any():
            y = np.clip(np.nan_to_num(actions[:, f], nan=0.0), -1.0, 1.0)
            low, high = self.low[f], self.high[f]
            actions[:, f] = np.clip(low + (y + 1.0) * 0.5 * (high - low), low, high)
        return actions.reshape(actions.shape[0], *self.action_shape)

    def observations(self, observations):
        """``(n_observations, n)`` float64 inputs from a list of observations."""
        return np.asarray(observations, dtype=np.float64).reshape(len(observations), -1).T
