"""Old home of the pole-balancing problems, kept so that ``evonet.control.problems`` imports.

:class:`PoleBalancingProblem`, :class:`FixedSampler`, :func:`success_test`
and :func:`generalization_test` live in :mod:`evonet.problems.pole`.
"""

from evonet.problems.pole import (
    FixedSampler,
    PoleBalancingProblem,
    generalization_test,
    success_test,
)

__all__ = ["FixedSampler", "PoleBalancingProblem", "generalization_test", "success_test"]
