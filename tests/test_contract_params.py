"""strategy_params checked against the strategy, n_iter_no_change=np.inf,
n_iter_ of the latest fit, best_loss_ with early stopping (and in model files)."""

import numpy as np
import pytest

import evonet
from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor


@pytest.fixture
def xy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("strategy, key, valid", [
    ("ga", "sigma", "mutation_sigma"),
    ("es", "mu", "learning_rate"),
    ("cmaes", "learning_rate", "'sigma'"),
    ("neat", "sigma", "compatibility_threshold"),
])
def test_unknown_strategy_setting_names_key_and_valid_ones(xy, strategy, key, valid):
    clf = NeuroEvolutionClassifier((2,), strategy=strategy, max_generations=2,
                                   strategy_params={key: 0.1})
    with pytest.raises(ValueError, match="strategy_params") as info:
        clf.fit(*xy)
    message = str(info.value)
    assert f"no setting {key!r}" in message and valid in message
    assert f"strategy {strategy!r} takes" in message


def test_auto_checks_against_the_strategy_it_chose(xy):
    # a small network on all rows: auto picks CMA-ES, which takes no learning_rate
    clf = NeuroEvolutionClassifier((2,), max_generations=2,
                                   strategy_params={"learning_rate": 0.1})
    with pytest.raises(ValueError, match=r"strategy 'cmaes' \(chosen by strategy='auto'\) "
                                         r"takes no setting 'learning_rate'"):
        clf.fit(*xy)
    # the same setting is valid for what auto picks on minibatches (the ES)
    clf.set_params(batch_size=10).fit(*xy)
    assert clf.strategy_ == "es"


def test_n_iter_no_change_inf_runs_the_whole_budget(xy, tmp_path):
    clf = NeuroEvolutionClassifier((2,), n_iter_no_change=np.inf, tol=1e9, max_generations=15,
                                   population_size=100, random_state=0)
    with pytest.warns(UserWarning, match="budget"):
        clf.fit(*xy)
    assert clf.n_iter_ == 15 and clf.stop_reason_ == "budget"
    # a model fitted so is saved and loaded with its infinite patience
    clf.save(tmp_path / "inf.evonet")
    loaded = evonet.load(tmp_path / "inf.evonet")
    assert loaded.n_iter_no_change == np.inf
    np.testing.assert_array_equal(loaded.predict_proba(xy[0]), clf.predict_proba(xy[0]))
    # with a finite patience the same huge tol stops it at once
    clf.set_params(n_iter_no_change=2).fit(*xy)
    assert clf.stop_reason_ == "converged" and clf.n_iter_ < 15


@pytest.mark.parametrize("bad", [0, -1, 1.5, "inf", -np.inf, np.nan])
def test_n_iter_no_change_refused(xy, bad):
    with pytest.raises(ValueError, match="n_iter_no_change must be a positive integer or "
                                         "np.inf"):
        NeuroEvolutionClassifier((2,), n_iter_no_change=bad).fit(*xy)


def test_best_loss_is_none_with_early_stopping_and_survives_a_model_file(xy, tmp_path):
    X, y = xy
    reg = NeuroEvolutionRegressor((2,), early_stopping=True, max_generations=20,
                                  validation_fraction=0.2, random_state=0).fit(X, X[:, 0])
    assert reg.best_loss_ is None and reg.validation_scores_ is not None
    path = tmp_path / "reg.evonet"
    reg.save(path)
    loaded = evonet.load(path)
    assert loaded.best_loss_ is None
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    plain = NeuroEvolutionClassifier((2,), max_generations=5, random_state=0).fit(X, y)
    plain.save(path)
    assert evonet.load(path).best_loss_ == plain.best_loss_ == min(plain.loss_curve_)


@pytest.mark.parametrize("cls", [NeuroEvolutionClassifier, NeuroEvolutionRegressor])
def test_float32_input_gives_float32_weights_and_outputs(xy, cls):
    X, y = xy
    X32 = X.astype(np.float32)
    est = cls((3,), max_generations=5, random_state=0).fit(X32, y)
    assert all(W.dtype == np.float32 for W in est.coefs_ + est.intercepts_)
    out = est.predict_proba(X32) if cls is NeuroEvolutionClassifier else est.predict(X32)
    assert out.dtype == np.float32
    # computed in float64 and cast at the end: a row predicts the same alone or in a batch
    single = est.predict_proba(X32[3:4]) if cls is NeuroEvolutionClassifier \
        else est.predict(X32[3:4])
    np.testing.assert_array_equal(single[0], out[3])
    # float64 input keeps float64 weights and outputs
    est64 = cls((3,), max_generations=5, random_state=0).fit(X, y)
    assert est64.coefs_[0].dtype == np.float64
    assert (est64.predict(X) if cls is NeuroEvolutionRegressor
            else est64.predict_proba(X)).dtype == np.float64


@pytest.mark.parametrize("cls", [NeuroEvolutionClassifier, NeuroEvolutionRegressor])
def test_a_float32_model_file_loads_back_float32(xy, cls, tmp_path):
    X, y = xy
    X32 = X.astype(np.float32)
    est = cls((3,), max_generations=5, random_state=0).fit(X32, y)
    path = tmp_path / "m.evonet"
    est.save(path)
    loaded = evonet.load(path)
    assert all(W.dtype == np.float32 for W in loaded.coefs_ + loaded.intercepts_)
    predict = "predict_proba" if cls is NeuroEvolutionClassifier else "predict"
    out, back = getattr(est, predict)(X32), getattr(loaded, predict)(X32)
    assert back.dtype == np.float32
    np.testing.assert_array_equal(out, back)
    # and a float64 model stays float64
    est64 = cls((3,), max_generations=5, random_state=0).fit(X, y)
    est64.save(path)
    assert evonet.load(path).coefs_[0].dtype == np.float64


@pytest.mark.parametrize("cls", [NeuroEvolutionClassifier, NeuroEvolutionRegressor])
def test_a_neat_model_fitted_on_float32_predicts_float32_and_keeps_it_in_its_file(
        xy, cls, tmp_path):
    # a graph has no coefs_: the fit's input dtype decides, as for the MLP's weights
    X, y = xy
    X32 = X.astype(np.float32)
    predict = "predict_proba" if cls is NeuroEvolutionClassifier else "predict"
    est = cls(strategy="neat", max_generations=3, random_state=0).fit(X32, y)
    out = getattr(est, predict)(X32)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(getattr(est, predict)(X32[3:4])[0], out[3])
    assert getattr(est, predict)(X).dtype == np.float64
    path = tmp_path / "neat.evonet"
    est.save(path)
    back = getattr(evonet.load(path), predict)(X32)
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, out)
    est64 = cls(strategy="neat", max_generations=3, random_state=0).fit(X, y)
    assert getattr(est64, predict)(X32).dtype == np.float64
    est64.save(path)
    assert getattr(evonet.load(path), predict)(X32).dtype == np.float64
