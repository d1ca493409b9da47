"""A classifier's class labels: the ``LabelBinarizer`` its target state restores."""

import warnings

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import type_of_target, unique_labels

__all__ = ["ClassLabelsMixin", "check_known_labels", "check_same_classes", "fitted_label_binarizer",
           "new_label_binarizer"]


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


def check_known_labels(y, classes, same=False):
    """Raise ``ValueError`` when ``y`` holds labels outside ``classes`` (as ``MLPClassifier``).

    With ``same`` (a ``warm_start`` fit), ``y``'s labels must be ``classes`` exactly.

    Examples
    --------
    >>> check_known_labels(np.array([0, 2]), np.array([0, 1, 2]))
    >>> check_known_labels(np.array([0, 3]), np.array([0, 1, 2]))
    Traceback (most recent call last):
    ...
    ValueError: `y` has classes not in `self.classes_`. `self.classes_` has [0 1 2]. 'y' has [0 3].
    """
    labels = unique_labels(y)
    if same and set(labels) != set(classes):
        raise ValueError(f"warm_start can only be used where `y` has the same classes as in "
                         f"the previous call to fit. Previously got {classes}, `y` has "
                         f"{labels}.")
    if len(np.setdiff1d(labels, classes)):
        raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                         f"{classes}. 'y' has {labels}.")


def new_label_binarizer(y, classes, estimator_name):
    """The ``LabelBinarizer`` of a first fit: of ``classes`` if given, else of ``y``.

    A multilabel indicator ``y`` defines the labels itself (``classes_ =
    arange(n_labels)``); ``classes``, if given, must be those labels (in any
    order): ``MLPClassifier.partial_fit`` refuses ``classes`` that lack one
    of them, as here, and takes more (``classes_`` then names more labels
    than its outputs have), which this refuses too. Fewer than 2 classes
    raise ``ValueError``.

    Examples
    --------
    >>> new_label_binarizer(np.array([1, 1]), [1, 2, 3], "Clf").classes_
    array([1, 2, 3])
    >>> Y = np.array([[0, 1], [1, 0]])
    >>> new_label_binarizer(Y, [1, 0], "Clf").classes_
    array([0, 1])
    >>> new_label_binarizer(Y, [5, 6], "Clf")
    Traceback (most recent call last):
    ...
    ValueError: `y` has classes not in `self.classes_`. `self.classes_` has [5 6]. 'y' has [0 1].
    """
    multilabel = type_of_target(y).startswith("multilabel")
    if multilabel and classes is not None:
        _check_multilabel_classes(classes, y.shape[1])
    binarizer = LabelBinarizer().fit(classes if classes is not None and not multilabel else y)
    if len(binarizer.classes_) < 2:
        raise ValueError(f"{estimator_name} needs samples of at least 2 classes in the data, "
                         f"but the data contains only 1 class: {binarizer.classes_[0]!r}.")
    return binarizer


def _check_multilabel_classes(classes, n_labels):
    """Raise ``ValueError`` unless ``classes`` are a multilabel ``y``'s ``arange(n_labels)``."""
    labels, given = np.arange(n_labels), unique_labels(classes)
    if len(np.setdiff1d(labels, given)):
        raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                         f"{given}. 'y' has {labels}.")
    if len(given) != n_labels:
        raise ValueError(f"classes={list(classes)!r} names {len(given)} labels, but the "
                         f"multilabel indicator `y` has {n_labels} columns, labels "
                         f"{labels.tolist()}: pass classes={labels.tolist()} or leave "
                         f"classes out.")


def check_same_classes(classes, fitted_classes):
    """Raise ``ValueError`` when a later ``partial_fit`` passes other ``classes``.

    Examples
    --------
    >>> check_same_classes([1, 0], np.array([0, 1]))
    >>> check_same_classes([0, 1, 2], np.array([0, 1]))
    Traceback (most recent call last):
    ...
    ValueError: `classes=[0, 1, 2]` is not the same as on the last call to partial_fit, was:
    array([0, 1]).
    """
    if not np.array_equal(fitted_classes, unique_labels(classes)):
        raise ValueError(f"`classes={classes!r}` is not the same as on the last call to "
                         f"partial_fit, was: {fitted_classes!r}.")


class ClassLabelsMixin:
    """A classifier's targets: class labels encoded for the loss, and back (``classes_``)."""

    def _encode_targets(self, y, first, classes, sample_weight):
        if first:
            self._label_binarizer = new_label_binarizer(y, classes, type(self).__name__)
            self.classes_ = self._label_binarizer.classes_
        if not first or classes is not None:
            # (partial_fit always passes classes; a warm_start fit does not)
            check_known_labels(y, self.classes_, same=classes is None and self.warm_start)
        encoded = self._label_binarizer.transform(y)
        if self._label_binarizer.y_type_ == "multiclass":
            return encoded.argmax(axis=1), encoded.shape[1], "softmax"
        return encoded.astype(np.float64), encoded.shape[1], "logistic"

    def get_target_state(self):
        """The class labels and their type, as checkpoints and model files store them.

        Returns
        -------
        dict
            ``classes`` (``classes_``) and ``label_type`` (as ``type_of_target``).

        Examples
        --------
        >>> from evonet import NeuroEvolutionClassifier
        >>> clf = NeuroEvolutionClassifier()
        >>> clf.set_target_state({"classes": np.array(["no", "yes"]), "label_type": "binary"})
        >>> clf.get_target_state()["classes"]
        array(['no', 'yes'], dtype='<U3')
        """
        return {"classes": self.classes_, "label_type": self._label_binarizer.y_type_}

    def set_target_state(self, state):
        """Restore the class labels :meth:`get_target_state` returned.

        ``state`` holds ``classes`` and ``label_type``; ``ValueError`` if the
        classes do not make targets of that type.

        Examples
        --------
        >>> from evonet import NeuroEvolutionClassifier
        >>> clf = NeuroEvolutionClassifier()
        >>> clf.set_target_state({"classes": np.arange(3), "label_type": "multiclass"})
        >>> clf.classes_
        array([0, 1, 2])
        """
        self._label_binarizer = fitted_label_binarizer(np.asarray(state["classes"]),
                                                       state["label_type"])
        self.classes_ = self._label_binarizer.classes_

    def _split_stratify(self, y):
        return y if self._label_binarizer.y_type_ != "multilabel-indicator" else None

    def _decode(self, output):
        if output.shape[1] == 1:
            output = output.ravel()
        return self._label_binarizer.inverse_transform(output)
