"""Pictures of evonet's results, as scikit-learn's ``Display`` objects (needs matplotlib).

Each display is made by a ``from_estimator`` (or ``from_policy``,
``from_genome``, ``from_logbook``) class method, which computes what to draw,
stores it on the object and calls :meth:`plot`; ``plot(ax=...)`` draws on the
given matplotlib axes (a new figure if none) and keeps the axes as ``ax_``,
the figure as ``figure_`` and the artists it made (``lines_``, ``edges_``,
...) on the object, as :class:`sklearn.model_selection.LearningCurveDisplay`
does. A display that does not apply to what it is given raises
``ValueError`` saying why; an unfitted estimator raises scikit-learn's
``NotFittedError``.

- :class:`EvolutionDisplay`: the population's best, mean and spread per
  generation, the full-data checks and the validation scores;
- :class:`NetworkDisplay`: an MLP's layers or a NEAT genome's graph;
- :class:`SpeciesDisplay`: NEAT species sizes over generations;
- :class:`ParetoFrontDisplay`: a Pareto front of score against size;
- :class:`RolloutDisplay`: a pole-balancing policy's cart, poles and force;
- :func:`model_figure`: the network and its evolution in one figure (``evonet plot``).

Importing this package without matplotlib raises an ``ImportError`` naming
the extra to install: ``pip install "evonet[plot]"``. Nothing else in evonet
imports it.
"""

try:
    import matplotlib  # noqa: F401  (the optional dependency, checked at import)
except ImportError as exc:  # pragma: no cover - the test environment has matplotlib
    raise ImportError('evonet.plot needs matplotlib, which is not installed: '
                      'pip install "evonet[plot]"') from exc

from evonet.plot.evolution import EvolutionDisplay
from evonet.plot.figure import FIGURE_FORMATS, model_figure, save_model_figure
from evonet.plot.network import NetworkDisplay
from evonet.plot.pareto import ParetoFrontDisplay
from evonet.plot.rollout import RolloutDisplay
from evonet.plot.species import SpeciesDisplay

__all__ = ["FIGURE_FORMATS", "EvolutionDisplay", "NetworkDisplay", "ParetoFrontDisplay",
           "RolloutDisplay", "SpeciesDisplay", "model_figure", "save_model_figure"]
