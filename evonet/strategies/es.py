"""OpenAI-style evolution strategy: antithetic sampling, rank shaping and Adam."""

import math
from dataclasses import dataclass

import numpy as np

from evonet.checks import check_bool, check_int, check_positive_float
from evonet.nn.mlp import thread_workspace
from evonet.strategies.base import (
    Strategy,
    StrategyState,
    register_strategy,
)
from evonet.strategies.shaping import centred_ranks

__all__ = ["STEP_CUT", "OpenES", "OpenESState"]

STEP_CUT = 3.0
"""What ``adaptive_steps`` divides the ES's Adam step by at each stall."""


@dataclass(kw_only=True, eq=False, repr=False)
class OpenESState(StrategyState):
    """State of :class:`OpenES`: the search mean and Adam's moments.

    Attributes
    ----------
    theta : ndarray of shape (n_params,)
        Mean of the search distribution (the incumbent).
    m, v : ndarray of shape (n_params,)
        Adam's first and second moment estimates.
    adam_steps : int
        Adam steps taken (``t`` of the bias correction).
    noise_seed : int or None
        Seed of the shared noise table (see :class:`OpenES`); ``None`` draws
        fresh noise every generation (``noise_table=False``, and states saved
        before the table existed).
    step_cuts : int
        Times the Adam step was divided by :data:`STEP_CUT` after a stall
        (``adaptive_steps``).
    """

    theta: np.ndarray
    m: np.ndarray
    v: np.ndarray
    adam_steps: int = 0
    noise_seed: int | None = None
    step_cuts: int = 0


@register_strategy
class OpenES(Strategy):
    """Evolution strategy of Salimans et al. (2017) for genomes of thousands of weights.

    Each generation samples ``P / 2`` directions ``eps_j ~ N(0, I)`` and
    evaluates the mirrored pairs ``theta +- sigma eps_j`` (antithetic
    sampling). Losses are replaced by centred ranks in ``[-0.5, 0.5]``
    (fitness shaping, :func:`~evonet.strategies.shaping.centred_ranks`),
    the search gradient is
    ``g = sum_j (u_j+ - u_j-) eps_j / (P sigma)`` (Salimans et al., Algorithm 2),
    and ``theta`` takes an Adam step (Kingma & Ba 2015) along ``g`` plus
    ``weight_decay * theta``. Memory and time per generation are linear in the
    number of parameters.

    As in Salimans et al. (section 2.1), the directions are read from a table
    of standard normal values drawn once per run (float32, ``max(2**20,
    8 * n_params)`` values, from a seed kept in the state): each direction is
    the slice of ``n_params`` values at a random offset. A generation then
    draws ``P / 2`` offsets instead of ``P n_params / 2`` normal values, which
    was a fifth of a small fit's time. The table is rebuilt from its seed when
    a checkpoint resumes, so resumed runs continue exactly.

    Parameters
    ----------
    population_size : int, default=100
        Rounded up to an even number (pairs of mirrored samples).
    sigma : float, default=0.05
        Scale of the perturbations.
    learning_rate : float, default=0.01
        Adam step size.
    weight_decay : float, default=0.0
        L2 coefficient added to the gradient estimate.
    beta1, beta2 : float, default=0.9, 0.999
        Adam's moment decay rates.
    noise_table : bool, default=True
        Read the directions from the shared noise table; ``False`` draws
        ``P / 2`` fresh normal vectors every generation (the draws of evonet
        0.1 to 0.3, slower on small networks).
    adaptive_steps : int, default=0
        How many times the Adam step may be divided by :data:`STEP_CUT`
        when the run's training loss stops improving
        (:class:`~evonet.stopping.NoImprovementStopping`), the run going on
        with fresh patience instead of stopping, as scikit-learn's
        ``learning_rate="adaptive"``. On minibatch fitness the search
        gradient is noisy and a constant step leaves the weights wandering
        at a loss floor that only a smaller step lowers; the estimators set
        3 for minibatch fits.

    Examples
    --------
    >>> import numpy as np
    >>> es = OpenES(population_size=20, sigma=0.1, learning_rate=0.1)
    >>> rng = np.random.default_rng(0)
    >>> state = es.init(lambda n, rng: np.full((n, 5), 2.0), rng)
    >>> for _ in range(300):
    ...     pop = es.ask(state, rng)
    ...     state = es.tell(state, pop, (pop**2).sum(axis=1), rng)
    >>> bool((es.incumbent(state)[0] ** 2).sum() < 0.05)
    True
    """

    name = "es"
    takes_learned = False  # its gradient estimate reads the mirrored noise out of the samples

    def __init__(self, population_size=100, sigma=0.05, learning_rate=0.01, weight_decay=0.0,
                 beta1=0.9, beta2=0.999, noise_table=True, adaptive_steps=0):
        population_size = check_int(population_size, "population_size", 2)
        super().__init__(2 * math.ceil(population_size / 2))
        self.sigma = check_positive_float(sigma, "sigma")
        self.learning_rate = check_positive_float(learning_rate, "learning_rate")
        self.weight_decay = check_positive_float(weight_decay, "weight_decay", allow_zero=True)
        for value, name in ((beta1, "beta1"), (beta2, "beta2")):
            if not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1), got {value!r}.")
        self.beta1 = float(beta1)
        self.beta2 = float(beta2)
        self.noise_table = check_bool(noise_table, "noise_table")
        self.adaptive_steps = check_int(adaptive_steps, "adaptive_steps", 0)
        self._table = (None, None)  # (seed, table) of the last run asked

    def _init(self, initializer, rng):
        theta = np.asarray(initializer(1, rng), dtype=np.float64)[0].copy()
        seed = int(rng.integers(2**63)) if self.noise_table else None
        return OpenESState(theta=theta, m=np.zeros_like(theta), v=np.zeros_like(theta),
                           noise_seed=seed)

    def __getstate__(self):
        # the table is rebuilt from the state's seed: never shipped or pickled
        return {**vars(self), "_table": (None, None)}

    def noise(self, state):
        """The run's table of standard normal values (float32), built once from its seed.

        Examples
        --------
        >>> import numpy as np
        >>> es = OpenES(population_size=4)
        >>> state = es.init(lambda n, rng: np.zeros((n, 3)), np.random.default_rng(0))
        >>> table = es.noise(state)
        >>> table.shape, table.dtype, es.noise(state) is table
        ((1048576,), dtype('float32'), True)
        """
        seed, table = self._table
        if seed != state.noise_seed or table is None:
            size = max(2**20, 8 * state.theta.shape[0])
            table = np.random.default_rng(state.noise_seed).standard_normal(size, np.float32)
            self._table = (state.noise_seed, table)
        return table

    def _ask(self, state, rng):
        half = self.population_size // 2
        n = state.theta.shape[0]
        # the noise is scratch (the population is what is returned): written into the
        # thread's buffer, so no fresh pages every generation
        eps = thread_workspace().array("es_noise", (half, n), np.float64)
        if state.noise_seed is None:
            rng.standard_normal(out=eps)
            eps *= self.sigma
        else:
            table = self.noise(state)
            offsets = rng.integers(0, table.shape[0] - n + 1, size=half)
            for row, offset in zip(eps, offsets.tolist()):
                np.multiply(table[offset:offset + n], self.sigma, out=row)
        # the mirrored pairs written straight into the population: no temporaries to
        # concatenate (fresh pages are dear; the values are those of theta +- eps)
        population = np.empty((2 * half, n))
        np.add(state.theta, eps, out=population[:half])
        np.subtract(state.theta, eps, out=population[half:])
        return population

    def _tell(self, state, population, losses, rng):
        half = self.population_size // 2
        P = 2 * half
        self._check_told(population, (P, state.theta.shape[0]))
        eps = np.subtract(population[:half], state.theta, out=thread_workspace().array(
            "es_noise", (half, state.theta.shape[0]), np.float64))
        eps /= self.sigma
        utility = centred_ranks(losses)  # low loss -> -0.5
        grad = (utility[:half] - utility[half:]) @ eps / (P * self.sigma)
        if self.weight_decay:
            grad += self.weight_decay * state.theta
        state.adam_steps += 1
        t = state.adam_steps
        state.m *= self.beta1
        state.m += (1 - self.beta1) * grad
        state.v *= self.beta2
        state.v += (1 - self.beta2) * grad * grad
        m_hat = state.m / (1 - self.beta1**t)
        v_hat = state.v / (1 - self.beta2**t)
        step = self.learning_rate / STEP_CUT**state.step_cuts
        state.theta = state.theta - step * m_hat / (np.sqrt(v_hat) + 1e-8)
        return state

    def stalled(self, state):
        """Divide the Adam step by :data:`STEP_CUT` if ``adaptive_steps`` allows one more cut."""
        if state.step_cuts >= self.adaptive_steps:
            return False
        state.step_cuts += 1
        return True

    def stalls_left(self, state):
        return max(0, self.adaptive_steps - state.step_cuts)

    def incumbent(self, state):
        return state.theta.copy(), None
