"""Stopping rules that notice convergence, and a progress line that follows them."""

import copy
import io
import itertools
import re

import numpy as np
import pytest

from evonet import Evaluator, MLPLayout, SupervisedProblem
from evonet.callbacks import ProgressPrinter
from evonet.evolve import Run, evolve
from evonet.genome import init_population
from evonet.stopping import NoImprovementStopping, StepSizeStopping
from evonet.strategies import get_strategy


def line_run(strategy="cmaes", **params):
    layout = MLPLayout(1, (), 1)
    problem = SupervisedProblem(layout, [[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    return Run(get_strategy(strategy, **params), Evaluator(problem), np.random.default_rng(0),
               initializer=lambda n, rng: init_population(layout, n, rng))


def test_step_size_stops_cmaes_once_its_distribution_collapses():
    run = evolve(line_run(sigma=1.0), 3000, stopping=[StepSizeStopping(tolx=1e-4)])
    assert run.stop_reason == "converged" and run.generation < 3000
    assert run.strategy.converged(run.state, 1e-4)
    # one check earlier it had not collapsed yet: the rule stopped at the first check it could
    every = run.check_every(run.strategy.ask(run.state, np.random.default_rng(1)).shape[0])
    shorter = evolve(line_run(sigma=1.0), run.generation - every)
    assert not shorter.strategy.converged(shorter.state, 1e-4)


def test_step_size_rule_leaves_strategies_without_the_signal_alone():
    run = evolve(line_run("es"), 60, stopping=[StepSizeStopping(tolx=10.0)])
    assert run.stop_reason == "budget"


@pytest.mark.parametrize("tolx", [-1.0, "small", None])
def test_step_size_rule_refuses_bad_tolerances(tolx):
    with pytest.raises(ValueError, match="tolx"):
        StepSizeStopping(tolx=tolx)


def test_resumed_run_stops_where_the_uninterrupted_one_does():
    rules = lambda: [NoImprovementStopping(tol=1e-3, n_iter_no_change=5),  # noqa: E731
                     StepSizeStopping(tolx=1e-3)]
    whole = evolve(line_run(sigma=1.0), 3000, stopping=rules())
    assert whole.stop_reason == "converged"
    first_rules = rules()
    part = evolve(line_run(sigma=1.0), whole.generation // 2, stopping=first_rules)
    # what a checkpoint saves of the rules, given to fresh ones (as resuming does)
    resumed_rules = rules()
    for rule, old in zip(resumed_rules, first_rules):
        if old.get_state() is not None:
            rule.set_state(copy.deepcopy(old.get_state()))
    resumed = evolve(part, 3000, stopping=resumed_rules)
    assert resumed.generation == whole.generation
    # (the loss curves differ by the check the first call ends with; the search does not)
    assert np.array_equal(resumed.strategy.incumbent(resumed.state)[0],
                          whole.strategy.incumbent(whole.state)[0])


def test_patience_progress_counts_checks_without_improvement():
    rule = NoImprovementStopping(tol=0.1, n_iter_no_change=4)
    run = type("R", (), {"checked": True, "loss_curve": [1.0]})()
    progress = []
    for loss in (1.0, 0.5, 0.45, 0.44, 0.43):
        run.loss_curve[0] = loss
        rule.check(run)
        progress.append((rule.progress(run), rule.checks_left(run)))
    assert progress == [(0.0, 4), (0.0, 4), (0.25, 3), (0.5, 2), (0.75, 1)]
    assert NoImprovementStopping(n_iter_no_change=np.inf).progress(run) == 0.0


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_follows_the_rule_that_stops_the_run(monkeypatch):
    # a clock that moves one second per reading, so that the time left is exact
    clock = itertools.count()
    monkeypatch.setattr("evonet.callbacks.time.perf_counter", lambda: float(next(clock)))
    stream = Terminal()
    run = evolve(line_run(sigma=1.0), 5000, callbacks=[ProgressPrinter(stream=stream, total=5000)],
                 stopping=[NoImprovementStopping(tol=1e-3, n_iter_no_change=5)])
    assert run.stop_reason == "converged" and run.generation < 500
    bars, stop_line = stream.getvalue().rstrip("\n").rsplit("\n", 1)
    assert stop_line == f"stopped at generation {run.generation}: converged"
    lines = [line.strip() for line in bars.split("\r") if line.strip()]
    # the last line: the rule's patience is spent, so the bar is full and nothing is left
    assert lines[-1].startswith("[" + "#" * 20 + "]") and lines[-1].endswith("0:00 left")
    lefts = [sum(int(part) * 60 ** i for i, part in enumerate(reversed(m.group(1).split(":"))))
             for m in (re.search(r"([\d:]+) left", line) for line in lines)]
    # the budget's estimate (thousands of generations at about a second each) shows at first
    assert lefts[0] > 1000
    # and just before the run stops, only the few checks the rule still needs
    every = run.check_every(run.strategy.ask(run.state, np.random.default_rng(1)).shape[0])
    assert lefts[-2] <= 3 * every * 2


def test_progress_without_a_rule_or_budget_has_no_bar():
    stream = Terminal()
    evolve(line_run(), 3, callbacks=[ProgressPrinter(stream=stream)])
    text = stream.getvalue()
    assert text.startswith("\rgeneration 1") and "[" not in text and "left" not in text


def test_printed_progress_ends_with_the_last_generation_and_why_the_run_stopped():
    # every 10th generation is printed; the last one, and a rule's reason, end the output
    stream = io.StringIO()
    evolve(line_run(), 25, callbacks=[ProgressPrinter(every=10, stream=stream)])
    generations = [int(line.split(",")[0].split()[1]) for line in stream.getvalue().splitlines()]
    assert generations == [1, 10, 20, 25]     # a budget's end needs no reason
    stream = io.StringIO()
    run = evolve(line_run(sigma=1.0), 5000, callbacks=[ProgressPrinter(every=10, stream=stream)],
                 stopping=[NoImprovementStopping(tol=1e-3, n_iter_no_change=5)])
    lines = stream.getvalue().splitlines()
    assert lines[-2].startswith(f"generation {run.generation:5d}")
    assert lines[-1] == f"stopped at generation {run.generation}: converged"
