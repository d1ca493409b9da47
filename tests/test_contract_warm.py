"""``warm_start`` refits and ``partial_fit`` after a change of parameters.

scikit-learn's MLPs take a changed ``alpha`` into the next ``warm_start`` fit
and split the same validation rows on every fit of an integer
``random_state``. evonet's continued fits do the same; a parameter that set
up the run (the strategy, its population and settings) cannot change without
a new run, and saying so beats ignoring the change.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.estimators import _fitdata

X, Y = load_iris(return_X_y=True)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def warm(cls=NeuroEvolutionClassifier, **params):
    return cls(**{"hidden_layer_sizes": (4,), "max_generations": 30, "warm_start": True,
                  "random_state": 0, **params})


@pytest.mark.parametrize("strategy", ["es", "cmaes", "ga"])
def test_a_warm_start_fit_learns_under_a_changed_alpha(strategy):
    # the best network of alpha=1 used to win every later fit: its recorded loss was lower
    clf = warm(strategy=strategy).fit(X, Y)
    before, best = [W.copy() for W in clf.coefs_], clf.best_loss_
    clf.set_params(alpha=1000.0).fit(X, Y)
    size = sum(np.abs(W).sum() for W in clf.coefs_)
    assert size < 0.8 * sum(np.abs(W).sum() for W in before)
    # best_loss_ is this objective's (it kept alpha=1's, lower)
    assert clf.best_loss_ > best


def test_a_warm_start_fit_on_the_same_rows_and_objective_still_keeps_its_best():
    clf = warm(strategy="es").fit(X, Y)
    best = clf.best_loss_
    clf.set_params(max_generations=1).fit(X, Y)
    assert clf.best_loss_ == best or clf.best_loss_ < best


@pytest.mark.parametrize("change", [{"alpha": 2.0}, {"scoring": "accuracy"},
                                    {"batch_size": 32}, {"learning": "baldwinian"},
                                    {"learning_rate_init": 1e-2}])
def test_what_the_losses_measure_decides_whether_an_earlier_best_compares(change):
    # a warm_start fit keeps the earlier best only when the rows and the objective match
    from evonet.estimators._continued import training_rows_key
    from evonet.estimators._fitdata import FitData

    data = FitData(X, Y, np.eye(3)[Y], None, 3, "softmax")
    key = training_rows_key(warm(), data, False)
    assert training_rows_key(warm(**change), data, False) != key
    # the same value written otherwise is the same objective
    assert training_rows_key(warm(alpha=np.float64(1)), data, False) == key
    assert training_rows_key(warm(alpha=1), data, False) == key


def _recorded_split_seeds(monkeypatch):
    seeds = []
    split = _fitdata.FitData.split

    def recording(self, validation_fraction, split_seed, stratify):
        seeds.append(split_seed)
        return split(self, validation_fraction, split_seed, stratify)

    monkeypatch.setattr(_fitdata.FitData, "split", recording)
    return seeds


@pytest.mark.parametrize("params", [{"early_stopping": True, "max_generations": 5},
                                    {"strategy": "pbt", "max_generations": 2}])
def test_warm_start_fits_validate_on_the_rows_the_first_fit_held_out(monkeypatch, params):
    # rows an earlier fit learned from must not validate a later one (each fit drew a split)
    seeds = _recorded_split_seeds(monkeypatch)
    clf = warm(**params)
    for _ in range(3):
        clf.fit(X, Y)
    assert len(seeds) == 3 and len(set(seeds)) == 1
    # a new run (warm_start off) draws its own split from its random_state
    clf.set_params(warm_start=False, random_state=1).fit(X, Y)
    assert seeds[-1] != seeds[0]


def test_the_split_belongs_to_the_run_not_to_the_fits_that_failed_or_held_nothing_out(
        monkeypatch):
    seeds = _recorded_split_seeds(monkeypatch)
    clf = warm(early_stopping=True, max_generations=5).fit(X, Y)
    # a new run that fails before it starts leaves the run, and its split, as they were
    clf.set_params(warm_start=False, strategy_params={"sigmaa": 1.0})
    with pytest.raises(ValueError, match="sigmaa"):
        clf.fit(X, Y)
    clf.set_params(warm_start=True, strategy_params=None).fit(X, Y)
    assert seeds[-1] == seeds[0]
    # a new run that holds nothing out: its first warm_start fit that does draws a split
    clf.set_params(warm_start=False, early_stopping=False, random_state=1).fit(X, Y)
    clf.set_params(warm_start=True, early_stopping=True).fit(X, Y)
    clf.fit(X, Y)
    assert seeds[-1] == seeds[-2] != seeds[0]


def test_partial_fit_calls_of_pbt_split_each_call_anew(monkeypatch):
    seeds = _recorded_split_seeds(monkeypatch)
    clf = NeuroEvolutionClassifier((4,), random_state=0)
    for start in (0, 50, 100):
        rows = slice(start, start + 50)
        clf.partial_fit(X[rows], Y[rows], classes=[0, 1, 2])
    assert len(seeds) == 3 and len(set(seeds)) == 3


@pytest.mark.parametrize("change", [{"population_size": 40}, {"strategy": "cmaes"},
                                    {"strategy_params": {"sigma": 5.0}}])
def test_a_continued_fit_refuses_a_change_of_what_set_up_its_run(change):
    clf = warm(strategy="es", max_generations=3).fit(X, Y)
    name, value = next(iter(change.items()))
    clf.set_params(**change)
    with pytest.raises(ValueError, match=rf"warm_start continues the run.*{name}=.*"
                                         rf"{name}={value!r}.*warm_start=False"):
        clf.fit(X, Y)
    with pytest.raises(ValueError, match=rf"partial_fit continues the run.*{name}="):
        clf.partial_fit(X, Y)
    clf.set_params(warm_start=False).fit(X, Y)  # a new run takes it


def test_pbt_refuses_a_changed_alpha_or_learning_rate_which_set_its_members():
    clf = warm(strategy="pbt", max_generations=2).fit(X, Y)
    for change in ({"alpha": 10.0}, {"learning_rate_init": 1e-2}):
        with pytest.raises(ValueError, match=f"{next(iter(change))}="):
            clf.set_params(**change).fit(X, Y)
        clf.set_params(alpha=1.0, learning_rate_init=1e-3)
    clf.fit(X, Y)  # back to the run's own settings: it continues


@pytest.mark.parametrize("strategy", ["es", "neat"])
def test_a_continued_regressor_refuses_another_number_of_targets(strategy):
    reg = warm(NeuroEvolutionRegressor, strategy=strategy, max_generations=3).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="as many targets as the previous fit: it had 1 "
                                         r"target column\(s\), y has 2"):
        reg.fit(X, X[:, :2])
    two = warm(NeuroEvolutionRegressor, strategy=strategy, max_generations=3).fit(X, X[:, :2])
    for call in (two.fit, two.partial_fit):
        with pytest.raises(ValueError, match=r"it had 2 target column\(s\), y has 3"):
            call(X, X[:, :3])
    # a column vector is the same single target
    reg.fit(X, X[:, :1])
    assert reg.n_outputs_ == 1


def test_ga_takes_a_population_of_two():
    # its default of two elites left no room for a child, and named n_elite, never set
    clf = NeuroEvolutionClassifier((4,), strategy="ga", population_size=2, max_generations=3,
                                   random_state=0).fit(X, Y)
    assert clf.n_evaluations_ >= 2


def test_a_refit_with_the_other_kind_of_network_keeps_nothing_of_the_first():
    X32 = X.astype(np.float32)
    clf = NeuroEvolutionClassifier((4,), max_generations=3, random_state=0).fit(X, Y)
    clf.set_params(strategy="neat").fit(X32, Y)
    assert clf.predict_proba(X32).dtype == np.float32   # the graph's dtype, not stale weights
    with pytest.raises(AttributeError, match="strategy='neat'"):
        clf.coefs_  # noqa: B018
    clf.set_params(strategy="es").fit(X, Y)
    assert "genome_" not in vars(clf) and clf.predict_proba(X32).dtype == np.float64


def test_a_refused_continued_fit_leaves_the_model_as_it_was():
    clf = warm(strategy="neat", max_generations=3).fit(X, Y)
    before = clf.predict_proba(X.astype(np.float32))
    with pytest.raises(ValueError, match="population_size"):
        clf.set_params(population_size=40).fit(X.astype(np.float32), Y)
    after = clf.predict_proba(X.astype(np.float32))
    assert after.dtype == before.dtype == np.float64
    np.testing.assert_array_equal(after, before)
