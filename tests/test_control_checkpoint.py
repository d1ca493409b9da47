"""evolve_policy checkpoints: an interrupted run resumes to the same policy."""

import numpy as np
import pytest

from evonet.callbacks import Callback
from evonet.control import evolve_policy


class Crash(Exception):
    pass


class CrashAt(Callback):
    def __init__(self, generation):
        self.generation = generation

    def on_generation(self, run):
        if run.generation == self.generation:
            raise Crash(f"killed at generation {run.generation}")
        return False


@pytest.mark.parametrize("task, kwargs", [
    ("2-markov", dict(strategy="cmaes", population_size=12, target=None)),
    ("CartPole-v1", dict(strategy="es", population_size=8, n_episodes=2, target=None)),
])
def test_interrupted_evolve_policy_resumes_to_the_same_policy(tmp_path, task, kwargs):
    pytest.importorskip("gymnasium")
    path = tmp_path / "policy.ckpt"
    options = dict(max_generations=8, random_state=3, checkpoint_interval=0, **kwargs)
    reference = evolve_policy(task, **{k: v for k, v in options.items()
                                       if k != "checkpoint_interval"})
    with pytest.raises(Crash):
        evolve_policy(task, checkpoint=path, callbacks=[CrashAt(5)], **options)
    assert path.exists()
    resumed = evolve_policy(task, checkpoint=path, **options)
    np.testing.assert_array_equal(resumed.weights_, reference.weights_)
    assert resumed.n_generations_ == reference.n_generations_ == 8
    assert resumed.n_evaluations_ == reference.n_evaluations_
    assert not path.exists()


def test_checkpoint_of_other_settings_is_refused(tmp_path):
    path = tmp_path / "policy.ckpt"
    with pytest.raises(Crash):
        evolve_policy("2-markov", strategy="cmaes", max_generations=5, target=None,
                      random_state=0, checkpoint=path, checkpoint_interval=0,
                      callbacks=[CrashAt(3)])
    with pytest.raises(ValueError, match="random_state is 0 in the checkpoint but 1 now"):
        evolve_policy("2-markov", strategy="cmaes", max_generations=5, target=None,
                      random_state=1, checkpoint=path)
