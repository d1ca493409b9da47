"""The contract of a problem: what the Evaluator and the run loop ask of it.

A *problem* scores a population and does nothing else. Supervised learning
(:class:`~evonet.problems.supervised.SupervisedProblem`), NEAT graphs on data
(:class:`~evonet.problems.graph.GraphProblem`), pole balancing
(:class:`~evonet.problems.pole.PoleBalancingProblem`) and gymnasium
environments (:class:`~evonet.problems.gym.GymProblem`) all follow it, and so
may a user's own class: nothing checks its type.

``evaluate(population, rows=None) -> losses``
    ``population`` is a ``(P, n_params)`` float64 array for fixed-topology
    networks, or a sequence of ``P`` genome objects (NEAT). ``rows`` is what
    this generation is scored on, as the problem's sampler gave it: row
    indices of a minibatch, episode seeds, or ``None`` for the problem's full,
    fixed data (the incumbent is always scored with ``rows=None``). The
    result is a float64 array of shape ``(P,)`` (``(P, k)`` for ``k``
    objectives), one loss per individual, **minimised**; a problem whose
    natural score is maximised (steps balanced, a return) reports its
    negative. A network whose output overflows gets ``inf``, not NaN. The
    loss of an individual depends on its own genes and ``rows`` only, never on
    the other individuals of the call, so results do not depend on how the
    population is cut into chunks.

    ``evaluate`` is **pure**: it changes no state that a later call could see
    (a cache that changes no result, such as a pool of simulator
    environments, is allowed), draws no randomness except from a seed it is
    given (``rows``), and prints nothing. Several threads may call it at once
    (the Evaluator scores chunks on a thread pool), and a copy of the problem
    may run in a worker process, so it must pickle (cloudpickle is used).

``n_samples``
    How many rows (episodes, trials) the full data has: the default sampler
    cuts minibatches from ``range(n_samples)``, and the run loop spaces its
    checks of the incumbent by it.

``population_chunk(rows)`` *or* ``chunk_size``
    The largest number of individuals the Evaluator scores in one call, for
    ``rows`` or always. It must depend only on the problem (and ``rows``),
    never on ``n_jobs``, the backend or the machine: chunks of a fixed size
    are what makes results identical for any parallel setting.

``make_sampler(batch_size)`` *(optional)*
    The problem's own :class:`Sampler`; without it the run loop uses a
    :class:`~evonet.sampling.MinibatchSampler` over ``n_samples`` rows.

A sampler is a plain data holder that the run keeps in its checkpoints (its
class must be one that :mod:`evonet.io` knows how to rebuild): ``next(rng)``
gives each generation's ``rows`` from the run's generator, ``full`` says
whether it always gives ``None``, and ``batch_size`` (when not ``full``) how
many rows a generation sees.
"""

from typing import Protocol, runtime_checkable

__all__ = ["Problem", "Sampler"]


@runtime_checkable
class Problem(Protocol):
    """What the Evaluator and the run loop use of a problem (see the module notes).

    A problem has ``evaluate`` and ``n_samples``, and either a
    ``population_chunk(rows)`` method or a ``chunk_size`` attribute; it may
    have ``make_sampler(batch_size)``. Only the first two can be stated as a
    protocol; the module notes give the whole contract.

    Attributes
    ----------
    n_samples : int
        Rows (episodes, trials) of the full data.

    Examples
    --------
    >>> import numpy as np
    >>> class Sphere:
    ...     n_samples = 1
    ...     chunk_size = 64
    ...     def evaluate(self, population, rows=None):
    ...         return np.sum(np.asarray(population) ** 2, axis=1)
    >>> isinstance(Sphere(), Problem)
    True
    >>> Sphere().evaluate(np.array([[1.0, 2.0], [0.0, 0.0]]))
    array([5., 0.])
    """

    n_samples: int

    def evaluate(self, population, rows=None):
        """Losses of the population, shape ``(P,)`` or ``(P, k)``, minimised, pure."""


@runtime_checkable
class Sampler(Protocol):
    """What a generation is scored on: ``next(rng)`` gives the ``rows`` of ``evaluate``.

    Attributes
    ----------
    full : bool
        Whether every generation is scored on the full data (``next`` gives ``None``).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.sampling import MinibatchSampler
    >>> isinstance(MinibatchSampler(10, 4), Sampler)
    True
    """

    full: bool

    def next(self, rng):
        """The ``rows`` of the next generation (``None``: the full data), drawn from ``rng``."""
