"""experiments/seed_examples.py: each of the three first programs learns its truth table.

Small budgets: the delta-rule perceptron on AND, the 2-4-1 sigmoid MLP on XOR by
back-propagation and by evolution, and the hand-written generational loop on
an evonet toolbox.
"""

import json
import os

import numpy as np
import pytest

from tests.test_experiments import load

AND = [0, 0, 0, 1]
XOR = [0, 1, 1, 0]


@pytest.fixture(scope="module")
def examples():
    return load("seed_examples")


def test_learned_means_every_output_within_the_tolerance(examples):
    targets = np.array(XOR, dtype=float)
    assert examples.reproduces([0.1, 0.9, 0.8, 0.2], targets)
    assert not examples.reproduces([0.1, 0.9, 0.7, 0.2], targets)   # right side, no margin
    assert examples.reproduces([[0, 1, 1, 0], [1, 1, 1, 0]], targets).tolist() == [True, False]


def test_delta_rule_perceptron_learns_and(examples):
    result = examples.perceptron_and(seed=0, max_epochs=200)
    assert result["learned"] and np.round(result["outputs"]).tolist() == AND
    assert result["steps"] == 4 * result["epochs"] > 4
    # the weights it reports compute those outputs: sigmoid(w1 x1 + w2 x2 + b)
    w1, w2, bias = result["weights"]
    z = w1 * examples.X[:, 0] + w2 * examples.X[:, 1] + bias
    assert np.allclose(1 / (1 + np.exp(-z)), result["outputs"])
    # a budget too small to learn it is reported as such
    assert not examples.perceptron_and(seed=0, max_epochs=1)["learned"]


def test_backprop_learns_xor(examples):
    result = examples.xor_backprop(seed=0, networks=4, max_steps=500)
    assert result["learned"] == 4 and all(0 < s <= 500 for s in result["steps_to_learn"])
    assert all(np.round(out).tolist() == XOR for out in result["outputs"])
    frozen = examples.xor_backprop(seed=0, networks=4, learning_rate=1e-9, max_steps=20)
    assert frozen["learned"] == 0 and frozen["steps_to_learn"] == [-1] * 4


def test_evolution_learns_xor(examples):
    result = examples.xor_evolved(seed=0, max_generations=60)
    assert result["learned"] and np.round(result["probabilities"]).tolist() == XOR
    assert 0 < result["evaluations_to_learn"] <= result["evaluations"]
    assert result["generations_to_learn"] <= result["generations"] <= 60


def test_hand_written_generational_loop_learns_xor(examples):
    result = examples.generational_loop(seed=0, population_size=100, max_generations=100)
    assert result["learned"] and np.round(result["outputs"]).tolist() == XOR
    assert result["evaluations"] >= 100 and result["generations"] < 100
    assert result == {**examples.generational_loop(seed=0, population_size=100,
                                                   max_generations=100)}


def test_json_in_out_dir(examples, tmp_path, capsys):
    assert examples.main(["--networks", "2", "--out-dir", str(tmp_path), "--json"]) == 0
    assert os.listdir(tmp_path) == ["seed_examples.json"]
    saved = json.loads((tmp_path / "seed_examples.json").read_text())
    assert {"perceptron_and", "xor_backprop", "xor_evolved", "generational_loop"} <= set(saved)
    assert all(saved[name]["learned"] for name in ("perceptron_and", "xor_evolved",
                                                   "generational_loop"))
    out = capsys.readouterr().out
    assert out.count("learned") >= 4 and "delta rule on AND" in out
