"""The validation split of a fit: which fits hold rows out, and how they split them.

Early stopping (``early_stopping=True``) and population-based training
(``strategy="pbt"``, which judges its members on held-out rows whatever
``early_stopping`` says) hold out ``validation_fraction`` of the training
rows, as scikit-learn's MLPs do for early stopping: :func:`holds_out` says
which fits do, :func:`split_validation` splits (stratified where
:func:`stratified` says so) and refuses a split that leaves no row to learn on
or too few to validate on.
"""

import math

import numpy as np

__all__ = ["check_rows_to_split", "holds_out", "split_validation", "stratified"]


def split_validation(data, validation_fraction, split_seed, stratify, pbt=False):
    """Hold out ``validation_fraction`` of the rows of ``data`` (a ``FitData``).

    At least 2 rows for early stopping (as ``MLPClassifier``), 1 for PBT;
    stratified on the labels ``stratify`` (``None``: unstratified) where
    :func:`stratified` allows it.
    """
    check_rows_to_split(data.X.shape[0], validation_fraction, pbt)
    data.split(validation_fraction, split_seed, stratified(stratify, validation_fraction, pbt))
    if data.X_val.shape[0] < (least := 2 - pbt):
        raise ValueError(
            f"The validation set is too small. Increase 'validation_fraction' "
            f"(validation_fraction={validation_fraction!r} holds out "
            f"{data.X_val.shape[0]} of {data.X.shape[0] + data.X_val.shape[0]} rows; "
            f"the fit needs at least {least}) or the size of your dataset.")


def holds_out(est, n_rows, pbt, incremental):
    """Whether a fit on ``n_rows`` rows holds out validation rows.

    What PBT does with them: :func:`~evonet.estimators._pbt.fit_parts`.

    A ``fit`` does for ``early_stopping`` and for PBT. A ``partial_fit``
    call does for PBT only, when ``validation_fraction`` of its rows
    (rounded up, as scikit-learn's ``train_test_split``) leaves a row to
    learn from: a call of one row cannot, and its members are judged on that
    row before they learn from it (:func:`~evonet.estimators._pbt.fit_learner`).

    Examples
    --------
    >>> from evonet import NeuroEvolutionClassifier
    >>> clf = NeuroEvolutionClassifier()
    >>> holds_out(clf, 50, True, True), holds_out(clf, 1, True, True)
    (True, False)
    >>> holds_out(clf, 50, False, True), holds_out(clf, 50, False, False)
    (False, False)
    """
    if not incremental:
        return pbt or est.early_stopping
    n_val = math.ceil(est.validation_fraction * n_rows)
    return pbt and 1 <= n_val < n_rows


def stratified(stratify, validation_fraction, pbt=True):
    """The labels to stratify the validation split on.

    ``None`` (an unstratified split) where some class has too few rows to be
    stratified: for PBT, which always holds out rows, and for the early
    stopping of more than two classes (``MLPClassifier`` stratifies binary
    targets only, and raises there; its split of more classes is never
    stratified, and fits where one class has a single row). A binary target
    of early stopping (``pbt`` false) is stratified as it is, as
    ``MLPClassifier`` does.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0] * 10 + [1] * 10)
    >>> stratified(y, 0.2) is y, stratified(y[:11], 0.2), stratified(y[:11], 0.2, pbt=False) is None
    (True, None, False)
    >>> print(stratified(np.array([0] * 10 + [1] * 10 + [2]), 0.2, pbt=False))
    None
    """
    if stratify is None:
        return stratify
    _, counts = np.unique(stratify, return_counts=True)
    if not pbt and len(counts) <= 2:
        return stratify
    n_val = int(np.ceil(validation_fraction * len(stratify)))
    if counts.min() < 2 or n_val < len(counts) or len(stratify) - n_val < len(counts):
        return None
    return stratify


def check_rows_to_split(n_rows, validation_fraction, pbt):
    """Raise ``ValueError`` when holding out ``validation_fraction`` leaves no row to learn on.

    Examples
    --------
    >>> check_rows_to_split(2, 0.1, True)
    >>> check_rows_to_split(1, 0.1, True)
    Traceback (most recent call last):
    ...
    ValueError: strategy='pbt' holds out validation_fraction=0.1 of the rows to judge its \
members, which leaves no row to train on (n_samples=1): fit on more rows, or choose another \
strategy.
    """
    if n_rows - math.ceil(validation_fraction * n_rows) >= 1:
        return
    what, judge = ("strategy='pbt'", " to judge its members") if pbt \
        else ("early_stopping=True", "")
    raise ValueError(f"{what} holds out validation_fraction={validation_fraction!r} of the rows"
                     f"{judge}, which leaves no row to train on (n_samples={n_rows}): fit on "
                     f"more rows, or "
                     f"{'choose another strategy' if pbt else 'set early_stopping=False'}.")
