"""The built-in data sets table: each loads with its task, and bad names are refused."""

import numpy as np
import pytest

from evonet.datasets import DATASETS, load_dataset, repeated_cv


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_data_set_loads_with_its_task(name):
    X, y, task, names = load_dataset(name)
    assert task == DATASETS[name] and X.shape == (len(y), len(names))
    assert np.isfinite(X).all()
    if task == "classification":
        assert np.issubdtype(y.dtype, np.integer)


def test_an_unknown_name_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown dataset 'mnist'; choose one of iris, wine"):
        load_dataset("mnist")


def test_repeated_cv_stratifies_classification_and_refuses_other_tasks():
    X, y, task, _ = load_dataset("iris")
    folds = list(repeated_cv(task, n_repeats=2, random_state=0).split(X, y))
    assert len(folds) == 10
    assert all(np.bincount(y[test]).tolist() == [10, 10, 10] for _, test in folds)
    with pytest.raises(ValueError, match="task='clustering' is not a task"):
        repeated_cv("clustering", 1, 0)
