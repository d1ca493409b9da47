"""What a fitted estimator exports: JSON, a model file, scikit-learn's MLP."""

import json

import numpy as np
from sklearn.utils.validation import check_is_fitted

from evonet.estimators._model_file import ModelFileMixin
from evonet.io import write_model

__all__ = ["ExportMixin"]


class ExportMixin(ModelFileMixin):
    """``to_json``, ``save`` and the copy into a scikit-learn MLP (``to_sklearn``).

    Examples
    --------
    >>> from evonet import NeuroEvolutionClassifier
    >>> issubclass(NeuroEvolutionClassifier, ExportMixin)
    True
    """

    def to_json(self):
        """The fitted network as a JSON string that can be evaluated anywhere.

        For a fixed topology: ``layer_sizes``, ``activation``,
        ``output_activation``, and per layer ``coefs`` (``fan_in x fan_out``)
        and ``intercepts``; the outputs are ``act(... act(X @ W1 + b1) ...)``
        with ``output_activation`` on the last layer (the regressor's output
        scaling is folded into it). For NEAT: the ``genome`` (nodes with bias
        and activation, connections with weight and enabled flag),
        ``output_activation``, and ``output_scale`` / ``output_offset``. Input
        node ``i`` holds column ``i``; every hidden node computes
        ``act(bias + sum(weight * value))`` over its *enabled* incoming
        connections (``act(bias)`` with none), in topological order; every
        output node the linear ``bias + sum(weight * value)`` (its activation
        gene is unused); then ``output_activation`` applies across the
        outputs and ``out * output_scale + output_offset`` last. ``classes``
        lists class labels (classifier). ``tests/test_io_json.py``
        re-implements both forward passes from this JSON alone.

        Returns
        -------
        str

        Examples
        --------
        >>> import json
        >>> from sklearn.datasets import load_iris
        >>> from evonet import NeuroEvolutionClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = NeuroEvolutionClassifier((3,), max_generations=5, random_state=0).fit(X, y)
        >>> json.loads(clf.to_json())["layer_sizes"]
        [4, 3, 3]
        """
        check_is_fitted(self)
        data = {"format": "evonet.network", "version": 1, "kind": self._architecture.kind,
                "n_features_in": int(self.n_features_in_), "n_outputs": int(self.n_outputs_),
                "output_activation": self.out_activation_}
        if self._architecture.kind == "mlp":
            data.update(layer_sizes=list(self._architecture.layout.layer_sizes),
                        activation=self._architecture.layout.activation,
                        coefs=[W.tolist() for W in self.coefs_],
                        intercepts=[b.tolist() for b in self.intercepts_])
        else:
            scale, offset = self._output_scaling()
            data.update(genome=self.genome_.to_dict(), output_scale=scale.tolist(),
                        output_offset=offset.tolist())
        if hasattr(self, "classes_"):
            data["classes"] = [c.item() if hasattr(c, "item") else c for c in self.classes_]
        return json.dumps(data)

    def _output_scaling(self):
        return np.ones(self.n_outputs_), np.zeros(self.n_outputs_)

    def save(self, path):
        """Save the fitted model to a model file, atomically (format: :mod:`evonet.io.model`).

        ``evonet.load(path)`` gives it back, predicting exactly as this model
        does; loading never unpickles and checks every field.

        Parameters
        ----------
        path : str or os.PathLike

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from sklearn.datasets import load_iris
        >>> import evonet
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = evonet.NeuroEvolutionClassifier((4,), max_generations=10, random_state=0)
        >>> path = os.path.join(tempfile.mkdtemp(), "iris.evonet")
        >>> clf.fit(X, y).save(path)
        >>> bool(np.all(evonet.load(path).predict(X) == clf.predict(X)))
        True
        """
        document, arrays = self.to_model_document()
        write_model(path, type(self).__name__, document, arrays)

    def _sklearn_network(self, model):
        """Copy the fitted network into a scikit-learn MLP (``to_sklearn``)."""
        check_is_fitted(self)
        if self._architecture.kind != "mlp":
            raise ValueError("to_sklearn() needs a fixed-topology network; this model was "
                             "evolved with strategy='neat' (see genome_ and to_json()).")
        model.set_params(hidden_layer_sizes=self._architecture.layout.hidden_layer_sizes,
                         activation=self.activation)
        model.coefs_ = [W.copy() for W in self.coefs_]
        model.intercepts_ = [b.copy() for b in self.intercepts_]
        model.n_layers_ = self.n_layers_
        model.n_outputs_ = self.n_outputs_
        model.out_activation_ = self.out_activation_
        model.n_features_in_ = self.n_features_in_
        if hasattr(self, "feature_names_in_"):
            model.feature_names_in_ = self.feature_names_in_
        model.n_iter_ = self.n_iter_
        model.loss_curve_ = list(self.loss_curve_)
        model.best_loss_ = self.best_loss_
        model.loss_ = self.loss_curve_[-1] if self.loss_curve_ else None
        model.t_ = 0
        return model
