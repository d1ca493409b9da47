"""gymnasium environments as evonet problems: spaces, actions and population episodes.

:class:`GymEnvironment` checks an environment's spaces once and turns network
outputs into actions; :class:`GymProblem` scores a population by the mean
return of ``n_episodes`` episodes per network, all networks' episodes stepped
together (one batched forward pass per step, finished episodes dropped). The
episodes of a generation are seeded from the run's generator by the problem's
sampler; every network of a generation plays the same seeds (common random
numbers), and the incumbent is scored on a fixed set of seeds.

gymnasium is an optional dependency (``pip install evonet[control]``).
"""

import numbers
import threading

import numpy as np

from evonet.control.policies import select

__all__ = ["EpisodeSeeds", "GymEnvironment", "GymProblem"]

SEED_BOUND = 2**31 - 1


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
        if isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 1:
            raise ValueError(f"max_episode_steps must be a positive integer, got {limit!r}.")
        self.max_episode_steps = int(limit)
        self.reward_threshold = None if spec is None else spec.reward_threshold
        self.has_vector_entry_point = bool(spec is not None and spec.vector_entry_point)

    def __repr__(self):
        return f"GymEnvironment({self.env_id!r})"

    def make(self, **kwargs):
        """A new environment (``gymnasium.make``)."""
        return _gymnasium().make(self.env_id, **{**self.env_kwargs, **kwargs})

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


class EpisodeSeeds:
    """Sampler of a :class:`GymProblem`: fresh episode seeds every generation.

    Examples
    --------
    >>> import numpy as np
    >>> seeds = EpisodeSeeds(3).next(np.random.default_rng(0))
    >>> seeds.shape, seeds.dtype
    ((3,), dtype('int64'))
    """

    full = False

    def __init__(self, n_episodes):
        self.n_episodes = int(n_episodes)
        self.batch_size = self.n_episodes   # episodes per generation, as rows of a minibatch

    def next(self, rng):
        """The seeds of this generation's episodes, drawn from ``rng``."""
        return rng.integers(0, SEED_BOUND, size=self.n_episodes)


class GymProblem:
    """Score networks by their mean return over episodes of a gymnasium environment.

    Parameters
    ----------
    env : str or GymEnvironment
    policy : MLPPolicy or RecurrentPolicy
    n_episodes : int, default=5
        Episodes per network and generation.
    eval_seeds : sequence of int, default=None
        Seeds of the episodes that score the incumbent (``rows=None``);
        ``range(n_episodes)`` by default (:func:`evolve_policy` draws them
        from the run's generator).
    chunk_size : int, default=32
        Networks per chunk of the :class:`~evonet.evaluation.Evaluator`.
    vectorization : {"sync", "vector"}, default="sync"
        ``"sync"`` steps one environment per episode and network (exact
        per-episode seeds, shared by all networks). ``"vector"`` uses the
        environment's own NumPy-vectorised implementation
        (``gymnasium.make_vec(..., vectorization_mode="vector_entry_point")``,
        e.g. CartPole) seeded once per chunk, so different networks play
        different (still seeded, reproducible) episodes.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.control import MLPPolicy
    >>> problem = GymProblem("CartPole-v1", MLPPolicy(4, (), 1, bias=False), n_episodes=2)
    >>> problem.evaluate(np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, -1.0, -1.0]]))
    array([-417.,   -9.])
    """

    def __init__(self, env, policy, n_episodes=5, eval_seeds=None, chunk_size=32,
                 vectorization="sync"):
        self.env = env if isinstance(env, GymEnvironment) else GymEnvironment(env)
        self.env.check_policy(policy)
        self.policy = policy
        if isinstance(n_episodes, bool) or not isinstance(n_episodes, numbers.Integral) \
                or n_episodes < 1:
            raise ValueError(f"n_episodes must be a positive integer, got {n_episodes!r}.")
        self.n_episodes = int(n_episodes)
        seeds = np.arange(self.n_episodes) if eval_seeds is None else np.asarray(eval_seeds)
        if seeds.ndim != 1 or seeds.size < 1 or seeds.dtype.kind not in "iu":
            raise ValueError(f"eval_seeds must be a 1-D sequence of integers, got {eval_seeds!r}.")
        self.eval_seeds = seeds.astype(np.int64)
        self.chunk_size = int(chunk_size)
        if vectorization not in ("sync", "vector"):
            raise ValueError(f"vectorization={vectorization!r} is not supported; choose 'sync' "
                             f"or 'vector'.")
        if vectorization == "vector" and not self.env.has_vector_entry_point:
            raise ValueError(f"{self.env.env_id} has no vectorised implementation "
                             f"(vector_entry_point); use vectorization='sync'.")
        self.vectorization = vectorization
        self._envs = {}
        self._lock = threading.Lock()

    @property
    def n_samples(self):
        """Episodes per evaluation."""
        return self.n_episodes

    @property
    def n_params(self):
        return self.policy.n_params

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_envs"] = {}   # environments are rebuilt in each worker
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def make_sampler(self, batch_size=None):
        """New episode seeds each generation (:class:`EpisodeSeeds`)."""
        return EpisodeSeeds(self.n_episodes)

    def returns(self, population, seeds):
        """Episode returns ``(P, len(seeds))`` of every network on every seed.

        Examples
        --------
        >>> import numpy as np
        >>> from evonet.control import MLPPolicy
        >>> problem = GymProblem("CartPole-v1", MLPPolicy(4, (), 1, bias=False))
        >>> problem.returns(np.zeros((2, 4)), [0, 1, 2]).shape
        (2, 3)
        """
        population = self.policy.check_population(population)
        seeds = np.asarray(seeds, dtype=np.int64).reshape(-1)
        if self.vectorization == "vector":
            return self._returns_vector(population, seeds)
        return self._returns_sync(population, seeds)

    def evaluate(self, population, rows=None):
        """Losses: minus the mean return over the seeds ``rows`` (the eval seeds if ``None``)."""
        seeds = self.eval_seeds if rows is None else rows
        return -self.returns(population, seeds).mean(axis=1)

    def _pool(self, n):
        """``n`` environments of the calling thread (threads never share one)."""
        with self._lock:
            envs = self._envs.setdefault(threading.get_ident(), [])
        while len(envs) < n:
            envs.append(self.env.make())
        return envs[:n]

    def _returns_sync(self, population, seeds):
        P, E = len(population), seeds.size
        n = P * E
        envs = self._pool(n)
        obs = [env.reset(seed=int(seeds[i % E]))[0] for i, env in enumerate(envs)]
        params = select(self.policy.unpack(population), np.repeat(np.arange(P), E))
        memory = self.policy.initial_memory(n)
        totals = np.zeros(n)
        alive = np.arange(n)
        for _ in range(self.env.max_episode_steps):
            outputs, memory = self.policy.forward(params, self.env.observations(obs), memory)
            actions = self.env.actions(outputs)
            done = np.zeros(alive.size, dtype=bool)
            for j, (i, action) in enumerate(zip(alive, actions)):
                obs[j], reward, terminated, truncated, _ = envs[i].step(action)
                totals[i] += reward
                done[j] = terminated or truncated
            if done.any():
                keep = ~done
                alive = alive[keep]
                obs = [o for o, k in zip(obs, keep) if k]
                params = select(params, keep)
                memory = None if memory is None else memory[:, keep]
                if not alive.size:
                    break
        return totals.reshape(P, E)

    def _returns_vector(self, population, seeds):
        gym = _gymnasium()
        P, E = len(population), seeds.size
        n = P * E
        env = gym.make_vec(self.env.env_id, num_envs=n, vectorization_mode="vector_entry_point",
                           **self.env.env_kwargs)
        try:
            obs, _ = env.reset(seed=int(seeds[0]))
            params = select(self.policy.unpack(population), np.repeat(np.arange(P), E))
            memory = self.policy.initial_memory(n)
            totals = np.zeros(n)
            running = np.ones(n, dtype=bool)
            for _ in range(self.env.max_episode_steps):
                outputs, memory = self.policy.forward(params, self.env.observations(obs), memory)
                obs, reward, terminated, truncated, _ = env.step(self.env.actions(outputs))
                totals += np.where(running, reward, 0.0)
                running &= ~(terminated | truncated)
                if not running.any():
                    break
        finally:
            env.close()
        return totals.reshape(P, E)
