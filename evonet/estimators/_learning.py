"""The estimators' lifetime learning: its parameters, their checks and the learner of a fit.

``learning``, ``learning_steps``, ``learning_rate_init`` and
``learning_batch_size`` are documented once, here (:data:`LEARNING_PARAMETERS`),
and added to the classifier's parameter list by :func:`document_learning`.
"""

import inspect

from evonet.checks import check_int
from evonet.learning import LEARNING_MODES, LifetimeLearner, check_learning_rate_init
from evonet.strategies import STRATEGIES

__all__ = ["LEARNING_PARAMETERS", "check_learning_objective", "check_learning_params",
           "LEARNING_PARAM_NAMES", "check_learning_strategy", "document_learning", "make_learner",
           "param_default",
           "unused_learning_params"]

LEARNING_PARAM_NAMES = ("learning", "learning_steps", "learning_rate_init",
                        "learning_batch_size")

LEARNING_PARAMETERS = """\
    learning : {None, "baldwinian", "lamarckian"}, default=None
        Lifetime learning: before its fitness is taken, every network of a
        generation trains for ``learning_steps`` Adam steps of
        back-propagation on minibatches of the training data
        (:class:`~evonet.learning.LifetimeLearner`). ``"baldwinian"``
        (Hinton & Nowlan 1987) scores what each network learned but evolves
        the weights it was born with, so evolution favours networks that
        learn well; the fitted model is the learned one. Every strategy takes
        it but ``"pbt"``, which learns already. ``"lamarckian"`` writes the
        learned weights back into the genome: ``"ga"``, ``"ipop-cmaes"`` and
        ``"neat"`` (its connection weights and biases; NEAT finds the
        topology, gradient descent the weights), ``"nsga2"`` (its masks
        choose the connections, gradient descent their weights; a
        switched-off connection stays at zero, so learning never changes a
        network's size), and ``"cmaes"`` by injecting the learned networks
        as external solutions (Hansen 2011, their steps clamped); ``"es"``
        refuses it (with ``strategy="auto"``, checked against the strategy
        it chose).
        ``None``: evolution alone.
    learning_steps : int, default=10
        Adam steps per network and generation.
    learning_rate_init : float, default=1e-3
        Adam's step size (``MLPClassifier``'s name). Population-based
        training draws each member's own, from a range this scales
        (``[3e-4, 1e-2]`` at the default; see ``strategy``).
    learning_batch_size : int, default=None
        Rows per learning step; ``None``: ``min(200, n_samples)``, as
        ``MLPClassifier``'s ``batch_size`` (``batch_size`` stays the rows
        each generation's fitness is computed on).
"""
"""The numpydoc entries of the learning parameters."""


def document_learning(cls):
    """Class decorator: the learning parameters added to the end of ``cls``'s Parameters."""
    doc = cls.__doc__ or ""
    marker = "\n\n    Attributes\n    ----------\n"
    if marker in doc:
        cls.__doc__ = doc.replace(marker, "\n" + LEARNING_PARAMETERS + marker[1:], 1)
    return cls


def check_learning_params(est):
    """Raise ``ValueError`` naming the first invalid learning parameter of ``est``.

    Examples
    --------
    >>> from evonet import NeuroEvolutionClassifier
    >>> check_learning_params(NeuroEvolutionClassifier(learning="darwinian"))
    Traceback (most recent call last):
    ...
    ValueError: learning='darwinian' is not supported; choose None, 'baldwinian' or 'lamarckian'.
    """
    if not (est.learning is None or (isinstance(est.learning, str)
                                     and est.learning in LEARNING_MODES)):
        raise ValueError(f"learning={est.learning!r} is not supported; choose None, "
                         f"'baldwinian' or 'lamarckian'.")
    check_int(est.learning_steps, "learning_steps")
    check_learning_rate_init(est.learning_rate_init)
    check_int(est.learning_batch_size, "learning_batch_size", allow_none=True)


def check_learning_strategy(learning, strategy_name, chosen_by_auto=False):
    """Raise ``ValueError`` if strategy ``strategy_name`` cannot serve ``learning``.

    Examples
    --------
    >>> check_learning_strategy("lamarckian", "es")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: learning='lamarckian' cannot be used with strategy='es', ... or 'nsga2', ...
    """
    if learning is None:
        return
    cls = STRATEGIES[strategy_name]
    chosen = " (chosen by strategy='auto')" if chosen_by_auto else ""
    if not getattr(cls, "takes_learning", True):
        why = getattr(cls, "learning_refusal", "which learns already")
        raise ValueError(f"learning={learning!r} does not combine with strategy="
                         f"{strategy_name!r}{chosen}, {why}; set learning=None.")
    if learning == "lamarckian" and not cls.takes_learned:
        takers = sorted(name for name, c in STRATEGIES.items() if c.takes_learned
                        and getattr(c, "takes_learning", True))
        names = ", ".join(repr(name) for name in takers[:-1]) + f" or {takers[-1]!r}"
        raise ValueError(f"learning='lamarckian' cannot be used with strategy="
                         f"{strategy_name!r}{chosen}, which can only be told the networks it "
                         f"sampled; Lamarckian learning takes strategy {names}, and every "
                         f"strategy takes learning='baldwinian'.")


def check_learning_objective(est):
    """Raise ``ValueError`` if ``est`` learns toward an objective without a gradient.

    Learning follows the gradient of the estimator's loss (``log_loss`` or
    ``squared_error`` with ``alpha``'s L2 term). A ``scoring`` other than the
    loss (``None``) has no gradient to follow, so ``learning`` refuses it.

    Examples
    --------
    >>> class Est:
    ...     learning, scoring = "baldwinian", "accuracy"
    >>> check_learning_objective(Est())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: learning='baldwinian' needs a differentiable objective, ... scoring='accuracy' ...
    """
    scoring = getattr(est, "scoring", None)
    if est.learning is not None and scoring is not None and scoring != "loss":
        raise ValueError(f"learning={est.learning!r} needs a differentiable objective, the "
                         f"estimator's loss: scoring={scoring!r} has no gradient; set "
                         f"scoring=None or learning=None.")


def make_learner(est, problem):
    """The learner of a fit of ``est`` on ``problem`` (``None`` without ``learning``)."""
    if est.learning is None:
        return None
    strategy = STRATEGIES.get(getattr(est, "strategy_", None))
    return LifetimeLearner(problem, est.learning, learning_steps=est.learning_steps,
                           learning_rate_init=est.learning_rate_init,
                           learning_batch_size=est.learning_batch_size,
                           keep_zeros=getattr(strategy, "keeps_zeros", False))



def param_default(est, name):
    """The default value of parameter ``name`` of ``est``'s class.

    Examples
    --------
    >>> from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
    >>> param_default(NeuroEvolutionClassifier(alpha=5.0), "alpha"), param_default(
    ...     NeuroEvolutionRegressor(), "alpha")
    (1.0, 3.0)
    """
    return inspect.signature(type(est).__init__).parameters[name].default


def unused_learning_params(est):
    """The learning parameters that cannot change a fit of ``est``: all of them without learning.

    A checkpoint's fingerprint leaves them out, so that a checkpoint written
    before they existed resumes as it did, and one of a fit without learning
    does not depend on settings that fit never used. Population-based
    training (``strategy="pbt"``, or what ``"auto"`` may pick) uses
    ``learning_rate_init`` (it scales the members' learning rates) and
    ``learning_batch_size``: those count when they are not at their defaults.

    Examples
    --------
    >>> from evonet import NeuroEvolutionClassifier
    >>> unused_learning_params(NeuroEvolutionClassifier(learning_steps=3))
    ('learning', 'learning_steps', 'learning_rate_init', 'learning_batch_size')
    >>> unused_learning_params(NeuroEvolutionClassifier(learning="baldwinian"))
    ()
    >>> unused_learning_params(NeuroEvolutionClassifier(learning_rate_init=0.01))
    ('learning', 'learning_steps', 'learning_batch_size')
    """
    if getattr(est, "learning", None) is not None:
        return ()
    if getattr(est, "strategy", None) not in ("pbt", "auto"):
        return LEARNING_PARAM_NAMES
    used = {name for name in ("learning_rate_init", "learning_batch_size")
            if getattr(est, name) != param_default(est, name)}
    return tuple(name for name in LEARNING_PARAM_NAMES if name not in used)
