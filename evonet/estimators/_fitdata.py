"""The data of one ``fit``: validated inputs, encoded targets, weights and the validation split."""

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

__all__ = ["FitData", "is_float32", "unless_all_equal"]


def unless_all_equal(sample_weight):
    """``None`` for equal weights (the plain mean, computed the same way), else the weights."""
    if sample_weight is None or np.all(sample_weight == sample_weight[0]):
        return None
    return sample_weight


@dataclass
class FitData:
    """The data of one ``fit``: inputs, labels, encoded targets, weights, validation part."""

    X: np.ndarray
    y: np.ndarray
    targets: np.ndarray
    sample_weight: np.ndarray
    n_outputs: int
    output_activation: str
    X_val: np.ndarray = None
    y_val: np.ndarray = None
    val_weight: np.ndarray = None
    split_seed: int = None
    targets_val: np.ndarray = None

    def __post_init__(self):
        if self.sample_weight is not None and not self.sample_weight.all():
            # a row of zero weight adds nothing to the loss: leaving it out before the
            # validation split, the minibatches and the "auto" choices makes the fit
            # exactly that of the data without it (classes_ still counts its label)
            kept = self.sample_weight > 0
            self.X, self.targets, self.y = self.X[kept], self.targets[kept], self.y[kept]
            self.sample_weight = self.sample_weight[kept]

    @property
    def total_weight(self):
        """What the fitness's L2 term divides by: the training rows, or their weights' sum."""
        return float(self.X.shape[0] if self.sample_weight is None else self.sample_weight.sum())

    def split(self, validation_fraction, split_seed, stratify):
        """Hold out ``validation_fraction`` of the rows for early stopping."""
        weights = () if self.sample_weight is None else (self.sample_weight,)
        parts = train_test_split(self.X, self.targets, self.y, *weights,
                                 test_size=validation_fraction, random_state=split_seed,
                                 stratify=stratify)
        self.X, self.X_val, self.targets, self.targets_val, self.y, self.y_val = parts[:6]
        if self.sample_weight is not None:
            # the training part's weights weight the loss, the validation part's the
            # validation score (as in sklearn's MLP)
            self.sample_weight, self.val_weight = parts[6], unless_all_equal(parts[7])
        self.split_seed = split_seed


def is_float32(X):
    """Whether ``X`` (an array, sparse matrix or DataFrame) holds float32 values only.

    As ``MLPClassifier``, a model fitted on float32 data keeps float32
    weights, and float32 inputs give float32 outputs.

    Examples
    --------
    >>> is_float32(np.zeros(2, np.float32)), is_float32([[1.0]]), is_float32(np.zeros(2))
    (True, False, False)
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and not hasattr(X, "dtype"):  # a DataFrame
        return len(dtypes) > 0 and all(dtype == np.float32 for dtype in dtypes)
    return getattr(X, "dtype", None) == np.float32
