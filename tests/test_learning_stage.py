"""The learning stage of a generation (``Run(..., learner=...)``), with a toy learner.

The learner here moves every network a fixed fraction of the way to the least-squares
solution of ``y = 2 x + 1``: enough to tell Lamarckian from Baldwinian runs apart.
"""

import pickle

import numpy as np
import pytest

from evonet import Evaluator, MLPLayout, SupervisedProblem
from evonet.evolve import Run, evolve
from evonet.genome import init_population
from evonet.strategies import get_strategy

LAYOUT = MLPLayout(1, (), 1)
SOLUTION = np.array([2.0, 1.0])


class HalfwayLearner:
    def __init__(self, lamarckian, fraction=0.5):
        self.lamarckian = lamarckian
        self.fraction = fraction
        self.calls = []

    def learn(self, population, rng, plan):
        self.calls.append((len(population), plan))
        population = np.asarray(population, dtype=np.float64)
        return population + self.fraction * (SOLUTION - population), plan


def make_run(learner, strategy="ga", seed=0):
    problem = SupervisedProblem(LAYOUT, [[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    return Run(get_strategy(strategy, population_size=10), Evaluator(problem),
               np.random.default_rng(seed),
               initializer=lambda n, rng: init_population(LAYOUT, n, rng) * 5, learner=learner)


def test_lamarckian_tells_the_learned_networks():
    learner = HalfwayLearner(lamarckian=True, fraction=1.0)
    run = evolve(make_run(learner), 3)
    assert len(learner.calls) == 3 and all(n == 10 for n, _ in learner.calls)
    # every network learns the solution exactly, and that is what the strategy is told
    assert np.array_equal(run.strategy.incumbent(run.state)[0], SOLUTION)
    assert np.array_equal(run.best, SOLUTION)


def test_baldwinian_keeps_the_genome_but_returns_what_it_learned():
    learner = HalfwayLearner(lamarckian=False, fraction=1.0)
    run = evolve(make_run(learner), 2)
    genome = run.strategy.incumbent(run.state)[0]
    # learning reaches the solution from any genome, so every network scores ~0, the
    # genome is left as it was, and the model the run returns is the learned one
    assert not np.allclose(genome, SOLUTION)
    assert np.allclose(run.best, SOLUTION)
    assert run.best_loss == pytest.approx(0.0, abs=1e-12)


def test_without_a_learner_nothing_changes():
    a, b = evolve(make_run(None), 4), evolve(make_run(None), 4)
    assert np.array_equal(a.best, b.best)
    learned = evolve(make_run(HalfwayLearner(lamarckian=True)), 4)
    assert not np.array_equal(a.best, learned.best)


def test_the_learner_is_not_saved_with_the_run():
    run = evolve(make_run(HalfwayLearner(lamarckian=True)), 1)
    assert pickle.loads(pickle.dumps(run)).learner is None
    fields = run.get_state()
    assert "learner" not in fields
    resumed = Run.from_state(run.strategy, run.evaluator, fields,
                             learner=HalfwayLearner(lamarckian=True))
    assert resumed.learner is not None


def test_a_strategy_plan_goes_to_the_learner_and_back():
    strategy = get_strategy("ga", population_size=10)
    seen = []

    class Planned(type(strategy)):
        def learning_plan(self, state):
            return {"generation": state.generation}

        def learned(self, state, plan):
            seen.append(plan["generation"])
            return state

    planned = Planned(population_size=10)
    run = make_run(HalfwayLearner(lamarckian=True))
    run.strategy = planned
    evolve(run, 3)
    assert seen == [0, 1, 2]
