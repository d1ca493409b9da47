"""The fitted policy: a network, its weights and the environment it acts in."""

import json

import numpy as np

from evonet.genome.types import NeatIndividual
from evonet.io import jsonable, logbook_arrays, read_logbook, write_model
from evonet.problems.gym import GymProblem
from evonet.tasks.envs import make_env
from evonet.tasks.gym import GymEnvironment
from evonet.tasks.pole import PoleBalancing
from evonet.tasks.policies import MLPPolicy, NeatPolicy, make_policy  # noqa: F401
from evonet.tasks.rollout import rollout

__all__ = ["EvolvedPolicy"]


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
        obs = np.asarray(observation, dtype=np.float64)
        if obs.size != self.network_.n_inputs:
            batch = obs.ndim == 2 and obs.shape[1] == self.network_.n_inputs
            raise ValueError(f"observation has {obs.size} values but the policy expects "
                             f"{self.network_.n_inputs}" + (
                                 f": act takes one observation at a time (a recurrent "
                                 f"policy carries its state from one to the next), not a "
                                 f"batch of {obs.shape[0]}" if batch else "") + ".")
        obs = obs.reshape(-1)
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
            genome = config["genome"]
            individual = NeatIndividual(network.n_inputs, network.n_outputs,
                                        np.asarray(genome["nodes"], dtype=np.float64),
                                        np.asarray(genome["connections"],
                                                   dtype=np.float64).reshape(-1, 5))
            return cls(network, individual, env_obj)
        return cls(network, config["weights"], env_obj)

    def to_model_document(self):
        """The policy as the fields and arrays of a model file.

        Returns
        -------
        document : dict
            JSON-ready fields ``policy`` (:meth:`get_config` without the
            weights) and ``training`` (see :mod:`evonet.io.model`).
        arrays : dict of str to ndarray
            ``weights``, or for a :class:`NeatPolicy` the genome's
            ``genome_nodes`` and ``genome_connections``; and the ``logbook``
            of the run that made it, if any.

        Examples
        --------
        >>> p = EvolvedPolicy(MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0], "1-markov")
        >>> document, arrays = p.to_model_document()
        >>> sorted(document), arrays["weights"].tolist()
        (['policy', 'training'], [0.5, 1.0, 5.0, 1.0])
        """
        arrays = {}
        config = dict(self.get_config())
        if "genome" in config:
            genome = config.pop("genome")
            arrays["genome_nodes"] = np.asarray(genome["nodes"],
                                                dtype=np.float64).reshape(-1, 4)
            arrays["genome_connections"] = np.asarray(genome["connections"],
                                                      dtype=np.float64).reshape(-1, 5)
        else:
            arrays["weights"] = np.asarray(config.pop("weights"), dtype=np.float64)
        training = {"n_generations": getattr(self, "n_generations_", None),
                    "n_evaluations": getattr(self, "n_evaluations_", None),
                    "best_fitness": getattr(self, "best_fitness_", None),
                    "target_reached": getattr(self, "target_reached_", None)}
        logbook = getattr(self, "logbook_", None)
        if logbook is not None:
            training["logbook_columns"], logbook = logbook_arrays(logbook)
            arrays.update(logbook)
        return ({"policy": jsonable(config, "policy"), "training": jsonable(training, "training")},
                arrays)

    @classmethod
    def from_model_document(cls, fields):
        """The policy a model file describes, every field checked.

        Parameters
        ----------
        fields : evonet.io.Fields
            The model file's fields, its header already checked.

        Returns
        -------
        EvolvedPolicy

        Raises
        ------
        ValueError
            Naming the first field that is missing or invalid.

        Examples
        --------
        >>> import os, tempfile
        >>> from evonet.io import open_model
        >>> p = EvolvedPolicy(MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0], "1-markov")
        >>> path = os.path.join(tempfile.mkdtemp(), "pole.evonet")
        >>> p.save(path)
        >>> archive, fields, name = open_model(path)
        >>> with archive:
        ...     EvolvedPolicy.from_model_document(fields).weights_.tolist()
        [0.5, 1.0, 5.0, 1.0]
        """
        config = fields.object("policy", ("network", "env"))
        network = config["network"]
        if isinstance(network, dict) and network.get("type") == "NeatPolicy":
            config = dict(config, genome={
                "nodes": fields.array("genome_nodes", shape=(None, 4)),
                "connections": fields.array("genome_connections", shape=(None, 5))})
        else:
            config = dict(config, weights=fields.array("weights", ndim=1))
        fields.object("training", ("n_generations", "n_evaluations", "best_fitness",
                                   "target_reached"), optional_keys=("logbook_columns",))
        try:
            policy = cls.from_config(config)
        except Exception as exc:  # from_config rebuilds the network and environment
            raise fields.error("policy", f"does not make a policy ({type(exc).__name__}: "
                                         f"{exc})") from None
        training = {"n_generations_": fields.integer("training.n_generations", optional=True),
                    "n_evaluations_": fields.integer("training.n_evaluations", optional=True),
                    "best_fitness_": fields.number("training.best_fitness", optional=True),
                    "target_reached_": fields.boolean("training.target_reached",
                                                      optional=True)}
        for key, value in training.items():
            if value is not None:
                setattr(policy, key, value)
        if fields.archive.has_array("logbook") or "logbook_columns" in fields.raw("training"):
            policy.logbook_ = read_logbook(fields)
        return policy

    def save(self, path):
        """Save the policy to a model file, atomically (format: :mod:`evonet.io.model`).

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
        document, arrays = self.to_model_document()
        write_model(path, type(self).__name__, document, arrays)

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
        return json.dumps({"format": "evonet.policy", "version": 1, **self.get_config()})
