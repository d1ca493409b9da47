"""Edges of MLPClassifier's contract, each checked against scikit-learn's own behaviour.

Found by running the same small cases through ``MLPClassifier`` /
``MLPRegressor`` (scikit-learn 1.9) and evonet's estimators: where
scikit-learn fits, evonet fits; where it warns, evonet warns; where it
raises, evonet raises with a message naming the parameter.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor

X = np.random.default_rng(0).normal(size=(30, 3))
Y_BIN = (X[:, 0] > 0).astype(int)
Y_MULTILABEL = np.c_[Y_BIN, 1 - Y_BIN, (X[:, 1] > 0).astype(int)]


def small(cls=NeuroEvolutionClassifier, **params):
    return cls(**{"hidden_layer_sizes": (4,), "population_size": 8, "max_generations": 5,
                  "random_state": 0, **params})


@pytest.mark.parametrize("classes", [[5, 6, 7], ["a", "b", "c"], [0, 1]])
def test_multilabel_partial_fit_refuses_classes_that_lack_a_column(classes):
    # scikit-learn: "`y` has classes not in `self.classes_`" for [5, 6, 7] and strings
    with pytest.raises(ValueError, match="not in `self.classes_`"):
        small().partial_fit(X, Y_MULTILABEL, classes=classes)


def test_multilabel_partial_fit_refuses_more_classes_than_columns():
    # scikit-learn takes [0, 1, 2, 3] for a 3-column y and names 4 classes for 3 outputs
    with pytest.raises(ValueError, match=r"names 4 labels.*3 columns.*classes=\[0, 1, 2\]"):
        small().partial_fit(X, Y_MULTILABEL, classes=[0, 1, 2, 3])


def test_multilabel_partial_fit_takes_its_columns_in_any_order():
    clf = small().partial_fit(X, Y_MULTILABEL, classes=[2, 0, 1])
    assert clf.classes_.tolist() == [0, 1, 2] and clf.predict(X).shape == Y_MULTILABEL.shape


@pytest.mark.parametrize("cls, y", [(NeuroEvolutionClassifier, Y_BIN),
                                    (NeuroEvolutionRegressor, X @ [1.0, 2.0, -1.0])])
def test_a_scalar_sample_weight_weighs_every_row_alike(cls, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scalar = small(cls).fit(X, y, sample_weight=2.0)
        full = small(cls).fit(X, y, sample_weight=np.full(len(y), 2.0))
    np.testing.assert_array_equal(scalar.predict(X), full.predict(X))


@pytest.mark.parametrize("param", ["batch_size", "learning_batch_size"])
def test_a_batch_larger_than_the_data_is_clipped_with_a_warning(param):
    with pytest.warns(UserWarning, match="larger than sample size"):  # scikit-learn's own
        MLPClassifier(batch_size=100, max_iter=1).fit(X, Y_BIN)
    params = {param: 100, "learning": "baldwinian", "strategy": "ga"}
    with pytest.warns(UserWarning, match=f"Got {param}=100, larger than the 30 rows"):
        small(**params).fit(X, Y_BIN)


def test_early_stopping_of_many_classes_fits_where_one_class_has_one_row():
    y = np.digitize(X[:, 0], [-0.5, 0.5])
    y[0] = 3  # a class of one row: no stratified split holds it
    MLPClassifier(early_stopping=True, max_iter=2).fit(X, y)  # scikit-learn fits
    clf = small(early_stopping=True, max_generations=20).fit(X, y)
    assert clf.classes_.tolist() == [0, 1, 2, 3] and len(clf.validation_scores_) >= 1
    # two classes stay stratified, and raise as scikit-learn does
    with pytest.raises(ValueError, match="least populated class"):
        MLPClassifier(early_stopping=True).fit(X[:4], [0, 0, 0, 1])
    with pytest.raises(ValueError, match="least populated class"):
        small(early_stopping=True).fit(X[:4], [0, 0, 0, 1])


@pytest.mark.parametrize("params, names", [
    ({"strategy": "pbt"}, "strategy='pbt'"), ({"early_stopping": True}, "early_stopping=True")])
def test_holding_out_every_row_is_refused_by_name(params, names):
    with pytest.raises(ValueError, match=f"{names} holds out validation_fraction=0.1 of the "
                                         f"rows.*no row to train on \\(n_samples=1\\)"):
        small(NeuroEvolutionRegressor, **params).fit(X[:1], [1.0])


def test_early_stopping_that_never_validated_warns():
    with pytest.warns(ConvergenceWarning, match="ended before the first validation check"):
        clf = small(early_stopping=True, max_generations=2).fit(X, Y_BIN)
    assert clf.validation_scores_ == []
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.filterwarnings("ignore", ".*the budget", ConvergenceWarning)
        small(early_stopping=True, max_generations=40).fit(X, Y_BIN)


def test_targets_too_large_to_standardise_are_refused_by_name():
    # their spread overflowed to inf and the fit ended deep inside, naming "packed weights"
    y = X[:, 0] * 1e300
    with pytest.raises(ValueError, match=r"y holds values too large to standardise.*divide y"):
        small(NeuroEvolutionRegressor).fit(X, y)
    reg = small(NeuroEvolutionRegressor).partial_fit(X, X[:, 0])
    state, before = reg.get_target_state(), reg.predict(X)
    with pytest.raises(ValueError, match="too large to standardise"):
        reg.partial_fit(X, y)
    # the refused call changed nothing: same scaling, same predictions, and the stream goes on
    after = reg.get_target_state()
    assert all(np.array_equal(state[key], after[key]) for key in state)
    np.testing.assert_array_equal(reg.predict(X), before)
    reg.partial_fit(X, X[:, 0])
    assert np.isfinite(reg.predict(X)).all()
