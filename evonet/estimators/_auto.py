"""What ``strategy="auto"`` and ``batch_size="auto"`` choose."""

import numbers
import warnings

from evonet.sampling import rows_per_generation

__all__ = ["AUTO_BATCH", "MINIBATCH_STEP_CUTS", "PBT_DATA", "SCORED_DATA", "SMALL_DATA",
           "SMALL_GENOME",
           "auto_picks_pbt", "choose_batch_size", "choose_strategy", "warn_batches_clipped"]

SMALL_GENOME = 150
"""``strategy="auto"`` uses full CMA-ES up to this many parameters (on full-data fitness)."""

PBT_DATA = 800
"""``strategy="auto"`` uses population-based training from this many training rows.

Measured with the defaults, repeated 5-fold CV (3 x 5) of
``experiments/sklearn_benchmark.py`` and ``benchmarks/pbt_vs_mlp.py``: PBT
was as accurate as the ES on digits (1,437 training rows; 0.9733 against
0.9744, within one standard error) in a seventh of its time, and more accurate on
make_friedman1 (800 rows; R^2 0.9344 against 0.9232, 0.63 s a fold against
2.8 s); on 80/20 splits of make_classification (20,000 x 20, 3 classes) and
make_friedman1 (10,000 rows) it reached 0.9565 and 0.9548 in 5.3 and 4.1 s,
where the minibatch ES reached 0.9280 and 0.9395 in 17.2 and 8.0 s
(``benchmarks/large_data.py``). Below
800 rows the ES was as accurate or more (breast_cancer's 455 training rows:
0.9766 against 0.9725; wine, iris, diabetes), and PBT's validation split,
from which it judges its members, holds fewer than 80 rows."""

SMALL_DATA = 2000
"""``batch_size="auto"`` scores every generation on all rows up to this many rows."""

SCORED_DATA = 10_000
"""``batch_size="auto"`` scores every generation on all rows up to this many rows with ``scoring``.

A metric of the whole set (balanced accuracy, F1, a cost, AUC) is far
noisier on a minibatch than a mean loss: 256 rows of a class of 5 % hold
about 13 of its rows. On ``experiments/objectives.py``'s imbalanced task
(5,000 rows, classes 0.95 / 0.05; 3,200 training rows after the validation
split), the ten folds of its second and third CV repetitions gave balanced
accuracy 0.8144 with 256-row minibatches (1.6 s a fit) and 0.8325 on all
rows (7.1 s); F1 0.7110 and 0.7135."""

AUTO_BATCH = 256
"""Rows per generation chosen by ``batch_size="auto"`` for larger data."""

MINIBATCH_STEP_CUTS = 3
"""``adaptive_steps`` of the estimators' ES when fitness uses minibatches.

Each stall of the training loss divides the ES's Adam step by 3 instead of
ending the fit, up to 3 times. A constant step on noisy minibatch fitness
leaves the weights wandering at a loss floor: on make_classification
(20,000 x 20, 3 classes) and make_friedman1 (10,000 rows), 80/20 splits
(``benchmarks/large_data.py``), the cuts lifted held-out accuracy from
0.9100 to 0.9280 and R^2 from 0.9230 to 0.9395, in 2.0 to 2.5 times the fit
time."""


def choose_strategy(n_params, n_samples, batch_size="auto", scored=False):
    """The strategy ``strategy="auto"`` picks for a genome and data size, short of PBT.

    A ``fit`` of at least :data:`PBT_DATA` rows on the loss is trained by
    population-based training before this rule applies
    (:func:`auto_picks_pbt`); for the others:
    Full CMA-ES (``"cmaes"``) when the genome has at most
    :data:`SMALL_GENOME` weights and fitness is computed on all
    ``n_samples`` training rows; the OpenAI-style evolution strategy
    (``"es"``) otherwise. Beyond :data:`SMALL_GENOME` weights the covariance
    model of full CMA-ES costs too much (quadratic in the genome size, per
    generation); with minibatches (``batch_size``, resolved by
    :func:`choose_batch_size`, gives fewer rows than ``n_samples``) fitness is
    noisy, which CMA-ES's covariance estimate handles badly while the ES
    averages it out through its Adam step. So the data size matters through
    the batch size: under ``batch_size="auto"`` data of more than
    :data:`SMALL_DATA` rows gets the ES whatever the genome.

    Parameters
    ----------
    n_params : int
        Weights and biases of the network.
    n_samples : int
        Training rows (after any validation split).
    batch_size : "auto", int or None, default="auto"
        The estimator's ``batch_size``.
    scored : bool, default=False
        Whether the fit is on a ``scoring`` (see :func:`choose_batch_size`).

    Examples
    --------
    >>> choose_strategy(59, 150), choose_strategy(7510, 1797)
    ('cmaes', 'es')
    >>> choose_strategy(59, 5000), choose_strategy(59, 5000, batch_size=None)
    ('es', 'cmaes')
    >>> choose_strategy(59, 150, batch_size=32)
    'es'
    """
    if choose_batch_size(batch_size, n_samples, scored) is not None:
        return "es"
    return "cmaes" if n_params <= SMALL_GENOME else "es"


def auto_picks_pbt(est, n_samples, incremental=False):
    """Whether ``strategy="auto"`` trains ``est`` on ``n_samples`` rows by PBT.

    For a ``fit`` of at least :data:`PBT_DATA` rows, and for ``partial_fit``
    whatever its batches (``incremental``), whose objective is the loss,
    which PBT's back-propagation needs: no ``scoring`` and no ``learning``;
    and with ``batch_size="auto"`` and no ``strategy_params``, which are
    settings of the evolution strategies' search (with ``early_stopping`` a
    PBT fit records ``validation_scores_`` and stops on them, as the ES's).

    A ``partial_fit`` call is then one PBT round of one epoch of its rows,
    as ``MLPClassifier.partial_fit`` makes one pass. On streams of batches
    PBT was as accurate as scikit-learn's MLP or more where the ES fell
    behind (held-out figures, seeds 0, 1 and 2 or 0 and 1):

    * ``benchmarks/stream_r2.py``, 600 calls of 50 rows of make_friedman1
      sorted by target: R^2 0.687, 0.658, 0.660 (the ES 0.517, 0.477, 0.525;
      MLPRegressor 0.664, 0.620, 0.667); in their drawn order 0.723, 0.717,
      0.700 (the ES 0.714, 0.691, 0.705; MLPRegressor 0.795, 0.762, 0.755
      with its ``relu``, 0.721, 0.717, 0.712 with evonet's ``tanh``);
    * ``benchmarks/stream_accuracy.py``, digits in 10 batches, 30 passes:
      0.980 and 0.973 in drawn order, 0.978 and 0.973 sorted by label (the
      ES 0.960, 0.962, 0.900, 0.893; MLPClassifier 0.973, 0.971, 0.931,
      0.942); breast_cancer and wine level with the ES.

    Examples
    --------
    >>> from evonet import NeuroEvolutionClassifier
    >>> clf = NeuroEvolutionClassifier()
    >>> auto_picks_pbt(clf, 1437), auto_picks_pbt(clf, 455)
    (True, False)
    >>> auto_picks_pbt(NeuroEvolutionClassifier(scoring="f1"), 1437)
    False
    >>> auto_picks_pbt(NeuroEvolutionClassifier(early_stopping=True), 1437)
    True
    >>> auto_picks_pbt(NeuroEvolutionClassifier(), 50, incremental=True)
    True
    """
    return (est.strategy == "auto" and (incremental or n_samples >= PBT_DATA)
            and est.scoring is None and est.learning is None
            and isinstance(est.batch_size, str) and est.batch_size == "auto"
            and not est.strategy_params)


def warn_batches_clipped(est, n_samples, pbt=False):
    """Warn, as ``MLPClassifier`` does, when a batch size is larger than the rows of the fit.

    ``batch_size`` (rows per generation's fitness) and ``learning_batch_size``
    (rows per learning step, ``MLPClassifier``'s ``batch_size``; with
    ``learning`` or PBT only, the fits that learn) of more rows than the
    ``n_samples`` training rows (after any validation split) take every row
    instead.

    Examples
    --------
    >>> import warnings
    >>> from evonet import NeuroEvolutionClassifier
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_batches_clipped(NeuroEvolutionClassifier(batch_size=1000), 30)
    >>> print(caught[0].message)
    Got batch_size=1000, larger than the 30 rows of this fit: it is clipped to 30 (every row).
    """
    learns = pbt or getattr(est, "learning", None) is not None
    for name in ("batch_size", "learning_batch_size") if learns else ("batch_size",):
        value = getattr(est, name, None)
        if isinstance(value, numbers.Integral) and value > n_samples:
            warnings.warn(f"Got {name}={value}, larger than the {n_samples} rows of this fit: "
                          f"it is clipped to {n_samples} (every row).", UserWarning, stacklevel=4)


def choose_batch_size(batch_size, n_samples, scored=False):
    """Rows per generation: ``None`` (all rows) for small data under ``"auto"``.

    Small data is up to :data:`SMALL_DATA` rows, or :data:`SCORED_DATA` for a
    fit on a ``scoring`` (``scored``).

    Examples
    --------
    >>> choose_batch_size("auto", 500), choose_batch_size("auto", 10**6), choose_batch_size(64, 500)
    (None, 256, 64)
    >>> choose_batch_size("auto", 4000), choose_batch_size("auto", 4000, scored=True)
    (256, None)
    """
    if batch_size == "auto":
        return None if n_samples <= (SCORED_DATA if scored else SMALL_DATA) else AUTO_BATCH
    return rows_per_generation(batch_size, n_samples)
