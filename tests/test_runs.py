"""The run loop's contracts: stopping rules give the reason, callbacks observe, a run takes
DEAP's statistics and hall of fame, and fit_context reaches the runs of fit."""

import warnings

import numpy as np
import pytest
from deap import tools
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

from evonet import (
    Evaluator,
    MLPLayout,
    NeuroEvolutionClassifier,
    NeuroEvolutionRegressor,
    SupervisedProblem,
    evolve_policy,
)
from evonet.callbacks import Callback
from evonet.control.search import TargetReached
from evonet.evolve import Run, evolve
from evonet.genome import init_population
from evonet.io import read_checkpoint_metadata
from evonet.runs import CheckpointFile, fit_context, make_strategy
from evonet.stopping import STOP_REASONS, NoImprovementStopping, StoppingRule
from evonet.strategies import get_strategy

LAYOUT = MLPLayout(1, (), 1)


def make_run(**kwargs):
    problem = SupervisedProblem(LAYOUT, [[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    return Run(get_strategy("ga", population_size=10), Evaluator(problem),
               np.random.default_rng(0),
               initializer=lambda n, rng: init_population(LAYOUT, n, rng), **kwargs)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


class StopAt(StoppingRule):
    reason = "budget"

    def __init__(self, generation):
        self.generation = generation
        self.seen = []

    def check(self, run):
        self.seen.append(run.generation)
        return self.reason if run.generation >= self.generation else None


class Seen(Callback):
    def __init__(self):
        self.generations = []
        self.ended = None

    def on_generation(self, run):
        self.generations.append(run.generation)
        return True     # a callback observes: its return value stops nothing

    def on_end(self, run):
        self.ended = run.stop_reason


def test_the_first_reason_stops_the_run_and_every_rule_sees_every_generation():
    late, early = StopAt(9), StopAt(4)
    late.reason = "converged"
    seen = Seen()
    run = evolve(make_run(), 20, callbacks=[seen], stopping=[late, early])
    assert run.stop_reason == "budget" and run.generation == 4
    assert late.seen == early.seen == [1, 2, 3, 4]
    assert seen.generations == [1, 2, 3, 4] and seen.ended == "budget"


def test_callbacks_cannot_stop_a_run():
    seen = Seen()
    run = evolve(make_run(), 6, callbacks=[seen])
    assert run.generation == 6 and run.stop_reason == "budget"


def test_max_evaluations_is_its_own_reason():
    run = evolve(make_run(), 50, max_evaluations=35)
    assert run.stop_reason == "max_evaluations" and 35 <= run.n_evaluations < 50


def test_stop_reason_is_none_while_running_and_interrupted_after_ctrl_c():
    class CtrlC(Callback):
        def on_generation(self, run):
            assert run.stop_reason is None
            if run.generation == 3:
                raise KeyboardInterrupt

    run = make_run()
    with pytest.raises(KeyboardInterrupt):
        evolve(run, 10, callbacks=[CtrlC()])
    assert run.stop_reason == "interrupted" and run.generation == 3


def test_a_run_takes_deap_statistics_and_hall_of_fame():
    stats = tools.Statistics()
    stats.register("max", np.max)
    stats.register("std", np.std)
    hof = tools.HallOfFame(3, similar=np.array_equal)
    run = evolve(make_run(stats=stats, halloffame=hof, check_every=1), 8)
    assert run.hall_of_fame is hof and len(hof) == 3
    kept = [ind.fitness.values[0] for ind in hof]
    assert kept == sorted(kept) and kept[0] == min(run.loss_curve)
    assert set(kept) <= set(run.loss_curve)
    record = run.logbook[-1]
    assert record["max"] >= record["mean"] >= record["min"] and record["std"] >= 0
    assert list(record)[:4] == ["gen", "nevals", "min", "mean"]


def test_validation_is_scored_by_the_run_and_the_best_network_is_kept():
    scores = iter([0.1, 0.5, 0.3, 0.2, 0.4])
    run = make_run(check_every=1, validation=lambda params: next(scores))
    evolve(run, 4)   # the last check of a call records the loss only
    assert run.validation_scores == [0.1, 0.5, 0.3, 0.2]
    assert [r["val_score"] for r in run.logbook] == [0.1, 0.5, 0.3, 0.2]
    assert run.selected is not None and run.best is run.selected


def test_estimators_report_why_they_stopped(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning):
        clf = NeuroEvolutionClassifier((3,), max_generations=3, random_state=0).fit(X, y)
    assert clf.stop_reason_ == "budget"
    with pytest.warns(ConvergenceWarning):
        clf = NeuroEvolutionClassifier((3,), max_evaluations=200, random_state=0).fit(X, y)
    assert clf.stop_reason_ == "max_evaluations"
    clf = NeuroEvolutionClassifier((3,), n_iter_no_change=3, tol=0.5, random_state=0)
    assert clf.fit(X, y).stop_reason_ == "converged" and clf.n_iter_ < 100
    clf = NeuroEvolutionClassifier((3,), early_stopping=True, n_iter_no_change=3, tol=0.5,
                                   random_state=0)
    assert clf.fit(X, y).stop_reason_ == "validation"
    reg = NeuroEvolutionRegressor((2,), max_generations=2, random_state=0)
    assert reg.partial_fit(X, y).stop_reason_ == "budget"
    assert set(STOP_REASONS) >= {"budget", "max_evaluations", "converged", "validation",
                                 "interrupted"}


def test_ctrl_c_keeps_the_best_network_and_says_interrupted(iris, tmp_path):
    X, y = iris

    class CtrlC(Callback):
        def on_generation(self, run):
            if run.generation == 8:
                raise KeyboardInterrupt

    path = tmp_path / "run.ckpt"
    clf = NeuroEvolutionClassifier((3,), strategy="ga", random_state=0, checkpoint=path)
    with pytest.raises(KeyboardInterrupt), fit_context(callbacks=[CtrlC()]):
        clf.fit(X, y)
    assert clf.stop_reason_ == "interrupted" and clf.n_iter_ == 8
    assert clf.predict(X).shape == y.shape
    # the checkpoint (default interval: 60 s, so not yet written) was written on Ctrl-C
    assert read_checkpoint_metadata(path)["generation"] == 8


def test_fit_context_adds_observers_nests_and_keeps_checkpoints(iris, tmp_path):
    X, y = iris
    outer, inner = Seen(), Seen()
    path = tmp_path / "run.ckpt"
    clf = NeuroEvolutionClassifier((3,), max_generations=5, random_state=0, checkpoint=path,
                                   checkpoint_interval=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with fit_context(callbacks=[outer], checkpoint_metadata={"note": "outer"}):
            with fit_context(callbacks=[inner], keep_checkpoint=True,
                             checkpoint_metadata={"command": ["evonet", "fit"]}):
                clf.fit(X, y)
            assert path.exists()   # kept for the caller
            metadata = read_checkpoint_metadata(path)
            path.unlink()
            clf.fit(X, y)
        assert not path.exists()   # outside keep_checkpoint: removed when fit ends
    assert metadata["note"] == "outer" and metadata["command"] == ["evonet", "fit"]
    assert inner.generations == [1, 2, 3, 4, 5]
    assert outer.generations == [1, 2, 3, 4, 5] * 2
    with pytest.raises(ValueError, match="callbacks must be evonet.callbacks.Callback"):
        with fit_context(callbacks=[print]):
            pass
    with pytest.raises(ValueError, match="checkpoint_metadata must be a dict"):
        with fit_context(checkpoint_metadata=["evonet", "fit"]):
            pass
    with pytest.raises(ValueError, match="keep_checkpoint must be True or False"):
        with fit_context(keep_checkpoint="yes"):
            pass


def test_target_reached_stops_a_run_and_evolve_policy_reports_why_it_stopped():
    # (the doctest of evolve_policy shows a policy that reached its target)
    run = evolve(make_run(), 500, stopping=[TargetReached(-0.05)])   # fitness: -loss
    assert run.stop_reason == "target_reached" and -run.logbook[-1]["min"] >= -0.05
    assert run.generation < 500
    policy = evolve_policy("2-nonmarkov", max_generations=2, target=None, random_state=0)
    assert policy.stop_reason_ == "budget" and not policy.target_reached_


def test_make_strategy_refuses_settings_beside_an_instance():
    with pytest.raises(ValueError, match="population_size and strategy_params"):
        make_strategy(get_strategy("ga"), population_size=10)
    assert make_strategy("ga", 12, {"mutation_sigma": 0.3}).population_size == 12


def test_checkpoint_file_refuses_another_runs_checkpoint(tmp_path):
    path = tmp_path / "run.ckpt"
    run = evolve(make_run(), 3, stopping=[NoImprovementStopping()])
    from evonet.callbacks import Checkpoint

    saver = Checkpoint(path, 0, metadata={"params": {"a": 1}})
    saver.write(run)
    checkpoint = CheckpointFile(path, 0)
    assert checkpoint.resumed and checkpoint.saved_metadata("params") == {"a": 1}
    with pytest.raises(ValueError, match="parameter a is 1 in the checkpoint but 2 now"):
        checkpoint.match({"params": {"a": 2}})
    with pytest.raises(ValueError, match="not written by an estimator's fit"):
        CheckpointFile(path, 0, kind="estimator")


def test_a_plain_deap_hall_of_fame_compares_networks_by_value():
    # DEAP's default similar (==) is ambiguous on arrays: the run ended mid-way in a
    # "truth value of an array" error
    from deap import tools

    from evonet.evaluation import Evaluator, SupervisedProblem
    from evonet.evolve import Run, evolve
    from evonet.genome import init_population
    from evonet.nn import MLPLayout
    from evonet.strategies import get_strategy

    layout = MLPLayout(2, (2,), 1)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    evaluator = Evaluator(SupervisedProblem(layout, X, [0.0, 1.0, 1.0, 0.0]))
    hof = tools.HallOfFame(3)
    run = Run(get_strategy("es", population_size=8), evaluator, np.random.default_rng(0),
              initializer=lambda n, rng: init_population(layout, n, rng), halloffame=hof)
    evolve(run, 30)
    assert len(hof) == 3 and run.hall_of_fame is hof
    losses = [ind.fitness.values[0] for ind in hof]
    assert losses == sorted(losses) and run.best_loss == losses[0]


def test_the_logbook_header_lists_the_columns_its_records_hold():
    # std and max were recorded but left out of the header, so DEAP's printout hid them
    from evonet.evaluation import Evaluator, SupervisedProblem
    from evonet.evolve import Run, evolve
    from evonet.genome import init_population
    from evonet.nn import MLPLayout
    from evonet.strategies import get_strategy

    layout = MLPLayout(1, (), 1)
    evaluator = Evaluator(SupervisedProblem(layout, [[0.0], [1.0]], [1.0, 3.0]))
    run = evolve(Run(get_strategy("cmaes"), evaluator, np.random.default_rng(0),
                     initializer=lambda n, rng: init_population(layout, n, rng)), 3)
    recorded = set().union(*(record.keys() for record in run.logbook))
    assert {"std", "max"} <= set(run.logbook.header)
    assert set(run.logbook.header) <= recorded
    assert "std" in str(run.logbook).splitlines()[0]
