"""NEAT policies on the control tasks: padded recurrent networks, rollouts, search, saving."""

import json

import numpy as np
import pytest
from neat_helpers import random_genomes

import evonet
from evonet.control import (
    EvolvedPolicy,
    MLPPolicy,
    NeatPolicy,
    PoleBalancing,
    evolve_policy,
    rollout,
)
from evonet.genome.neat import NeatGenome
from evonet.nn.recurrent import RecurrentPopulation
from evonet.problems.pole import PoleBalancingProblem, generalization_test, success_test
from evonet.tasks.policies import select


def grown_population(policy, n, seed, steps=12):
    """Genomes with hidden nodes, recurrent connections and mixed activations."""
    genomes, _ = random_genomes(n, policy.n_inputs, policy.n_outputs, seed, steps=steps,
                                feed_forward=False)
    return genomes


def test_forward_steps_as_the_recurrent_graph_population():
    policy = NeatPolicy(3, 2)
    genomes = grown_population(policy, 6, seed=0)
    assert max(g.n_hidden for g in genomes) >= 2
    assert any((g.connections[:, 1] >= g.connections[:, 2]).any() for g in genomes)
    reference = RecurrentPopulation(genomes)
    params = policy.unpack(genomes)
    memory = policy.initial_memory(len(genomes))
    rng = np.random.default_rng(1)
    for _ in range(20):
        obs = rng.normal(size=(len(genomes), 3))
        ours, memory = policy.forward(params, obs.T, memory)
        np.testing.assert_allclose(ours.T, reference.step(obs), rtol=0, atol=1e-12)


def test_scalar_actor_repeats_the_batched_steps_exactly():
    policy = NeatPolicy(4)
    genomes = grown_population(policy, 5, seed=2)
    params = policy.unpack(genomes)
    rng = np.random.default_rng(3)
    observations = rng.normal(size=(30, 4))
    for k in range(len(genomes)):
        one = select(params, [k])
        actor = policy.scalar_actor(one)
        memory = None
        for obs in observations:
            out, memory = policy.forward(one, obs[:, None], memory)
            assert actor(obs.tolist()) == out[0, 0]


def test_rollouts_of_neat_networks_do_not_depend_on_the_batch_or_scalar_path():
    task = PoleBalancing(n_poles=2, markovian=False)
    policy = NeatPolicy(task.n_observations)
    genomes = grown_population(policy, 8, seed=4, steps=4)
    together = rollout(task, policy, genomes, max_steps=600).steps
    batched_only = rollout(task, policy, genomes, max_steps=600, scalar_below=0).steps
    alone = np.vstack([rollout(task, policy, [g], max_steps=600, scalar_below=0).steps
                       for g in genomes])
    np.testing.assert_array_equal(together, batched_only)
    np.testing.assert_array_equal(together, alone)
    problem = PoleBalancingProblem(task, policy, max_steps=600)
    np.testing.assert_array_equal(problem.evaluate(genomes), -together[:, 0])


def test_success_and_generalization_tests_take_genomes():
    task = PoleBalancing(n_poles=1)
    policy = NeatPolicy(4)
    genomes = grown_population(policy, 3, seed=5, steps=2)
    assert isinstance(success_test(task, policy, genomes[0], max_steps=50), bool)
    assert success_test(task, policy, genomes, max_steps=50).shape == (3,)
    assert isinstance(generalization_test("2-damping", NeatPolicy(3), NeatPolicy(3)
                                          .init_population(1, np.random.default_rng(0))[0]),
                      int)


@pytest.mark.parametrize("task", ["1-markov",
                                  # 6 s: with the slow tests, which CI runs after the suite
                                  pytest.param("1-nonmarkov", marks=pytest.mark.slow)])
def test_evolve_policy_with_neat_solves_pole_balancing(task):
    policy = evolve_policy(task, strategy="neat", max_generations=60, random_state=0)
    assert isinstance(policy.network_, NeatPolicy)
    assert isinstance(policy.weights_, NeatGenome)
    assert policy.target_reached_
    assert policy.rollout()[0] == 100_000
    again = evolve_policy(task, strategy="neat", max_generations=60, random_state=0)
    np.testing.assert_array_equal(again.weights_.connections, policy.weights_.connections)


def test_neat_policy_saves_loads_and_exports(tmp_path):
    policy = evolve_policy("1-markov", strategy="neat", max_generations=20, random_state=1)
    path = tmp_path / "neat_pole.evonet"
    policy.save(path)
    loaded = evonet.load(path)
    np.testing.assert_array_equal(loaded.weights_.nodes, policy.weights_.nodes)
    np.testing.assert_array_equal(loaded.weights_.connections, policy.weights_.connections)
    assert len(loaded.logbook_) == len(policy.logbook_)
    assert [r["nevals"] for r in loaded.logbook_] == [r["nevals"] for r in policy.logbook_]
    obs = np.array([0.1, -0.2, 0.05, 0.3])
    for _ in range(5):
        assert loaded.act(obs) == policy.act(obs)
    rebuilt = EvolvedPolicy.from_config(json.loads(policy.to_json()))
    assert rebuilt.rollout(max_steps=2000)[0] == policy.rollout(max_steps=2000)[0]


def test_neat_on_a_gymnasium_task():
    pytest.importorskip("gymnasium")
    policy = evolve_policy("CartPole-v1", strategy="neat", population_size=30,
                           max_generations=3, n_episodes=2, random_state=0, target=None)
    assert isinstance(policy.network_, NeatPolicy)
    assert policy.n_generations_ == 3
    returns = policy.rollout(n_episodes=2)
    assert returns.shape == (2,) and (returns >= 1).all()


def test_mismatched_strategy_and_policy_and_bad_genomes_raise():
    with pytest.raises(ValueError, match="'neat' strategy evolves a NeatPolicy"):
        evolve_policy("1-markov", policy=MLPPolicy(4, (), bias=False), strategy="neat")
    with pytest.raises(ValueError, match="'neat' strategy evolves a NeatPolicy"):
        evolve_policy("1-markov", policy=NeatPolicy(4), strategy="cmaes")
    policy = NeatPolicy(4)
    with pytest.raises(ValueError, match="not a NEAT genome"):
        policy.check_population(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="has 2 inputs and 1 outputs, the policy 4 and 1"):
        policy.check_population([NeatGenome(2, 1)])
    with pytest.raises(ValueError, match="policy maps 4 inputs"):
        rollout(PoleBalancing(n_poles=2, markovian=False), policy,
                policy.init_population(1, np.random.default_rng(0)))


def test_checkpoint_parameters_of_evolve_policy_are_checked(tmp_path):
    with pytest.raises(ValueError, match="checkpoint: the folder .* does not exist"):
        evolve_policy("1-markov", checkpoint=tmp_path / "missing" / "run.ckpt")
    for bad in (-5, "often", float("nan")):
        with pytest.raises(ValueError, match="checkpoint_interval must be a number"):
            evolve_policy("1-markov", checkpoint=tmp_path / "run.ckpt", checkpoint_interval=bad)


def test_a_diverging_node_reaches_only_the_nodes_it_connects_to():
    # a dead-end relu node with a self-loop of weight 8 grows to inf; the balancing
    # output has no connection from it and must behave as without it, on both paths
    policy = NeatPolicy(4)
    nodes = [(0, 0.0, "identity"), (1, 0.0, "identity"), (2, 0.0, "identity"),
             (3, 0.0, "identity"), (4, 0.0, "tanh")]
    conns = [(0, 0, 4, 0.5, True), (1, 1, 4, 1.0, True), (2, 2, 4, 5.0, True),
             (3, 3, 4, 1.0, True)]
    good = NeatGenome(4, 1, nodes=nodes, connections=conns)
    diverging = NeatGenome(4, 1, nodes=nodes + [(5, 1.0, "relu")],
                           connections=conns + [(4, 5, 5, 8.0, True)])
    task = PoleBalancing(n_poles=1)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = rollout(task, policy, [good], max_steps=2000).steps[0, 0]
        assert expected == 2000
        for population in ([diverging], [diverging] + [good] * 20):
            for scalar_below in (0, 16):
                steps = rollout(task, policy, population, max_steps=2000,
                                scalar_below=scalar_below).steps
                assert steps[0, 0] == expected
        a, b = EvolvedPolicy(policy, good, task), EvolvedPolicy(policy, diverging, task)
        obs = np.array([0.0, 0.0, 0.01, 0.0])
        for _ in range(400):
            assert a.act(obs) == b.act(obs)


def test_evonet_info_describes_a_neat_policy(tmp_path, capsys):
    from evonet.cli import main

    genome = NeatPolicy(3).init_population(1, np.random.default_rng(0))[0]
    path = tmp_path / "neat.evonet"
    EvolvedPolicy(NeatPolicy(3), genome, "2-nonmarkov").save(path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "0 hidden nodes, 3 of 3 connections enabled" in out


def test_a_folder_as_evolve_policy_checkpoint_is_refused(tmp_path):
    with pytest.raises(ValueError, match="is a folder; give a file path"):
        evolve_policy("1-markov", checkpoint=tmp_path)
