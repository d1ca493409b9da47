"""The ES's step cuts on a stalled loss (``adaptive_steps``), and the estimators' use of them.

On minibatch fitness a constant Adam step leaves the ES wandering at a loss
floor; ``OpenES(adaptive_steps=k)`` divides the step by ``STEP_CUT`` up to
``k`` times when :class:`~evonet.stopping.NoImprovementStopping` runs out of
patience, and the estimators set ``k = 3`` for minibatch fits.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from evonet import NeuroEvolutionClassifier
from evonet.estimators._auto import MINIBATCH_STEP_CUTS, SMALL_DATA
from evonet.runs import fit_context
from evonet.stopping import NoImprovementStopping
from evonet.strategies import get_strategy
from evonet.strategies.es import STEP_CUT
from tests.test_checkpoint import Crash, CrashAt, assert_same_model


def bowl(population):
    return (np.asarray(population) ** 2).sum(axis=1)


def test_a_cut_divides_the_adam_step():
    rng = np.random.default_rng(0)
    runs = []
    for cuts in (0, 2):
        es = get_strategy("es", population_size=10, adaptive_steps=2)
        state = es.init(lambda n, r: np.full((n, 4), 3.0), np.random.default_rng(1))
        for _ in range(cuts):
            assert es.stalled(state)
        population = es.ask(state, np.random.default_rng(2))
        before = state.theta.copy()
        state = es.tell(state, population, bowl(population), rng)
        runs.append(np.abs(state.theta - before))
    # Adam's first step is the step size times a unit-size direction
    np.testing.assert_allclose(runs[1], runs[0] / STEP_CUT**2, rtol=1e-12)


def test_the_strategy_allows_as_many_cuts_as_asked():
    es = get_strategy("es", adaptive_steps=2)
    state = es.init(lambda n, r: np.zeros((n, 3)), np.random.default_rng(0))
    assert [es.stalls_left(state), es.stalled(state), es.stalled(state), es.stalled(state)] \
        == [2, True, True, False]
    assert state.step_cuts == 2 and es.stalls_left(state) == 0
    plain = get_strategy("es")
    assert not plain.stalled(plain.init(lambda n, r: np.zeros((n, 3)), np.random.default_rng(0)))
    assert not get_strategy("ga").stalled(None)
    with pytest.raises(ValueError, match="adaptive_steps"):
        get_strategy("es", adaptive_steps=-1)


def test_the_patience_rule_gives_fresh_patience_while_the_strategy_cuts():
    es = get_strategy("es", adaptive_steps=1)
    run = type("Run", (), {"checked": True, "loss_curve": [1.0], "strategy": es,
                           "state": es.init(lambda n, r: np.zeros((n, 2)),
                                            np.random.default_rng(0))})()
    rule = NoImprovementStopping(tol=0.1, n_iter_no_change=2)
    assert rule.checks_left(run) == 2 + 2   # its own patience and one cut's
    reasons = [rule.check(run) for _ in range(5)]
    # the first check sets the best; two stalls cut the step; two more stop the run
    assert reasons == [None, None, None, None, "converged"]
    assert run.state.step_cuts == 1 and rule.checks_left(run) == 0


def wide_enough():
    """More rows than ``batch_size="auto"`` scores at once: a minibatch fit."""
    X, y = make_classification(SMALL_DATA + 200, 6, n_informative=4, random_state=0)
    return X, y


FAST = dict(hidden_layer_sizes=(3,), strategy="es", population_size=10, n_iter_no_change=3,
            tol=1e-2, max_generations=400, random_state=0)


def fit(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return NeuroEvolutionClassifier(**{**FAST, **params}).fit(X, y)


def test_minibatch_fits_cut_their_step_before_stopping():
    X, y = wide_enough()
    cut = fit(X, y)
    plain = fit(X, y, strategy_params={"adaptive_steps": 0})
    assert cut.strategy_ == plain.strategy_ == "es"
    assert cut._run.strategy.adaptive_steps == MINIBATCH_STEP_CUTS
    assert cut._run.state.step_cuts == MINIBATCH_STEP_CUTS and plain._run.state.step_cuts == 0
    assert cut.stop_reason_ == plain.stop_reason_ == "converged"
    assert cut.n_iter_ > plain.n_iter_
    # full-batch fits keep a constant step (and so the models they had)
    small = fit(X[:300], y[:300], strategy="es")
    assert small._run.strategy.adaptive_steps == 0


def test_a_fit_killed_after_a_cut_resumes_to_the_same_model(tmp_path):
    X, y = wide_enough()
    reference = fit(X, y)
    path = tmp_path / "run.ckpt"
    crashed = NeuroEvolutionClassifier(**FAST, checkpoint=path, checkpoint_interval=0)
    with pytest.raises(Crash), fit_context(callbacks=[CrashAt(reference.n_iter_ - 2)]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            crashed.fit(X, y)
    resumed = fit(X, y, checkpoint=path, checkpoint_interval=0)
    assert_same_model(resumed, reference)
