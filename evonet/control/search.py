"""Policy search: ``evolve_policy`` on a pole-balancing task or a gymnasium environment.

The run is the library's own loop (:class:`~evonet.evolve.Run` and
:func:`~evonet.evolve.evolve`) on a control problem, so every registered
strategy, ``n_jobs`` and the callbacks work as they do for supervised
fitting. The result is an :class:`EvolvedPolicy`: the network, its weights and
the environment, with ``act`` for one observation at a time and ``rollout``
for whole episodes.
"""

import os

import numpy as np

from evonet._random import make_generator
from evonet.callbacks import Callback, Checkpoint, ProgressPrinter
from evonet.control.gym import SEED_BOUND, GymEnvironment, GymProblem
from evonet.control.pole import TASKS, PoleBalancing, make_task
from evonet.control.policies import MLPPolicy, NeatPolicy, RecurrentPolicy, make_policy
from evonet.control.problems import PoleBalancingProblem
from evonet.control.rollout import rollout
from evonet.evaluation import Evaluator
from evonet.evolve import Run, evolve
from evonet.io.checkpoint import check_checkpoint_location, check_checkpoint_settings
from evonet.strategies import Strategy, get_strategy

__all__ = ["EvolvedPolicy", "TargetReached", "default_policy", "evolve_policy", "make_env"]


def make_env(env):
    """A :class:`PoleBalancing` task (name or instance) or a :class:`GymEnvironment`.

    Examples
    --------
    >>> make_env("1-markov"), make_env("CartPole-v1")
    (PoleBalancing(n_poles=1, markovian=True, fitness='steps'), GymEnvironment('CartPole-v1'))
    """
    if isinstance(env, (PoleBalancing, GymEnvironment)):
        return env
    if isinstance(env, str) and env in TASKS:
        return make_task(env)
    return GymEnvironment(env)


def _is_neat(strategy):
    return getattr(strategy, "name", strategy) == "neat"


def default_policy(env, strategy=None):
    """The network :func:`evolve_policy` uses when none is given.

    With the ``"neat"`` strategy, a :class:`NeatPolicy` (minimal recurrent
    NEAT genomes with ``tanh`` outputs). Otherwise: linear (``tanh`` of a
    weighted sum) for Markovian pole balancing and for gymnasium environments
    (one output for a two-action ``Discrete`` space); for non-Markovian pole
    balancing, an Elman network with two fully recurrent ``tanh`` hidden units
    and direct input-output weights (the networks of
    ``experiments/pole_balancing.py``). Pole-balancing policies have no
    biases: the task is symmetric.

    Examples
    --------
    >>> default_policy(make_env("2-nonmarkov")).n_params
    15
    >>> default_policy(make_env("2-nonmarkov"), "neat")
    NeatPolicy(3, 1, output_activation='tanh')
    """
    env = make_env(env)
    n_out = 1 if isinstance(env, PoleBalancing) or (env.discrete and env.n_actions == 2) \
        else env.n_actions
    if _is_neat(strategy):
        return NeatPolicy(env.n_observations, n_out)
    if isinstance(env, PoleBalancing):
        if env.markovian:
            return MLPPolicy(env.n_observations, (), bias=False)
        return RecurrentPolicy(env.n_observations, 2, activation="tanh", bias=False,
                               shortcut=True)
    return MLPPolicy(env.n_observations, (), n_out, output_activation="tanh")


def _fingerprint(env, policy, strategy, n_episodes, target, vectorization, random_state):
    """What a checkpoint of :func:`evolve_policy` must match to be resumed."""
    seed = random_state if isinstance(random_state, (int, np.integer)) else None
    return {"estimator": "evolve_policy",
            "params": {"env": getattr(env, "env_id", None) or repr(env),
                       "policy": policy.get_config(), "strategy": repr(strategy),
                       "n_episodes": int(n_episodes), "target": target,
                       "vectorization": vectorization,
                       "random_state": None if seed is None else int(seed)}}


def _saved_eval_seeds(checkpoint):
    if checkpoint is None or not os.path.exists(checkpoint):
        return None
    from evonet.io.checkpoint import read_checkpoint

    seeds = read_checkpoint(checkpoint).metadata.get("eval_seeds")
    return None if seeds is None else np.asarray(seeds, dtype=np.int64)


class TargetReached(Callback):
    """Stop once a network of the current generation scores at least ``target``.

    Examples
    --------
    >>> TargetReached(475.0).target
    475.0
    """

    def __init__(self, target):
        self.target = float(target)
        self.reached = False

    def on_generation(self, run):
        if -run.logbook[-1]["min"] >= self.target:
            self.reached = True
            return True
        return False


def evolve_policy(env, policy=None, strategy="cmaes", population_size=None,
                  max_generations=100, n_episodes=5, target="auto", n_jobs=None, backend=None,
                  random_state=None, strategy_params=None, max_evaluations=None, callbacks=(),
                  verbose=0, vectorization="sync", checkpoint=None, checkpoint_interval=60,
                  retry_failed=False):
    """Evolve a policy network for a control task; return the fitted :class:`EvolvedPolicy`.

    Parameters
    ----------
    env : str, PoleBalancing or GymEnvironment
        A pole-balancing task name (``"1-markov"`` ... ``"2-damping"``) or a
        gymnasium environment id (``Box`` observations; ``Discrete`` or
        ``Box`` actions).
    policy : MLPPolicy, RecurrentPolicy or NeatPolicy, default=None
        The network; :func:`default_policy` if ``None``. A :class:`NeatPolicy`
        goes with the ``"neat"`` strategy, the others with weight strategies.
    strategy : str or Strategy, default="cmaes"
        A registered strategy name (:data:`~evonet.strategies.STRATEGIES`) or
        an instance. ``"neat"`` evolves topologies: by name, its
        ``feed_forward`` setting defaults to ``False`` here, so that
        add-connection may make the recurrent connections a controller
        without velocity inputs needs.
    population_size : int, default=None
        Passed to the strategy (its own default if ``None``).
    max_generations : int, default=100
    n_episodes : int, default=5
        gymnasium only: episodes per network and generation (mean return).
    target : float, None or "auto", default="auto"
        Stop when a network of a generation scores at least this fitness
        (steps, damping fitness or mean return). ``"auto"``: the full trial
        for ``steps`` tasks, the environment's ``reward_threshold`` for
        gymnasium, none for damping.
    n_jobs, backend : joblib settings of the :class:`~evonet.evaluation.Evaluator`.
    random_state : None, int or numpy.random.Generator
        The run's only source of randomness (episode seeds included).
    strategy_params : dict, default=None
        Further settings of the strategy (``sigma``, ``mutation_sigma``...).
    max_evaluations : int, default=None
    callbacks : sequence of Callback
    verbose : int, default=0
        Print progress every ``verbose`` generations.
    vectorization : {"sync", "vector"}, default="sync"
        gymnasium only; see :class:`~evonet.control.gym.GymProblem`.
    checkpoint : str or os.PathLike, default=None
        Save the run to this file every ``checkpoint_interval`` seconds (see
        :mod:`evonet.io.checkpoint`); if the file exists and was written by
        the same call (same task, policy, strategy and settings), the run
        continues from it and ends with the same policy as an uninterrupted
        run. The file is removed when the run ends.
    checkpoint_interval : float, default=60
        Seconds between checkpoint writes; 0 writes after every generation.
    retry_failed : bool, default=False
        Score a generation again on fresh workers when a worker process dies
        (see :class:`~evonet.evaluation.Evaluator`).

    Returns
    -------
    EvolvedPolicy

    Examples
    --------
    >>> policy = evolve_policy("1-markov", max_generations=20, random_state=0)
    >>> int(policy.rollout()[0]), policy.target_reached_
    (100000, True)
    """
    env = make_env(env)
    check_checkpoint_settings(checkpoint, checkpoint_interval)
    if checkpoint is not None:
        check_checkpoint_location(checkpoint)
    rng = make_generator(random_state)
    if isinstance(strategy, Strategy):
        if population_size is not None or strategy_params:
            raise ValueError("pass population_size and strategy_params to the strategy "
                             "instance itself.")
    else:
        settings = dict(strategy_params or {})
        if population_size is not None:
            settings["population_size"] = population_size
        if _is_neat(strategy):
            settings.setdefault("feed_forward", False)
        strategy = get_strategy(strategy, **settings)
    policy = default_policy(env, strategy) if policy is None else policy
    if _is_neat(strategy) != isinstance(policy, NeatPolicy):
        raise ValueError(f"strategy {strategy.name!r} cannot evolve {policy!r}: the 'neat' "
                         f"strategy evolves a NeatPolicy, the other strategies MLPPolicy or "
                         f"RecurrentPolicy weights.")
    fingerprint = None
    if checkpoint is not None:
        fingerprint = _fingerprint(env, policy, strategy, n_episodes, target, vectorization,
                                   random_state)
    if isinstance(env, PoleBalancing):
        problem = PoleBalancingProblem(env, policy)
        if target == "auto":
            target = None if env.fitness == "damping" else float(env.max_steps)
    else:
        # a resumed run scores its incumbent on the episodes it was started with
        eval_seeds = _saved_eval_seeds(checkpoint)
        if eval_seeds is None:
            eval_seeds = rng.integers(0, SEED_BOUND, size=n_episodes)
        problem = GymProblem(env, policy, n_episodes=n_episodes, eval_seeds=eval_seeds,
                             vectorization=vectorization)
        if target == "auto":
            target = env.reward_threshold
    stopper = None if target is None else TargetReached(target)
    callbacks = list(callbacks) + ([stopper] if stopper else []) + (
        [ProgressPrinter(every=verbose)] if verbose else [])
    evaluator = Evaluator(problem, n_jobs=n_jobs, backend=backend, retry_failed=retry_failed)
    run = None
    if checkpoint is not None:
        from evonet.io.checkpoint import resume_run

        run = resume_run(checkpoint, strategy, evaluator, fingerprint)
        metadata = dict(fingerprint, eval_seeds=None if isinstance(problem, PoleBalancingProblem)
                        else [int(seed) for seed in problem.eval_seeds])
        callbacks.append(Checkpoint(checkpoint, checkpoint_interval, metadata=metadata))
    if run is None:
        run = Run(strategy, evaluator, rng, initializer=policy.init_population)
    evolve(run, max_generations=max(0, max_generations - run.generation),
           max_evaluations=max_evaluations, callbacks=callbacks)
    if checkpoint is not None:
        from evonet.io.checkpoint import remove_checkpoint

        remove_checkpoint(os.fspath(checkpoint))
    # the run's checked incumbent or the best network it was told about, on the fixed trial
    if isinstance(policy, NeatPolicy):
        candidates = [run.best]
        population = candidates
    else:
        candidates = [np.asarray(run.best, dtype=np.float64)]
        told = getattr(run.state, "best_params", None)
        if told is not None and not np.array_equal(told, candidates[0]):
            candidates.append(np.asarray(told, dtype=np.float64))
        population = np.array(candidates)
    losses = Evaluator(problem).evaluate(population)
    best = int(np.argmin(losses))
    result = EvolvedPolicy(policy, candidates[best], env)
    result.logbook_ = run.logbook
    result.n_generations_ = run.generation
    result.n_evaluations_ = run.n_evaluations + len(candidates)
    result.best_fitness_ = float(-losses[best])
    result.target_reached_ = bool(stopper is not None and stopper.reached)
    result.stop_reason_ = run.stop_reason
    return result


class EvolvedPolicy:
    """A fitted policy: network, weights and environment.

    Parameters
    ----------
    network : MLPPolicy, RecurrentPolicy or NeatPolicy
    weights : array-like of shape (network.n_params,), or a NEAT genome
        The individual: a weight vector, or for a :class:`NeatPolicy` a genome.
    env : PoleBalancing, GymEnvironment or str

    Attributes
    ----------
    logbook_ : deap.tools.Logbook
        One record per generation of the run that made it (set by :func:`evolve_policy`).
    n_evaluations_, n_generations_ : int
    best_fitness_ : float
        Its fitness on the fixed trial (steps, damping fitness, or mean return
        on the run's evaluation episodes).

    Examples
    --------
    >>> import numpy as np
    >>> policy = EvolvedPolicy(MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0], "1-markov")
    >>> policy.act(np.array([0.0, 0.0, 0.1, 0.0]))      # a force in newtons
    np.float64(4.6211715726000975)
    >>> policy.rollout(max_steps=1000)
    array([1000])
    """

    def __init__(self, network, weights, env):
        self.network_ = network
        self.weights_ = network.check_population(weights)[0]
        self.env_ = make_env(env)
        if isinstance(self.env_, GymEnvironment):
            self.env_.check_policy(network)
        elif network.n_inputs != self.env_.n_observations or network.n_outputs != 1:
            raise ValueError(f"the network maps {network.n_inputs} inputs to "
                             f"{network.n_outputs} outputs but {self.env_!r} gives "
                             f"{self.env_.n_observations} observations and takes 1 output.")
        self._params = network.unpack([self.weights_])
        self.reset()

    def __repr__(self):
        return f"EvolvedPolicy({self.network_!r}, env={self.env_!r})"

    def reset(self):
        """Forget the recurrent state (call at the start of an episode)."""
        self._memory = self.network_.initial_memory(1)

    def act(self, observation):
        """The action for one observation (a force in newtons for pole balancing).

        For pole balancing the observation is the network input
        (:meth:`PoleBalancing.observe` of a state); for gymnasium, the
        environment's observation. Recurrent networks carry their state from
        call to call until :meth:`reset`.
        """
        obs = np.asarray(observation, dtype=np.float64).reshape(-1)
        if obs.size != self.network_.n_inputs:
            raise ValueError(f"observation has {obs.size} values but the policy expects "
                             f"{self.network_.n_inputs}.")
        if not np.isfinite(obs).all():
            raise ValueError("observation contains NaN or infinite values.")
        outputs, self._memory = self.network_.forward(self._params, obs[:, None], self._memory)
        if isinstance(self.env_, PoleBalancing):
            return self.env_.forces(outputs[0])[0]
        return self.env_.actions(outputs)[0]

    def rollout(self, n_episodes=1, seed=0, max_steps=None, render=False):
        """Play whole episodes; return their returns (steps balanced for pole balancing).

        Parameters
        ----------
        n_episodes : int, default=1
            gymnasium: episodes with seeds ``seed, seed + 1, ...``. Pole
            balancing has one deterministic start, so one episode.
        seed : int, default=0
        max_steps : int, default=None
            Pole balancing: trial length (the task's by default).
        render : bool, default=False
            gymnasium: also return the frames (``render_mode="rgb_array"``);
            :func:`~evonet.control.save_gif` writes them to an animated GIF.

        Returns
        -------
        ndarray of shape (n_episodes,), and a list of frames with ``render=True``
        """
        if isinstance(self.env_, PoleBalancing):
            steps = rollout(self.env_, self.network_, [self.weights_],
                            max_steps=max_steps).steps
            return steps[:, 0]
        seeds = seed + np.arange(n_episodes)
        if not render:
            problem = GymProblem(self.env_, self.network_, n_episodes=n_episodes)
            return problem.returns([self.weights_], seeds)[0]
        env = self.env_.make(render_mode="rgb_array")
        returns, frames = [], []
        try:
            for s in seeds:
                obs, _ = env.reset(seed=int(s))
                self.reset()
                total, done = 0.0, False
                frames.append(env.render())
                while not done:
                    obs, reward, terminated, truncated, _ = env.step(self.act(obs))
                    total += reward
                    done = terminated or truncated
                    frames.append(env.render())
                returns.append(total)
        finally:
            env.close()
        return np.array(returns), frames

    def get_config(self):
        """Everything needed to rebuild the policy, as plain values.

        The seam for saving: ``EvolvedPolicy.from_config(policy.get_config())``
        gives an equal policy.

        Examples
        --------
        >>> p = EvolvedPolicy(MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0], "1-markov")
        >>> EvolvedPolicy.from_config(p.get_config()).weights_.tolist()
        [0.5, 1.0, 5.0, 1.0]
        """
        if isinstance(self.env_, PoleBalancing):
            task = self.env_
            env = {"task": {"n_poles": task.n_poles, "markovian": task.markovian,
                            "fitness": task.fitness, "cart_friction": task.cart_friction,
                            "hinge_friction": task.hinge_friction}}
        else:
            env = {"env_id": self.env_.env_id,
                   "max_episode_steps": self.env_.max_episode_steps}
        config = {"network": self.network_.get_config(), "env": env}
        if isinstance(self.network_, NeatPolicy):
            config["genome"] = {"nodes": self.weights_.nodes.tolist(),
                                "connections": self.weights_.connections.tolist()}
        else:
            config["weights"] = self.weights_.tolist()
        return config

    @classmethod
    def from_config(cls, config):
        """The policy :meth:`get_config` describes."""
        env = config["env"]
        if "task" in env:
            env_obj = PoleBalancing(**env["task"])
        else:
            env_obj = GymEnvironment(env["env_id"], max_episode_steps=env.get(
                "max_episode_steps"))
        network = make_policy(config["network"])
        if isinstance(network, NeatPolicy):
            from evonet.genome.types import NeatIndividual

            genome = config["genome"]
            individual = NeatIndividual(network.n_inputs, network.n_outputs,
                                        np.asarray(genome["nodes"], dtype=np.float64),
                                        np.asarray(genome["connections"],
                                                   dtype=np.float64).reshape(-1, 5))
            return cls(network, individual, env_obj)
        return cls(network, config["weights"], env_obj)

    def save(self, path):
        """Save the policy to a model file, atomically (see :mod:`evonet.io.model`).

        ``evonet.load(path)`` gives back a policy that acts exactly as this
        one; loading never unpickles and checks every field.

        Parameters
        ----------
        path : str or os.PathLike

        Examples
        --------
        >>> import os, tempfile
        >>> import evonet
        >>> p = EvolvedPolicy(MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0], "1-markov")
        >>> path = os.path.join(tempfile.mkdtemp(), "pole.evonet")
        >>> p.save(path)
        >>> evonet.load(path).weights_.tolist()
        [0.5, 1.0, 5.0, 1.0]
        """
        from evonet.io.model import save

        save(self, path)

    def to_json(self):
        """The policy as a JSON string: network, weights (or NEAT genome), environment.

        The document of :meth:`get_config` under ``"format": "evonet.policy"``;
        :meth:`from_config` of its other fields rebuilds the policy.

        Examples
        --------
        >>> import json
        >>> p = EvolvedPolicy(MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0], "1-markov")
        >>> doc = json.loads(p.to_json())
        >>> doc["network"]["type"], doc["weights"]
        ('MLPPolicy', [0.5, 1.0, 5.0, 1.0])
        >>> EvolvedPolicy.from_config(doc).rollout(max_steps=100).tolist()
        [100]
        """
        import json

        return json.dumps({"format": "evonet.policy", "version": 1, **self.get_config()})
