"""The built-in benchmark data sets and the repeated cross-validation they are scored by.

One table for the command line (``evonet fit --dataset NAME``), the experiments and the
benchmarks: scikit-learn's bundled data sets and ``make_friedman1`` (1,000 rows, noise
1.0, ``random_state=0``), each with its task. scikit-learn is imported when a data set
is loaded, not when this module is.
"""

__all__ = ["DATASETS", "load_dataset", "repeated_cv"]

DATASETS = {
    "iris": "classification",
    "wine": "classification",
    "breast_cancer": "classification",
    "digits": "classification",
    "diabetes": "regression",
    "friedman1": "regression",
}
"""Built-in data sets and their task: scikit-learn's bundled ones and ``make_friedman1``."""


def load_dataset(name):
    """Load a built-in data set: ``(X, y, task, feature_names)``.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`: ``"iris"``, ``"wine"``, ``"breast_cancer"``,
        ``"digits"`` and ``"diabetes"`` are scikit-learn's bundled data sets (its
        ``load_NAME()``); ``"friedman1"`` is ``make_friedman1(n_samples=1000, noise=1.0,
        random_state=0)``, whose features are named ``x0`` to ``x9``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    task : {"classification", "regression"}
    feature_names : list of str

    Raises
    ------
    ValueError
        If ``name`` is not a key of :data:`DATASETS`.

    Examples
    --------
    >>> X, y, task, names = load_dataset("iris")
    >>> X.shape, task
    ((150, 4), 'classification')
    >>> X, y, task, names = load_dataset("friedman1")
    >>> X.shape, task, names[:3]
    ((1000, 10), 'regression', ['x0', 'x1', 'x2'])
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    from sklearn import datasets  # lazy: DATASETS alone (the CLI's help) needs no sklearn

    if name == "friedman1":
        X, y = datasets.make_friedman1(n_samples=1000, noise=1.0, random_state=0)
        return X, y, DATASETS[name], [f"x{i}" for i in range(X.shape[1])]
    bunch = getattr(datasets, f"load_{name}")()
    return bunch.data, bunch.target, DATASETS[name], list(bunch.feature_names)


def repeated_cv(task, n_repeats, random_state, n_splits=5):
    """The repeated k-fold splitter of a task: stratified for classification.

    Parameters
    ----------
    task : {"classification", "regression"}
        ``RepeatedStratifiedKFold`` for classification, ``RepeatedKFold`` for regression.
    n_repeats : int
        Repetitions of the k-fold split.
    random_state : int, numpy.random.RandomState or None
        Seed of the splits, passed to scikit-learn's splitter.
    n_splits : int, default=5
        Folds per repetition.

    Returns
    -------
    cv : RepeatedStratifiedKFold or RepeatedKFold

    Raises
    ------
    ValueError
        If ``task`` is neither ``"classification"`` nor ``"regression"``.

    Examples
    --------
    >>> cv = repeated_cv("classification", n_repeats=2, random_state=0)
    >>> type(cv).__name__, cv.get_n_splits()
    ('RepeatedStratifiedKFold', 10)
    >>> type(repeated_cv("regression", 1, 0, n_splits=3)).__name__
    'RepeatedKFold'
    """
    from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold

    splitters = {"classification": RepeatedStratifiedKFold, "regression": RepeatedKFold}
    if task not in splitters:
        raise ValueError(f"task={task!r} is not a task; use 'classification' or 'regression'")
    return splitters[task](n_splits=n_splits, n_repeats=n_repeats, random_state=random_state)
