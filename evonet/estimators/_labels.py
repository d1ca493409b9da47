"""A classifier's class labels: the ``LabelBinarizer`` its target state restores."""

import warnings

import numpy as np
from sklearn.preprocessing import LabelBinarizer

__all__ = ["fitted_label_binarizer"]


def fitted_label_binarizer(classes, label_type):
    """A fitted ``LabelBinarizer`` for ``classes`` of ``label_type`` (as ``fit`` makes it).

    Examples
    --------
    >>> fitted_label_binarizer(np.array(["a", "b"]), "binary").transform(["b", "a"]).ravel()
    array([1, 0])
    >>> fitted_label_binarizer(np.array([1, 2, 3]), "binary")
    Traceback (most recent call last):
    ...
    ValueError: classes [1, 2, 3] do not make binary targets
    """
    binarizer = LabelBinarizer()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)   # sklearn casting odd labels
        if label_type == "multilabel-indicator":
            binarizer.fit(np.eye(len(classes), dtype=np.int64))
        else:
            binarizer.fit(classes)
    if binarizer.y_type_ != label_type or not np.array_equal(binarizer.classes_, classes):
        raise ValueError(f"classes {classes.tolist()!r} do not make {label_type} targets")
    binarizer.classes_ = classes
    return binarizer
