"""gymnasium environments as evonet problems: a population scored by episode returns.

:class:`GymProblem` scores a population by the mean return of ``n_episodes``
episodes per network, all networks' episodes stepped together (one batched
forward pass per step, finished episodes dropped). The episodes of a
generation are seeded from the run's generator by the problem's sampler
(:class:`EpisodeSeeds`); every network of a generation plays the same seeds
(common random numbers), and the incumbent is scored on a fixed set of seeds.
The environment itself (spaces, actions) is a
:class:`~evonet.tasks.gym.GymEnvironment`.

gymnasium is an optional dependency (``pip install evonet[control]``).
"""

import threading

import numpy as np

from evonet.checks import check_int
from evonet.tasks.gym import SEED_BOUND, GymEnvironment
from evonet.tasks.policies import select

__all__ = ["EpisodeSeeds", "GymProblem"]

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
    >>> from evonet.tasks import MLPPolicy
    >>> problem = GymProblem("CartPole-v1", MLPPolicy(4, (), 1, bias=False), n_episodes=2)
    >>> problem.evaluate(np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, -1.0, -1.0]]))
    array([-417.,   -9.])
    """

    def __init__(self, env, policy, n_episodes=5, eval_seeds=None, chunk_size=32,
                 vectorization="sync"):
        self.env = env if isinstance(env, GymEnvironment) else GymEnvironment(env)
        self.env.check_policy(policy)
        self.policy = policy
        check_int(n_episodes, "n_episodes")
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
        >>> from evonet.tasks import MLPPolicy
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
        P, E = len(population), seeds.size
        n = P * E
        env = self.env.make_vec(n)
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
