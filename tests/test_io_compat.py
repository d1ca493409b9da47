"""Files written by evonet 0.1.0 still load: models predict, checkpoints resume, as they did.

``tests/data/v0_1_0/`` holds model files and checkpoints written by evonet 0.1.0 with
``tools/write_compat_files.py``, and (``expected.npz``) what each predicted then.
"""

import json
import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import evonet
from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor

DATA = Path(__file__).parent / "data" / "v0_1_0"
MODELS = ["classifier", "regressor", "neat_classifier", "pipeline"]
CHECKPOINTS = {
    # tol and n_iter_no_change: the classifier's defaults of 0.1.0 (a checkpoint resumes
    # only with the parameters it was written with)
    "classifier": (NeuroEvolutionClassifier,
                   dict(hidden_layer_sizes=(3,), strategy="cmaes", max_generations=6,
                        random_state=1, checkpoint_interval=0, tol=1e-4, n_iter_no_change=50)),
    "regressor": (NeuroEvolutionRegressor,
                  dict(hidden_layer_sizes=(3,), strategy="es", max_generations=6,
                       random_state=2, checkpoint_interval=0)),
}


@pytest.fixture(scope="module")
def expected():
    with np.load(DATA / "expected.npz", allow_pickle=False) as saved:
        return dict(saved)


def inputs(name, expected):
    if name == "regressor":
        return expected["diabetes_X"], expected["diabetes_Y"]
    return expected["iris_X"], expected["iris_labels"]


def written_by(path, member):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(member))["evonet_version"]


@pytest.mark.parametrize("name", MODELS)
def test_a_model_file_of_0_1_0_predicts_as_when_it_was_written(name, expected):
    path = DATA / f"{name}.evonet"
    assert written_by(path, "model.json") == "0.1.0"
    model = evonet.load(path)
    X, _ = inputs(name, expected)
    predicted = np.asarray(model.predict(X))
    if predicted.dtype.kind == "f":
        np.testing.assert_allclose(predicted, expected[f"{name}_predict"], rtol=1e-12)
    else:
        assert np.array_equal(predicted, expected[f"{name}_predict"])
    if f"{name}_proba" in expected:
        np.testing.assert_allclose(model.predict_proba(X), expected[f"{name}_proba"],
                                   rtol=1e-12, atol=1e-300)


def test_a_policy_file_of_0_1_0_acts_as_when_it_was_written(expected):
    path = DATA / "policy.evonet"
    assert written_by(path, "model.json") == "0.1.0"
    policy = evonet.load(path)
    assert isinstance(policy, evonet.EvolvedPolicy)
    np.testing.assert_allclose(policy.act(np.array([0.01, 0.0, 0.05, -0.1])),
                               expected["policy_act"][0], rtol=1e-12)
    assert np.array_equal(policy.rollout(max_steps=500), expected["policy_rollout"])
    assert policy.n_generations_ == len(policy.logbook_) == 4


@pytest.mark.parametrize("name", sorted(CHECKPOINTS))
def test_a_checkpoint_of_0_1_0_resumes_to_the_model_it_resumed_to(name, expected, tmp_path):
    assert written_by(DATA / f"{name}.ckpt", "checkpoint.json") == "0.1.0"
    path = tmp_path / f"{name}.ckpt"
    shutil.copyfile(DATA / f"{name}.ckpt", path)
    cls, params = CHECKPOINTS[name]
    X, y = inputs(name, expected)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cls(checkpoint=path, **params).fit(X, y)
    assert model.n_iter_ == expected[f"{name}_ckpt_n_iter"]
    predicted = np.asarray(model.predict(X))
    if predicted.dtype.kind == "f":
        np.testing.assert_allclose(predicted, expected[f"{name}_ckpt_predict"], rtol=1e-12)
    else:
        assert np.array_equal(predicted, expected[f"{name}_ckpt_predict"])
    assert not path.exists()   # a finished fit removes its checkpoint


def test_a_checkpoint_of_0_1_0_with_other_stopping_is_refused(expected, tmp_path):
    path = tmp_path / "classifier.ckpt"
    shutil.copyfile(DATA / "classifier.ckpt", path)
    cls, params = CHECKPOINTS["classifier"]
    params = dict(params, n_iter_no_change=30)
    X, y = inputs("classifier", expected)
    with pytest.raises(ValueError, match="n_iter_no_change is 50 in the checkpoint but 30"):
        cls(checkpoint=path, **params).fit(X, y)
    assert path.exists()   # left as it was, to resume with the parameters it was written with
