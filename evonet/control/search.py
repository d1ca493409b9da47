"""Policy search: ``evolve_policy`` on a pole-balancing task or a gymnasium environment.

The run is the library's own loop (:class:`~evonet.evolve.Run` and
:func:`~evonet.evolve.evolve`) on a control problem, so every registered
strategy, ``n_jobs`` and the callbacks work as they do for supervised
fitting. The result is an :class:`EvolvedPolicy`: the network, its weights and
the environment, with ``act`` for one observation at a time and ``rollout``
for whole episodes.
"""

import numpy as np

from evonet.callbacks import ProgressPrinter
from evonet.control.evolved import EvolvedPolicy
from evonet.evaluation import Evaluator
from evonet.problems.gym import GymProblem
from evonet.problems.pole import PoleBalancingProblem
from evonet.randomness import make_generator
from evonet.runs import CheckpointFile, make_strategy, run_generations, start_run
from evonet.stopping import StoppingRule
from evonet.tasks.envs import make_env
from evonet.tasks.gym import SEED_BOUND
from evonet.tasks.pole import PoleBalancing
from evonet.tasks.policies import MLPPolicy, NeatPolicy, RecurrentPolicy

__all__ = ["TargetReached", "default_policy", "evolve_policy"]


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


class TargetReached(StoppingRule):
    """Stop once a network of the current generation scores at least ``target``.

    Examples
    --------
    >>> rule = TargetReached(475.0)
    >>> rule.check(type("R", (), {"logbook": [{"min": -500.0}]})()), rule.reached
    ('target_reached', True)
    """

    reason = "target_reached"

    def __init__(self, target):
        self.target = float(target)
        self.reached = False

    def check(self, run):
        if -run.logbook[-1]["min"] >= self.target:
            self.reached = True
            return self.reason
        return None


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
        gymnasium only; see :class:`~evonet.problems.gym.GymProblem`.
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
    checkpoint = None if checkpoint is None else CheckpointFile(checkpoint, checkpoint_interval)
    rng = make_generator(random_state)
    strategy = make_strategy(strategy, population_size, strategy_params,
                             defaults={"feed_forward": False} if _is_neat(strategy) else None)
    policy = default_policy(env, strategy) if policy is None else policy
    if _is_neat(strategy) != isinstance(policy, NeatPolicy):
        raise ValueError(f"strategy {strategy.name!r} cannot evolve {policy!r}: the 'neat' "
                         f"strategy evolves a NeatPolicy, the other strategies MLPPolicy or "
                         f"RecurrentPolicy weights.")
    if checkpoint is not None:
        checkpoint.match(_fingerprint(env, policy, strategy, n_episodes, target, vectorization,
                                      random_state))
    metadata = {}
    if isinstance(env, PoleBalancing):
        problem = PoleBalancingProblem(env, policy)
        if target == "auto":
            target = None if env.fitness == "damping" else float(env.max_steps)
    else:
        # a resumed run scores its incumbent on the episodes it was started with
        eval_seeds = None if checkpoint is None else checkpoint.saved_metadata("eval_seeds")
        eval_seeds = rng.integers(0, SEED_BOUND, size=n_episodes) if eval_seeds is None \
            else np.asarray(eval_seeds, dtype=np.int64)
        problem = GymProblem(env, policy, n_episodes=n_episodes, eval_seeds=eval_seeds,
                             vectorization=vectorization)
        metadata["eval_seeds"] = [int(seed) for seed in problem.eval_seeds]
        if target == "auto":
            target = env.reward_threshold
    stopping = [] if target is None else [TargetReached(target)]
    callbacks = list(callbacks) + ([ProgressPrinter(every=verbose)] if verbose else [])
    evaluator = Evaluator(problem, n_jobs=n_jobs, backend=backend, retry_failed=retry_failed)
    run = start_run(strategy, evaluator, rng, policy.init_population, checkpoint=checkpoint,
                    stopping=stopping)
    run_generations(run, max(0, max_generations - run.generation), max_evaluations,
                    callbacks=callbacks, stopping=stopping, checkpoint=checkpoint,
                    metadata=metadata)
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
    result.target_reached_ = run.stop_reason == "target_reached"
    result.stop_reason_ = run.stop_reason
    return result
