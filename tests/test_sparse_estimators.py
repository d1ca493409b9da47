"""The estimators on sparse input: the dense matrix's model to 1e-6, pipelines, parallel."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from test_sparse import one_hot, sparse_rows

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def binary_problem():
    X = sparse_rows(n=120, d=30, seed=1)
    return X, (np.asarray(X[:, :8].sum(axis=1)).ravel() > 0).astype(int)


def multiclass_problem():
    X, codes = one_hot(n=150, categories=(12, 7), seed=2)
    return X, np.array(["a", "b", "c"])[codes[:, 0] % 3]


def regression_problem():
    X = sparse_rows(n=140, d=20, density=0.3, seed=3)
    return X, np.asarray(X[:, :5].sum(axis=1)).ravel() * 2.0 + 1.0


def assert_same_as_dense(make, X, y, **fit_params):
    """The model fitted on sparse ``X`` predicts as the one fitted on the dense matrix."""
    dense = X.toarray()
    on_sparse = make().fit(X, y, **fit_params)
    on_dense = make().fit(dense, y, **fit_params)
    assert on_sparse.n_iter_ == on_dense.n_iter_
    if hasattr(on_sparse, "predict_proba"):
        np.testing.assert_allclose(on_sparse.predict_proba(X), on_dense.predict_proba(dense),
                                   rtol=0, atol=1e-6)
        # the same model predicts the same on the sparse rows and the dense ones
        np.testing.assert_allclose(on_sparse.predict_proba(X), on_sparse.predict_proba(dense),
                                   rtol=0, atol=1e-6)
        np.testing.assert_array_equal(on_sparse.predict(X), on_dense.predict(dense))
    else:
        np.testing.assert_allclose(on_sparse.predict(X), on_dense.predict(dense),
                                   rtol=0, atol=1e-6)
        np.testing.assert_allclose(on_sparse.predict(X), on_sparse.predict(dense),
                                   rtol=0, atol=1e-6)
    return on_sparse


@pytest.mark.parametrize("strategy", ["cmaes", "es", "ga", "neat"])
@pytest.mark.parametrize("problem", [binary_problem, multiclass_problem])
def test_classifier_fitted_on_sparse_x_is_the_dense_matrix_model(strategy, problem):
    X, y = problem()
    model = assert_same_as_dense(lambda: NeuroEvolutionClassifier(
        (4,), strategy=strategy, max_generations=50, population_size=12, random_state=0), X, y)
    majority = np.unique(y, return_counts=True)[1].max() / len(y)
    assert model.score(X, y) > majority + 0.05  # it learned from the sparse rows


@pytest.mark.parametrize("strategy", ["cmaes", "es", "neat"])
def test_regressor_fitted_on_sparse_x_is_the_dense_matrix_model(strategy):
    X, y = regression_problem()
    assert_same_as_dense(lambda: NeuroEvolutionRegressor(
        (4,), strategy=strategy, max_generations=25, population_size=12, random_state=0), X, y)


def test_minibatches_early_stopping_and_sample_weight_on_sparse_x():
    X, y = multiclass_problem()
    weights = np.random.default_rng(4).integers(0, 3, size=X.shape[0]).astype(float)
    assert_same_as_dense(lambda: NeuroEvolutionClassifier(
        (5,), strategy="es", batch_size=32, early_stopping=True, validation_fraction=0.2,
        n_iter_no_change=3, max_generations=40, random_state=1), X, y, sample_weight=weights)
    Xr, yr = regression_problem()
    assert_same_as_dense(lambda: NeuroEvolutionRegressor(
        (3,), batch_size=16, max_generations=30, random_state=2), Xr, yr)


def test_every_sparse_format_fits_and_predicts_alike():
    X, y = binary_problem()
    reference = NeuroEvolutionClassifier((3,), max_generations=15, random_state=0).fit(X, y)
    expected = reference.predict_proba(X)
    for fmt in ("csc", "coo", "lil", "dok"):
        model = NeuroEvolutionClassifier((3,), max_generations=15, random_state=0)
        np.testing.assert_array_equal(model.fit(X.asformat(fmt), y).predict_proba(X), expected)
        np.testing.assert_array_equal(reference.predict_proba(X.asformat(fmt)), expected)
    model = NeuroEvolutionClassifier((3,), max_generations=15, random_state=0)
    np.testing.assert_array_equal(model.fit(sp.csr_array(X), y).predict_proba(X), expected)


def test_partial_fit_on_sparse_batches_is_the_dense_stream_model():
    X, y = multiclass_problem()
    on_sparse = NeuroEvolutionClassifier((4,), random_state=3)
    on_dense = NeuroEvolutionClassifier((4,), random_state=3)
    for start in range(0, 150, 50):
        rows = slice(start, start + 50)
        on_sparse.partial_fit(X[rows], y[rows], classes=np.unique(y))
        on_dense.partial_fit(X[rows].toarray(), y[rows], classes=np.unique(y))
    np.testing.assert_allclose(on_sparse.predict_proba(X), on_dense.predict_proba(X.toarray()),
                               rtol=0, atol=1e-6)


def test_sparse_fit_is_the_same_for_any_n_jobs():
    X = sparse_rows(n=8000, d=40, density=0.25, seed=6)  # several chunks per generation
    y = (np.asarray(X[:, :10].sum(axis=1)).ravel() > 0).astype(int)
    models = [NeuroEvolutionClassifier((16,), strategy="es", population_size=64,
                                       max_generations=4, n_jobs=n_jobs,
                                       random_state=0).fit(X, y) for n_jobs in (1, 2)]
    for a, b in zip(models[0].coefs_ + models[0].intercepts_,
                    models[1].coefs_ + models[1].intercepts_):
        np.testing.assert_array_equal(a, b)


def test_one_hot_encoder_pipeline_takes_sparse_output():
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 6, size=(200, 3))
    y = ((codes[:, 0] < 3) ^ (codes[:, 1] == 2)).astype(int)
    make = lambda sparse: make_pipeline(  # noqa: E731
        OneHotEncoder(sparse_output=sparse),
        NeuroEvolutionClassifier((6,), max_generations=60, random_state=0))
    sparse_pipe, dense_pipe = make(True).fit(codes, y), make(False).fit(codes, y)
    assert sp.issparse(sparse_pipe[0].transform(codes[:2]))
    np.testing.assert_allclose(sparse_pipe.predict_proba(codes), dense_pipe.predict_proba(codes),
                               rtol=0, atol=1e-6)
    assert sparse_pipe.score(codes, y) > 0.9


def test_tfidf_text_pipeline():
    words = ["good", "great", "fine", "bad", "awful", "poor", "movie", "plot", "the", "a"]
    rng = np.random.default_rng(6)
    texts, labels = [], []
    for _ in range(160):
        label = int(rng.integers(0, 2))
        mood = words[:3] if label else words[3:6]
        picked = list(rng.choice(mood, size=2)) + list(rng.choice(words[6:], size=3))
        texts.append(" ".join(rng.permutation(picked)))
        labels.append(["neg", "pos"][label])
    pipe = make_pipeline(TfidfVectorizer(),
                         NeuroEvolutionClassifier((4,), max_generations=60, random_state=0))
    pipe.fit(texts, labels)
    assert pipe.score(texts, labels) > 0.9
    assert pipe.predict(["a great movie", "the plot was awful"]).tolist() == ["pos", "neg"]
