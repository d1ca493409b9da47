"""What the neuroevolution classifier and regressor share: parameters, ``fit``, prediction."""

from functools import partial

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data

from evonet.callbacks import ProgressPrinter
from evonet.estimators._architecture import MLPArchitecture, NEATArchitecture
from evonet.estimators._auto import (
    MINIBATCH_STEP_CUTS,
    choose_batch_size,
    choose_strategy,
    warn_batches_clipped,
)
from evonet.estimators._checkpoint import check_saved_fit, fingerprint
from evonet.estimators._continued import (
    check_run_params,
    continue_run,
    run_params,
    training_rows_key,
)
from evonet.estimators._convergence import warn_after_fit
from evonet.estimators._export import ExportMixin
from evonet.estimators._fitdata import FitData, is_float32, unless_all_equal
from evonet.estimators._learning import check_learning_strategy
from evonet.estimators._params import check_params
from evonet.estimators._pareto import ParetoMixin, stopping_rules
from evonet.estimators._pbt import (
    fit_learner,
    fit_parts,
    is_pbt,
    keep_pbt_history,
    patience,
    pbt_ranges,
    round_steps,
)
from evonet.estimators._scoring import warmup_initializer
from evonet.estimators._split import holds_out, split_validation
from evonet.evaluation import Evaluator
from evonet.genome.types import copy_individual
from evonet.randomness import make_generator
from evonet.runs import CheckpointFile, make_strategy, run_generations, start_run

__all__ = ["BaseNeuroEvolution", "choose_batch_size", "choose_strategy"]


class BaseNeuroEvolution(ParetoMixin, ExportMixin, BaseEstimator):
    """Shared implementation of :class:`~evonet.NeuroEvolutionClassifier` and the regressor."""

    loss = None
    """The loss minimised (sklearn's name); a class attribute, not a parameter."""

    def __init__(self, *, hidden_layer_sizes, activation, strategy, population_size,
                 max_generations, max_evaluations, batch_size, alpha, early_stopping,
                 validation_fraction, n_iter_no_change, tol, strategy_params, n_jobs,
                 retry_failed, random_state, verbose, warm_start, checkpoint,
                 checkpoint_interval, scoring=None, loss_warmup=0.5):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.strategy = strategy
        self.population_size = population_size
        self.max_generations = max_generations
        self.max_evaluations = max_evaluations
        self.batch_size = batch_size
        self.alpha = alpha
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.strategy_params = strategy_params
        self.n_jobs = n_jobs
        self.retry_failed = retry_failed
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.checkpoint = checkpoint
        self.checkpoint_interval = checkpoint_interval
        self.scoring = scoring
        self.loss_warmup = loss_warmup

    # -- subclass hooks -------------------------------------------------------
    def _validate_xy(self, X, y, reset):
        raise NotImplementedError

    def _encode_targets(self, y, first, classes, sample_weight):
        """Return ``(targets for the loss, n_outputs, output_activation)``."""
        raise NotImplementedError

    def _continue_targets(self, data):
        """Targets of a continued run (``warm_start``, ``partial_fit``): unchanged here."""

    def _to_output_units(self, layers):
        """Turn the evolved ``(W, b)`` layers into the fitted network's (identity here)."""
        return layers

    def _validation_score(self, params, X_val, y_val, sample_weight=None):
        """The score of individual ``params`` on the validation split (weighted)."""
        raise NotImplementedError

    def _split_stratify(self, y):
        return None

    def get_target_state(self):
        """How targets are encoded (classes, output scaling): checkpoints and model files."""
        raise NotImplementedError

    def set_target_state(self, state):
        """Restore what :meth:`get_target_state` returned."""
        raise NotImplementedError

    # -- fitting --------------------------------------------------------------
    def _check_sample_weight(self, sample_weight, n_samples):
        if sample_weight is None:
            return None
        w = np.asarray(sample_weight, dtype=np.float64)
        if w.ndim == 0:  # one weight for every row, as scikit-learn takes it
            w = np.full(n_samples, float(w))
        if w.ndim != 1 or w.shape[0] != n_samples:
            raise ValueError(f"sample_weight.shape == {w.shape}, expected ({n_samples},)!")
        if not np.isfinite(w).all():
            raise ValueError("sample_weight contains NaN or infinite values.")
        if (w < 0).any():
            raise ValueError("Negative values in data passed to `sample_weight`.")
        if w.sum() <= 0:
            raise ValueError("Sample weights must contain at least one non-zero number.")
        return w

    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None):
        """``fit`` (a new or resumed run), ``warm_start`` and ``partial_fit`` (a continued one)."""
        hidden = check_params(self)
        if incremental and self.early_stopping:
            # as MLPClassifier: a validation split of one batch means nothing
            raise ValueError("partial_fit does not support early_stopping=True; set "
                             "early_stopping=False to train incrementally.")
        checkpoint = None if self.checkpoint is None or incremental else CheckpointFile(
            self.checkpoint, self.checkpoint_interval, kind="estimator")
        resumed = checkpoint is not None and checkpoint.resumed
        continuing = not resumed and (incremental or self.warm_start) and hasattr(self, "_run")
        data = self._prepare_data(X, y, sample_weight, classes, checkpoint,
                                  continuing=continuing)
        if continuing:
            check_run_params(self, incremental)
            self._continue_targets(data)
        # a new run's one generator of this fit; the validation split's seed comes from it
        rng = None if continuing or resumed else make_generator(self.random_state)
        pbt = is_pbt(self, continuing, checkpoint, data.X.shape[0], incremental)
        if holds_out(self, data.X.shape[0], pbt, incremental):
            self._hold_out(data, pbt, self._run.rng if continuing else rng,
                           continuing and not incremental, checkpoint if resumed else None)
        data.sample_weight = unless_all_equal(data.sample_weight)
        warn_batches_clipped(self, data.X.shape[0], pbt)
        strategy_name, architecture = self._choose_network(data, hidden, continuing, checkpoint,
                                                           pbt)
        precise = self.scoring is not None or self.learning is not None
        problem = architecture.problem(data.X, data.targets, self.loss, data.sample_weight,
                                       self.alpha, precise=precise)
        validation = None if data.X_val is None else partial(
            self._validation_score, X_val=data.X_val, y_val=data.y_val,
            sample_weight=data.val_weight)
        problem, validation, train = fit_parts(self, problem, architecture, data, validation, pbt)
        evaluator = Evaluator(problem, n_jobs=self.n_jobs, retry_failed=self.retry_failed,
                              verbose=self.verbose)
        batch_size = choose_batch_size(self.batch_size, data.X.shape[0],
                                       scored=self.scoring is not None)
        strategy, stopping = self._strategy_and_stopping(
            strategy_name, architecture, data, batch_size, continuing,
            validated=validation is not None, incremental=incremental)
        if continuing:
            run = continue_run(self._run, self, data, evaluator, batch_size, validation,
                               incremental)
        else:
            initializer = warmup_initializer(self, strategy, architecture, problem, batch_size,
                                             rng, data.total_weight)
            run = start_run(strategy, evaluator, rng, initializer, batch_size,
                            checkpoint, stopping, validation, check_every=1 if pbt else None)
            run.data_key = training_rows_key(self, data, incremental)
            self.strategy_ = strategy_name
            self._architecture = architecture
            self._run_params = run_params(self, strategy_name)
        if not incremental and getattr(run, "split_seed", None) is None:
            run.split_seed = data.split_seed  # of the run's first fit that held rows out
        self._float32 = is_float32(X)
        start = checkpoint.saved_metadata("start_generation") if resumed else run.generation
        self._evolve(run, incremental, start, stopping, checkpoint, metadata=dict(
            kind="estimator", strategy=strategy_name, start_generation=int(start),
            split_seed=data.split_seed), training=train,
            prequential=pbt and data.X_val is None)
        return self

    def _strategy_and_stopping(self, strategy_name, architecture, data, batch_size, continuing,
                               validated, incremental):
        """The run's strategy (a continued run's own) and the fit's stopping rules."""
        if continuing:
            strategy = self._run.strategy
            if incremental and strategy_name == "pbt":  # one epoch of this call's rows
                strategy.steps = round_steps(self, data.X.shape[0], True) or strategy.steps
        else:
            defaults = self._strategy_defaults(strategy_name, architecture, data, batch_size,
                                               incremental)
            strategy = make_strategy(strategy_name, self.population_size, self.strategy_params,
                                     defaults=defaults, chosen_by_auto=self.strategy == "auto")
        stopping = stopping_rules(strategy_name, self.tol, patience(
            self.n_iter_no_change, strategy, data.X.shape[0], self.learning_batch_size),
            validated, incremental)
        return strategy, stopping

    def _strategy_defaults(self, strategy_name, architecture, data, batch_size, incremental):
        """Settings of a new run's strategy that the estimator chooses (``strategy_params`` win)."""
        defaults = architecture.strategy_defaults(strategy_name)
        if strategy_name == "neat":
            defaults["activation"] = self.activation
        elif strategy_name == "pbt":
            defaults.update(pbt_ranges(self, incremental),
                            steps=round_steps(self, data.X.shape[0], incremental))
        elif strategy_name == "es" and batch_size is not None:
            defaults["adaptive_steps"] = MINIBATCH_STEP_CUTS  # noisy fitness: cut, not stop
        return defaults

    def _hold_out(self, data, pbt, rng, warm=False, checkpoint=None):
        """Split the validation rows off ``data``, with the seed of the run's own split.

        A resumed fit splits as its ``checkpoint`` recorded. A ``warm_start``
        fit (``warm``) splits as the first fit of its run that held rows out, as
        scikit-learn's MLPs do on every fit of an integer ``random_state``: on
        the same rows with the same ``validation_fraction``, rows an earlier fit
        learned from never validate a later one. A new run, and a
        ``partial_fit`` call (new rows), draw the seed from ``rng``.
        """
        previous = getattr(self._run, "split_seed", None) if warm else None
        if checkpoint is not None:
            seed = checkpoint.saved_metadata("split_seed")
        else:
            seed = previous if previous is not None else int(rng.integers(0, 2**31 - 1))
        split_validation(data, self.validation_fraction, seed, self._split_stratify(data.y), pbt)

    def _prepare_data(self, X, y, sample_weight, classes, checkpoint, continuing):
        """Validated data and encoded targets; a resumed fit's checkpoint is checked here."""
        X, y = self._validate_xy(X, y, reset=not continuing)
        sample_weight = self._check_sample_weight(sample_weight, X.shape[0])
        resumed = checkpoint is not None and checkpoint.resumed
        if checkpoint is not None:
            checkpoint.match(fingerprint(self, X, y, sample_weight))
        if resumed:
            check_saved_fit(checkpoint.saved)
            self.set_target_state(checkpoint.saved.extra["targets"])
        targets, n_outputs, output_activation = self._encode_targets(
            y, not (continuing or resumed), classes, sample_weight)
        return FitData(X, y, targets, sample_weight, n_outputs, output_activation)

    def _choose_network(self, data, hidden, continuing, checkpoint, pbt=False):
        """The strategy's name and the network's architecture of this fit."""
        n_features, n_outputs = data.X.shape[1], data.n_outputs
        if continuing:
            strategy_name = self.strategy_
        elif checkpoint is not None and checkpoint.resumed:
            strategy_name = checkpoint.saved_metadata("strategy")
        elif self.strategy == "auto" and pbt:
            strategy_name = "pbt"
        elif self.strategy == "auto":
            n_params = MLPArchitecture(n_features, hidden, n_outputs, self.activation,
                                       data.output_activation).n_params
            strategy_name = choose_strategy(n_params, data.X.shape[0], self.batch_size,
                                            scored=self.scoring is not None)
        else:
            strategy_name = self.strategy
        check_learning_strategy(self.learning, strategy_name, self.strategy == "auto")
        if strategy_name == "neat":
            architecture = NEATArchitecture(n_features, n_outputs, data.output_activation)
        else:
            architecture = MLPArchitecture(n_features, hidden, n_outputs, self.activation,
                                           data.output_activation)
        if continuing and architecture != self._architecture:
            raise ValueError(f"warm_start/partial_fit needs the same network as the previous "
                             f"fit: {self._architecture} != {architecture}.")
        return strategy_name, architecture

    def _evolve(self, run, incremental, start, stopping, checkpoint, metadata, training=None,
                prequential=False):
        """Run the generations of this call and keep the result (also of a failed run)."""
        run.learner = fit_learner(self, training or run.evaluator.problem, prequential)
        budget = 1 if incremental else max(0, self.max_generations - (run.generation - start))
        callbacks = []
        if self.verbose:
            callbacks.append(ProgressPrinter(every=1 if self.verbose > 1 else 10,
                                             total=None if incremental else budget))
        validated = run.validation is not None
        try:
            run_generations(run, budget,
                            max_evaluations=None if incremental else self.max_evaluations,
                            callbacks=callbacks, stopping=stopping, checkpoint=checkpoint,
                            metadata=metadata, extra={"targets": self.get_target_state()})
        except (Exception, KeyboardInterrupt):
            # a dead worker, a failing fitness or Ctrl-C: keep the best network found so
            # far (the checkpoint, if any, holds the state before the failing generation)
            if len(run.hall_of_fame):
                self._keep_run(run, validated, start)
            raise
        self._keep_run(run, validated, start)
        warn_after_fit(self, run, incremental)

    def _keep_run(self, run, validated, start):
        run.evaluator = None  # holds a copy of the data; the next fit gives it new data
        run.validation = None
        self._run = run
        self._store_result(run, validated, start)

    def _store_result(self, run, validated, start):
        architecture = self._architecture
        self.n_outputs_ = architecture.layout.n_outputs if architecture.kind == "mlp" \
            else architecture.n_outputs
        if architecture.kind == "mlp":
            layout = architecture.layout
            layers = layout.unpack(np.asarray(run.best, dtype=np.float64))
            layers = self._to_output_units([(np.array(W), np.array(b)) for W, b in layers])
            # float32 weights for float32 data, as MLPClassifier
            dtype = np.float32 if self._float32 else np.float64
            self.coefs_ = [np.array(W, dtype=dtype) for W, _ in layers]
            self.intercepts_ = [np.array(b, dtype=dtype) for _, b in layers]
            self.n_layers_ = layout.n_layers + 1
            self.out_activation_ = layout.output_activation
            self.__dict__.pop("genome_", None)  # of an earlier NEAT fit
        else:
            self.genome_ = copy_individual(run.best)
            self.out_activation_ = architecture.output_activation
            for name in ("coefs_", "intercepts_", "n_layers_"):  # of an earlier MLP fit
                self.__dict__.pop(name, None)
        # as MLPClassifier: the iterations of the latest fit (a warm_start fit counts its
        # own; partial_fit runs one)
        self.n_iter_ = run.generation - start
        self.stop_reason_ = run.stop_reason
        self.n_evaluations_ = run.n_evaluations
        self.loss_curve_ = list(run.loss_curve)
        self.loss_ = float(run.loss_curve[-1]) if run.loss_curve else None
        # as MLPClassifier: None with early_stopping (the validation score chose the model)
        self.best_loss_ = None if validated else float(run.best_loss)
        self.logbook_ = run.logbook
        keep_pbt_history(self, run)
        if validated:
            self.validation_scores_ = list(run.validation_scores)
            # None when the budget ended before the first check the validation rule saw
            self.best_validation_score_ = (float(max(run.validation_scores))
                                           if run.validation_scores else None)
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
        self._store_front(run)

    # -- prediction -----------------------------------------------------------
    def __getattr__(self, name):
        # only reached when normal lookup fails
        if name in ("coefs_", "intercepts_", "n_layers_") \
                and self.__dict__.get("strategy_") == "neat":
            raise AttributeError(f"{name} describes fixed-topology networks; this model was "
                                 f"evolved with strategy='neat': use genome_ or to_json().")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _weights(self):
        return self._architecture.layout.pack(zip(self.coefs_, self.intercepts_))

    def _output(self, X, params=None):
        """Activated outputs ``(n_samples, n_outputs)`` in float64.

        Without ``params``, those of the fitted model in the targets' units;
        with ``params`` (an individual of the run), those of that individual in
        the units it was evolved in.
        """
        if params is not None:
            return self._architecture.output(params, X)
        if self._architecture.kind == "mlp":
            return self._architecture.output(self._weights(), X)
        return self._from_evolved_units(self._architecture.output(self.genome_, X))

    def _cast_output(self, output, X):
        """``output`` (computed in float64) as float32 for float32 ``X`` and a float32 model.

        A float32 model: float32 ``coefs_``, or a graph (NEAT) fitted on float32 ``X``.
        """
        float32_model = self.coefs_[0].dtype == np.float32 \
            if self._architecture.kind == "mlp" else self.__dict__.get("_float32", False)
        if is_float32(X) and float32_model:
            return output.astype(np.float32)
        return output

    def _from_evolved_units(self, output):
        """Outputs of an evolved graph in the targets' units (identity here)."""
        return output

    def _check_predict_input(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=np.float64, accept_sparse="csr")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.input_tags.sparse = True  # the first layer takes scipy.sparse rows (CSR)
        return tags
