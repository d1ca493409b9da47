"""Scoring populations: the Evaluator, the shipping of problems and the parallel policy.

:class:`Evaluator` (:mod:`evonet.evaluation.evaluator`) is the one path by
which a population is scored: in fixed chunks
(:mod:`evonet.evaluation.chunks`), serially or in joblib workers to which the
problem is shipped once per fit (:mod:`evonet.evaluation.shipping`), under a
parallel policy that changes speed, never results
(:mod:`evonet.evaluation.parallel`). :class:`SupervisedProblem` and
:data:`CHUNK_WORK` are exported here too, as they always were; problems live
in :mod:`evonet.problems`. In-process, the chunks of a generation are scored
at once on threads (:mod:`evonet.evaluation.threads`).
"""

from evonet.evaluation.chunks import POPULATION_CHUNK, annotate_failure, population_chunks
from evonet.evaluation.evaluator import Evaluator
from evonet.evaluation.parallel import THREAD_LIMIT_VARS, blas_single_thread
from evonet.problems.supervised import CHUNK_WORK, SupervisedProblem

__all__ = ["CHUNK_WORK", "POPULATION_CHUNK", "THREAD_LIMIT_VARS", "Evaluator",
           "SupervisedProblem", "annotate_failure", "blas_single_thread", "population_chunks"]
