"""Policies and population rollouts: batching invariants, memory, problems, reproducibility."""

import math

import numpy as np
import pytest

from evonet.control import MLPPolicy, PoleBalancing, RecurrentPolicy, make_task, rollout
from evonet.evaluation import Evaluator
from evonet.evolve import Run, evolve
from evonet.problems.pole import (
    PoleBalancingProblem,
    generalization_test,
    success_test,
)
from evonet.strategies import get_strategy
from evonet.tasks.pole import DAMPING_WINDOW, damping_fitness
from evonet.tasks.trace import trajectory

STABLE_1 = np.array([0.5, 1.0, 5.0, 1.0])   # a linear single-pole controller that balances


def policies(n_inputs):
    return [MLPPolicy(n_inputs, (), bias=False), MLPPolicy(n_inputs, (4, 3)),
            RecurrentPolicy(n_inputs, 2, shortcut=True),
            RecurrentPolicy(n_inputs, 1, activation="identity", bias=False, shortcut=True),
            RecurrentPolicy(n_inputs, 2, bias=False, shortcut=True, readout="previous")]


@pytest.mark.parametrize("task_name", ["1-markov", "2-nonmarkov"])
def test_batched_policy_forward_equals_per_network_and_scalar(task_name):
    task = make_task(task_name)
    rng = np.random.default_rng(0)
    for policy in policies(task.n_observations):
        pop = rng.normal(size=(6, policy.n_params))
        params = policy.unpack(pop)
        memory = policy.initial_memory(6)
        obs_seq = rng.normal(size=(5, task.n_observations, 6))
        outs = []
        for obs in obs_seq:
            out, memory = policy.forward(params, obs, memory)
            outs.append(out[0].copy())
        for j in range(6):
            one = policy.unpack(pop[j:j + 1])
            mem = policy.initial_memory(1)
            actor = policy.scalar_actor(one)
            for k, obs in enumerate(obs_seq):
                out, mem = policy.forward(one, obs[:, j:j + 1], mem)
                assert out[0, 0] == outs[k][j]
                assert actor(list(obs[:, j])) == outs[k][j]


def test_mlp_policy_matches_evonet_forward_on_the_full_layout():
    from evonet.nn import forward

    policy = MLPPolicy(3, (5,), 2, output_activation="tanh")
    rng = np.random.default_rng(1)
    pop = rng.normal(size=(4, policy.n_params))
    X = rng.normal(size=(4, 3))
    out, _ = policy.forward(policy.unpack(pop), X.T)
    for j in range(4):
        expected = forward(policy.layout, pop[j], X[j:j + 1], dtype=np.float64)[0]
        np.testing.assert_allclose(out[:, j], expected, rtol=1e-12)


def test_recurrent_hidden_state_is_carried_and_reset():
    policy = RecurrentPolicy(1, 1, activation="identity", output_activation="identity",
                             bias=False)
    params = policy.unpack([[1.0, 0.5, 2.0]])          # h = x + 0.5 h; y = 2 h
    memory = policy.initial_memory(1)
    outs = []
    for _ in range(3):
        out, memory = policy.forward(params, np.ones((1, 1)), memory)
        outs.append(float(out[0, 0]))
    assert outs == [2.0, 3.0, 3.5]
    assert policy.initial_memory(1).tolist() == [[0.0]]


def test_previous_readout_sees_the_last_observation():
    # h_t = o_t (W_in = 1, W_rec = 0); y_t = W_out h_{t-1} + W_skip o_t = o_t - o_{t-1}
    policy = RecurrentPolicy(1, 1, activation="identity", output_activation="identity",
                             bias=False, shortcut=True, readout="previous")
    params = policy.unpack([[1.0, 0.0, -1.0, 1.0]])
    memory = policy.initial_memory(1)
    outs = []
    for o in (1.0, 3.0, 2.5):
        out, memory = policy.forward(params, np.array([[o]]), memory)
        outs.append(float(out[0, 0]))
    assert outs == [1.0, 2.0, -0.5]
    actor = policy.scalar_actor(params)
    assert [actor([o]) for o in (1.0, 3.0, 2.5)] == outs


def test_policy_without_bias_holds_only_weights():
    policy = MLPPolicy(4, (3,), bias=False)
    assert policy.n_params == 4 * 3 + 3
    full = policy.expand(np.ones((1, policy.n_params)))
    assert full.sum() == policy.n_params
    assert RecurrentPolicy(3, 2, bias=False, shortcut=True).n_params == 6 + 4 + 2 + 3


@pytest.mark.parametrize("task_name", ["1-markov", "2-markov", "2-damping"])
def test_masking_finished_carts_never_changes_the_others(task_name):
    task = make_task(task_name)
    rng = np.random.default_rng(2)
    for policy in policies(task.n_observations)[::2]:
        pop = rng.normal(size=(40, policy.n_params))
        if task.n_poles == 1 and policy.n_params == 4:
            pop[::4] = STABLE_1
        full = rollout(task, policy, pop, max_steps=600, damping=True, scalar_below=0)
        assert len(np.unique(full.steps)) > 2     # carts finish at different times
        for subset in (slice(0, 40, 3), slice(5, 6), [0, 39, 17]):
            part = rollout(task, policy, pop[subset], max_steps=600, damping=True,
                           scalar_below=0)
            assert np.array_equal(part.steps, full.steps[subset])
            assert np.array_equal(part.window_sums, full.window_sums[subset], equal_nan=True)


@pytest.mark.parametrize("task_name", ["1-nonmarkov", "2-damping"])
def test_scalar_hand_over_gives_the_same_results(task_name):
    task = make_task(task_name)
    rng = np.random.default_rng(3)
    for policy in policies(task.n_observations):
        pop = rng.normal(size=(30, policy.n_params))
        vector = rollout(task, policy, pop, max_steps=800, damping=True, scalar_below=0)
        mixed = rollout(task, policy, pop, max_steps=800, damping=True, scalar_below=10)
        scalar = rollout(task, policy, pop, max_steps=800, damping=True, scalar_below=1000)
        for other in (mixed, scalar):
            assert np.array_equal(other.steps, vector.steps)
            assert np.array_equal(other.window_sums, vector.window_sums, equal_nan=True)


def test_rollout_damping_matches_the_trajectory():
    task = make_task("2-damping")
    policy = RecurrentPolicy(3, 1, activation="identity", bias=False, shortcut=True)
    rng = np.random.default_rng(4)
    pop = rng.normal(size=(200, policy.n_params))
    result = rollout(task, policy, pop, damping=True)
    fitness = result.damping(task.max_steps)[:, 0]
    for j in np.argsort(result.steps[:, 0])[-3:]:     # the longest balancers
        states, forces = trajectory(task, policy, pop[j], max_steps=task.max_steps)
        t = result.steps[j, 0]
        assert len(forces) in (t, t + 1)               # t balanced steps, maybe one failing
        balanced = states[1:t + 1]
        assert fitness[j] == pytest.approx(damping_fitness(balanced), rel=1e-12)
        if t >= DAMPING_WINDOW:
            expected = math.fsum(np.abs(balanced[-100:, :4]).sum(axis=1))
            assert result.window_sums[j, 0] == pytest.approx(expected, rel=1e-12)


def test_several_starts_per_network_and_give_up():
    task = make_task("1-markov")
    policy = MLPPolicy(4, (), bias=False)
    starts = np.zeros((3, 4))
    starts[:, 2] = [0.0, 0.05, 0.5]                   # the last one starts far beyond 12 degrees
    res = rollout(task, policy, np.stack([STABLE_1, np.zeros(4)]), starts=starts,
                  max_steps=300)
    assert res.steps.shape == (2, 3)
    assert res.steps[0].tolist() == [300, 300, 0]
    assert res.steps[1, 0] == 300 and res.steps[1, 2] == 0      # at rest upright stays put
    quit_early = rollout(task, policy, np.stack([STABLE_1, np.zeros(4)]), starts=starts,
                         max_steps=300, give_up_after=0, scalar_below=0)
    assert quit_early.steps[0].tolist() == [1, 1, 0]             # dropped after 1 failure


def test_problem_losses_are_minus_steps_and_minus_damping():
    problem = PoleBalancingProblem("1-markov", MLPPolicy(4, (), bias=False), max_steps=400)
    losses = problem.evaluate(np.stack([STABLE_1, np.zeros(4)]))
    assert losses.dtype == np.float64 and losses.tolist() == [-400.0, -22.0]
    damping = PoleBalancingProblem("2-damping", RecurrentPolicy(3, 1, bias=False))
    assert damping.max_steps == 1000
    assert damping.make_sampler(None).next(np.random.default_rng(0)) is None
    assert damping.evaluate(np.zeros((2, damping.n_params)))[0] < 0


def test_success_and_generalization_tests():
    policy = MLPPolicy(4, (), bias=False)
    assert success_test("1-markov", policy, STABLE_1, max_steps=3000)
    assert success_test("1-markov", policy, np.stack([STABLE_1, np.zeros(4)]),
                        max_steps=3000).tolist() == [True, False]
    rpolicy = RecurrentPolicy(3, 1, bias=False)
    counts = generalization_test("2-damping", rpolicy, np.zeros((2, rpolicy.n_params)))
    assert counts.tolist() == [0, 0]


@pytest.mark.parametrize("strategy, settings", [
    ("cmaes", dict(sigma=1.0)), ("ipop-cmaes", dict(sigma=1.0)),
    ("ga", dict(population_size=12)), ("es", dict(population_size=12)),
])
def test_every_strategy_runs_on_the_problem_and_repeats_with_the_same_seed(strategy, settings):
    # populations of 8 (CMA-ES) or 12 in chunks of 4; adaptive=False: to the workers
    problem = PoleBalancingProblem("1-markov", MLPPolicy(4, (), bias=False), max_steps=300,
                                   chunk_size=4)

    def one_run(n_jobs):
        run = Run(get_strategy(strategy, **settings), Evaluator(problem, n_jobs=n_jobs,
                                                                backend="threading",
                                                                adaptive=False),
                  np.random.default_rng(7),
                  initializer=lambda n, rng: rng.normal(0, 1, size=(n, problem.n_params)))
        evolve(run, max_generations=4)
        return run

    a, b, c = one_run(None), one_run(None), one_run(2)
    assert a.loss_curve == b.loss_curve == c.loss_curve
    assert np.array_equal(a.best, b.best) and np.array_equal(a.best, c.best)
    assert np.isfinite(a.best_loss) and len(a.logbook) == 4


def test_policy_and_task_mismatch_raise():
    with pytest.raises(ValueError, match="maps 4 inputs to 1 outputs but PoleBalancing"):
        PoleBalancingProblem("2-markov", MLPPolicy(4, ()))
    with pytest.raises(ValueError, match="takes 1 output"):
        rollout(PoleBalancing(n_poles=1), MLPPolicy(4, (), 2), np.zeros((1, 10)))
    with pytest.raises(ValueError, match=r"shape \(P, 4\)"):
        rollout(PoleBalancing(n_poles=1), MLPPolicy(4, (), bias=False), np.zeros((1, 5)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        MLPPolicy(2).check_population([[np.nan, 0.0, 0.0]])
    with pytest.raises(ValueError, match="n_inputs=4 but got 3"):
        policy = MLPPolicy(4)
        policy.forward(policy.unpack(np.zeros((1, 5))), np.zeros((3, 1)))


def test_act_on_a_batch_of_observations_says_it_takes_one_at_a_time():
    # the message only said "observation has 8 values but the policy expects 4"
    from evonet import evolve_policy

    policy = evolve_policy("1-markov", max_generations=2, random_state=0)
    n = policy.network_.n_inputs
    with pytest.raises(ValueError, match="act takes one observation at a time.*not a batch "
                                         "of 2"):
        policy.act(np.zeros((2, n)))
    with pytest.raises(ValueError, match=f"has {n + 1} values but the policy expects {n}.$"):
        policy.act(np.zeros(n + 1))
    assert np.isfinite(policy.act(np.zeros(n)))
