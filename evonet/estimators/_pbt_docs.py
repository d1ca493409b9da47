"""The numpydoc entries of ``strategy="pbt"`` that the estimators' docstrings gain."""

import re

from evonet.estimators._learning import document_learning

__all__ = ["PBT_ATTRIBUTES", "PBT_STRATEGY", "document_learning_and_pbt", "document_pbt"]

PBT_STRATEGY = """\
        ``"pbt"`` is population-based training (Jaderberg et al. 2017,
        :class:`~evonet.strategies.PBT`): ``population_size`` networks (8
        by default) of ``hidden_layer_sizes`` train in lock step by Adam
        back-propagation on minibatches of ``learning_batch_size`` rows, each
        with its own learning rate and L2 ``alpha`` (log-uniform in
        ``[3e-4, 1e-2]`` and ``[1e-2, 1]`` at first with the defaults of
        ``learning_rate_init`` and ``alpha``, which scale these ranges:
        twice the default, twice the range; ``alpha``'s range is
        ``[1e-5, 1e-2]`` for a run that ``partial_fit`` starts, whose L2
        term is divided by a call's rows instead of the training set's);
        after every
        *round* (one generation) of two epochs' steps, ``ceil(2 * n /
        learning_batch_size)`` for ``n`` training rows, from 5 to 50 (a
        ``steps`` in ``strategy_params`` sets it), the worst quarter by
        validation loss copies
        the weights, Adam state and settings of a member of the best quarter
        and perturbs the settings (x0.8 or x1.2, or draws them anew with
        probability 0.25); ``strategy_params`` sets these (``steps``,
        ``learning_rate``, ``alpha``, ...). It always holds out
        ``validation_fraction`` of the rows (stratified where every class
        allows it), judges the members on them by the loss (without the L2
        term) and keeps the member with the best validation loss of any
        round; ``loss_curve_`` and ``best_loss_`` are that validation loss
        and the run stops when it has not improved by ``tol`` for
        ``n_iter_no_change`` epochs (counted in whole rounds, at most
        ``n_iter_no_change`` rounds; ``MLPClassifier`` counts epochs too).
        With ``early_stopping``, as ``MLPClassifier``, the fit records
        ``validation_scores_`` (the accuracy, or R^2, on the held-out rows of
        the best member after each round), stops when that score has not
        improved for as long, keeps the network with the best one and sets
        ``best_loss_`` to None. Each ``partial_fit`` call is
        one round of one epoch of its rows, ``ceil(n / learning_batch_size)``
        steps, as ``MLPClassifier.partial_fit`` makes one pass (its held-out
        rows are ``validation_fraction`` of the call's; a call of one row
        judges the members on it before they learn from it), and keeps the
        call's best member.
        ``learning`` does not combine with it. ``"auto"`` chooses it from
        800 training rows and for ``partial_fit`` (see above); below, in repeated 5-fold
        cross-validation with the defaults, it was less accurate than the
        ES on wine and breast_cancer, whose validation splits hold 15 and
        46 rows.
"""
"""The numpydoc entry of ``strategy="pbt"``, added to the ``strategy`` parameter."""

PBT_ATTRIBUTES = """\
    pbt_history_ : dict of ndarray
        ``strategy="pbt"`` only: each member's hyperparameter history, arrays
        of shape ``(rounds, population_size)`` (member ``i``'s round ``r`` at
        ``[r, i]``, all rounds of the run, those of earlier ``warm_start``
        fits included): ``learning_rate`` and ``alpha`` it trained with,
        ``loss`` its validation loss after the round, ``parent`` the member
        it copied after the round (``i`` if it kept its own).
"""


def document_pbt(cls):
    """Class decorator: ``"pbt"`` added to the ``strategy`` entry and ``pbt_history_``.

    The entry's list of choices gains ``"pbt"``, :data:`PBT_STRATEGY` ends
    the entry (before ``population_size``) and :data:`PBT_ATTRIBUTES` goes
    before ``n_features_in_``; a docstring without these anchors raises, so
    that a reworded docstring cannot drop PBT's documentation silently.
    """
    doc = cls.__doc__ or ""
    doc, choices = re.subn(r"(\n    strategy : \{[^}]*)\}", r'\1, "pbt"}', doc, count=1)
    entry_end = "\n    population_size : "
    attributes = "\n    n_features_in_ : int\n"
    if choices != 1 or entry_end not in doc or attributes not in doc:
        raise RuntimeError(f"{cls.__name__}'s docstring lacks the anchors of PBT's entries.")
    doc = doc.replace(entry_end, "\n" + PBT_STRATEGY.rstrip("\n") + entry_end, 1)
    cls.__doc__ = doc.replace(attributes, "\n" + PBT_ATTRIBUTES + attributes[1:], 1)
    return cls


def document_learning_and_pbt(cls):
    """Class decorator: the learning parameters (:func:`document_learning`) and PBT's entries."""
    return document_pbt(document_learning(cls))
