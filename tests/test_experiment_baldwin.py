"""experiments/baldwin.py: the mechanics of Hinton & Nowlan's simulation, on small runs.

The fitness formula on hand-made genomes, the initial allele proportions, the
learning trials (their success rate and when learning must or cannot find the
right network), fitness-proportional selection, one-point crossover, a small
run in which learning drives the incorrect alleles out and no learning does
not, and the JSON and plot of a reduced run of the script.
"""

import json
import os
import random

import numpy as np
import pytest

from tests.test_experiments import common, load


@pytest.fixture(scope="module")
def baldwin():
    return load("baldwin")


def genome(baldwin, alleles):
    """A genome from a string of 1, 0 and ? characters."""
    codes = {"1": baldwin.CORRECT, "0": baldwin.INCORRECT, "?": baldwin.UNDECIDED}
    return baldwin.creator.HintonNowlanGenome(np.array([codes[a] for a in alleles], np.int8))


def test_fitness_is_one_plus_19_n_over_1000(baldwin):
    left = np.array([1000, 999, 500, 0, -1])
    assert baldwin.fitness_from_trials_left(left, 1000).tolist() == [20.0, 19.981, 10.5, 1.0, 1.0]


def test_hand_made_genomes(baldwin):
    rng = np.random.default_rng(0)
    born_right = genome(baldwin, "1" * 20)
    one_wrong = genome(baldwin, "1" * 19 + "0")
    wrong_and_undecided = genome(baldwin, "0" + "?" * 19)
    one_undecided = genome(baldwin, "?" + "1" * 19)
    population = [born_right, one_wrong, wrong_and_undecided, one_undecided]
    left = baldwin.trials_left(np.stack(population), 1000, rng)
    # born right keeps all its trials; a 0 allele can never be learned away
    assert left[:3].tolist() == [1000, -1, -1]
    # one ? is right on a trial with probability 1/2: found early, never on trial 0
    assert 990 <= left[3] <= 999
    fitness, found = baldwin.PopulationFitness(rng)(population)
    assert fitness[:3].tolist() == [20.0, 1.0, 1.0] and found.tolist() == [True, False, False,
                                                                             True]
    assert [ind.fitness.values[0] for ind in population] == fitness.tolist()
    # without learning a ? stays unset: only the genome born right has the right network
    fitness, found = baldwin.PopulationFitness(rng, learning=False)(population)
    assert fitness.tolist() == [20.0, 1.0, 1.0, 1.0] and found.tolist() == [True, False, False,
                                                                            False]


def test_learning_trials_succeed_with_probability_two_to_the_minus_k(baldwin):
    rng = np.random.default_rng(1)
    three = np.stack([genome(baldwin, "???" + "1" * 17)] * 4000)
    left = baldwin.trials_left(three, 1000, rng)
    first = 1000 - left            # the trial that found it: geometric with p = 1/8, mean 8
    assert (left >= 0).all() and 7.6 < first.mean() < 8.4
    # twenty ? in ten trials: 10 / 2**20 per organism, so none of 200 finds it
    hopeless = np.stack([genome(baldwin, "?" * 20)] * 200)
    assert (baldwin.trials_left(hopeless, 10, rng) == -1).all()


def test_initial_allele_proportions(baldwin):
    toolbox = baldwin.make_toolbox(np.random.default_rng(2))
    population = toolbox.population(n=2000)
    assert all(len(ind) == 20 and ind.dtype == np.int8 for ind in population)
    fractions = baldwin.allele_fractions(population)
    assert fractions == pytest.approx({"correct": 0.25, "incorrect": 0.25, "undecided": 0.5},
                                      abs=0.01)


def test_selection_is_fitness_proportional_and_crossover_one_point(baldwin):
    rng = np.random.default_rng(3)
    low, high = genome(baldwin, "0" * 20), genome(baldwin, "1" * 20)
    low.fitness.values, high.fitness.values = (1.0,), (19.0,)
    chosen = baldwin.sel_fitness_proportional([low, high], 20000, rng)
    assert sum(ind is low for ind in chosen) / 20000 == pytest.approx(0.05, abs=0.005)
    points = set()
    for _ in range(500):
        child = baldwin.cx_one_point_child(high, low, rng)
        point = int(np.argmin(child == baldwin.CORRECT)) if (child == 0).any() else 20
        assert (child[:point] == 1).all() and (child[point:] == 0).all()
        points.add(point)
    assert points == set(range(1, 20))         # every gap between loci, never a copy
    assert (high == 1).all() and (low == 0).all()   # the parents are unchanged


def test_learning_drives_the_incorrect_alleles_out(baldwin):
    # ten loci, so that a population of 200 holds learners from the start
    learned = baldwin.one_run(4, True, generations=15, population_size=200, trials=100, loci=10)
    innate = baldwin.one_run(4, False, generations=15, population_size=200, trials=100,
                             loci=10)
    assert learned["correct"][0] == innate["correct"][0]      # the same initial population
    assert learned["incorrect"][-1] < 0.02 < 0.1 < innate["incorrect"][-1]
    assert learned["correct"][-1] > 0.5 and any(learned["found"])
    assert learned == baldwin.one_run(4, True, generations=15, population_size=200,
                                      trials=100, loci=10)


def test_reduced_run_writes_the_json_and_the_plot(baldwin, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    state = random.getstate(), np.random.get_state()[1].copy()
    argv = ["--seeds", "2", "--generations", "3", "--population", "60", "--trials", "50"]
    assert baldwin.main(argv + ["--out-dir", str(tmp_path), "--json"]) == 0
    assert random.getstate() == state[0] and (np.random.get_state()[1] == state[1]).all()
    assert sorted(os.listdir(tmp_path)) == ["baldwin.json", "baldwin.png"]
    saved = json.loads((tmp_path / "baldwin.json").read_text())
    assert saved["runs"] == 2 and saved["settings"]["population"] == 60
    for condition in ("with_learning", "without_learning"):
        summary = saved[condition]
        for key in ("correct", "incorrect", "undecided", "found", "correct_min",
                    "undecided_max", "incorrect_std"):
            assert len(summary[key]) == 4, (condition, key)
        totals = np.add(np.add(summary["correct"], summary["incorrect"]), summary["undecided"])
        assert totals == pytest.approx(np.ones(4))
        found = summary["found"]
        assert all(0 <= a <= b <= 2 for a, b in zip(found, found[1:]))
    assert set(saved["targets"]) == {"incorrect_at_generation_30",
                                     "undecided_generations_30_to_end", "found_without_learning"}
    out = capsys.readouterr().out
    assert "with learning" in out and "target found_without_learning" in out


def test_without_out_dir_or_json_nothing_is_written(baldwin, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(common(), "RESULTS", str(tmp_path / "results"))
    assert baldwin.main(["--seeds", "1", "--generations", "1", "--population", "20",
                         "--trials", "10"]) == 0
    assert os.listdir(tmp_path) == []
    capsys.readouterr()
