"""scikit-learn's MLP tests that apply to any network estimator, ported to evonet.

Source: scikit-learn 1.x, ``sklearn/neural_network/tests/test_mlp.py`` (BSD-3-Clause);
each test below names the test it ports. The data sets are the same (digits with 2 and
3 classes scaled to [0, 1], iris, ``make_regression`` / ``make_multilabel_classification``),
the networks smaller and the thresholds suited to evolution (a few hundred generations
instead of hundreds of gradient epochs), so that the module runs in seconds.

Left out, because they test gradient descent alone: ``test_gradient`` (back-propagated
gradients against finite differences), ``test_lbfgs_*`` (the L-BFGS solver and its
``max_fun``), ``test_learning_rate_warmstart`` and ``test_adaptive_learning_rate``
(SGD's learning-rate schedules), ``test_shuffle`` (SGD's sample shuffling),
``test_verbose_sgd`` (SGD's printed iterations), ``test_tolerance`` (SGD's epoch loss),
``test_nonfinite_params`` (a gradient step overflowing to inf weights; an evolution
strategy compares losses and keeps its best network), ``test_mlp_diverging_loss`` (a
diverging learning rate), ``test_mlp_vs_poisson_glm_equivalent`` (the Poisson loss, which
evonet does not offer), ``test_alpha`` (the weights' norm shrinking as ``alpha`` grows,
a property of gradient descent's exact minimiser), ``test_partial_fit_classification`` /
``test_partial_fit_regression``'s equality of ``fit`` and repeated ``partial_fit`` with
SGD (the evonet equivalent, k one-generation calls equal to a k-generation fit, is in
``tests/test_estimators_partial_fit.py``), ``test_n_iter_no_change``'s private counter,
and ``test_sparse_matrices`` (sparse input is tested with its own feature).
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import (
    load_digits,
    load_iris,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import MinMaxScaler

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor

ESTIMATORS = [NeuroEvolutionClassifier, NeuroEvolutionRegressor]

X_digits3, y_digits3 = load_digits(n_class=3, return_X_y=True)
X_digits_multi = MinMaxScaler().fit_transform(X_digits3[:200])
y_digits_multi = y_digits3[:200]
X_digits2, y_digits2 = load_digits(n_class=2, return_X_y=True)
X_digits_binary = MinMaxScaler().fit_transform(X_digits2[:200])
y_digits_binary = y_digits2[:200]
X_iris, y_iris = load_iris(return_X_y=True)


def small(cls, **params):
    params = {"hidden_layer_sizes": (4,), "max_generations": 40, "random_state": 0,
              **params}
    return cls(**params)


@pytest.mark.parametrize("X, y", [(X_digits_multi, y_digits_multi),
                                  (X_digits_binary, y_digits_binary)])
def test_fit_classification(X, y):
    # ports test_fit / test_lbfgs_classification: learning the small digits data sets
    clf = small(NeuroEvolutionClassifier, max_generations=150).fit(X, y)
    assert clf.score(X, y) > 0.95


def test_multilabel_classification():
    # ports test_multilabel_classification (fit, partial_fit, early stopping)
    X, y = make_multilabel_classification(n_samples=50, random_state=0,
                                          return_indicator=True)
    clf = small(NeuroEvolutionClassifier, hidden_layer_sizes=(10,), max_generations=200,
                alpha=1e-5).fit(X, y)
    assert clf.score(X, y) > 0.5  # subset accuracy over 5 labels (sklearn: > 0.97)
    assert (clf.predict(X) == y).mean() > 0.85  # per label
    # partial_fit as sklearn's test: 100 calls on all rows (PBT, one Adam step a call)
    inc = small(NeuroEvolutionClassifier, hidden_layer_sizes=(10,), population_size=20)
    for _ in range(100):
        inc.partial_fit(X, y, classes=[0, 1, 2, 3, 4])
    assert inc.strategy_ == "pbt"
    assert inc.score(X, y) > 0.85  # subset accuracy (sklearn, 50 hidden units: > 0.9)
    assert (inc.predict(X) == y).mean() > 0.95  # per label; always-the-majority gets 0.56
    small(NeuroEvolutionClassifier, early_stopping=True).fit(X, y).predict(X)


def test_multioutput_regression():
    # ports test_multioutput_regression
    X, y = make_regression(n_samples=200, n_targets=5, random_state=11)
    reg = small(NeuroEvolutionRegressor, hidden_layer_sizes=(5,), max_generations=200,
                alpha=0.0).fit(X, y)
    assert reg.score(X, y) > 0.85  # sklearn (lbfgs, 50 hidden units): > 0.9


def test_partial_fit_classes_error():
    # ports test_partial_fit_classes_error
    clf = NeuroEvolutionClassifier((2,)).partial_fit([[3, 2]], [0], classes=[0, 1])
    with pytest.raises(ValueError):
        clf.partial_fit([[3, 2]], [0], classes=[1, 2])


def test_partial_fit_unseen_classes():
    # ports test_partial_fit_unseen_classes (bug 6994 of scikit-learn)
    clf = NeuroEvolutionClassifier((2,), random_state=0)
    clf.partial_fit([[1], [2], [3]], ["a", "b", "c"], classes=["a", "b", "c", "d"])
    clf.partial_fit([[4]], ["d"])
    assert clf.score([[1], [2], [3], [4]], ["a", "b", "c", "d"]) > 0


def test_partial_fit_errors():
    # ports test_partial_fit_errors
    with pytest.raises(ValueError):
        NeuroEvolutionClassifier().partial_fit([[3, 2], [1, 6]], [1, 0], classes=[2])
    with pytest.raises(ValueError, match="classes must be passed"):
        NeuroEvolutionClassifier().partial_fit([[3, 2], [1, 6]], [1, 0])


@pytest.mark.parametrize("X, y, n_classes", [(X_digits_binary[:50], y_digits_binary[:50], 2),
                                             (X_digits_multi[:10], y_digits_multi[:10], 3)])
def test_predict_proba(X, y, n_classes):
    # ports test_predict_proba_binary and test_predict_proba_multiclass
    clf = small(NeuroEvolutionClassifier, max_generations=20).fit(X, y)
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert proba.shape == (len(X), n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba.argmax(axis=1), clf.classes_.searchsorted(
        clf.predict(X)))
    np.testing.assert_allclose(log_proba, np.log(proba))
    if n_classes == 2:
        from sklearn.metrics import roc_auc_score
        assert roc_auc_score(y, proba[:, 1]) == 1.0


def test_predict_proba_multilabel():
    # ports test_predict_proba_multilabel: independent logistic outputs, not summing to 1
    X, Y = make_multilabel_classification(n_samples=50, random_state=0,
                                          return_indicator=True)
    clf = small(NeuroEvolutionClassifier, hidden_layer_sizes=(5,)).fit(X, Y)
    proba = clf.predict_proba(X)
    assert proba.shape == (50, 5)
    np.testing.assert_array_equal(proba > 0.5, clf.predict(X))
    assert (proba.sum(axis=1) - 1).dot(proba.sum(axis=1) - 1) > 1e-10
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_early_stopping(cls):
    # ports test_early_stopping
    X, y, tol = X_digits_binary[:100], y_digits_binary[:100], 0.2
    est = small(cls, tol=tol, max_generations=300, early_stopping=True, n_iter_no_change=5)
    est.fit(X, y)
    assert est.n_iter_ < 300 and est.stop_reason_ == "validation"
    assert est.best_loss_ is None and isinstance(est.validation_scores_, list)
    assert max(est.validation_scores_) == est.best_validation_score_
    assert est.best_validation_score_ + tol > est.validation_scores_[-1]
    est = small(cls, tol=tol, max_generations=20).fit(X, y)
    assert est.validation_scores_ is None and est.best_validation_score_ is None
    assert est.best_loss_ is not None


def test_warm_start():
    # ports test_warm_start: a warm_start fit needs the same classes
    y_3classes = np.array([0] * 40 + [1] * 40 + [2] * 70)
    clf = small(NeuroEvolutionClassifier, hidden_layer_sizes=(2,), warm_start=True,
                max_generations=5).fit(X_iris, y_iris)
    clf.fit(X_iris, y_iris)
    clf.fit(X_iris, y_3classes)
    for y_i in (np.array([0] * 75 + [1] * 75), np.array([0] * 50 + [1] * 50 + [3] * 50),
                np.array([0] * 37 + [1] * 37 + [2] * 38 + [3] * 38)):
        clf = small(NeuroEvolutionClassifier, hidden_layer_sizes=(2,), warm_start=True,
                    max_generations=5).fit(X_iris, y_iris)
        with pytest.raises(ValueError, match="warm_start can only be used where `y` has "
                                             "the same classes as in the previous call"):
            clf.fit(X_iris, y_i)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_warm_start_full_iteration(cls):
    # ports test_warm_start_full_iteration and test_mlp_warm_start_no_convergence
    est = small(cls, hidden_layer_sizes=(2,), warm_start=True, max_generations=3,
                n_iter_no_change=np.inf)
    with pytest.warns(ConvergenceWarning):
        est.fit(X_iris, y_iris)
    assert est.n_iter_ == 3
    est.set_params(max_generations=5)
    with pytest.warns(ConvergenceWarning):
        est.fit(X_iris, y_iris)
    assert est.n_iter_ == 5


def test_n_iter_no_change_inf():
    # ports test_n_iter_no_change_inf: a huge tol never stops an infinite patience
    clf = small(NeuroEvolutionClassifier, tol=1e9, n_iter_no_change=np.inf,
                max_generations=30)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_digits_binary[:100], y_digits_binary[:100])
    assert clf.n_iter_ == 30 and clf.stop_reason_ == "budget"


def test_early_stopping_stratified():
    # ports test_early_stopping_stratified
    with pytest.raises(ValueError, match="The least populated class in y has only 1 member"
                                         "|least populated classes"):
        NeuroEvolutionClassifier(early_stopping=True).fit([[1, 2], [2, 3], [3, 4], [4, 5]],
                                                          [0, 0, 0, 1])


def test_early_stopping_string_labels():
    # ports test_mlp_early_stopping_string_labels
    labels = np.array(["class_a", "class_b", "class_c"], dtype=object)
    clf = small(NeuroEvolutionClassifier, early_stopping=True, population_size=100)
    clf.fit(X_iris, labels[y_iris])
    assert len(clf.validation_scores_) > 0 and np.isfinite(clf.validation_scores_).all()


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_dtypes_casting(cls):
    # ports test_mlp_classifier_dtypes_casting and test_mlp_regressor_dtypes_casting
    X, y = X_digits_multi, y_digits_multi
    a = small(cls).fit(X[:150], y[:150])
    b = small(cls).fit(X[:150].astype(np.float32), y[:150])
    if cls is NeuroEvolutionClassifier:
        agree = (a.predict(X[150:]) == b.predict(X[150:].astype(np.float32))).mean()
        assert agree > 0.9
    else:
        np.testing.assert_allclose(a.predict(X[150:]), b.predict(X[150:].astype(np.float32)),
                                   rtol=0.05, atol=0.05)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_param_dtypes(dtype, cls):
    # ports test_mlp_param_dtypes
    X, y = X_digits_multi.astype(dtype), y_digits_multi
    est = small(cls, max_generations=5).fit(X[:100], y[:100])
    assert all(W.dtype == dtype for W in est.coefs_ + est.intercepts_)
    if cls is NeuroEvolutionRegressor:
        assert est.predict(X[100:]).dtype == dtype


def test_loading_from_pickle_and_partial_fit(tmp_path):
    # ports test_mlp_loading_from_joblib_partial_fit (scikit-learn issue 19626)
    import joblib

    est = NeuroEvolutionRegressor((8,), random_state=42, max_generations=50)
    est.fit([[2.0], [3.0]], [4.0, 5.0])
    joblib.dump(est, tmp_path / "mlp.pkl")
    loaded = joblib.load(tmp_path / "mlp.pkl")
    for _ in range(200):
        loaded.partial_fit([[2.0]], [1.0])
    np.testing.assert_allclose(loaded.predict([[2.0]]), [1.0], atol=0.1)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_preserve_feature_names(cls):
    # ports test_preserve_feature_names (scikit-learn issue 24846)
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(data=rng.randn(10, 2), columns=["colname_a", "colname_b"])
    y = pd.Series(data=np.arange(10) % 2, name="colname_y")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = small(cls, early_stopping=True, validation_fraction=0.2, max_generations=5)
        est.fit(X, y).score(X, y)
    assert list(est.feature_names_in_) == ["colname_a", "colname_b"]


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_warm_start_with_early_stopping(cls):
    # ports test_mlp_warm_start_with_early_stopping
    est = small(cls, warm_start=True, early_stopping=True, max_generations=10,
                population_size=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X_iris, y_iris)
        n_scores = len(est.validation_scores_)
        est.set_params(max_generations=20).fit(X_iris, y_iris)
    assert len(est.validation_scores_) > n_scores


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_partial_fit_after_early_stopping_fit(cls):
    # ports test_mlp_partial_fit_after_fit (scikit-learn issue 25693)
    est = small(cls, early_stopping=True, max_generations=5).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        est.partial_fit(X_iris, y_iris)


def test_sample_weight_with_early_stopping():
    # ports test_mlp_sample_weight_with_early_stopping: unit weights change nothing
    X, y = make_regression(n_samples=100, n_features=2, n_informative=2, random_state=42)
    params = dict(early_stopping=True, tol=1e-2, max_generations=30)
    a = small(NeuroEvolutionRegressor, **params).fit(X, y, sample_weight=np.ones_like(y))
    b = small(NeuroEvolutionRegressor, **params).fit(X, y)
    np.testing.assert_allclose(a.predict(X), b.predict(X))


def test_minimum_input_sample_size():
    # ports test_minimum_input_sample_size
    X, y = make_regression(n_samples=2, n_features=5, random_state=0)
    with pytest.raises(ValueError, match="The validation set is too small"):
        NeuroEvolutionRegressor(early_stopping=True, random_state=0).fit(X, y)
